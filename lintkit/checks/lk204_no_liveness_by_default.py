from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..liveness import knobs as K
from ..analysis.bindings import Instance
from ..analysis.class_setup import configured_by_own_class, made_for_unseen_base
from ..library_settings.django_liveness import check_persistent_connections
from ..analysis.events import AttributeStore, KnownCall, MethodCall
from ..analysis.keyword_dicts import source_call
from ..schemas.registry import Route
from ..schemas.schema import ClassSchema, Knob
from ..liveness.servicing import done_by_hand, servicing_advice, servicing_hint, unserviced
from ..liveness.sockets import Parents, dotted
from ..analysis.values import literal_value
from ..liveness.holder_uses import holder, liveness_left_to_users, owner_of, part_of_own_client
from ..liveness.liveness_scope import EXEMPTION_NOTES, EXEMPTIONS, exempt
from ..liveness.transports import on_transport
from .base import CLOUD_IDLE_TIMEOUTS, Check

IDLE_CONSEQUENCE = ("nothing is sent on an idle connection, so a NAT gateway, load balancer or firewall on the path "
                    f"may drop it ({CLOUD_IDLE_TIMEOUTS}) and the next read hangs or the next write fails")


@dataclass
class _Pending:
    event: KnownCall
    cls: ClassSchema
    knobs: tuple[Knob, ...]
    #: Why the default is in doubt: a short condition for the message, the whole story for the explanation.
    version_note: tuple[str, str]
    #: A knob the call sets without the other entries it needs (`requires`), and those entries.
    partial: tuple[Knob, tuple[tuple[str, object], ...]] | None = None
    #: Knobs of an object that is part of the client's connection, and how it is reached
    #: (a Transport through `get_transport()`, or pysftp's `_transport`).
    routes: dict[Knob, Route] = field(default_factory=dict)


