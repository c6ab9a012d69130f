"""How long a library connection lives, read from where the object goes after the call
that makes it (the escape analysis of `sockets.SocketFlows`, shared with LK201).

A connection is short-lived, and the LK2xx liveness rules leave it alone, when it
does not outlive the function (or `with` block) that makes it, and that code ends
it: a `with` block (also `with conn:` and `with closing(conn):` later in the
function), a closing method (`close()`, `disconnect()`, `release()`) on it in the
same function or in a function of the file it is handed to (`finally: _cleanup(conn)`,
followed a few helper calls deep), or a temporary used on the spot (`Redis(host).ping()`).
A private factory of the module (`def _connect(...): ...; return client`) whose every
caller in the file ends what it returns is short-lived too, as is a public one whose every
caller in the whole project does (`with closing(ssh_client(host)) as ssh:`; the project
index finds the callers, `project_callers.py`) and that no code uses as a value, and so is
a connection a context manager lends (`@contextmanager`: yielded, then closed).  Everything else counts as
long-lived:

- it escapes: stored on an object (`self.conn = ...`) or in a module global,
  returned or yielded, put in a container, passed to a thread, used by a nested
  function;
- it is passed to a helper lintkit cannot see into and the function never closes
  it (the helper may keep it: a worker, a consumer, a pool), unless every object
  the function makes from it is itself ended there: `params` in
  `conn = BlockingConnection(params); ...; conn.close()` lives as long as `conn`;
- it is never closed and something may keep it: a local connection of a function
  lives as long as that function runs, which for `main()` is the whole program; but a
  local one that nothing keeps (not stored, returned or handed to another call, but to
  a function of another library that only borrows it for the call, the schema's
  `borrowed_by`; and nothing made from it is) in a function without loops, or whose
  only loops are `for` loops that connect it afresh in each iteration (cinder tries its
  GPFS nodes in turn), cannot be used once the function returns, so it is treated as
  ending there;
- the function runs a loop on it: the connection is used inside a `while` loop or iterated
  (`async for message in ws:` receives until the connection closes), the
  function calls an event-loop method (`start_consuming()`, `drain_events()`,
  `loop_forever()`, kombu's `eventloop(conn)`, ...), or runs an object made from it
  (`Worker(conn).run()`, `.start()`), even inside a `with` block.

`strict` (`--strict`) turns the exemption off, as it makes LK201 report short-lived
sockets.  The verdict for a call is computed once per file and shared by the rules.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .closing_helpers import ClosingHelpers
from ..analysis.context import FileContext
from ..analysis.events import KnownCall, Resolver
from ..analysis.keyword_dicts import source_call
from ..analysis.name_index import dotted
from .sockets import CLIENT_METHODS, RETURNED, YIELDED, Flow, SocketFlows, harmless_call
from ..reading.syntax import walk

#: Methods that end a connection (kombu `release()`, redis pools and paho `disconnect()`, redis.asyncio
#: `aclose()`).
CLOSING_METHODS = frozenset({"close", "aclose", "disconnect", "release"})
#: Methods (or functions: kombu's `eventloop(conn)`) that run an event or consume loop: the
#: function keeps its connections open while it runs.
SERVING_METHODS = frozenset({"start_consuming", "drain_events", "loop_forever", "run_forever", "serve_forever",
                             "wait_for_termination", "eventloop"})
#: Methods that run an object made from the connection (kombu's `ConsumerMixin.run()`, a thread's `start()`).
RUNNING_METHODS = frozenset({"run", "start"}) | SERVING_METHODS


def short_lived(event: KnownCall, context: FileContext) -> bool:
    """A connection made and closed within one function or `with` block, or returned by a factory
    whose every caller ends it (in the file, or in the whole project for a public factory) (not
    with `strict`)."""
    if context.options.strict or event.resolver is None:
        return False
    verdicts: dict[int, bool] = _file_state(context, "_lifetime_verdicts", dict)
    key = id(event.call)
    if key not in verdicts:
        verdicts[key] = _short_lived(replace(event, call=source_call(event.call)), context)
    return verdicts[key]


def _short_lived(event: KnownCall, context: FileContext) -> bool:
    flows: SocketFlows = _file_state(context, "_lifetime_flows", lambda: SocketFlows(context.tree, context.parents))
    helpers: ClosingHelpers = _file_state(context, "_lifetime_helpers",
                                          lambda: ClosingHelpers(context.tree, CLOSING_METHODS))
    if _ends_here(event.call, event.resolver, flows, helpers, follow_hand_over=True) or \
            _returned_to_callers_that_end_it(event.call, event.resolver, flows, helpers, context) or \
            _lent_by_a_context_manager(event.call, event.resolver, flows):
        return True
    return _dropped_at_return(event.call, event.resolver, flows, event.target.returns.borrowed_by)


def _lent_by_a_context_manager(call: ast.Call, resolver: Resolver, flows: SocketFlows) -> bool:
    """`@contextmanager def client(): c = Redis(...); try: yield c; finally: c.close()`: the
    connection lives for the caller's `with` block, as one made in a `with` statement does."""
    flow = flows.follow(call, resolver)
    home = flows.parents.home(call)
    if flow.escape != YIELDED or not flow.names or not isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if not any(_last_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
               in ("contextmanager", "asynccontextmanager") for decorator in home.decorator_list):
        return False
    return next(flows.method_calls(flow, home, CLOSING_METHODS), None) is not None


