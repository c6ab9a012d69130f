from __future__ import annotations

import ast

from ..liveness import fixed_behaviour, idle_close, knobs as K
from ..liveness.file_sets_idle import file_sets_idle
from ..liveness.keepalive_specs import spec_advice, spec_problem, spec_sets_idle
from ..analysis.events import CallSite, KnownCall, MethodCall, Resolver
from ..schemas.schema import Knob
from ..liveness.sockets import (IDLE_OPTIONS, OPTION_LIST_KEYWORDS, OPTION_METHODS, SocketFlows, is_tcp_level, may_set_idle,
                       option_call, surely_turns_keepalive_on)
from ..analysis.values import is_number, literal_value
from ..liveness.liveness_scope import EXEMPTION_NOTES, EXEMPTIONS, exempt
from ..liveness.transports import on_transport
from .base import CLOUD_IDLE_TIMEOUTS, Check, RawFix

OS_DEFAULT = ("Linux sends the first keepalive probe after 7200 s (macOS and Windows after 2 h too), after NAT "
              f"gateways and load balancers drop idle flows ({CLOUD_IDLE_TIMEOUTS}), so the probes come too late")
MACOS_IDLE = "macOS names the idle option TCP_KEEPALIVE"
PROBE_TOO_LATE = (f"NAT gateways and load balancers forget idle flows ({CLOUD_IDLE_TIMEOUTS}), so a probe sent "
                  "later reaches a connection that is already gone.")
#: Option-list keywords whose list replaces the library's defaults (urllib3, kafka-python).
_REPLACING_OPTION_LISTS = ("socket_options",)