class NoLivenessByDefault(Check):
    """A long-lived client whose library has no heartbeat or keepalive by default, and the code never turns one on.

    ## What it does
    Reports the construction of a client (a schema class with `heartbeat` or
    `keepalive` knobs, or with knobs reached through its factories, such as
    paramiko's `SSHClient.get_transport()`, or through an attribute holding a
    part of its connection, such as pysftp's `Connection._transport`) when
    the library's default keeps nothing alive on an idle connection and the
    file never turns liveness
    on: not through a keyword of the call (`heartbeat=`, `socket_keepalive=`,
    `socket_options=[... SO_KEEPALIVE ...]`, a grpc `options` entry), not in
    a literal connection string or URL query, not through an attribute
    (`conn.heartbeat = 30`) or a method (`set_keepalive(30)`) anywhere in the
    file; a knob that is a method's keyword counts only where a call passes
    it (`app.run_forever(ping_interval=30)`, not `app.run_forever()`).
    A setter counts when it reaches the client: through the name the
    client is assigned to, or through any variable or attribute that holds it
    or an object it hands out (`t = ssh.get_transport(); t.set_keepalive(30)`,
    or `self.client` made in `__init__` and set up in `connect()`). A copy
    made with kombu's `clone()` has its source's settings: the source is
    reported, once, and not each copy. A client whose library replaces a
    dropped idle connection by itself (the schema's `recovers_dropped_idle`)
    is reported only with `strict`: urllib3's pools (`PoolManager`,
    `HTTPConnectionPool`, `HTTPSConnectionPool`) check a pooled connection
    before reusing it (`is_connection_dropped`: one the server or a
    middlebox closed or reset is replaced by a new one) and retry a request
    that fails on a reset connection (`Retry(3)` by default; after the
    request was sent, idempotent methods only), unless the call passes
    `retries=False` or `retries=0`. A flow a middlebox forgets silently is
    not detected before reuse, so `strict` still reports these pools.
    confluent-kafka's clients (librdkafka times out a request on a dropped
    connection after `socket.timeout.ms` and reconnects) and botocore's
    `Config` (retries) recover the same way; their keepalive switches
    (`socket.keepalive.enable`, `tcp_keepalive`) set no idle time, so they
    are never the advice, even with `strict` (LK202 reports turning one
    on).
    A class that stores the client on `self` and also
    keeps a liveness setting of its own (`self.heartbeat = heartbeat`, an
    attribute whose name says heartbeat or keepalive, or names one of the
    client's knobs) leaves liveness to the code that uses it, which lintkit
    may not see (plastron's `Broker` keeps a stomp connection and a
    `heartbeat` that another package's daemon applies through a heart-beat
    listener): it is reported only with `strict`.
    lintkit cannot see the rest of an
    object whose class derives from a class defined in another module: a
    client such a method stores on `self` or returns may be set up by a
    method of that base (netmiko's `BaseConnection` calls
    `set_keepalive()` on the client its subclasses make), so it is not
    reported, unless the class itself readies a client it stores
    (`self.client.connect(...)`: its set-up is then here); a local subclass whose own methods call the setter
    (`self.get_transport().set_keepalive(30)` in an overriding
    `connect()`) configures every instance, and so does a subclass defined in
    another module of the project whose methods name the setter (the project
    index records the names its methods use), and an object a client hands
    out (`client.get_transport()`) is judged where the client is made,
    not where it is handed out; so is one that a subclass of the client
    stores where the client keeps that part of its connection (durasftp's
    `pysftp.Connection` subclass makes its own `self._transport =
    paramiko.Transport(sock)`). The bundled schemas cover qpid
    `Connection` (heartbeat `None`), paramiko `SSHClient`/`Transport` (no
    `set_keepalive`), pysftp `Connection` (it has no setting of its own and
    never calls `set_keepalive()` on the paramiko Transport it keeps in
    `_transport`: `sftp._transport.set_keepalive(30)` is the advice), grpc
    channels (no `grpc.keepalive_time_ms`), urllib3 pools (no
    `SO_KEEPALIVE` in `socket_options`), redis-py before 8.0 (no
    `socket_keepalive`; the advice names `socket_keepalive_options` with a
    `TCP_KEEPIDLE` too, since the switch alone keeps the OS idle time, which
    LK202 reports). aiohttp websockets, `session.ws_connect()`
    and `web.WebSocketResponse()` without `heartbeat=` (default `None`: no
    Ping is ever sent, the client sets no `SO_KEEPALIVE` and the server's
    waits for the OS idle time, 2 h on Linux), are reported only with
    `strict`: the protocols carried over a websocket often send heartbeats
    as messages of their own, which lintkit cannot see (the Engine.IO
    server pings every 25 s through its aiohttp driver's
    `WebSocketResponse`, Discord's gateway client sends a heartbeat op), so
    the finding does not reach the precision of a default rule on real
    code (the schema's `protocol_heartbeats`). A `ws_connect()` call makes a
    connection of its own and is judged there, not at its `ClientSession`;
    a session built with `connector=` (a `UnixConnector` to the Docker
    API...) may not connect over TCP and is not judged;
    a file that calls `ping()` on an object pings by itself (the knob's
    `replaced_by`) and is not reported, though a heartbeat the application
    sends as a data message (`send_json({"op": 1})`) is not recognised;
    a websocket read in a loop (`async for message in ws:`) is long-lived
    even inside an `async with` block. websockets (`connect()`, `serve()`)
    and websocket-client are not reported: the first pings every 20 s by
    default, the second turns TCP keepalive on with a 30 s idle time
    (`run_forever(ping_interval=...)` adds WebSocket pings). httpx clients
    are not reported either: a pooled connection idle longer than
    `keepalive_expiry` (5 s by default) is closed instead of reused, one the
    server closed is detected before reuse (httpcore's `has_expired()`), and
    a request waits at most the default 5 s timeout, so an idle connection
    that a middlebox forgot is never used. kombu and py-amqp `Connection` are not
    reported: their heartbeat is off by default (`0`), but py-amqp (kombu's
    transport for `amqp://`, `pyamqp://` or no URL) turns TCP keepalive on
    with a 60 s idle time, so an idle connection still sends a probe every
    minute; kombu's other transports (`redis://`, `sqs://`, `memory://`...)
    have no AMQP heartbeat at all. Knobs a schema ties to some transports
    (`transports = [...]`) are judged only where the URL scheme or
    `transport=` selects one of them.

    Django settings modules (see LK103 for what counts as one): a PostgreSQL
    `DATABASES` entry with persistent connections longer than the maximum
    idle time (`CONN_MAX_AGE` above it, or `None`) and a remote `HOST`,
    with neither `CONN_HEALTH_CHECKS` on nor a libpq `keepalives_idle` in its
    `OPTIONS` (LK205 judges its value, LK203 `"keepalives": 0`). Django closes a persistent
    connection only once it is older than `CONN_MAX_AGE` (the age counts from
    the connect, not from the last use: `close_if_unusable_or_obsolete`), so
    a request can reuse a connection a middlebox dropped while it sat idle,
    and its first query fails. `CONN_HEALTH_CHECKS: True` (Django 4.1+)
    pings a reused connection before the request's first query and
    reconnects. Not reported: `CONN_MAX_AGE` absent (0, a connection per
    request), computed, or at most the maximum idle time; no `HOST` (libpq's
    UNIX socket), a socket directory or loopback; computed `OPTIONS` or
    health checks; settings files named `*test*`; other engines.

    A setting that needs a companion to act on an idle connection is reported
    when the companion is missing: grpc sends keepalive pings only while an
    RPC is in flight unless `("grpc.keepalive_permit_without_calls", 1)` is
    in the same `options`, so `grpc.keepalive_time_ms` alone leaves an idle
    channel silent. Schemas declare such companions with a knob's `requires`.

    Library defaults change between versions: redis-py 8.0 turned TCP
    keepalive on. lintkit uses the versions the project allows: its pins in
    `pyproject.toml` dependencies, `setup.py` and `setup.cfg`
    `install_requires` (read, never run), `requirements*.txt`, and the exact
    versions of a `poetry.lock`, `uv.lock` or `Pipfile.lock`, all at once;
    failing those, the version installed where lintkit runs (package metadata
    only; nothing is imported). When a pinned range spans the change
    (`redis>=5.0.1`), the rule reports and says that the range allows both
    defaults; when nothing tells, it reports and says so. Code inside an
    `if` that tests the library's version (`redis.__version__`,
    `importlib.metadata.version("redis")`) is not reported for a
    version-dependent default. A call with `**kwargs`, a
    computed connection string, or a `unix_socket`-style keyword is not
    reported, unless the class takes no keyword a splat could use but the
    host (pysftp's `Connection(**config)`: no liveness, UNIX-socket,
    transport or connection-string keyword), whose host is then judged as
    remote, as a computed host is. A `**params` dict built in the same function, module or class
    counts with its keys (a heartbeat set there enables it), and is reported
    only when lintkit reads all of it: a `**unknown` merged in, a computed
    key, the dict handed to other code, a key added in a branch, in a loop,
    or in another method leaves it unknown, as `**kwargs` does; such a call
    gets no fix (the dict may hold the keyword already).

    ## Why is this bad?
    A long-lived connection that is quiet sends no packets, and stateful
    middleboxes forget idle flows: Azure load balancers and NAT after 240 s,
    AWS NAT gateways and NLBs after 350 s, Kubernetes IPVS after 900 s, a
    Cisco ASA after 1 h. The client is not told: its next read waits forever
    (a consumer stops receiving, silently) or its next write is reset. This
    is the outage behind lintkit: qpid's default heartbeat is `None`.

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
    import qpid.messaging

    connection = qpid.messaging.Connection("broker.example.com")
    ```

    ## Use instead
    ```python
    import qpid.messaging

    connection = qpid.messaging.Connection("broker.example.com", heartbeat=30)
    ```

    ## Fix safety
    Where the knob is a keyword argument, the fix adds it: `heartbeat=` with
    a value whose quiet gap is at most 30 s and a quarter of
    `max-idle-seconds` (an AMQP client sends a heartbeat frame every
    `heartbeat/2`, so `heartbeat=60`), or `socket_keepalive=True`. It is
    **unsafe**: the connection then sends heartbeats, and the broker or
    server will drop a client that stops servicing them (a blocked pika or
    kombu consumer). kombu and py-amqp send heartbeats only while the
    application calls `heartbeat_check()` (`heartbeat_tick()`): when nothing
    in the file does, the message says so, because a heartbeat nobody
    services gets the connection closed by the broker. Where the knob is a
    method there is **no fix** and the message names the path to it, from
    the schema's factories (paramiko: after `ssh.connect()`, call
    `ssh.get_transport().set_keepalive(30)`); where it is an entry of an
    options list (grpc's `grpc.keepalive_time_ms`: servers
    reject pings more often than every 5 minutes by default), there is **no
    fix**; the message says what to add. The units are the knob's own:
    seconds for AMQP and paramiko, milliseconds for grpc.

    ## Options
    - `max-idle-seconds` (default 240): the fix's value keeps the quiet gap
      under a quarter of it.
    - `--schemas PATH`: the knobs of your own schemas are checked too.
    - `strict` (`--strict`): also report short-lived connections, made and
      closed within one function or `with` block, clients whose library
      recovers from a dropped idle connection by itself (urllib3's pools),
      and aiohttp websockets without `heartbeat=`.
    - `test-code-ignore` (default `["LK2"]`): not reported in test code.

    ## References
    - [RabbitMQ: heartbeats](https://www.rabbitmq.com/docs/heartbeats)
    - [redis-py 8.0: keepalive on by default](https://github.com/redis/redis-py/releases)
    - [gRPC keepalive](https://github.com/grpc/grpc/blob/master/doc/keepalive.md)
    - [Azure Load Balancer TCP idle timeout](https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout)
    - [Choosing the maximum idle time](../max-idle.md)
    """

    code = "LK204"
    exemptions = EXEMPTIONS
    exemption_notes = EXEMPTION_NOTES
    name = "no-liveness-by-default"
    fix_availability = "sometimes"
    reads_settings_modules = True
    watched_methods_report = False  # setters: they only count against a client made in the file

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending: list[_Pending] = []
        #: (knob attribute or method name, receiver expression, the call that made the receiver's
        #: connection when the analyzer knows it) of every assignment and method call.
        self._enabling: list[tuple[str, ast.expr | None, ast.Call | None]] = []
        self._knobs_by_method: dict[str, list[Knob]] | None = None

    # ------------------------------------------------------------------ events

    def known_call(self, event: KnownCall) -> None:
        target, call = event.target, event.call
        if exempt(event, self.context) or _part_of_known_connection(event) or target.copies_settings or \
                part_of_own_client(event, self.context, self.schemas):
            return  # a copy (kombu's clone()) has its source's settings, a part its client's: judged there
        if liveness_left_to_users(event, self.context):
            return  # the holding class keeps a heartbeat setting of its own for code lintkit does not see
        if made_for_unseen_base(event, self.context, self.schemas):
            return  # a method of a base class lintkit did not read may turn liveness on
        cls = target.returns
        if cls.recovers_dropped_idle and not self.options.strict and not _retries_off(call, event):
            return  # the library replaces a dropped idle connection by itself (urllib3's pools)
        if cls.protocol_heartbeats and not self.options.strict:
            return  # the protocol carried over it often has heartbeats of its own (Engine.IO over a websocket)
        concepts = K.LIVENESS + ("keepalive_options",)
        parts = self.schemas.routes(cls)
        found = [K.applicable(self.schemas, owner, self.context.filename, self.options.versions,
                              event.version_guards, concepts)
                 for owner in (cls, *(route.returns for route in parts))]
        routes = {knob: route for route, applicable in zip(parts, found[1:])
                  for knob in (*applicable.knobs, *applicable.uncertain)}
        # A keepalive switch with a remedy keeps nothing alive through a NAT (no idle setting: botocore,
        # librdkafka): turning it on is no advice (LK202 reports it when turned on).
        knobs = on_transport(event, (k for a in found for k in a.knobs if not _idle_unsettable(k)))
        uncertain = on_transport(event, (k for a in found for k in a.uncertain if not _idle_unsettable(k)))
        if not knobs and not uncertain:
            return
        if any(_keeps_alive(k) for k in knobs):
            return
        version_note = ("", "")
        if any(_keeps_alive(k) for k in uncertain):
            if event.version_guards:
                return
            library = self.schemas.library_of(cls)
            name = library.name if library else cls.name.split(".")[0]
            pins = next((a.version_source for a in found if a.uncertain and a.version_source), "")
            version_note = _version_note(name, uncertain, pins)
        all_knobs = knobs + tuple(k for k in uncertain if not _keeps_alive(k))
        if any(done_by_hand(knob, self.context) for knob in all_knobs):
            return  # the application pings by itself (`ws.ping()`)
        partial = None
        for knob in all_knobs:
            if knob.kwarg is None:
                continue
            reading = K.read(call, target, knob, event.resolver)
            if not self._sets_liveness(reading, event):
                continue
            missing = K.missing_requirements(call, target, knob, event.resolver) if reading.state == K.SET else []
            if not missing:
                return
            partial = partial or (knob, tuple(missing))
        self._pending.append(_Pending(event, cls, all_knobs, version_note, partial, routes))

    def attribute_store(self, event: AttributeStore) -> None:
        if event.form in ("assign", "annassign", "setattr"):
            self._enabling.append((event.name, event.receiver, event.instance.origin))

    @classmethod
    def watched_methods(cls, schemas) -> frozenset[str]:
        # A knob's setter is matched by name, whatever lintkit knows of the receiver.
        return frozenset(name for lib in schemas.libraries for schema in lib.classes for knob in schema.knobs
                         for name in (knob.attribute, knob.method) if name)

    def method_call(self, event: MethodCall) -> None:
        if not _passes_knob_value(event, self._method_knobs()):
            return  # `app.run_forever()` without ping_interval= leaves the pings off
        origin = event.instance.origin if event.instance is not None else None
        self._enabling.append((event.method, event.receiver, origin))

    def _method_knobs(self) -> dict[str, list[Knob]]:
        """Liveness knobs set through a method's argument, by method name (built on first use)."""
        if self._knobs_by_method is None:
            self._knobs_by_method = {}
            for lib in self.schemas.libraries:
                for schema in lib.classes:
                    for knob in schema.knobs:
                        if knob.method and knob.concept in K.LIVENESS:
                            self._knobs_by_method.setdefault(knob.method, []).append(knob)
        return self._knobs_by_method

    def finish(self) -> None:
        check_persistent_connections(self)
        if not self._pending:
            return
        parents = self.context.parents
        setters = _Setters(self._enabling)
        for pending in self._pending:
            names = {k.attribute for k in pending.knobs} | {k.method for k in pending.knobs}
            if not (setters.reach(source_call(pending.event.call), names, parents) or self._own_class_sets(pending.event, names)):
                self._report_pending(pending)

    # ------------------------------------------------------------------ helpers

    def _own_class_sets(self, event: KnownCall, names: set) -> bool:
        """A setter in a method of the local subclass being built configures every instance."""
        subclass = getattr(event.instance, "subclass", None)
        if subclass is None:
            return False
        if names & subclass.attributes_used:
            return True  # a class of another module of the project whose methods may call the setter
        return any(name in names and configured_by_own_class(event, receiver, self.context)
                   for name, receiver, _ in self._enabling)

    def _sets_liveness(self, reading: K.Reading, event: KnownCall) -> bool:
        if reading.state == K.ABSENT:
            return False
        if reading.state == K.UNKNOWN or reading.knob.unit != "options" or reading.knob.key is not None:
            return True  # set (an explicit "off" is LK203's finding), or not knowable
        return _options_enable_keepalive(reading.node, event) is not False

    def _report_pending(self, pending: _Pending) -> None:
        event, call = pending.event, pending.event.call
        knob = _describing_knob(pending.knobs)
        max_idle = self.options.max_idle_seconds
        what = "heartbeat" if knob.concept == "heartbeat" else "TCP keepalive"
        route = pending.routes.get(knob)
        path = f"{route.step}." if route is not None else ""
        default = "" if knob.unit == "options" else f" ({path}{_setter(knob)} defaults to {knob.default!r})"
        how = _how(knob, max_idle) if route is None else \
            _how_through(knob, route, holder(source_call(call), self.context.parents), max_idle)
        idle = _idle_companion(knob, pending.knobs)
        if idle is not None:  # the switch alone keeps the OS idle time (LK202 would follow)
            how += f" and {idle.kwarg} with TCP_KEEPIDLE (seconds, below {max_idle})"
        short_version, long_version = pending.version_note
        message = f"{event.target.display_name} has no {what} by default{short_version}: {how}"
        explanation = (f"{event.target.display_name} has no {what} by default{default} and this code never turns it "
                       f"on: {IDLE_CONSEQUENCE}.{' ' + long_version if long_version else ''}")
        if unserviced(knob, self.context):
            message += f", {servicing_hint(knob)}"
            explanation += f" {servicing_advice(knob)}"
        if pending.partial is not None:
            knob, missing = pending.partial
            entries = _entries(missing)
            message = (f"{event.target.display_name} sets {knob.kwarg or knob.attribute} {knob.key!r} without "
                       f"{entries}: add it to {knob.kwarg or knob.attribute}")
            explanation = (f"Without {entries} the {what} acts only while the connection is busy: "
                           f"{IDLE_CONSEQUENCE}.")
        fix = None
        if knob.kwarg is not None and knob.key is None and knob.unit != "options":
            value = "True" if knob.unit == "bool" else K.written_value(knob, max_idle)
            fix = self.add_keyword_fix(call, knob.kwarg, value)
        if knob.caveat:
            explanation += f" Also: {knob.caveat}."
        func = call.func
        self.report(func.lineno, func.col_offset, func.end_lineno, func.end_col_offset, message, fix, explanation)


