from __future__ import annotations

from ..analysis.events import KnownCall
from ..analysis.keyword_dicts import source_call
from ..liveness.own_protocol import inside_library_with_own_heartbeat
from ..liveness.sockets import MAKERS, SocketFlows, on_loopback, option_call, tcp_maker, turns_keepalive_on
from .base import CLOUD_IDLE_TIMEOUTS, Check

CONSEQUENCE = ("without SO_KEEPALIVE Linux never probes an idle connection, so a NAT gateway, load balancer or "
               f"firewall may drop it ({CLOUD_IDLE_TIMEOUTS}) and a dead peer goes "
               "unnoticed until the next write fails, or forever for a reader")


class SocketWithoutKeepalive(Check):
    """A long-lived TCP socket on which keepalive is never turned on.

    ## What it does
    Follows each TCP socket made in the file, `socket.socket()` (default
    family and type, or `AF_INET`/`AF_INET6` with `SOCK_STREAM`),
    `socket.create_connection()` and `socket.create_server()`, together with
    the SSL wrappers made from it (`context.wrap_socket(sock)`), and
    reports it when its lifetime escapes the function that made it and no
    `setsockopt(SOL_SOCKET, SO_KEEPALIVE, <true>)` is done on it. A socket
    escapes when it is stored on an object (`self.sock = ...`), in a module
    global or a container, returned or yielded, passed to a thread, or used
    by a nested function. The `setsockopt` call counts in the same function,
    in any method of the same class for `self.sock`, and anywhere in the
    module for a global.

    A socket made and closed within one function or `with` block is
    short-lived and is not reported unless `strict` is on. A server's socket
    (`create_server()`, or one that is bound, listening or accepting and never
    connected) is reported only with `strict` too. On Linux accepted
    connections inherit the listener's options, so keepalive set on the
    listener lets a server notice clients that vanished; but on the ecosystem
    check (89 projects) none of the 8 listeners outside test code was worth
    acting on: local port forwards, a debugger bound to loopback by default,
    a socketpair emulation, a media stream that is never idle. Which address a
    server is bound to, and how idle its clients get, is usually decided by
    configuration lintkit cannot see. A
    `socket.socket()` kept where lintkit sees all its uses (its function,
    its class, the module) that is never connected, listening or accepting
    (`connect`, `connect_ex`, `listen`, `accept`) is not a connection and
    is not reported unless `strict` is on; one returned, yielded, put in a
    container or passed to a thread is reported, since the code receiving
    it may connect it. The family and type of a
    `socket.getaddrinfo(host, port, 0, SOCK_STREAM)` result unpacked by the
    enclosing `for` loop count as TCP. UDP and
    `AF_UNIX` sockets, `socketpair()` and `fromfd()` are never reported,
    nor is a socket bound or connected to a literal loopback address
    (`bind(("127.0.0.1", 0))`, `connect(("localhost", port))`, `::1`,
    a parameter whose default is one, `create_connection(("localhost",
    port))`: a socketpair emulation or a local listener, whose traffic
    never passes a middlebox),
    nor is a socket handed to a function lintkit cannot see into (it may
    turn keepalive on). `setsockopt(IPPROTO_TCP, SO_KEEPALIVE, 1)` does not
    count: that is the wrong level (LK206) and leaves keepalive off.

    ## Why is this bad?
    TCP sends nothing on an idle connection unless `SO_KEEPALIVE` is set.
    Stateful middleboxes forget idle flows (Azure load balancers and NAT
    after 240 s, AWS NAT gateways and NLBs after 350 s, a Cisco ASA after
    1 h), and then the connection is dead without either end being told:
    a reader waits forever and a writer gets a reset, or a long
    retransmission timeout. Keepalive alone is not enough either: Linux
    sends the first probe only after 7200 s unless `TCP_KEEPIDLE` is set
    (LK202).

    ## When it does not report
    - UDP, UNIX-domain and `socketpair()` sockets, and sockets whose family or
      type lintkit cannot tell.
    - Short-lived sockets: made and closed in one function or used in a
      `with` block, and sockets never connected or listening (not a
      connection); `strict` reports them too.
    - A server's sockets: `create_server()`, and sockets bound, listening or
      accepting and never connected (`strict` reports them).
    - Sockets handed to a helper function lintkit cannot see into (it may
      turn keepalive on).
    - Sockets made inside a client library whose protocol pings idle
      connections by default (paho-mqtt's own modules: MQTT sends PINGREQ
      every `keepalive` seconds); that liveness is checked where users set it,
      at the library's API.
    - Test code: files matched by `test-code-paths` and test functions,
      fixtures and `TestCase` methods in any file (`test-code-ignore`,
      default `["LK2"]`).
    - Vendored code, unless `strict`: a directory inside a package named
      `_vendor`, `vendor`, `vendored`, `_vendored`, `third_party` or
      `thirdparty`, or holding a licence file of its own (netmiko's copy of
      the standard library's telnetlib in `_telnetlib/`).

    ## Example
    ```python
    import socket

    class Client:
        def connect(self, address):
            self.sock = socket.create_connection(address)
    ```

    ## Use instead
    ```python
    import socket

    class Client:
        def connect(self, address):
            self.sock = socket.create_connection(address)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            # The idle time before the first probe differs per OS (LK202): TCP_KEEPIDLE on
            # Linux, Windows and BSD, TCP_KEEPALIVE on macOS.
            idle = getattr(socket, "TCP_KEEPIDLE", None) or getattr(socket, "TCP_KEEPALIVE", None)
            if idle is not None:
                self.sock.setsockopt(socket.IPPROTO_TCP, idle, 30)
    ```

    ## Fix safety
    The fix inserts `sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)`
    on the line after the statement that makes the socket (as the first
    statement of a `with` block that makes it), spelling the constants the
    way the module already names them (`socket.X`, a from-import, an alias)
    and adding `import socket` only when nothing names the module. It is
    **unsafe**: the socket then sends keepalive probes, and a peer that has
    gone away makes reads fail instead of hang. There is no fix when the
    socket is returned, stored in a container, or made on a line shared with
    other code. The idle time still needs setting (LK202; its fix is the
    portable snippet above).

    ## Options
    - `strict` (`--strict`): also report short-lived sockets, servers'
      sockets, and sockets never connected or listening.
    - `test-code-ignore` (default `["LK2"]`): not reported in test code.

    ## References
    - [Linux `socket(7)`: SO_KEEPALIVE](https://man7.org/linux/man-pages/man7/socket.7.html)
    - [Linux `tcp(7)`: TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT](https://man7.org/linux/man-pages/man7/tcp.7.html)
    - [TCP keepalive HOWTO](https://tldp.org/HOWTO/TCP-Keepalive-HOWTO/)
    - [Choosing the maximum idle time](../max-idle.md)
    """

    code = "LK201"
    name = "socket-without-keepalive"
    fix_availability = "sometimes"

    _flows: SocketFlows | None = None

    def known_call(self, event: KnownCall) -> None:
        if event.resolver is None:
            return
        maker = tcp_maker(event.call, event.resolver, self.context.parents)
        if maker is None:
            return
        if self._flows is None:
            self._flows = SocketFlows(self.context.tree, self.context.parents)
        flows = self._flows
        written = source_call(event.call)  # followed through the syntax tree (keyword_dicts.py)
        flow = flows.follow(written, event.resolver)
        if flow.handed_over:
            return
        if flow.escape is None and not self.options.strict:
            return
        if on_loopback(written, flow, flows, event.resolver):
            return
        home = flows.parents.home(written)
        if not self.options.strict and (maker == MAKERS["socket.create_server"] or
                                        flow.names and flows.server_side(flow, home)):
            return  # a server's socket: reported with strict (see the docs' reason)
        if flow.names:
            if flows.handed_over(flow.names, home):
                return
            if maker == MAKERS["socket.socket"] and not self.options.strict and flows.unconnected(flow, home):
                return
            for call in flows.option_calls(flow, home):
                option = option_call(call, event.resolver)
                if option is not None and (turns_keepalive_on(option) or option.option is None):
                    return
        if inside_library_with_own_heartbeat(self.context.filename, self.schemas):
            return
        maker = event.call.func
        why = flow.escape or "it is short-lived (reported because strict is on)"
        name = event.resolver.qualname(maker) or "socket"
        message = (f"{name}() socket has no SO_KEEPALIVE and {why.split(' (')[0]}: "
                   f"call setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1)")
        self.report(maker.lineno, maker.col_offset, maker.end_lineno, maker.end_col_offset, message,
                    self._fix(flow, event),
                    f"The socket outlives its function: {why}. {CONSEQUENCE[0].upper()}{CONSEQUENCE[1:]}; after SO_KEEPALIVE, set TCP_KEEPIDLE "
                    f"below the maximum idle time ({self.options.max_idle_seconds} s).")

    def _fix(self, flow, event: KnownCall):
        if flow.anchor is None or flow.receiver is None:
            return None
        line = flow.anchor.lineno if flow.insert_before else flow.anchor.end_lineno + 1
        names, imports = self.socket_names(event.resolver, ("SOL_SOCKET", "SO_KEEPALIVE"), line)
        if not names:
            return None
        statement = f"{flow.receiver}.setsockopt({names['SOL_SOCKET']}, {names['SO_KEEPALIVE']}, 1)"
        return self.insert_statements_fix(flow.anchor, [statement], "Turn SO_KEEPALIVE on",
                                          before=flow.insert_before, extra=imports)