def _returned_to_callers_that_end_it(call: ast.Call, resolver: Resolver, flows: SocketFlows,
                                     helpers: ClosingHelpers, context: FileContext) -> bool:
    """A factory of the module (`def _connect(host): client = SSHClient(); ...; return client`)
    whose every call ends the object it returns: its callers decide the lifetime.  Other
    modules do not call a private function, so the file shows every caller; a public one's
    callers are looked for in the whole project (`project_callers`), and it must not be
    used as a value anywhere (`pool.map(ssh_client, hosts)`)."""
    flow = flows.follow(call, resolver)
    home = flows.parents.home(call)
    if flow.escape != RETURNED or not isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)) or \
            flows.parents.of(home) is not flows.parents.tree:
        return False
    public = not home.name.startswith("_")
    if public and context.project is None:
        return False
    callers = []
    for node in flows.parents.tree_index.of_type(ast.Name):
        if node.id == home.name:
            parent = flows.parents.of(node)
            if isinstance(parent, ast.Call) and parent.func is node:
                callers.append(parent)
            elif public:
                return False  # handed on as a value: called who knows where
    if not all(_ends_here(caller, resolver, flows, helpers, follow_hand_over=True) for caller in callers):
        return False
    if not public:
        return bool(callers)
    return _callers_elsewhere_end_it(context.project, home.name, bool(callers))


def _callers_elsewhere_end_it(project, name: str, called_here: bool) -> bool:
    """Whether every call of the public factory `name` in the other files of the project
    ends what it returns, and it is called somewhere (computed once per function and run)."""
    verdicts = project.index.__dict__.setdefault("_ended_by_callers", {})
    key = (project.layout.module, name)
    if key not in verdicts:
        from ..project.project_callers import callers_elsewhere  # only for a returned connection

        all_end, called = True, False
        for file in callers_elsewhere(project, name):  # stops at the first caller that keeps it
            if file is None:
                all_end = False  # some use is unknown
                break
            called = True
            flows, helpers = SocketFlows(file.tree, file.parents), ClosingHelpers(file.tree, CLOSING_METHODS)
            if not all(_ends_here(caller, file.resolver, flows, helpers, follow_hand_over=True)
                       for caller in file.calls):
                all_end = False
                break
        verdicts[key] = (all_end, called)
    all_end, called_elsewhere = verdicts[key]
    return all_end and (called_here or called_elsewhere)


