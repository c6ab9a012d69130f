"""Sockets in the source: which calls make TCP sockets, where a socket goes after
the call that makes it (its lifetime), and which socket options code sets on it.

Used by LK201 (TCP socket without SO_KEEPALIVE) and LK202 (keepalive idle).
Everything is read from the syntax tree of one file; nothing is imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterator

from ..analysis.events import Resolver
from ..analysis.name_index import NameIndex, dotted
from ..reading.syntax import RegionParents, TreeIndex, block_nodes
from ..analysis.values import NO_VALUE, literal_value

MAKERS = {"socket.socket": "socket.socket()", "socket.create_connection": "socket.create_connection()",
          "socket.create_server": "socket.create_server()"}
_TCP_FAMILIES = {"socket.AF_INET", "socket.AF_INET6"}
_TCP_LEVELS = {"socket.IPPROTO_TCP", "socket.SOL_TCP"}
IDLE_OPTIONS = {"socket.TCP_KEEPIDLE", "socket.TCP_KEEPALIVE"}
#: Keyword arguments that take (level, option, value) tuples in any library
#: (urllib3, kafka-python, websocket-client, requests adapters).
OPTION_LIST_KEYWORDS = frozenset({"socket_options", "sockopt"})
#: The socket methods that set options.
OPTION_METHODS = frozenset({"setsockopt", "ioctl"})
_THREAD_STARTERS = {"threading.Thread", "threading.Timer", "multiprocessing.Process", "_thread.start_new_thread",
                    "thread.start_new_thread"}
_THREAD_METHODS = {"submit", "apply_async", "run_in_executor", "start_new_thread"}
#: Methods that make a socket a connection, or the listener of connections.
CONNECTING_METHODS = frozenset({"connect", "connect_ex", "listen", "accept"})
#: Methods of a client end, and of a server end (bound, listening or accepting).
CLIENT_METHODS = frozenset({"connect", "connect_ex"})
SERVER_METHODS = frozenset({"bind", "listen", "accept"})
MODULE_GLOBAL = "it is a module global"
RETURNED = "it is returned"
YIELDED = "it is yielded"
STORED_ON = "it is stored on "
#: Calls that look at a socket without keeping or configuring it.
_HARMLESS = {"print", "len", "repr", "str", "id", "isinstance", "hasattr", "getattr", "type", "bool", "hash",
             "vars", "dir", "format"}


class Parents:
    """Parent links of one tree, built on first use: region by region for `of`
    (`RegionParents`), for the whole tree once a rule wants every node (`tree_index`)."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self._regions = RegionParents(tree)
        self._parent: dict[ast.AST, ast.AST] = self._regions.parents
        self._tree_index: TreeIndex | None = None
        self._blocks: list[ast.AST] | None = None
        self._indexes: dict[int, NameIndex] = {}

    @property
    def tree_index(self) -> TreeIndex:
        """Every node of the tree, by type too (built with the parent links, once)."""
        if self._tree_index is None:
            self._tree_index = TreeIndex(self.tree)
            self._parent = self._tree_index.parents
        return self._tree_index

    @property
    def blocks(self) -> list[ast.AST]:
        """The tree's statements, exception handlers and match cases in walk order (`block_nodes`), once."""
        if self._blocks is None:
            self._blocks = block_nodes(self.tree)
        return self._blocks

    def of(self, node: ast.AST) -> ast.AST | None:
        parent = self._parent.get(node)
        if parent is None and self._tree_index is None and node is not self.tree:
            self._regions.index_around(node)
            parent = self._parent.get(node)
            if parent is None:  # a node its line cannot place
                parent = self.tree_index.parents.get(node)
        return parent

    def home(self, node: ast.AST) -> ast.AST:
        """The function (or module) whose local variables `node` uses."""
        current = self.of(node)
        while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            current = self.of(current)
        return current if current is not None else self.tree

    def statement(self, node: ast.AST) -> ast.stmt | None:
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.of(current)
        return current

    def enclosing_class(self, function: ast.AST) -> ast.ClassDef | None:
        parent = self.of(function)
        return parent if isinstance(parent, ast.ClassDef) else None

    def index(self, place: ast.AST) -> NameIndex:
        """The name uses under `place` (a function, class or the module), built once."""
        found = self._indexes.get(id(place))
        if found is None:
            found = self._indexes[id(place)] = NameIndex(place)
        return found


