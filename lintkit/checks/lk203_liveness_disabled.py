from __future__ import annotations

import ast
from dataclasses import replace

from ..library_settings.driver_calls import connect_args_calls, settings_calls
from ..analysis.events import AttributeStore, KnownCall, MethodCall
from ..schemas.schema import ClassSchema, Knob
from ..liveness.coerced_values import coerced_off, off_value
from ..liveness.keepalive_specs import known_forms, spec_problem
from ..liveness.knobs import SET, method_argument, method_spelling, read, written_value
from ..liveness.liveness_scope import EXEMPTION_NOTES, EXEMPTIONS, exempt
from ..liveness.parameter_defaults import default_behind
from ..library_settings.settings_liveness import knob_settings
from ..library_settings.settings_sources import setting_uses
from ..liveness.servicing import done_by_hand
from ..liveness.transports import on_transport
from .base import CLOUD_IDLE_TIMEOUTS, Check

#: The knob concepts whose "off" value leaves a connection with no liveness at all.
_CONCEPTS = ("heartbeat", "keepalive")
_NO_VALUE = object()

_CONSEQUENCE = {
    "heartbeat": "No heartbeats are sent or expected, so a dead peer or a connection dropped by a "
                 "firewall goes unnoticed until the next write fails (or forever, for a consumer); "
                 f"NAT gateways and load balancers drop idle flows ({CLOUD_IDLE_TIMEOUTS}).",
    "keepalive": "Without SO_KEEPALIVE Linux sends no keepalive probes, so a quiet connection dies silently once "
                 f"a NAT gateway or load balancer drops the idle flow ({CLOUD_IDLE_TIMEOUTS}).",
}


def _literal(expr: ast.expr | None):
    """The value of a literal number (`-1` too), bool or None; _NO_VALUE for anything else."""
    if isinstance(expr, ast.Constant) and (expr.value is None or isinstance(expr.value, (bool, int, float))):
        return expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant) \
            and type(expr.operand.value) in (int, float):
        return -expr.operand.value
    if isinstance(expr, ast.Tuple) and expr.elts:  # stomp.py heartbeats=(0, 0): a knob with `items`
        items = tuple(_literal(e) for e in expr.elts)
        return _NO_VALUE if _NO_VALUE in items else items
    return _NO_VALUE


def _is_off(value, knob: Knob) -> bool:
    """A literal in the knob's off list.  `None` counts only where it overrides a default that
    is on (redis-py 8's socket_keepalive=True): elsewhere None is just "not set"."""
    if value is None:
        return None in knob.off and knob.default is not None and knob.default not in knob.off
    if isinstance(value, tuple):
        return knob.items == len(value) and all(_is_off(item, replace(knob, items=None)) for item in value)
    return any(off is not None and type(off) is not str and off == value for off in knob.off)