def _part_of_known_connection(event: KnownCall) -> bool:
    """`ssh.get_transport()`: a part of a client's connection, judged where the client is made
    (in this file, or elsewhere when the client is a parameter, `self` or an attribute lintkit
    did not see made)."""
    return isinstance(event.instance, Instance) and event.instance.origin is not source_call(event.call)


class _Setters:
    """The setters seen in the file (name, receiver, the call that made the receiver's object
    when the analyzer followed it), indexed so that matching every pending call against them
    costs what it matches, not pending x setters."""

    def __init__(self, setters: list[tuple[str, ast.expr | None, ast.Call | None]]):
        self._followed: dict[str, set[int]] = {}
        self._by_name: dict[str, list[ast.expr | None]] = {}
        for name, receiver, origin in setters:
            if origin is not None:
                self._followed.setdefault(name, set()).add(id(origin))
            else:
                self._by_name.setdefault(name, []).append(receiver)

    def reach(self, call: ast.Call, names: set, parents: Parents) -> bool:
        """Whether a setter of one of `names` reaches the connection `call` made (see `_reaches`)."""
        if any(id(call) in self._followed.get(name, ()) for name in names):
            return True
        receivers = [receiver for name in names for receiver in self._by_name.get(name, ())]
        if not receivers:
            return False
        held = holder(call, parents)
        return any(_reaches(call, None, held, receiver, parents) for receiver in receivers)