# --------------------------------------------------------------------------- makers


def tcp_maker(call: ast.Call, resolver: Resolver, parents: Parents | None = None) -> str | None:
    """`socket.socket()` (AF_INET/AF_INET6, SOCK_STREAM, or the family and type of a
    `getaddrinfo(..., SOCK_STREAM)` result when `parents` is given), `create_connection()`
    or `create_server()`: the maker's name; None for UDP, UNIX, fromfd, socketpair, or
    arguments lintkit cannot read."""
    name = resolver.qualname(call.func)
    if name not in MAKERS:
        return None
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    keywords = {k.arg: k.value for k in call.keywords}
    if name == "socket.socket":
        if "fileno" in keywords or len(call.args) > 3:
            return None
        family = keywords.get("family", call.args[0] if call.args else None)
        kind = keywords.get("type", call.args[1] if len(call.args) > 1 else None)
        if parents is not None and family is not None and kind is not None and \
                _from_stream_addrinfo(family, kind, call, resolver, parents):
            return MAKERS[name]
        if family is not None and resolver.qualname(family) not in _TCP_FAMILIES:
            return None
        if kind is not None and not _is_stream(kind, resolver):
            return None
    elif name == "socket.create_server":
        family = keywords.get("family")
        if family is not None and resolver.qualname(family) not in _TCP_FAMILIES:
            return None
    return MAKERS[name]


