from __future__ import annotations

import ast

from ..analysis.events import CallSite, KnownCall, MethodCall, Resolver
from ..findings import SAFE
from ..liveness.sockets import OPTION_LIST_KEYWORDS
from ..analysis.values import literal_value
from .base import CLOUD_IDLE_TIMEOUTS, Check, RawFix

#: Linux option numbers (asm-generic/socket.h, linux/tcp.h; the values CPython 3.11
#: exports on Linux).  Used only to say what a wrong-level call really sets.
_SOL_SOCKET_OPTIONS = {
    1: "SO_DEBUG", 2: "SO_REUSEADDR", 3: "SO_TYPE", 4: "SO_ERROR", 5: "SO_DONTROUTE", 6: "SO_BROADCAST",
    7: "SO_SNDBUF", 8: "SO_RCVBUF", 9: "SO_KEEPALIVE", 10: "SO_OOBINLINE", 12: "SO_PRIORITY", 13: "SO_LINGER",
    15: "SO_REUSEPORT", 16: "SO_PASSCRED", 17: "SO_PEERCRED", 18: "SO_RCVLOWAT", 19: "SO_SNDLOWAT",
    20: "SO_RCVTIMEO", 21: "SO_SNDTIMEO", 25: "SO_BINDTODEVICE", 30: "SO_ACCEPTCONN", 31: "SO_PEERSEC",
    34: "SO_PASSSEC", 36: "SO_MARK", 38: "SO_PROTOCOL", 39: "SO_DOMAIN", 49: "SO_INCOMING_CPU",
}
_TCP_OPTIONS = {
    1: "TCP_NODELAY", 2: "TCP_MAXSEG", 3: "TCP_CORK", 4: "TCP_KEEPIDLE", 5: "TCP_KEEPINTVL", 6: "TCP_KEEPCNT",
    7: "TCP_SYNCNT", 8: "TCP_LINGER2", 9: "TCP_DEFER_ACCEPT", 10: "TCP_WINDOW_CLAMP", 11: "TCP_INFO",
    12: "TCP_QUICKACK", 13: "TCP_CONGESTION", 18: "TCP_USER_TIMEOUT", 23: "TCP_FASTOPEN",
    25: "TCP_NOTSENT_LOWAT",
}
_NUMBER = {name: number for table in (_SOL_SOCKET_OPTIONS, _TCP_OPTIONS) for number, name in table.items()}
#: Options Linux refuses to set (setsockopt fails with ENOPROTOOPT, errno 92), measured on
#: kernel 6.18: SO_TYPE, SO_ERROR, SO_PEERCRED, SO_SNDLOWAT, SO_ACCEPTCONN, SO_PEERSEC,
#: SO_PROTOCOL, SO_DOMAIN; TCP_INFO.
_READ_ONLY = {"SO_TYPE", "SO_ERROR", "SO_PEERCRED", "SO_SNDLOWAT", "SO_ACCEPTCONN", "SO_PEERSEC", "SO_PROTOCOL",
              "SO_DOMAIN", "TCP_INFO"}
#: Options whose valid values are narrow or not integers, or that need CAP_NET_ADMIN:
#: a stray value may fail instead.
_PICKY = {"SO_DEBUG", "SO_PRIORITY", "SO_MARK", "SO_LINGER", "SO_RCVTIMEO", "SO_SNDTIMEO", "SO_BINDTODEVICE", "SO_PASSCRED", "SO_PASSSEC",
          "TCP_MAXSEG", "TCP_SYNCNT", "TCP_CONGESTION"}

_TCP_LEVELS = ("IPPROTO_TCP", "SOL_TCP")
#: The values Linux accepts at the right level (net/ipv4/tcp.c: MAX_TCP_KEEPIDLE,
#: MAX_TCP_KEEPINTVL 32767, MAX_TCP_KEEPCNT 127; TCP_USER_TIMEOUT takes any int >= 0);
#: others fail with EINVAL, so the level fix is not offered for a literal outside them.
_VALID_VALUES = {"TCP_KEEPIDLE": range(1, 32768), "TCP_KEEPINTVL": range(1, 32768), "TCP_KEEPCNT": range(1, 128),
                 "TCP_USER_TIMEOUT": range(0, 2 ** 31)}
#: What the option does when it is NOT applied (the setting the code meant).
_MISSED = {
    "SO_KEEPALIVE": "SO_KEEPALIVE stays off: Linux then sends no keepalive probes, so a quiet connection dies "
                    f"silently once a NAT gateway or load balancer drops the idle flow ({CLOUD_IDLE_TIMEOUTS})",
    "TCP_KEEPIDLE": "TCP_KEEPIDLE keeps the Linux default: the first keepalive probe after 7200 s, far "
                    f"beyond the idle timeouts of NAT gateways and load balancers ({CLOUD_IDLE_TIMEOUTS})",
    "TCP_KEEPINTVL": "TCP_KEEPINTVL keeps the Linux default of 75 s between probes",
    "TCP_KEEPCNT": "TCP_KEEPCNT keeps the Linux default of 9 probes (a dead peer is noticed after ~7875 s)",
    "TCP_USER_TIMEOUT": "TCP_USER_TIMEOUT stays unset: unacknowledged data is retried for ~15 minutes",
}