def _dropped_at_return(call: ast.Call, resolver: Resolver, flows: SocketFlows, borrowers=()) -> bool:
    """A local object that nothing keeps when its function returns: not stored, returned or
    handed to another call (but to a function of another library that only borrows it for the
    call: the schema's `borrowed_by`, oslo.concurrency's `ssh_execute(ssh, cmd)`), nor is
    anything made from it (`handle(conn.default_channel)`, `chan = ssh.invoke_shell(); shell(chan)`),
    in a function with no loop (`for m in r.pubsub().listen()` keeps it busy through an object
    lintkit does not follow) but `for` loops that connect it afresh in each iteration (trying
    hosts in turn: `for ip in hosts: ssh.connect(ip); ...`), and no event-loop method.  No code
    can use it once the function returns, so an idle drop after that harms nothing, whether or
    not the library closes it when collected."""
    flow = flows.follow(call, resolver)
    if flow.escape is not None or not flow.names:
        return False
    home = flows.parents.home(call)
    if flow.handed_over and not _only_borrowed(flow.names, home, flows, resolver, borrowers):
        return False
    if home is flows.parents.tree or _runs_a_loop(flow, home, flows) or _made_from_it_kept(flow.names, home, flows):
        return False
    return all(isinstance(node, (ast.For, ast.AsyncFor)) and _connects_afresh(node, flow.names)
               for node in walk(home)
               if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and flows.parents.home(node) is home)


def _only_borrowed(names: set[str], home: ast.AST, flows: SocketFlows, resolver: Resolver, borrowers) -> bool:
    """Every call the object is handed to is harmless (`print(conn)`) or one of `borrowers`."""
    if not borrowers:
        return False
    for node, _ in flows.occurrences(home, names):
        if isinstance(flows.parents.of(node), (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred)):
            return False
        receiver = _receiving_call(node, flows.parents)
        if receiver is not None and not harmless_call(receiver) and resolver.qualname(receiver.func) not in borrowers:
            return False
    return True