def _from_stream_addrinfo(family: ast.expr, kind: ast.expr, call: ast.Call, resolver: Resolver,
                          parents: Parents) -> bool:
    """`socket.socket(af, socktype, ...)` inside `for af, socktype, *_ in
    socket.getaddrinfo(host, port, <IP family or 0>, SOCK_STREAM)`: a TCP socket."""
    if not (isinstance(family, ast.Name) and isinstance(kind, ast.Name)):
        return False
    loop: ast.AST | None = parents.of(call)
    while loop is not None and not isinstance(loop, (ast.For, ast.AsyncFor)):
        if isinstance(loop, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        loop = parents.of(loop)
    if loop is None:
        return False
    target = loop.target
    if isinstance(target, ast.Name):  # `for res in getaddrinfo(...): af, socktype, proto, _, sa = res`
        target = next((s.targets[0] for s in loop.body if isinstance(s, ast.Assign) and len(s.targets) == 1 and
                       isinstance(s.value, ast.Name) and s.value.id == target.id), None)
    if not isinstance(target, ast.Tuple) or len(target.elts) < 2:
        return False
    first, second = target.elts[:2]
    if not (isinstance(first, ast.Name) and first.id == family.id and
            isinstance(second, ast.Name) and second.id == kind.id):
        return False
    lookup = loop.iter
    if not (isinstance(lookup, ast.Call) and resolver.qualname(lookup.func) == "socket.getaddrinfo"):
        return False
    keywords = {k.arg: k.value for k in lookup.keywords}
    wanted_family = keywords.get("family", lookup.args[2] if len(lookup.args) > 2 else None)
    wanted_type = keywords.get("type", lookup.args[3] if len(lookup.args) > 3 else None)
    if wanted_type is None or not _is_stream(wanted_type, resolver):
        return False
    return wanted_family is None or resolver.qualname(wanted_family) in _TCP_FAMILIES | {"socket.AF_UNSPEC"} or \
        (isinstance(wanted_family, ast.Constant) and wanted_family.value == 0)


def _is_stream(kind: ast.expr, resolver: Resolver) -> bool:
    if isinstance(kind, ast.BinOp) and isinstance(kind.op, ast.BitOr):  # SOCK_STREAM | SOCK_NONBLOCK
        return _is_stream(kind.left, resolver) or _is_stream(kind.right, resolver)
    return resolver.qualname(kind) == "socket.SOCK_STREAM"


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class OptionCall:
    call: ast.Call
    level: str | None  # qualified name, None when not a socket constant
    option: str | None
    value: object  # literal value or NO_VALUE
    value_node: ast.expr | None


def option_call(call: ast.Call, resolver: Resolver) -> OptionCall | None:
    """`x.setsockopt(level, option, value)` read; None for other calls or starred arguments."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "setsockopt") or len(call.args) < 2:
        return None
    if any(isinstance(a, ast.Starred) for a in call.args):
        return OptionCall(call, None, None, NO_VALUE, None)
    value_node = call.args[2] if len(call.args) > 2 else None
    return OptionCall(call, resolver.qualname(call.args[0]), resolver.qualname(call.args[1]),
                      literal_value(value_node, resolver), value_node)


def turns_keepalive_on(option: OptionCall) -> bool:
    return option.level == "socket.SOL_SOCKET" and option.option == "socket.SO_KEEPALIVE" and \
        (option.value is NO_VALUE or bool(option.value))


def surely_turns_keepalive_on(option: OptionCall) -> bool:
    """`setsockopt(SOL_SOCKET, SO_KEEPALIVE, v)` with `v` a literal truthy value (or a module
    constant bound to one): keepalive is known to be on.  A computed `v` (a parameter of an
    `enable(flag)` setter) may be False."""
    return turns_keepalive_on(option) and option.value is not NO_VALUE


def may_set_idle(call: ast.Call, resolver: Resolver) -> bool:
    """A call that sets (or might set: computed option names, the portable
    `getattr(socket, "TCP_KEEPIDLE", None) or ...`) the keepalive idle time."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "ioctl":
        first = call.args[0] if call.args else None
        return first is None or resolver.qualname(first) in (None, "socket.SIO_KEEPALIVE_VALS")
    option = option_call(call, resolver)
    if option is None:
        return False
    if option.option is None or option.level is None:
        return True  # not a socket constant: lintkit cannot tell which option it is
    return option.level in _TCP_LEVELS and option.option in IDLE_OPTIONS


def is_tcp_level(qualname: str | None) -> bool:
    return qualname in _TCP_LEVELS


# --------------------------------------------------------------------------- lifetime


@dataclass
class Flow:
    """Where a socket made by one call goes."""

    #: Why the socket outlives the function that made it; None when it does not.
    escape: str | None = None
    #: It is handed to code lintkit cannot see (a helper may configure it).
    handed_over: bool = False
    #: Dotted names holding it in its home function ("sock", "self.sock").
    names: set[str] = field(default_factory=set)
    #: Where the fix may insert a statement, and how it names the socket.
    anchor: ast.stmt | None = None
    receiver: str | None = None
    #: Insert before the anchor (the first statement of a `with` body), not after it.
    insert_before: bool = False


class SocketFlows:
    """Lifetime and keepalive analysis for the sockets of one file."""

    def __init__(self, tree: ast.Module, parents: Parents):
        self.parents = parents
        self.tree = tree

    def follow(self, call: ast.Call, resolver: Resolver) -> Flow:
        flow = Flow()
        home = self.parents.home(call)
        expr: ast.AST = call
        while True:
            parent = self.parents.of(expr)
            if isinstance(parent, ast.keyword):
                parent_call = self.parents.of(parent)
                if isinstance(parent_call, ast.Call) and _is_wrap(parent_call, resolver):
                    expr = parent_call
                    continue
                expr, parent = parent, parent_call
            if isinstance(parent, ast.Call) and expr is not parent.func:
                if _is_wrap(parent, resolver):
                    expr = parent  # an SSL wrapper shares the socket (and its options)
                    continue
                if _starts_thread(parent, resolver):
                    flow.escape = "it is passed to a thread"
                else:
                    flow.handed_over = not harmless_call(parent)
                return flow
            if isinstance(parent, ast.Await):
                expr = parent
                continue
            break
        statement = self.parents.statement(expr)
        if isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
            flow.escape = RETURNED if isinstance(parent, ast.Return) else YIELDED
            return flow
        if isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            flow.escape = "it is stored in a container"
            return flow
        if isinstance(parent, ast.withitem):
            target = parent.optional_vars
            with_stmt = self.parents.of(parent)
            if isinstance(target, ast.Name):
                flow.names.add(target.id)
                if isinstance(with_stmt, (ast.With, ast.AsyncWith)) and with_stmt.body:
                    flow.anchor, flow.receiver, flow.insert_before = with_stmt.body[0], target.id, True
            self._uses(home, flow, resolver)
            return flow
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and expr is parent.value:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                self._bind(target, home, flow)
            if len(targets) == 1 and flow.names:
                flow.anchor, flow.receiver = statement, dotted(targets[0])
            self._uses(home, flow, resolver)
            return flow
        if isinstance(parent, ast.NamedExpr):
            self._bind(parent.target, home, flow)
            self._uses(home, flow, resolver)
            return flow
        if isinstance(parent, (ast.Expr, ast.Attribute)):
            return flow  # used on the spot: `create_connection(addr).sendall(data)`
        flow.handed_over = True  # some other construct: do not guess
        return flow

    def _bind(self, target: ast.expr, home: ast.AST, flow: Flow) -> None:
        if isinstance(target, ast.Name):
            flow.names.add(target.id)
            if isinstance(home, ast.Module) or self.parents.index(home).declares_global(target.id):
                flow.escape = flow.escape or MODULE_GLOBAL
        elif isinstance(target, ast.Attribute):
            name = dotted(target)
            if name is not None:
                flow.names.add(name)
            flow.escape = flow.escape or f"{STORED_ON}{name or 'an object'}"
        elif isinstance(target, ast.Subscript):
            flow.escape = flow.escape or "it is stored in a container"
        else:
            flow.handed_over = True  # tuple unpacking: do not guess

    def _uses(self, home: ast.AST, flow: Flow, resolver: Resolver) -> None:
        """Follow the names holding the socket through the home function."""
        seen: set[str] = set()
        while flow.names - seen:
            pending = flow.names - seen
            seen |= pending
            for node, name in self.occurrences(home, pending):
                self._use(node, name, home, flow, resolver)

    def occurrences(self, home: ast.AST, names: set[str]) -> Iterator[tuple[ast.expr, str]]:
        """Every read of one of `names` under `home`, in walk order."""
        return iter(self.parents.index(home).loads(names))

    def _use(self, node: ast.expr, name: str, home: ast.AST, flow: Flow, resolver: Resolver) -> None:
        if self.parents.home(node) is not home:
            flow.escape = flow.escape or "a nested function uses it"
            return
        parent = self.parents.of(node)
        if isinstance(parent, ast.Attribute):
            caller = self.parents.of(parent)
            if parent.attr == "listen" and isinstance(caller, ast.Call) and caller.func is parent:
                flow.escape = flow.escape or "it is a listening socket (accepted connections inherit its options)"
            return
        if isinstance(parent, ast.keyword):
            parent = self.parents.of(parent)
        if isinstance(parent, ast.Call) and node is not parent.func:
            if _is_wrap(parent, resolver):
                outer = self.parents.of(parent)
                if isinstance(outer, (ast.Assign, ast.AnnAssign)):
                    for target in (outer.targets if isinstance(outer, ast.Assign) else [outer.target]):
                        self._bind(target, home, flow)
                elif isinstance(outer, ast.withitem) and isinstance(outer.optional_vars, ast.Name):
                    flow.names.add(outer.optional_vars.id)
                elif isinstance(outer, (ast.Return, ast.Yield)):
                    flow.escape = flow.escape or RETURNED
                return
            if _starts_thread(parent, resolver):
                flow.escape = flow.escape or "it is passed to a thread"
            elif not harmless_call(parent):
                flow.handed_over = True
            return
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            for target in (parent.targets if isinstance(parent, ast.Assign) else [parent.target]):
                self._bind(target, home, flow)
        elif isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
            flow.escape = flow.escape or (RETURNED if isinstance(parent, ast.Return) else YIELDED)
        elif isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            grand = self.parents.of(parent)
            if isinstance(grand, ast.keyword) and grand.arg == "args":
                flow.escape = flow.escape or "it is passed to a thread"
            elif isinstance(grand, (ast.Return, ast.Yield)):
                flow.escape = flow.escape or RETURNED
            elif isinstance(grand, ast.Call):
                flow.handed_over = flow.handed_over or not harmless_call(grand)
            else:
                flow.escape = flow.escape or "it is stored in a container"

    # ------------------------------------------------------------------ options on the socket

    def option_calls(self, flow: Flow, home: ast.AST) -> Iterator[ast.Call]:
        """Every `<name>.setsockopt(...)` / `.ioctl(...)` on the socket's names: in its home
        function, in every method of its class for `self.x`, in the module for globals."""
        return self.method_calls(flow, home, OPTION_METHODS)

    def method_calls(self, flow: Flow, home: ast.AST, methods: frozenset[str]) -> Iterator[ast.Call]:
        """Every `<name>.<method>(...)` on the names holding the object, for one of `methods`:
        in its home function, in every method of its class for `self.x`, in the module for
        globals."""
        places = [home]
        if any("." in name for name in flow.names) and isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cls = self.parents.enclosing_class(home)
            if cls is not None:
                places = [cls]
        if flow.escape == MODULE_GLOBAL:
            places = [self.tree]
        for place in places:
            yield from self.parents.index(place).method_calls(flow.names, methods)

    def unconnected(self, flow: Flow, home: ast.AST) -> bool:
        """Whether the socket stays where lintkit sees all of its uses (its function, its
        class for `self.x`, the module for a global) and is never connected or listening
        there.  A socket returned, yielded, put in a container or passed to a thread may
        be connected by the code that receives it: not unconnected."""
        if flow.escape is not None and flow.escape != MODULE_GLOBAL and not flow.escape.startswith(STORED_ON):
            return False
        return next(self.method_calls(flow, home, CONNECTING_METHODS), None) is None

    def server_side(self, flow: Flow, home: ast.AST) -> bool:
        """Whether the socket is bound, listening or accepting, and never connected, where
        lintkit sees its uses: the server end of the connections it serves."""
        return next(self.method_calls(flow, home, SERVER_METHODS), None) is not None and \
            next(self.method_calls(flow, home, CLIENT_METHODS), None) is None

    def receiver_flow(self, call: ast.Call) -> tuple[Flow, ast.AST] | None:
        """For `x.setsockopt(...)`: the names that hold the same socket as `x` in its function
        (simple aliases and SSL wrappers), and that function."""
        receiver = dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None
        if receiver is None:
            return None
        home = self.parents.home(call)
        flow = Flow(names={receiver})
        index = self.parents.index(home)
        if isinstance(home, ast.Module) or index.declares_global(receiver):
            flow.escape = MODULE_GLOBAL
        for names in index.aliases(receiver):
            flow.names.update(names)
        return flow, home

    def handed_over(self, names: set[str], home: ast.AST) -> bool:
        """Whether any of `names` is passed to a call lintkit cannot see into."""
        return self.parents.index(home).passed(names, harmless_call)


def _is_wrap(call: ast.Call, resolver: Resolver) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "wrap_socket") or \
        resolver.qualname(func) == "ssl.wrap_socket"