def _elements(value: ast.expr) -> list[ast.expr]:
    """The literal items of `[...]`, `(...)` and their `+` concatenations (`defaults + [...]`)."""
    if isinstance(value, (ast.List, ast.Tuple)):
        return list(value.elts)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _elements(value.left) + _elements(value.right)
    return []


def _invalid_value(option: str, value: ast.expr | None, resolver: Resolver) -> object:
    """The literal value when the right level would reject it (None when valid or unknown)."""
    valid = _VALID_VALUES.get(option)
    if valid is None or value is None:
        return None
    number = literal_value(value, resolver)
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    return None if number in valid else number


class SocketOptionWrongLevel(Check):
    """A socket option passed with the protocol level of another option family.

    ## What it does
    Checks `setsockopt(level, option, value)` calls on any object, and the
    `(level, option, value)` tuples of socket-option collections
    (`socket_options=[...]` of urllib3 and kafka-python, `sockopt=` of
    websocket-client, and every schema knob of unit `options` whose value is
    a list of tuples), and reports an `SO_*` option at level `IPPROTO_TCP` /
    `SOL_TCP`, or a `TCP_*` option at level `SOL_SOCKET`. The constants are
    recognised however the file imports the socket module (`socket.X`,
    `import socket as s`, `from socket import X`); nothing is imported.
    Literal numbers and computed values are not checked.

    ## Why is this bad?
    The kernel does not know which family an option number came from: it
    looks the number up in the table of the level it is given. On Linux
    `SO_KEEPALIVE` is 9, and 9 at the TCP level is `TCP_DEFER_ACCEPT`, so
    `setsockopt(IPPROTO_TCP, SO_KEEPALIVE, 1)` succeeds, changes the wrong
    setting, and leaves keepalive off: no probes are ever sent and a NAT
    gateway or load balancer silently drops the idle connection after its
    idle timeout (common cloud defaults: Azure 240 s, AWS NAT gateway
    350 s). `setsockopt(SOL_SOCKET, TCP_KEEPINTVL, 10)` sets
    `SO_DONTROUTE` (5) instead. Nothing fails; the connection just hangs
    later. Some mix-ups fail loudly instead (`TCP_KEEPIDLE` is 4, the
    read-only `SO_ERROR`: `OSError: [Errno 92] Protocol not available`),
    and the numbers differ on macOS and Windows, so the same line can be
    silent on one system and raise on another.

    ## When it does not report
    - A level or option lintkit cannot resolve to a `socket` constant (a
      computed value, a number, another module's constant).
    - Options that are not `SO_*` or `TCP_*` (`IP_*`, `IPV6_*`: their levels
      are not mixed up this way).
    - Test code and vendored code (see LK201), as for every LK2xx rule.

    ## Example
    ```python
    import socket

    sock = socket.create_connection(("db.example.com", 5432))
    sock.setsockopt(socket.IPPROTO_TCP, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.TCP_KEEPINTVL, 10)
    ```

    ## Use instead
    ```python
    import socket

    sock = socket.create_connection(("db.example.com", 5432))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10)
    ```

    ## Fix safety
    The fix replaces the level with the option's own level (`SOL_SOCKET` for
    `SO_*`, `IPPROTO_TCP` for `TCP_*`) and is **safe**: the option's name
    states its level, and the call then does what it says. The new level is
    spelt the way the code spelt the old one: `socket.IPPROTO_TCP` becomes
    `socket.SOL_SOCKET`, `s.IPPROTO_TCP` becomes `s.SOL_SOCKET`. When the
    level is a bare name (`from socket import IPPROTO_TCP`), the fix writes
    the bare name if it is already imported, else `socket.SOL_SOCKET`
    through whatever name the module itself is bound to; when neither is
    bound at that point, there is **no fix** (adding an import is left to
    you). Nor is there one when the value is a literal the right level
    rejects (`setsockopt(SOL_SOCKET, TCP_KEEPINTVL, 0)`: Linux takes 1 to
    32767 for `TCP_KEEPIDLE` and `TCP_KEEPINTVL`, 1 to 127 for `TCP_KEEPCNT`;
    at `IPPROTO_TCP` the call would raise `OSError` EINVAL): the message says
    which values are valid.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): schema knobs
      of unit `options` in your own schemas are checked too.

    ## References
    - [Linux `socket(7)`: SOL_SOCKET options](https://man7.org/linux/man-pages/man7/socket.7.html)
    - [Linux `tcp(7)`: IPPROTO_TCP options](https://man7.org/linux/man-pages/man7/tcp.7.html)
    - [Python `socket` constants](https://docs.python.org/3/library/socket.html#constants)
    """

    code = "LK206"
    fix_availability = "sometimes"
    name = "socket-option-wrong-level"

    @classmethod
    def watched_methods(cls, schemas) -> frozenset[str]:
        return frozenset({"setsockopt"})

    @classmethod
    def watched_keywords(cls, schemas) -> frozenset[str]:
        return OPTION_LIST_KEYWORDS

    def method_call(self, event: MethodCall) -> None:
        call = event.call
        if event.method == "setsockopt" and len(call.args) >= 2 and not any(
                isinstance(a, ast.Starred) for a in call.args[:2]):
            value = call.args[2] if len(call.args) > 2 else None
            self._check_triple(call.args[0], call.args[1], value, event.resolver)

    def call_site(self, event: CallSite) -> None:
        self._check_keywords(event.call, OPTION_LIST_KEYWORDS, event.resolver)

    def known_call(self, event: KnownCall) -> None:
        if event.resolver is None:
            return
        knob_kwargs = {knob.kwarg for cls in self.schemas.mro(event.target.returns) for knob in cls.knobs
                       if knob.unit == "options" and knob.kwarg and knob.kwarg not in OPTION_LIST_KEYWORDS}
        self._check_keywords(event.call, knob_kwargs, event.resolver)

    def _check_keywords(self, call: ast.Call, names, resolver: Resolver) -> None:
        for keyword in call.keywords:
            if keyword.arg in names:
                for element in _elements(keyword.value):
                    if isinstance(element, ast.Tuple) and len(element.elts) == 3 and not any(
                            isinstance(e, ast.Starred) for e in element.elts):
                        self._check_triple(*element.elts, resolver)

    def _check_triple(self, level: ast.expr, option: ast.expr, value: ast.expr | None, resolver: Resolver) -> None:
        level_name, option_name = resolver.qualname(level), resolver.qualname(option)
        if level_name is None or option_name is None:
            return
        level_module, _, level_attr = level_name.rpartition(".")
        option_module, _, option_attr = option_name.rpartition(".")
        if level_module != "socket" or option_module != "socket":
            return
        if level_attr in _TCP_LEVELS and option_attr.startswith("SO_"):
            right, actual_table, where = "SOL_SOCKET", _TCP_OPTIONS, "TCP"
        elif level_attr == "SOL_SOCKET" and option_attr.startswith("TCP_"):
            right, actual_table, where = "IPPROTO_TCP", _SOL_SOCKET_OPTIONS, "SOL_SOCKET"
        else:
            return
        number = _NUMBER.get(option_attr)
        actual = actual_table.get(number) if number is not None else None
        if actual in _READ_ONLY:
            effect = "the call fails with OSError ENOPROTOOPT"
            happens = f"on Linux the call fails with OSError ENOPROTOOPT ({option_attr} is {number}, which at " \
                      f"the {where} level is the read-only {actual})"
        elif actual in _PICKY:
            effect = f"Linux sets {actual} instead, or fails"
            happens = f"on Linux the call sets {actual} instead ({option_attr} is {number}, which at the " \
                      f"{where} level means {actual}), or fails with OSError when the value or the process's privileges do not suit {actual}"
        elif actual is not None:
            effect = f"Linux silently sets {actual} instead"
            happens = f"on Linux the call silently sets {actual} instead ({option_attr} is {number}, " \
                      f"which at the {where} level means {actual})"
        else:
            effect = "Linux sets another option, or fails"
            happens = "on Linux the call sets whatever option has that number at that level, or fails with OSError"
        missed = _MISSED.get(option_attr, f"{option_attr} is not set")
        message = f"{option_attr} belongs to level {right}, not {level_attr}: {effect}; use {right}"
        explanation = f"{option_attr} is set at level {level_attr}: {happens}, and {missed}."
        fix = self._fix(level, right, resolver)
        invalid = _invalid_value(option_attr, value, resolver)
        if invalid is not None:
            message += f" with a value from {_VALID_VALUES[option_attr].start} to {_VALID_VALUES[option_attr].stop - 1}"
            explanation += f" At level {right}, {invalid!r} fails with OSError EINVAL."
            fix = None
        self.report(level.lineno, level.col_offset, level.end_lineno, level.end_col_offset, message, fix, explanation)

    @staticmethod
    def _fix(level: ast.expr, right: str, resolver: Resolver) -> RawFix | None:
        if isinstance(level, ast.Attribute):
            # Keep the code's own spelling of the module: `s.IPPROTO_TCP` -> `s.SOL_SOCKET`.
            if resolver.qualname(level.value) != "socket":
                return None
            end_col = level.end_col_offset
            start_col = end_col - len(level.attr.encode("utf-8"))
            return RawFix(SAFE, f"Use level {right}", ((level.end_lineno, start_col, level.end_lineno, end_col, right),))
        new = resolver.spelling(f"socket.{right}")
        if new is None:
            return None
        return RawFix(SAFE, f"Use level {new}",
                      ((level.lineno, level.col_offset, level.end_lineno, level.end_col_offset, new),))