def _reaches(call: ast.Call, origin: ast.Call | None, holder, receiver: ast.expr | None, parents: Parents) -> bool:
    """Whether a setter reaches the connection `call` made: through whatever names hold it
    when the analyzer followed the object (`t = ssh.get_transport()`, `self.client` set in
    another method), else by the receiver's name."""
    if origin is not None:
        return origin is call
    return _same_object(holder, receiver, parents)


def _same_object(holder, receiver: ast.expr | None, parents: Parents) -> bool:
    """Whether a setter's receiver may be the client: the same name (or an expression
    reached from it, `ssh.get_transport()`), or anything when either is unknown."""
    if holder is None or receiver is None:
        return True
    name, owner = holder
    text = _leading_name(receiver)
    if text is None:
        return True
    if text != name and not text.startswith(name + "."):
        return False
    return owner is None or owner_of(receiver, name, parents) is owner


def _leading_name(expr: ast.expr) -> str | None:
    """`ssh.get_transport` for `ssh.get_transport()`: the dotted name the expression starts from."""
    while isinstance(expr, ast.Call) or (isinstance(expr, ast.Attribute) and dotted(expr) is None):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return dotted(expr) if isinstance(expr, (ast.Attribute, ast.Name)) else None


def _passes_knob_value(event: MethodCall, knobs_by_method: dict[str, list[Knob]]) -> bool:
    """Whether a call of a knob's method sets the knob: it passes the knob's argument
    (`app.run_forever(ping_interval=30)`, `transport.set_keepalive(30)`; a value that turns it
    off is LK203's finding) or a splat that may hold it. Other methods and attributes count by name."""
    knobs = knobs_by_method.get(event.method)
    call = event.call
    if not knobs or any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return True
    return any(K.method_argument(call, knob) is not None for knob in knobs)