def _starts_thread(call: ast.Call, resolver: Resolver) -> bool:
    func = call.func
    if resolver.qualname(func) in _THREAD_STARTERS:
        return True
    return isinstance(func, ast.Attribute) and func.attr in _THREAD_METHODS


def harmless_call(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id in _HARMLESS


# --------------------------------------------------------------------------- addresses

#: Socket methods whose first argument is the address the socket talks on.
ADDRESS_METHODS = frozenset({"bind", "connect", "connect_ex"})


def on_loopback(call: ast.Call, flow: Flow, flows: SocketFlows, resolver: Resolver) -> bool:
    """The socket a maker call makes is bound or connected to a literal loopback address
    (`create_connection(("127.0.0.1", port))`, `sock.bind(("localhost", 0))`, a parameter
    whose default is one): its traffic never leaves the host, so no middlebox drops it."""
    home = flows.parents.home(call)
    if resolver.qualname(call.func) in ("socket.create_connection", "socket.create_server") and call.args and \
            _loopback_address(call.args[0], home, resolver):
        return True
    if not flow.names:
        return False
    return any(node.args and _loopback_address(node.args[0], flows.parents.home(node), resolver)
               for node in flows.method_calls(flow, home, ADDRESS_METHODS))


def _loopback_address(address: ast.expr, home: ast.AST, resolver: Resolver) -> bool:
    if not (isinstance(address, ast.Tuple) and address.elts):
        return False
    host = address.elts[0]
    value = literal_value(host, resolver)
    if value is NO_VALUE and isinstance(host, ast.Name):
        value = _parameter_default(host.id, home, resolver)
    return isinstance(value, str) and _is_loopback(value)


def _parameter_default(name: str, home: ast.AST, resolver: Resolver) -> object:
    """The literal default of parameter `name` of function `home`, else NO_VALUE."""
    if not isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return NO_VALUE
    args = home.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults) if default is not None]
    return next((literal_value(default, resolver) for arg, default in pairs if arg.arg == name), NO_VALUE)


def _is_loopback(host: str) -> bool:
    host = host.strip().lower()
    if host == "localhost":
        return True
    import ipaddress  # only for sockets with a literal address: kept off the start-up path

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