class LivenessDisabled(Check):
    """A heartbeat or TCP keepalive explicitly turned off with a literal value.

    ## What it does
    Reports the values that switch a connection's liveness off, as the
    library schemas list them (`[[class.knob]]` of concept `heartbeat` or
    `keepalive`, its `off` values): keyword arguments of constructors and
    factories (`heartbeat=0` for pika, kombu, py-amqp and qpid;
    `socket_keepalive=False` for redis; `keepalives=0` for psycopg2 and
    psycopg; `ping_interval=None` for websockets' `connect()` and `serve()`,
    asyncio and threading, whose default pings every 20 s; not in a file
    that calls `ping()` on an object, as an application that pings on its
    own timing does: the knob's `replaced_by`), attribute assignments (`params.heartbeat = 0`), and methods
    at the argument the schema names, by position or by keyword
    (`transport.set_keepalive(0)` for paramiko, also on the Transport pysftp
    keeps in `sftp._transport`; `client.connect(host, 1883, 0)` and
    `connect(host, keepalive=0)` for paho-mqtt). The same settings in a
    literal URL or conninfo are reported too, with no fix
    (`"amqp://h/%2F?heartbeat=0"`, `"redis://h/0?socket_keepalive=no"`,
    `"host=db keepalives=0"`). It also reports
    `setsockopt(SOL_SOCKET, SO_KEEPALIVE, 0)` / `False` on any socket.

    Values the library silently turns into "off" count too (the knob's
    `integer_only` and `accepted` in the schema): aio-pika puts `heartbeat=`
    into the URL query, and aiormq reads it with `int()` of the text, 0 when
    that fails and 0 outside 0..65534, so `heartbeat=30.0`, `heartbeat="30s"`,
    `?heartbeat=30.0` and `heartbeat=70000` all switch heartbeats off; the
    message says what the value is read as.
    Settings read by name count too (`[[settings.knob]]`): celery's
    `broker_heartbeat = 0` or `None`, wherever the file sets it
    (`app.conf.update(...)`, `Celery(...)` keywords, a config class, a
    `celeryconfig.py` module, `CELERY_BROKER_HEARTBEAT` in Django settings),
    when the file gives the broker's URL as a literal `amqp://` (py-amqp) URL
    away from this host: the worker then sends no AMQP heartbeats.
    libpq keywords given through configuration are judged as keywords of the
    driver's `connect()`: the `OPTIONS` of a PostgreSQL `DATABASES` entry in
    a Django settings module whose persistent connections can sit idle past
    the maximum idle time (`CONN_MAX_AGE` `None`, computed or above it), and
    SQLAlchemy's `connect_args` for `postgresql+psycopg2` / `+psycopg` (a
    bare `postgresql://` per the SQLAlchemy version) on a pooled engine
    (not `poolclass=NullPool`). The host is the entry's `HOST` or the URL's:
    none (libpq's UNIX socket), a socket directory or loopback is not judged,
    nor test settings (a file name with `test` in it).

    A tuple of values is off when every item is (the knob's `items`):
    stomp.py's `heartbeats=(0, 0)`, its default, turns STOMP heart-beating off,
    while `heartbeats=(0, 10000)` still has the broker send heart-beats and is
    not reported. A value the library reads as a specification and ignores
    when it is not one (the knob's `spec_names`) is reported too, with no fix:
    stomp.py's `keepalive=` takes `True` or a tuple starting with `"auto"`,
    `"linux"` or `"mac"`, and only logs an error for `keepalive="linux"`,
    `keepalive=("Linux", 60, 10, 3)` or `keepalive=1`, leaving SO_KEEPALIVE off.

    A knob that real code turns off deliberately (the schema's
    `deliberate_off`) is reported only with `strict`: cassandra-driver's
    `idle_heartbeat_interval=0`. The ecosystem check found it only where
    the connections are busy for one task (cqlsh's COPY worker processes),
    and its users turn it off when the heartbeat marks connections to a
    slow node defunct; the better advice there is a longer
    `idle_heartbeat_timeout`, which lintkit cannot judge.

    Only literal values count: `heartbeat=config.heartbeat` is not reported.
    A literal in a `**params` dict (`{"heartbeat": 0}`, `dict(heartbeat=0)`,
    `params.update(heartbeat=0)`, a `functools.partial(...)`'s keywords) is
    reported at the key. A parameter's literal default counts where the
    parameter reaches the knob (`def connect(heartbeat=0): ...(heartbeat=heartbeat)`,
    or `self.x` stored once from one): it is reported at the default, for the
    callers that do not pass it, when the function is public (a module-level
    function or a method of a module-level class, not named `_x`) and not
    every call in the file passes it, or when it is private and every call in
    the file relies on the default. A parameter the function rebinds is not
    judged.
    `None` is reported only where it overrides a default that is on
    (`socket_keepalive=None` with redis-py 8, whose default is `True`); where
    `None` is the library's default (qpid) or means "ask the broker" (pika),
    passing it is not an explicit disable. Knobs in your own schemas work the
    same way.

    ## Why is this bad?
    A connection with neither heartbeats nor TCP keepalive cannot tell a quiet
    peer from a dead one. Stateful middleboxes forget idle flows (Azure load
    balancers and NAT after 240 s, AWS NAT gateways after 350 s, IPVS after
    900 s), after which the client waits forever on a read or learns of the
    loss only when its next write is reset. Disabling the heartbeat "to avoid
    spurious disconnects" trades a visible error for a silent hang.

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

    params = pika.ConnectionParameters("rabbit.example.com", heartbeat=0)
    ```

    ## Use instead
    ```python
    import pika

    params = pika.ConnectionParameters("rabbit.example.com", heartbeat=60)
    ```

    ## Fix safety
    The fix replaces the literal: a switch becomes `True` (`1` for an
    integer switch such as libpq's `keepalives`, or `SO_KEEPALIVE`), an
    interval becomes one whose quiet gap is at most 30 s and a quarter of
    `max-idle-seconds`, in the knob's own unit (`heartbeat=60` for AMQP,
    where frames go out every `heartbeat/2`). It is **unsafe**: the
    connection then sends heartbeats and the peer drops a client that stops
    servicing them (a pika `BlockingConnection` blocked in a long callback,
    a kombu consumer that never calls `heartbeat_check()`). `None` values
    and attribute assignments through `setattr` get the same fix; a value
    that is not a literal is not reported.

    ## Options
    - `max-idle-seconds` (default 240): the fix's interval keeps the quiet gap
      under a quarter of it.
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): the knobs of
      your own schemas (`[[class.knob]]` with `off` values) are checked too.
    - `strict` (`--strict`): also report short-lived connections, made and
      closed within one function or `with` block, and knobs whose schema
      marks turning them off as usually deliberate (`deliberate_off`).
    - `test-code-ignore` (default `["LK2"]`): not reported in test code.

    ## References
    - [pika `ConnectionParameters.heartbeat`](https://pika.readthedocs.io/en/stable/modules/parameters.html)
    - [libpq connection parameters: `keepalives`](https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-KEEPALIVES)
    - [Linux `tcp(7)`: keepalive](https://man7.org/linux/man-pages/man7/tcp.7.html)
    - [Library schemas: `[[class.knob]]`](../schemas.md)
    """

    code = "LK203"
    exemptions = EXEMPTIONS
    exemption_notes = EXEMPTION_NOTES
    name = "liveness-disabled"
    fix_availability = "sometimes"
    reads_settings_modules = True

    def _knobs(self, cls: ClassSchema, setter: str, name: str) -> list[Knob]:
        return [knob for owner in self.schemas.mro(cls) for knob in owner.knobs
                if knob.concept in _CONCEPTS and getattr(knob, setter) == name]

    def _check(self, cls: ClassSchema, knobs: list[Knob], value_node: ast.expr | None, spelt: str,
               owner: str, at: tuple[int, int, int, int]) -> None:
        if knobs and isinstance(value_node, (ast.Name, ast.Attribute)):
            behind = default_behind(value_node, self.context.parents)
            if behind is not None:  # a parameter's default (parameter_defaults.py): reported at the default
                node = behind.node
                self._check(cls, knobs, node, f"the default {behind.parameter}={{}} of {behind.function}()",
                            f"{owner} for callers that do not pass {behind.parameter}",
                            (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
                return
        for knob in knobs:
            problem = spec_problem(value_node, knob)
            if problem is not None:
                library = cls.library or owner.split(".")[0]
                written = ast.unparse(value_node)
                self.report(*at, f"{spelt.format(written if len(written) <= 30 else '...')} is no {knob.concept} spec: "
                                 f"{library} logs an error and leaves it off; pass True or a tuple starting with "
                                 f"{known_forms(knob)}",
                            explanation=f"On {owner}: {problem}. {_CONSEQUENCE[knob.concept]}")
                return
        value = _literal(value_node)
        if value is _NO_VALUE and isinstance(value_node, ast.Constant) and isinstance(value_node.value, str):
            value = value_node.value  # "30s": off where the library reads it with int() (coerced_values)
        if value is _NO_VALUE or not knobs:
            return
        off_knobs = [knob for knob in knobs if _is_off(value, knob) or coerced_off(value, knob)]
        if not off_knobs or any(done_by_hand(knob, self.context) for knob in off_knobs):
            return
        if all(knob.deliberate_off for knob in off_knobs) and not self.options.strict:
            return  # on real code, turning this one off is a choice made for its own reasons
        knob = off_knobs[0]
        applies = ""
        if len(off_knobs) < len(knobs) and all(k.versions for k in off_knobs):
            library = cls.library or owner.split(".")[0]
            applies = f" (with {library} {', '.join(sorted({k.versions for k in off_knobs}))})"
        reason = coerced_off(value, knob)
        read_as = f" is read as {off_value(knob)!r} ({reason}) and" if reason else ""
        message = (f"{spelt.format(repr(value))}{read_as} turns the {knob.concept} off on {owner}{applies}: "
                   f"{self._advice(knob)}")
        explanation = _CONSEQUENCE[knob.concept]
        if knob.deliberate_off:
            explanation += f" Reported because strict is on: {knob.deliberate_off}."
        self.report(*at, message, self._fix(knob, value_node, at), explanation)

    def _advice(self, knob: Knob) -> str:
        """What to write instead: a value under the maximum idle time, or the switch on."""
        if knob.unit in ("s", "ms"):
            units = "milliseconds" if knob.unit == "ms" else "seconds"
            return f"use {written_value(knob, self.options.max_idle_seconds)} ({units})"
        return "turn it on"

    def _fix(self, knob: Knob, value_node: ast.expr | None, at: tuple[int, int, int, int]):
        """Turn it back on: True for a switch, else a value whose gap is under the maximum idle."""
        if not isinstance(value_node, (ast.Constant, ast.UnaryOp, ast.Tuple)) or knob.unit not in ("bool", "s", "ms"):
            return None
        if knob.unit == "bool":
            integer = isinstance(value_node, ast.UnaryOp) or type(getattr(value_node, "value", None)) is int
            new = "1" if integer else "True"
        else:
            new = written_value(knob, self.options.max_idle_seconds)
        return self.replace_fix(value_node, new, f"Use {new}")

    def finish(self) -> None:
        for driver_call in settings_calls(self):  # Django DATABASES entries as driver calls
            self.known_call(driver_call)
        self._check_settings()

    def known_call(self, event: KnownCall) -> None:
        for driver_call in connect_args_calls(self, event):
            self.known_call(driver_call)
        target = event.target
        if exempt(event, self.context):
            return
        for keyword in event.call.keywords:
            if keyword.arg is None or (target.kwargs is not None and keyword.arg not in target.kwargs):
                continue
            knobs = on_transport(event, self._knobs(target.returns, "kwarg", keyword.arg))
            self._check(target.returns, knobs, keyword.value, keyword.arg + "={}", target.display_name,
                        (keyword.lineno, keyword.col_offset, keyword.end_lineno, keyword.end_col_offset))
        if target.settings_argument:
            self._check_settings_string(event)

    def _check_settings_string(self, event: KnownCall) -> None:
        """`?heartbeat=0`, `?socket_keepalive=no`, `keepalives=0` in a literal URL or conninfo (no fix:
        the string is the user's to edit)."""
        target, given = event.target, {k.arg for k in event.call.keywords}
        seen: set[str] = set()
        for owner in self.schemas.mro(target.returns):
            for knob in owner.knobs:
                name = knob.kwarg or knob.attribute
                if knob.concept not in _CONCEPTS or knob.key is not None or name in given or name in seen:
                    continue
                seen.add(name)
                reading = read(event.call, target, knob, event.resolver)
                reason = coerced_off(reading.value, knob) if reading.state == SET else None
                if reading.state != SET or reading.node is None or not (_is_off(reading.value, knob) or reason):
                    continue
                node = reading.node
                read_as = f"{reading.value!r}, then {off_value(knob)!r}: {reason}" if reason else repr(reading.value)
                self.report(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                            f"{name} in the connection string (read as {read_as}) turns the "
                            f"{knob.concept} off on {target.display_name}: {self._advice(knob)}",
                            explanation=_CONSEQUENCE[knob.concept])

    def attribute_store(self, event: AttributeStore) -> None:
        if event.form not in ("assign", "annassign", "setattr") or event.value is None:
            return
        knobs = self._knobs(event.instance.cls, "attribute", event.name)
        spelt = f"setattr(..., {event.name!r}, {{}})" if event.form == "setattr" else event.name + " = {}"
        self._check(event.instance.cls, knobs, event.value, spelt, event.instance.display_name,
                    (event.line, event.col, event.end_line, event.end_col))

    def _check_settings(self) -> None:
        """Celery-style settings read by name (`[[settings.knob]]`)."""
        uses = setting_uses(self.context, self.schemas)
        if not uses:
            return
        for found in knob_settings(uses, self.schemas, _CONCEPTS):
            use = found.use
            owner = f"the {use.settings.library} worker's broker connection"
            value = use.value
            if use.quoted:
                spelt = f"{use.name!r}: {{}}"
            elif value is not None and (value.lineno, value.col_offset) == (use.span[2], use.span[3] + 1):
                spelt = f"{use.name}={{}}"  # a keyword argument
            else:
                spelt = f"{use.name} = {{}}"
            self._check_setting(found.knob, value, spelt, owner)

    def _check_setting(self, knob: Knob, value_node, spelt: str, owner: str) -> None:
        value = _literal(value_node)
        if value is _NO_VALUE or not _is_off(value, knob):
            return
        at = (value_node.lineno, value_node.col_offset, value_node.end_lineno, value_node.end_col_offset)
        self.report(*at, f"{spelt.format(repr(value))} turns the {knob.concept} off on {owner}: {self._advice(knob)}",
                    self._fix(knob, value_node, at), _CONSEQUENCE[knob.concept])

    @classmethod
    def watched_methods(cls, schemas) -> frozenset[str]:
        return frozenset({"setsockopt"})

    def method_call(self, event: MethodCall) -> None:
        call = event.call
        if event.instance is not None:
            for knob in self._knobs(event.instance.cls, "method", event.method):
                arg = method_argument(call, knob)
                if arg is None:
                    continue
                self._check(event.instance.cls, [knob], arg, method_spelling(call, knob, arg),
                            event.instance.display_name,
                            (arg.lineno, arg.col_offset, arg.end_lineno, arg.end_col_offset))
        if event.method != "setsockopt" or len(call.args) != 3 or any(isinstance(a, ast.Starred) for a in call.args):
            return
        level, option, value = call.args
        if event.resolver.qualname(level) != "socket.SOL_SOCKET" or \
                event.resolver.qualname(option) != "socket.SO_KEEPALIVE":
            return
        literal = _literal(value)
        if literal is _NO_VALUE or literal is None or literal != 0:
            return
        self.report(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset,
                    f"setsockopt(SOL_SOCKET, SO_KEEPALIVE, {literal!r}) turns the keepalive off on this socket: "
                    f"pass {'True' if isinstance(literal, bool) else '1'}",
                    self.replace_fix(value, "True" if isinstance(literal, bool) else "1", "Turn SO_KEEPALIVE on"),
                    _CONSEQUENCE["keepalive"])
