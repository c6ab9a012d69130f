"""How long a library connection lives, read from where the object goes after the call
that makes it (the escape analysis of `sockets.SocketFlows`, shared with LK201).

A connection is short-lived, and the LK2xx liveness rules leave it alone, when it
does not outlive the function (or `with` block) that makes it, and that code ends
it: a `with` block (also `with conn:` and `with closing(conn):` later in the
function), a closing method (`close()`, `disconnect()`, `release()`) on it in the
same function, or a temporary used on the spot (`Redis(host).ping()`).
Everything else counts as long-lived:

- it escapes: stored on an object (`self.conn = ...`) or in a module global,
  returned or yielded, put in a container, passed to a thread, used by a nested
  function;
- it is passed to a helper lintkit cannot see into and the function never closes
  it (the helper may keep it: a worker, a consumer, a pool);
- it is never closed: a local connection of a function lives as long as that
  function runs, which for `main()` is the whole program;
- the function runs a loop on it: the connection is used inside a `while` loop, or
  the function calls an event-loop method (`start_consuming()`, `drain_events()`,
  `loop_forever()`, ...), even inside a `with` block.

`strict` (`--strict`) turns the exemption off, as it makes LK201 report short-lived
sockets.  The verdict for a call is computed once per file and shared by the rules.
"""

from __future__ import annotations

import ast

from .checks.base import FileContext
from .events import KnownCall
from .sockets import Flow, SocketFlows
from .syntax import walk

#: Methods that end a connection (kombu `release()`, redis pools and paho `disconnect()`).
CLOSING_METHODS = frozenset({"close", "disconnect", "release"})
#: Methods that run an event or consume loop: the function keeps its connections open while it runs.
SERVING_METHODS = frozenset({"start_consuming", "drain_events", "loop_forever", "run_forever", "serve_forever",
                             "wait_for_termination"})


def short_lived(event: KnownCall, context: FileContext) -> bool:
    """A connection made and closed within one function or `with` block (not with `strict`)."""
    if context.options.strict or event.resolver is None:
        return False
    verdicts: dict[int, bool] = _file_state(context, "_lifetime_verdicts", dict)
    key = id(event.call)
    if key not in verdicts:
        verdicts[key] = _short_lived(event, context)
    return verdicts[key]


def _short_lived(event: KnownCall, context: FileContext) -> bool:
    flows: SocketFlows = _file_state(context, "_lifetime_flows", lambda: SocketFlows(context.tree, context.parents))
    parents = context.parents
    flow = flows.follow(event.call, event.resolver)
    if flow.escape is not None:
        return False
    if not flow.names:
        # A temporary: `Redis(host).ping()` as a statement dies at once; anything else
        # (an argument of a helper, a chained call whose result is kept) may keep it.
        return not flow.handed_over and isinstance(parents.statement(event.call), ast.Expr) and \
            isinstance(parents.of(event.call), ast.Attribute)
    home = parents.home(event.call)
    if _runs_a_loop(flow, home, flows):
        return False
    if isinstance(parents.of(event.call), ast.withitem):
        return True
    return next(flows.method_calls(flow, home, CLOSING_METHODS), None) is not None or _with_later(flow, home, flows)


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
    """The function calls an event-loop method, or uses the connection inside a `while` loop."""
    parents = flows.parents
    for node in walk(home):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in SERVING_METHODS and parents.home(node) is home:
            return True
    for node, _ in flows.occurrences(home, flow.names):
        current = parents.of(node)
        while current is not None and current is not home:
            if isinstance(current, ast.While):
                return True
            current = parents.of(current)
    return False


def _file_state(context: FileContext, name: str, make):
    """Per-file state kept on the (frozen) context: built on first use."""
    value = context.__dict__.get(name)
    if value is None:
        value = make()
        object.__setattr__(context, name, value)
    return value
