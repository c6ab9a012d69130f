from __future__ import annotations

import ast

from ..liveness import knobs as K
from ..library_settings.driver_calls import connect_args_calls, settings_calls
from ..analysis.events import AttributeStore, KnownCall, MethodCall
from ..schemas.schema import ClassSchema, Knob
from ..liveness import idle_close
from ..liveness.coerced_values import coerced_off
from ..analysis.values import is_number, literal_value
from ..liveness.liveness_scope import EXEMPTION_NOTES, EXEMPTIONS, exempt
from ..liveness.servicing import servicing_advice, servicing_hint, unserviced
from ..liveness.transports import on_transport
from .base import CLOUD_IDLE_TIMEOUTS, Check

#: Knob concepts whose value is the quiet time before something is sent.
_INTERVALS = ("heartbeat", "keepalive_idle", idle_close.CONCEPT)


class IntervalAboveMaxIdle(Check):
    """A heartbeat or keepalive interval longer than the network keeps an idle connection.

    ## What it does
    Compares the quiet gap a library's liveness knob allows on an idle
    connection with `max-idle-seconds` (default 240), and reports the value
    when the gap is longer. The gap is computed per knob from the schemas:
    AMQP clients (pika, kombu, py-amqp, qpid) send a heartbeat frame about
    every `heartbeat/2`; paramiko's `set_keepalive(n)`, paho-mqtt's
    `keepalive` and grpc's `grpc.keepalive_time_ms` send after `n` quiet
    seconds (grpc in **milliseconds**); websockets' `ping_interval`,
    websocket-client's `run_forever(ping_interval=n)` and aiohttp's
    websocket `heartbeat` send a Ping every `n` seconds (aiohttp: after `n`
    seconds without a received frame); libpq's `keepalives_idle`, redis's
    `socket_keepalive_options` and pika's `tcp_options` set when TCP sends
    its first keepalive probe (seconds). Values are literals (also
    arithmetic on literals: `5 * 60 * 1000`) and module-level constants
    assigned once, also those imported from another module of the project
    (`from .settings import HEARTBEAT`, `settings.HEARTBEAT`, a class
    attribute `Config.HEARTBEAT`: the project index); anything else is not
    guessed. Raw sockets
    (`setsockopt(IPPROTO_TCP, TCP_KEEPIDLE, n)`) are LK202's.

    It also reports a client-side idle close set above the maximum idle time:
    kafka-python and aiokafka close a connection idle for
    `connections_max_idle_ms` (milliseconds, 540000 by default) and reconnect
    on the next request, which helps only if it
    comes before the middlebox forgets the flow. The advice there is three
    quarters of `max-idle-seconds` (`180000` for 240 s), not the 30 s of a
    heartbeat: closing sooner only reconnects more often. A value aiormq turns
    into 0 (`heartbeat=600.0`, see LK203) is not judged as long.
    libpq keywords given through configuration (a Django `DATABASES` entry's
    `OPTIONS`, SQLAlchemy's `connect_args`) are judged as keywords of the
    driver's `connect()`, on the same connections as in
    [LK203](LK203.md): persistent or pooled, with a remote host, outside test
    settings.

    ## Why is this bad?
    A heartbeat only keeps a connection alive if it comes before the
    middlebox's idle timeout. `heartbeat=600` on an AMQP connection sends
    a frame every 300 s; an Azure load balancer forgot the flow after 240 s
    and an AWS NAT gateway after 350 s, so the heartbeat arrives at a
    connection that no longer exists. The unit trap makes this common:
    `grpc.keepalive_time_ms: 600` is 0.6 s, `600000` is 10 minutes, and
    libpq's `tcp_user_timeout` is milliseconds while `keepalives_idle` is
    seconds.

    Units differ per knob and per OS, a classic trap: AMQP heartbeats,
    paramiko and paho-mqtt use seconds, grpc `grpc.keepalive_time_ms` and
    libpq `tcp_user_timeout` milliseconds; `TCP_KEEPIDLE` is seconds while
    Windows' `SIO_KEEPALIVE_VALS` is milliseconds. For a raw socket the
    idle option's name differs too, so portable code writes:

    ```python
    idle = getattr(socket, "TCP_KEEPIDLE", None) or getattr(socket, "TCP_KEEPALIVE", None)
    if idle is not None:
        sock.setsockopt(socket.IPPROTO_TCP, idle, 30)
    ```

    ## Example
    ```python
    import pika

    params = pika.ConnectionParameters("rabbit.example.com", heartbeat=600)
    ```

    ## Use instead
    ```python
    import pika

    params = pika.ConnectionParameters("rabbit.example.com", heartbeat=60)
    ```

    ## Fix safety
    When the value is a literal, the fix replaces it with one whose quiet gap
    is at most 30 s and a quarter of `max-idle-seconds`, in the knob's own
    unit (`heartbeat=60` for AMQP, `keepalives_idle=30`,
    `grpc.keepalive_time_ms` `30000`). It is **unsafe**: the connection then
    sends more often, and a grpc server rejects client pings more often than
    every 5 minutes on a connection without data unless it allows them (the
    server's `grpc.http2.min_ping_interval_without_data_ms`, and
    `grpc.keepalive_permit_without_calls`). An AMQP heartbeat is sent only
    while the application services the connection (pika's
    `BlockingConnection` during `process_data_events()`, `sleep()` or
    `start_consuming()`; kombu from `heartbeat_check()`): when nothing in
    the file calls them, the message says so, since a lower heartbeat then
    gets the connection closed by the broker sooner. A module-level
    constant or a value in a connection string is reported with **no fix**:
    change it where it is defined.

    ## Options
    - `max-idle-seconds` (default 240): the longest quiet gap allowed. Raise
      it when every path between client and server keeps idle flows longer
      (for example 3000 behind a Cisco ASA with its 1 h default and nothing
      else); see [Choosing the maximum idle time](../max-idle.md).
    - `strict` (`--strict`): also report short-lived connections, made and
      closed within one function or `with` block.
    - `test-code-ignore` (default `["LK2"]`): not reported in test code.

    ## References
    - [RabbitMQ: heartbeats (frames every timeout/2)](https://www.rabbitmq.com/docs/heartbeats)
    - [gRPC keepalive](https://github.com/grpc/grpc/blob/master/doc/keepalive.md)
    - [kafka-python `connections_max_idle_ms`](https://kafka-python.readthedocs.io/en/master/apidoc/KafkaProducer.html)
    - [libpq keepalives](https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-KEEPALIVES)
    - [Choosing the maximum idle time](../max-idle.md)
    """

    code = "LK205"
    exemptions = EXEMPTIONS
    exemption_notes = EXEMPTION_NOTES
    name = "interval-above-max-idle"
    fix_availability = "sometimes"
    reads_settings_modules = True

    def _knobs(self, cls: ClassSchema, guards: frozenset[str] = frozenset()) -> list[Knob]:
        found = K.applicable(self.schemas, cls, self.context.filename, self.options.versions, guards, _INTERVALS)
        return [k for k in (*found.knobs, *found.uncertain) if k.unit in ("s", "ms")]

    def finish(self) -> None:
        for driver_call in settings_calls(self):
            self.known_call(driver_call)

    def known_call(self, event: KnownCall) -> None:
        for driver_call in connect_args_calls(self, event):
            self.known_call(driver_call)
        if exempt(event, self.context):
            return
        seen = set()
        for knob in on_transport(event, self._knobs(event.target.returns, event.version_guards)):
            setter = knob.kwarg or (knob.attribute if event.target.settings_argument else None)
            if setter is None or (setter, knob.key) in seen:
                continue
            seen.add((setter, knob.key))
            reading = K.read(event.call, event.target, knob, event.resolver)
            if reading.state == K.SET:
                self._check(knob, reading.value, reading.node, _spelt(knob, reading), event.target.display_name)

    def attribute_store(self, event: AttributeStore) -> None:
        if event.form not in ("assign", "annassign", "setattr") or event.value is None:
            return
        for knob in self._knobs(event.instance.cls):
            if knob.attribute == event.name:
                if knob.key is None:
                    value = literal_value(event.value, None)
                    self._check(knob, value, event.value, f"{event.name} = {{}}", event.instance.display_name)
                else:
                    reading = K.read_entry(event.value, knob, None)
                    if reading.state == K.SET:
                        self._check(knob, reading.value, reading.node, _spelt(knob, reading),
                                    event.instance.display_name)
                return

    def method_call(self, event: MethodCall) -> None:
        if event.instance is None:
            return
        for knob in self._knobs(event.instance.cls):
            if knob.method == event.method:
                argument = K.method_argument(event.call, knob)
                if argument is not None:
                    self._check(knob, literal_value(argument, event.resolver), argument,
                                K.method_spelling(event.call, knob, argument), event.instance.display_name)
                return

    def _check(self, knob: Knob, value, node: ast.expr | None, spelt: str, owner: str) -> None:
        if node is None or not is_number(value) or K.is_off(value, knob) or value <= 0 or coerced_off(value, knob):
            return  # a value the library turns off is LK203's
        max_idle = self.options.max_idle_seconds
        silence = K.silence_seconds(value, knob)
        if silence <= max_idle:
            return
        unit = "ms" if knob.unit == "ms" else "s"
        named = isinstance(node, (ast.Name, ast.Attribute))  # a constant (`settings.HEARTBEAT` too)
        shown = spelt.format(f"{ast.unparse(node)} ({_number(value)})" if named else _number(value))
        if knob.gap > 1:
            gap = f" (after the last message, the first heartbeat may come only {knob.gap:g} intervals later)"
        elif knob.gap != 1:
            gap = f" (it sends every {_fraction(knob.gap)} interval)"
        elif knob.unit == "ms":
            gap = " (the value is in milliseconds)"
        else:
            gap = ""
        what = "heartbeat" if knob.concept == "heartbeat" else "first TCP keepalive probe"
        suggested = K.suggested_value(knob, max_idle)
        message = (f"{shown} on {owner} leaves {_number(silence)} s quiet (idle limit {max_idle} s): "
                   f"use {{}} ({'milliseconds' if unit == 'ms' else 'seconds'})")
        explanation = (f"{shown} allows a quiet gap of {_number(silence)} s{gap} before the "
                       f"{what}: NAT gateways and "
                       f"load balancers forget idle flows ({CLOUD_IDLE_TIMEOUTS}), so it reaches a connection that "
                       f"is already gone.")
        if knob.concept == idle_close.CONCEPT:
            suggested = idle_close.suggested_idle_close(knob, max_idle)
            message = message.replace(" leaves ", " keeps idle connections ").replace(" s quiet (", " s (")
            explanation = idle_close.explanation(shown, _number(silence), max_idle, CLOUD_IDLE_TIMEOUTS)
        message = message.format(suggested)
        if knob.caveat:
            explanation += f" Also: {knob.caveat}."
        if unserviced(knob, self.context):
            message += f" {servicing_hint(knob)}"
            explanation += f" {servicing_advice(knob)}"
        fix = None
        # A value inside a connection string is the user's to edit: replacing the node would drop the URL.
        in_string = isinstance(getattr(node, "value", None), str)
        if isinstance(node, (ast.Constant, ast.BinOp, ast.UnaryOp)) and not in_string:
            fix = self.replace_fix(node, str(suggested), f"Use {suggested}")
        self.report(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, message, fix, explanation)


def _spelt(knob: Knob, reading: K.Reading) -> str:
    """How the message shows the setting, with {} for the value."""
    if knob.key is not None:
        return f"{knob.kwarg or knob.attribute} {knob.key!r}: {{}}"
    if reading.spelt.endswith("connection string"):
        return f"{knob.kwarg or knob.attribute}={{}} in the connection string"
    return f"{knob.kwarg}={{}}"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _fraction(gap: float) -> str:
    return {0.5: "half an"}.get(gap, f"{gap:g} x the")