def _retries_off(call: ast.Call, event: KnownCall) -> bool:
    """`retries=False` or `retries=0`: a request on a connection reset while idle is not retried."""
    value = next((k.value for k in call.keywords if k.arg == "retries"), None)
    return value is not None and literal_value(value, event.resolver) in (False, 0)


def _idle_unsettable(knob: Knob) -> bool:
    """A keepalive switch of a library with no idle setting (its `remedy` says what to do instead)."""
    return knob.concept == "keepalive" and bool(knob.remedy) and not knob.fixed


def _keeps_alive(knob: Knob) -> bool:
    """On by default: a heartbeat/keepalive default that is not off, or library-applied keepalive options."""
    if knob.concept in K.LIVENESS:
        return K.on_by_default(knob)
    return knob.default_idle is not None


def _version_note(name: str, uncertain: tuple[Knob, ...], pins: str) -> tuple[str, str]:
    """Why the default is in doubt: the project's pins allow versions on both sides of a
    default change (`pins`: "redis>=5.0.1 in setup.py"), or no pin or installed version says.
    The message's short condition, and the explanation's sentence."""
    off = ", ".join(sorted({k.versions for k in uncertain if not _keeps_alive(k) and k.versions}))
    short = f" (with {name} {off})"
    if not pins:
        return short, (f"That is the default of {name} {off}; lintkit cannot tell which {name} version this "
                       f"project uses: pin it in pyproject.toml, setup.py, setup.cfg or requirements.txt.")
    alive = [k for k in uncertain if _keeps_alive(k)]
    on = ", ".join(sorted({k.versions for k in alive if k.versions}))
    what = "heartbeats" if any(k.concept == "heartbeat" for k in alive) else "TCP keepalive"
    return short, (f"That is the default of {name} {off}; {pins} allows both {name} {off} and {name} {on}, "
                   f"which turns {what} on by default.")