class KeepaliveIdleDefault(Check):
    """TCP keepalive turned on with the OS default idle time (2 hours), or an idle time above the maximum.

    ## What it does
    Reports `setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1)` (a literal truthy value
    or a module constant bound to one: a computed value, such as the
    argument of an `enable(flag)` setter, may be off) on a socket on which
    the same code never sets the idle time before the first probe:
    `TCP_KEEPIDLE` (Linux, Windows 10+, BSD), `TCP_KEEPALIVE` (macOS) or
    `ioctl(SIO_KEEPALIVE_VALS, ...)` (Windows). The idle setting counts in the
    same function (through simple aliases and SSL wrappers), in any method
    of the same class for `self.sock`, and anywhere in the module for a
    global; an option name lintkit cannot resolve (the portable
    `getattr(socket, "TCP_KEEPIDLE", None) or ...`) counts as setting it, and
    a socket handed to a helper is not reported. Also reported: a literal
    `TCP_KEEPIDLE`/`TCP_KEEPALIVE` (seconds) or `SIO_KEEPALIVE_VALS` idle
    (milliseconds) above `max-idle-seconds`, the same in `socket_options` /
    `sockopt` lists of `(level, option, value)` tuples, and a
    `socket_options` list that turns `SO_KEEPALIVE` on without an idle
    entry.

    A library call that asks for keepalive but leaves the idle time to the
    OS is reported at the call: libpq with `keepalives=1` and no
    `keepalives_idle` (`psycopg2.connect`, `psycopg.connect`), redis-py
    before 8.0 with `socket_keepalive=True` and no
    `socket_keepalive_options`, and any redis-py whose
    `socket_keepalive_options` dict has no `TCP_KEEPIDLE` entry (a given
    dict replaces redis-py 8's defaults). When nothing at the call asks for
    keepalive and the library turns it on by itself (libpq: `keepalives`
    is 1 by default), the call is reported only with `strict`: the advice
    would apply to every connection of the library, whether it idles or
    not, and on the ecosystem check none of the 7 such libpq findings in
    67 projects was worth acting on (short-lived, pooled or queried every
    few seconds). The schemas say which knob sets
    the idle time (`keepalive_idle`, `keepalive_options`), which defaults
    already include one (`default_idle`: py-amqp 60 s, redis-py 8 30 s,
    websocket-client 30 s), and, through an entry knob's `default`, what a
    given collection without the idle entry leaves (py-amqp merges its
    own settings, so its `socket_settings` is not reported).

    Library behaviour that no argument of the call can change is reported
    only with `strict` on. PyMySQL always sets `SO_KEEPALIVE` on the TCP
    sockets it opens and leaves the idle time to the OS, with no option for
    it: the only ways to change that are a subclass whose `connect()` makes
    the socket (`connect(sock)` is public; `conn._sock` is private and is
    replaced on every reconnect) or the host's `net.ipv4.tcp_keepalive_time`.
    Neither is at the `pymysql.connect()` line, and a finding at every such
    call (dozens per project) would be noise, so a default run says nothing
    and `--strict` reports each call with that remedy (the schema's
    `remedy`). Any schema knob without a setter (a `fixed` knob) works the
    same way. A construction of a local subclass is never reported for it.

    A keepalive switch that the call turns on, in a library with no idle
    setting, is reported by default: botocore's `Config(tcp_keepalive=True)`
    and librdkafka's `{"socket.keepalive.enable": True}` (confluent-kafka)
    only set `SO_KEEPALIVE` (checked on their real sockets: `TCP_KEEPIDLE`
    stays the OS default). The code asked for keepalive and gets none that
    a NAT gateway sees. Where the library closes idle connections itself
    (librdkafka's `connections.max.idle.ms`), the advice is that setting,
    below the idle limit, and a call that sets it is not reported; else the
    schema's `remedy` (botocore: the host's `net.ipv4.tcp_keepalive_time`;
    thrift: `TCP_KEEPIDLE` on `sock.handle` after `open()`, and a file that
    sets the idle time on some socket is taken to have done so).
    A string value is read as librdkafka reads it (`"false"` is off).

    ## Why is this bad?
    `SO_KEEPALIVE` alone does not keep a connection through a NAT gateway:
    the first probe comes after `net.ipv4.tcp_keepalive_time`, 7200 s by
    default on Linux (2 h on macOS and Windows too), while Azure load
    balancers and NAT forget idle flows after 240 s and AWS NAT gateways
    after 350 s. Containers do not inherit the host's sysctl on kernels
    4.13 and later, so the per-socket option is the reliable place. The unit
    trap: `TCP_KEEPIDLE` and `TCP_KEEPALIVE` are seconds, `SIO_KEEPALIVE_VALS`
    is milliseconds, and libpq's `tcp_user_timeout` is milliseconds while
    `keepalives_idle` is seconds.

    ## When it does not report
    - A library's own keepalive default that nothing at the call asks for
      (libpq turns `keepalives` on by itself), and library behaviour that no
      argument of the call changes (PyMySQL): both only with `strict`.
    - A call that also sets the library's idle close to a value that is on
      (librdkafka's `connections.max.idle.ms`): the client closes idle
      connections first (LK205 judges the value).

    ## Example
    ```python
    import socket

    def connect(address):
        sock = socket.create_connection(address)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        return sock
    ```

    ## Use instead
    ```python
    import socket

    def connect(address):
        sock = socket.create_connection(address)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        # TCP_KEEPIDLE on Linux, Windows and BSD; TCP_KEEPALIVE on macOS (seconds).
        idle = getattr(socket, "TCP_KEEPIDLE", None) or getattr(socket, "TCP_KEEPALIVE", None)
        if idle is not None:
            sock.setsockopt(socket.IPPROTO_TCP, idle, 30)
        return sock
    ```

    ## Fix safety
    For a socket, the fix inserts after the `SO_KEEPALIVE` line the portable
    form: the idle time through `getattr(socket, "TCP_KEEPIDLE", None) or
    socket.TCP_KEEPALIVE`, then `TCP_KEEPINTVL` and `TCP_KEEPCNT`, each
    guarded by `hasattr` because the constants differ between Linux, macOS
    and Windows. The idle time is at most 30 s and a quarter of
    `max-idle-seconds`, the interval a third of it (at most 10 s), the count
    3. For libpq it adds `keepalives_idle=` and `keepalives_interval=`; for
    a literal idle above the maximum it replaces the value. All are
    **unsafe**: probes are sent sooner, and a dead peer is detected (and
    the connection fails) sooner. PyMySQL and values in a connection string
    or a module constant get **no fix**: the message says where to set it.

    ## Options
    - `max-idle-seconds` (default 240): the longest idle time allowed, and
      what the fix's values are derived from.
    - `strict` (`--strict`): also report short-lived connections, made and
      closed within one function or `with` block, library calls that leave a
      library's own keepalive default at the OS idle (libpq), and library
      behaviour that nothing at the call can change (PyMySQL's keepalive
      idle), with its remedy.
    - `test-code-ignore` (default `["LK2"]`): not reported in test code.

    ## References
    - [Linux `tcp(7)`: TCP_KEEPIDLE](https://man7.org/linux/man-pages/man7/tcp.7.html)
    - [Python `socket`: TCP_KEEPALIVE on macOS (3.10+)](https://docs.python.org/3/library/socket.html#constants)
    - [Windows `SIO_KEEPALIVE_VALS`](https://learn.microsoft.com/windows/win32/winsock/sio-keepalive-vals)
    - [libpq keepalives](https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-KEEPALIVES)
    - [Choosing the maximum idle time](../max-idle.md)
    """

    code = "LK202"
    exemptions = EXEMPTIONS
    exemption_notes = EXEMPTION_NOTES
    name = "keepalive-idle-default"
    fix_availability = "sometimes"

    _flows: SocketFlows | None = None

    # ------------------------------------------------------------------ sockets

    @classmethod
    def watched_methods(cls, schemas) -> frozenset[str]:
        return OPTION_METHODS

    @classmethod
    def watched_keywords(cls, schemas) -> frozenset[str]:
        return OPTION_LIST_KEYWORDS

    def method_call(self, event: MethodCall) -> None:
        call = event.call
        if event.method == "ioctl":
            self._check_ioctl(call, event.resolver)
            return
        if event.method != "setsockopt":
            return
        option = option_call(call, event.resolver)
        if option is None:
            return
        if is_tcp_level(option.level) and option.option in IDLE_OPTIONS:
            self._check_idle_value(option.value, option.value_node, option.option.split(".")[1], 1)
        elif surely_turns_keepalive_on(option):
            self._check_idle_missing(event)

    def _check_idle_missing(self, event: MethodCall) -> None:
        if self._flows is None:
            self._flows = SocketFlows(self.context.tree, self.context.parents)
        found = self._flows.receiver_flow(event.call)
        if found is None:
            return
        flow, home = found
        if self._flows.handed_over(flow.names, home):
            return
        if any(may_set_idle(call, event.resolver) for call in self._flows.option_calls(flow, home)):
            return
        call = event.call
        message = (f"SO_KEEPALIVE is on but the idle time before the first probe is never set: "
                   f"set TCP_KEEPIDLE below {self.options.max_idle_seconds} s")
        self.report(call.lineno, call.col_offset, call.end_lineno, call.end_col_offset, message,
                    self._socket_fix(event), f"{OS_DEFAULT}; {MACOS_IDLE}.")

    def _socket_fix(self, event: MethodCall) -> RawFix | None:
        statement = self._flows.parents.statement(event.call) if self._flows else None
        receiver = ast.unparse(event.receiver)
        if not isinstance(statement, ast.Expr) or statement.value is not event.call:
            return None
        module = event.resolver.spelling("socket")
        imports: tuple = ()
        if module is None:
            if self.module_binds("socket"):
                return None
            edit = self.import_edit("import socket", statement.lineno)
            if edit is None:
                return None
            module, imports = "socket", (edit,)
        idle = K.PREFERRED_SILENCE if self.options.max_idle_seconds >= 4 * K.PREFERRED_SILENCE else \
            max(1, self.options.max_idle_seconds // 4)
        interval = max(1, min(10, idle // 3))
        m, r = module, receiver
        statements = [
            f'if hasattr({m}, "TCP_KEEPIDLE") or hasattr({m}, "TCP_KEEPALIVE"):\n'
            f'    {r}.setsockopt({m}.IPPROTO_TCP, getattr({m}, "TCP_KEEPIDLE", None) or {m}.TCP_KEEPALIVE, {idle})',
            f'if hasattr({m}, "TCP_KEEPINTVL"):\n    {r}.setsockopt({m}.IPPROTO_TCP, {m}.TCP_KEEPINTVL, {interval})',
            f'if hasattr({m}, "TCP_KEEPCNT"):\n    {r}.setsockopt({m}.IPPROTO_TCP, {m}.TCP_KEEPCNT, 3)',
        ]
        return self.insert_statements_fix(statement, statements, f"Set the keepalive idle time to {idle} s",
                                          extra=imports)

    def _check_ioctl(self, call: ast.Call, resolver: Resolver) -> None:
        if len(call.args) != 2 or resolver.qualname(call.args[0]) != "socket.SIO_KEEPALIVE_VALS":
            return
        values = call.args[1]
        if isinstance(values, ast.Tuple) and len(values.elts) == 3:
            idle = values.elts[1]
            self._check_idle_value(literal_value(idle, resolver), idle, "SIO_KEEPALIVE_VALS idle", 1000)

    def _check_idle_value(self, value, node: ast.expr | None, what: str, per_second: int) -> None:
        if node is None or not is_number(value) or value <= 0:
            return
        max_idle = self.options.max_idle_seconds
        seconds = value / per_second
        if seconds <= max_idle:
            return
        unit = "ms" if per_second == 1000 else "s"
        suggested = min(K.PREFERRED_SILENCE, max(1, max_idle // 4)) * per_second
        message = (f"{what} of {value:g} {unit} sends the first keepalive probe after {seconds:g} s, above the "
                   f"{max_idle} s idle limit: use {suggested} ({'milliseconds' if unit == 'ms' else 'seconds'})")
        fix = None
        if isinstance(node, (ast.Constant, ast.BinOp, ast.UnaryOp)):
            fix = self.replace_fix(node, str(suggested), f"Use {suggested}")
        self.report(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, message, fix, PROBE_TOO_LATE)

    def call_site(self, event: CallSite) -> None:
        for keyword in event.call.keywords:
            if keyword.arg in OPTION_LIST_KEYWORDS:
                self._check_option_list(keyword, event.resolver)

    def _check_option_list(self, keyword: ast.keyword, resolver: Resolver) -> None:
        items = [i for i in K.literal_elements(keyword.value) if isinstance(i, ast.Tuple) and len(i.elts) == 3]
        keepalive_on, idle_set = None, False
        for item in items:
            level, option, value = resolver.qualname(item.elts[0]), resolver.qualname(item.elts[1]), item.elts[2]
            if is_tcp_level(level) and option in IDLE_OPTIONS:
                idle_set = True
                self._check_idle_value(literal_value(value, resolver), value, option.split(".")[1], 1)
            elif level == "socket.SOL_SOCKET" and option == "socket.SO_KEEPALIVE" and \
                    literal_value(value, resolver) not in (0, False):
                keepalive_on = item
            elif option is None or level is None:
                idle_set = True  # an option lintkit cannot name
        complete = K.elements(keyword.value) is not None and len(items) == len(K.elements(keyword.value))
        if keyword.arg in _REPLACING_OPTION_LISTS and keepalive_on is not None and not idle_set and complete:
            message = (f"{keyword.arg} turns SO_KEEPALIVE on but sets no TCP_KEEPIDLE: add "
                       f"(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, {min(K.PREFERRED_SILENCE, self.options.max_idle_seconds // 4 or 1)})")
            self.report(keepalive_on.lineno, keepalive_on.col_offset, keepalive_on.end_lineno,
                        keepalive_on.end_col_offset, message, explanation=f"{OS_DEFAULT}; {MACOS_IDLE}.")

    # ------------------------------------------------------------------ libraries

    def known_call(self, event: KnownCall) -> None:
        target, call = event.target, event.call
        if exempt(event, self.context):
            return
        found = K.applicable(self.schemas, target.returns, self.context.filename, self.options.versions,
                             event.version_guards, ("keepalive", idle_close.CONCEPT) + K.TCP_TUNING)
        if found.uncertain:
            return  # the answer depends on a version lintkit cannot tell (LK204 reports the risk)
        knobs = on_transport(event, found.knobs)
        switches = [k for k in knobs if k.concept == "keepalive"]
        tuning = [k for k in knobs if k.concept in ("keepalive_idle", "keepalive_options")]
        if not switches:
            return
        on_by: Knob | None = None
        at: ast.expr = call.func
        explicit = False
        for knob in switches:
            reading = K.read(call, target, knob, event.resolver) if not knob.fixed else K.Reading(knob, K.ABSENT)
            if reading.state == K.UNKNOWN:
                return
            if reading.state == K.SET:
                if reading.value is K.NO_VALUE and not (knob.spec_names and isinstance(reading.node, (ast.Tuple, ast.List))):
                    return  # a computed value; a literal spec tuple (stomp.py's ("mac", 30)) is on
                if K.switched_on(reading.value, knob):
                    on_by, at, explicit = knob, reading.node if reading.node is not None else call.func, True
            elif K.on_by_default(knob):
                on_by = on_by or knob
        if on_by is None or idle_close.closes_first(call, target, knobs, event.resolver):
            return
        if on_by.spec_names and (spec_sets_idle(at) or spec_problem(at, on_by)):
            return
        if explicit and on_by.remedy and not fixed_behaviour.settable_at_call(tuning):
            if not file_sets_idle(self.context, event.resolver):
                self._report_no_idle_setting(target, on_by, at, knobs)
            return
        replacing = self._idle_left_default(call, target, tuning, event.resolver)
        if replacing is False or replacing is True and not explicit and not self.options.strict:
            return  # nothing asked for keepalive here: the library's default (libpq) is strict's business
        library = self.schemas.library_of(target.returns)
        name = library.name if library else target.display_name
        if not fixed_behaviour.settable_at_call(tuning) and on_by.fixed:
            if fixed_behaviour.reported(event, self.options):
                remedy = fixed_behaviour.remedy(switches)
                message = (f"{target.display_name} keeps the OS keepalive idle time (2 h), which no argument of "
                           f"this call changes: {remedy if len(remedy) <= 60 else 'see the remedy in the explanation'}")
                self.report(at.lineno, at.col_offset, at.end_lineno, at.end_col_offset, message, explanation=(
                    f"{target.display_name} turns TCP keepalive on ({_why_on(on_by, explicit)}) but {name} leaves "
                    f"the idle time at the OS default: {OS_DEFAULT}. Remedy (reported because strict is on): "
                    f"{remedy}."))
            return
        how = (f"pass {', '.join(sorted({k.kwarg for k in tuning if k.kwarg and k.concept == 'keepalive_idle' and not k.key}))}"
               if any(k.kwarg and k.concept == "keepalive_idle" and not k.key for k in tuning) else
               f"pass {tuning[0].kwarg} with TCP_KEEPIDLE" if tuning and tuning[0].kwarg else
               spec_advice(on_by, min(K.PREFERRED_SILENCE, max(1, self.options.max_idle_seconds // 4)))
               if on_by.spec_names else "set TCP_KEEPIDLE on the connection's socket after connecting")
        claim = f"{target.display_name} keeps the OS keepalive idle time (2 h)"
        leaves = f"{name} leaves the idle time at the OS default"
        if replacing is not True:
            how = "add it"
            claim = f"{replacing.kwarg} of {target.display_name} has no {replacing.key}, so the OS idle time (2 h) applies"
            leaves = (f"its {replacing.kwarg} has no {replacing.key} entry, and a given {replacing.kwarg} replaces "
                      f"{name}'s own keepalive times, so the idle time is the OS default")
        message = f"{claim}: {how} (seconds, below {self.options.max_idle_seconds})"
        self.report(at.lineno, at.col_offset, at.end_lineno, at.end_col_offset, message,
                    self._library_fix(call, knobs),
                    f"{target.display_name} turns TCP keepalive on ({_why_on(on_by, explicit)}) but {leaves}: "
                    f"{OS_DEFAULT}.")

    def _report_no_idle_setting(self, target, on_by: Knob, at: ast.expr, knobs: tuple[Knob, ...]) -> None:
        """A keepalive switch the call turns on, in a library with no idle setting (botocore's
        tcp_keepalive, librdkafka's socket.keepalive.enable): the advice is the library's idle close
        where it has one, else the schema's remedy."""
        setting = f"{on_by.kwarg} {on_by.key!r}" if on_by.key else f"{on_by.kwarg}=True"
        library = self.schemas.library_of(target.returns)
        name = library.name if library else target.display_name
        closer = next((k for k in knobs if k.concept == idle_close.CONCEPT and k.kwarg), None)
        if closer is not None:
            where = f"{closer.kwarg} {closer.key!r}" if closer.key else f"{closer.kwarg}="
            advice = (f"set {where} to {idle_close.suggested_idle_close(closer, self.options.max_idle_seconds)} "
                      f"to close idle connections first")
        else:
            advice = on_by.remedy if len(on_by.remedy) <= 90 else "see the remedy in the explanation"
        message = f"{setting} keeps the OS keepalive idle (2 h): {advice}"
        self.report(at.lineno, at.col_offset, at.end_lineno, at.end_col_offset, message, explanation=(
            f"{setting} on {target.display_name} only sets SO_KEEPALIVE, and {name} has no option for the idle "
            f"time before the first probe: {OS_DEFAULT}. Remedy: {on_by.remedy}."))

    @staticmethod
    def _idle_left_default(call: ast.Call, target, tuning: list[Knob], resolver: Resolver | None):
        """Whether the call leaves the keepalive idle at the OS default: False when an idle is
        given, the library applies its own, or lintkit cannot tell; the entry knob whose
        collection the call gives without the idle entry; else True (nothing given)."""
        readings = {knob: K.read(call, target, knob, resolver) for knob in tuning if knob.kwarg is not None}
        if any(reading.state == K.UNKNOWN for reading in readings.values()):
            return False  # computed: not guessed
        if any(r.state == K.SET for k, r in readings.items() if k.concept == "keepalive_idle"):
            return False  # an idle is given (LK205 judges its value)
        given = {k.kwarg for k, r in readings.items() if k.concept == "keepalive_options" and r.state == K.SET}
        if not given:
            return not any(k.default_idle is not None for k in tuning)
        # A collection without the idle entry: the entry knob's default is what the socket gets
        # (redis-py 8: a given dict replaces its defaults). No entry knob: the library may merge
        # its own defaults (py-amqp's socket_settings), so say nothing.
        entry = next((k for k in readings if k.concept == "keepalive_idle" and k.key is not None
                      and k.kwarg in given), None)
        return entry if entry is not None and entry.default is None else False

    def _library_fix(self, call: ast.Call, knobs: tuple[Knob, ...]) -> RawFix | None:
        """Add the idle time keyword, and the interval keyword where the library has one."""
        plain = {k.concept: k for k in knobs if k.kwarg and not k.key and k.unit == "s"}
        if "keepalive_idle" not in plain or any(k.arg is None for k in call.keywords):
            return None
        idle = min(K.PREFERRED_SILENCE, max(1, self.options.max_idle_seconds // 4))
        values = [(plain["keepalive_idle"].kwarg, idle)]
        if "keepalive_interval" in plain:
            values.append((plain["keepalive_interval"].kwarg, max(1, min(10, idle // 3))))
        first = self.add_keyword_fix(call, values[0][0], str(values[0][1]))
        if first is None:
            return None
        (line, col, _, _, text), = first.edits
        text += "".join(f", {name}={value}" for name, value in values[1:])
        title = "Add " + ", ".join(f"{name}={value}" for name, value in values)
        return RawFix(first.applicability, title, ((line, col, line, col, text),))


def _why_on(knob: Knob, explicit: bool) -> str:
    if knob.fixed:
        return "always, on TCP connections"
    if K.on_by_default(knob) and not explicit:
        return f"{knob.kwarg or knob.attribute} is on by default"
    return f"{knob.kwarg}=True"