def _connects_afresh(loop: ast.For | ast.AsyncFor, names: set[str]) -> bool:
    """The loop's body connects the object (`ssh.connect(ip)`): each iteration uses a new connection."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
               node.func.attr in CLIENT_METHODS and dotted(node.func.value) in names
               for statement in loop.body for node in walk(statement))


def _made_from_it_kept(names: set[str], home: ast.AST, flows: SocketFlows) -> bool:
    """Whether an object made from one of `names` (an attribute or a method's result:
    `conn.default_channel`, `ssh.invoke_shell()`) may outlive the function: handed to
    another call, returned, yielded or stored, directly or through the local name it is
    bound to."""
    parents = flows.parents
    pending, seen = set(names), set()
    while pending - seen:
        current = pending - seen
        seen |= current
        for node, name in flows.occurrences(home, current):
            top = node
            while isinstance(parent := parents.of(top), (ast.Attribute, ast.Subscript, ast.Call)) and \
                    (parent.func if isinstance(parent, ast.Call) else parent.value) is top:
                top = parent
            if top is node and name not in names and (receiver := _receiving_call(node, parents)) is not None \
                    and not harmless_call(receiver):
                return True  # the made object itself is handed over
            if top is node:
                continue
            holder = parents.of(top)
            receiver = _receiving_call(top, parents)
            if receiver is not None and not harmless_call(receiver) or \
                    isinstance(holder, (ast.Return, ast.Yield, ast.YieldFrom)):
                return True
            if isinstance(holder, (ast.Assign, ast.AnnAssign)):
                targets = holder.targets if isinstance(holder, ast.Assign) else [holder.target]
                for target in targets:
                    elements = target.elts if isinstance(target, ast.Tuple) else [target]
                    if not all(isinstance(element, ast.Name) for element in elements):
                        return True  # stored on an object or in a container
                    pending.update(element.id for element in elements)
    return False


def _ends_here(call: ast.Call, resolver: Resolver, flows: SocketFlows, helpers: ClosingHelpers,
               follow_hand_over: bool) -> bool:
    """Whether the object a call makes is ended by the code making it.  With
    `follow_hand_over`, an object handed to other calls (`BlockingConnection(params)`)
    also ends there when every object made from it does."""
    parents = flows.parents
    flow = flows.follow(call, resolver)
    if flow.escape is not None:
        return False
    if not flow.names:
        if flow.handed_over:  # `BlockingConnection(ConnectionParameters(...))`
            receiver = _receiving_call(call, parents)
            return follow_hand_over and receiver is not None and _ends_here(receiver, resolver, flows, helpers, False)
        # A temporary: `Redis(host).ping()` as a statement dies at once; a chained
        # call whose result is kept may keep it.
        return follow_hand_over and isinstance(parents.statement(call), ast.Expr) and \
            isinstance(parents.of(call), ast.Attribute)
    home = parents.home(call)
    if _runs_a_loop(flow, home, flows):
        return False
    receivers = [receiver for node, _ in flows.occurrences(home, flow.names)
                 if (receiver := _receiving_call(node, parents)) is not None] if flow.handed_over else []
    if any(_is_run(receiver, resolver, flows) for receiver in receivers):
        return False  # `worker = Worker(conn); worker.run()`: it lives while the worker runs
    if isinstance(parents.of(call), ast.withitem):
        return True
    if next(flows.method_calls(flow, home, CLOSING_METHODS), None) is not None or _with_later(flow, home, flows):
        return True
    if any(helpers.ends_argument(receiver, node, 0) for node, _ in flows.occurrences(home, flow.names)
           if (receiver := _receiving_call(node, parents)) is not None and flows.parents.home(node) is home):
        return True  # `finally: _cleanup(client)`, a function of this file that closes it
    if not follow_hand_over:
        return False
    return bool(receivers) and all(_ends_here(receiver, resolver, flows, helpers, False) for receiver in receivers)


def _is_run(receiver: ast.Call, resolver: Resolver, flows: SocketFlows) -> bool:
    """An object made from the connection is run: `Worker(conn).run()`, `w = Worker(conn); w.start()`."""
    parent = flows.parents.of(receiver)
    if isinstance(parent, ast.Attribute) and parent.attr in RUNNING_METHODS:
        return True
    flow = flows.follow(receiver, resolver)
    return bool(flow.names) and next(flows.method_calls(flow, flows.parents.home(receiver), RUNNING_METHODS),
                                     None) is not None


def _receiving_call(node: ast.expr, parents) -> ast.Call | None:
    """The call `node` is an argument of (`f(node)`, `f(key=node)`), if any."""
    parent = parents.of(node)
    if isinstance(parent, ast.keyword):
        parent = parents.of(parent)
    if isinstance(parent, ast.Call) and node is not parent.func:
        return parent
    return None


def _with_later(flow: Flow, home: ast.AST, flows: SocketFlows) -> bool:
    """`conn = Connection(...)` then `with conn:` or `with closing(conn):` in the same function."""
    for node, _ in flows.occurrences(home, flow.names):
        parent = flows.parents.of(node)
        if isinstance(parent, ast.Call) and node in parent.args and _last_name(parent.func) == "closing":
            parent = flows.parents.of(parent)
        if isinstance(parent, ast.withitem) and flows.parents.home(node) is home:
            return True
    return False


def _last_name(expr: ast.expr) -> str | None:
    return expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", None)


def _runs_a_loop(flow: Flow, home: ast.AST, flows: SocketFlows) -> bool:
    """The function calls an event-loop method, uses the connection inside a `while` loop, or
    iterates over it (`for message in ws:`)."""
    parents = flows.parents
    if parents.index(home).memo("serves", lambda: _serves(home, parents)):
        return True
    for node, _ in flows.occurrences(home, flow.names):
        current = parents.of(node)
        if isinstance(current, (ast.For, ast.AsyncFor)) and current.iter is node:
            return True  # `async for message in ws:` receives until the connection closes
        while current is not None and current is not home:
            if isinstance(current, ast.While):
                return True
            current = parents.of(current)
    return False


def _serves(home: ast.AST, parents) -> bool:
    """The function itself (not a nested one) calls an event-loop method."""
    return any(isinstance(node, ast.Call) and _last_name(node.func) in SERVING_METHODS and parents.home(node) is home
               for node in walk(home))


def _file_state(context: FileContext, name: str, make):
    """Per-file state kept on the (frozen) context: built on first use."""
    value = context.__dict__.get(name)
    if value is None:
        value = make()
        object.__setattr__(context, name, value)
    return value