def _describing_knob(knobs: tuple[Knob, ...]) -> Knob:
    def rank(knob: Knob) -> tuple:
        return (knob.concept != "heartbeat", knob.kwarg is None, knob.key is not None, knob.unit == "options")
    return min(knobs, key=rank)


def _setter(knob: Knob) -> str:
    if knob.kwarg is not None:
        return knob.kwarg if knob.key is None else f"{knob.kwarg} {knob.key!r}"
    if knob.method is not None:
        return f"{knob.method}()"
    return knob.attribute or knob.concept


def _how(knob: Knob, max_idle: int) -> str:
    value = K.written_value(knob, max_idle)
    unit = _unit(knob)
    if knob.unit == "options" and knob.key is None:
        return f"add SO_KEEPALIVE and a TCP_KEEPIDLE under {max_idle} s to {knob.kwarg or knob.attribute}"
    if knob.key is not None:
        entries = _entries(((knob.key, K.suggested_value(knob, max_idle)), *knob.requires))
        unit = "" if knob.key.endswith("_ms") else unit  # the key names its unit
        return f"add {entries} to {knob.kwarg or knob.attribute}{unit}"
    if knob.unit == "bool":
        return f"pass {knob.kwarg}=True" if knob.kwarg else f"set {_setter(knob)} to True"
    if knob.kwarg is not None:
        return f"pass {knob.kwarg}={value}{unit}"
    if knob.method is not None:
        return f"call {_method_text(knob, value)}{unit} on it"
    return f"set .{knob.attribute} = {value}{unit}"


def _idle_companion(knob: Knob, knobs: tuple[Knob, ...]) -> Knob | None:
    """The keyword that sets the keepalive idle time, when `knob` is a keepalive switch that
    leaves it at the OS default (redis-py < 8: `socket_keepalive=True` needs
    `socket_keepalive_options`, or LK202 reports the 2 h idle)."""
    if knob.concept != "keepalive" or knob.unit != "bool":
        return None
    return next((k for k in knobs if k.concept == "keepalive_options" and k.kwarg and k.key is None
                 and k.default_idle is None), None)


def _method_text(knob: Knob, value: int) -> str:
    """`set_keepalive(30)` for the first argument, `run_forever(ping_interval=30)` for a later one."""
    keyword = f"{knob.argument}=" if knob.argument and knob.position_of() != 0 else ""
    return f"{knob.method}({keyword}{value})"


def _unit(knob: Knob) -> str:
    return {"s": " (seconds)", "ms": " (milliseconds)"}.get(knob.unit, "")


def _how_through(knob: Knob, route: Route, holder, max_idle: int) -> str:
    """Advice for a knob of an object that is part of the client's connection:
    `ssh.get_transport().set_keepalive(30)`, `sftp._transport.set_keepalive(30)`."""
    client = holder[0] if holder is not None else None
    reached = f"{client + '.' if client else ''}{route.step}"
    setter = _how(knob, max_idle)
    if knob.method is not None:
        setter = f"call {reached}.{_method_text(knob, K.suggested_value(knob, max_idle))}{_unit(knob)}"
    else:
        setter += f" on {reached}"
    if route.ready_after:
        after = " or ".join(f"{client + '.' if client else ''}{name}()" for name in route.ready_after)
        setter = f"after {after}, {setter}"
    return setter + ("" if client else " on this client")


def _entries(pairs) -> str:
    """`('a', 1)` or `('a', 1) and ('b', 2)`: collection entries as code spells them."""
    return " and ".join(f"({key!r}, {value!r})" for key, value in pairs)


def _options_enable_keepalive(value: ast.expr | None, event: KnownCall) -> bool | None:
    """Whether a literal list of (level, option, value) tuples turns SO_KEEPALIVE on;
    None when that cannot be told (a computed part, an unknown constant)."""
    if value is None or event.resolver is None:
        return None
    items = K.literal_elements(value)
    if any(not (isinstance(i, ast.Tuple) and len(i.elts) == 3) for i in items):
        return None
    for item in items:
        level, option, flag = item.elts
        if event.resolver.qualname(option) == "socket.SO_KEEPALIVE":
            on = literal_value(flag, event.resolver)
            return None if on is K.NO_VALUE else bool(on)
    if K.elements(value) is None:
        return None  # `defaults + [...]`: the unknown part may hold it
    return False
