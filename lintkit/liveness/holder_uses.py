"""What the code does with a client, read from every use of the name that holds it.

The call that makes a client says little about its life; the function or class
that keeps it (`conn = ...` in a function, `self.transport = ...` in a class) says
more.  Two questions of the LK2xx rules need those uses:

- `probes_only`: an object whose schema lists `session_methods` (paramiko's
  `Transport`: `auth_*()`, `connect()`, `open_session()`, `open_channel()`...)
  and on which the code calls none of them, and which it hands to no other code,
  never carries a session: zuul's node scanner runs `start_client()`, reads
  `get_remote_server_key()` and closes it.  Nothing waits on such a connection, so
  an idle drop harms nothing.  Any other use of the name (passed to a call,
  returned, stored elsewhere, `getattr`) may open a session out of sight, and the
  object is judged as usual.
- `liveness_left_to_users`: a class that stores a client on `self` and also keeps
  a liveness setting of its own (`self.heartbeat = heartbeat`, an attribute whose
  name says heartbeat or keepalive, or names one of the client's knobs) hands the
  liveness decision to the code that uses the class: plastron's `Broker` keeps a
  stomp `Connection11` and a `heartbeat`, which plastron-stomp's daemon applies by
  adding a heart-beat listener to `broker.transport`.  lintkit cannot see that
  code, so LK204 does not claim that nothing turns liveness on.

Both are off with `strict`.  A third question is where an object is judged:

- `part_of_own_client`: an object a subclass of a client stores where the client
  keeps a part of its connection (`self._transport = paramiko.Transport(sock)` in a
  method of a `pysftp.Connection` subclass: the schema's `parts`) is that part, and
  is judged where the client is made, as one handed out is (`ssh.get_transport()`).
  durasftp's `DurableSFTPConnection` overrides `_start_transport()` this way.
"""

from __future__ import annotations

import ast

from ..analysis.events import KnownCall
from ..analysis.keyword_dicts import source_call
from ..analysis.name_index import dotted
from ..schemas.schema import ClassSchema
from ..reading.syntax import walk
from .sockets import Parents

#: Words that name a liveness setting in an attribute of the application's own class.
LIVENESS_WORDS = ("heartbeat", "keepalive", "keep_alive")
#: Nodes whose test only looks at the object (`if self.transport:`).
_TESTS = (ast.If, ast.While, ast.IfExp, ast.Assert)


def holder(call: ast.Call, parents: Parents) -> tuple[str, ast.AST | None] | None:
    """The name the client is assigned to (`conn`, `self.conn`) with its owner: the class whose
    instances hold `self.conn`, the function of a plain name, None for a `with ... as` name."""
    statement = parents.of(call)
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is call:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        name = dotted(targets[0]) if len(targets) == 1 else None
        if name is not None:
            return name, owner_of(call, name, parents)
    if isinstance(statement, ast.withitem) and isinstance(statement.optional_vars, ast.Name):
        return statement.optional_vars.id, None
    return None


def part_of_own_client(event: KnownCall, context, schemas) -> bool:
    """The object is stored in `self.<attribute>` by a method of a class deriving from a schema
    class that keeps such an object there (its `parts`): a part of the client's connection."""
    held = holder(source_call(event.call), context.parents)
    if held is None or not held[0].startswith("self.") or held[0].count(".") != 1 or event.resolver is None:
        return False
    cls = held[1]
    attribute = held[0].partition(".")[2]
    for base in cls.bases if isinstance(cls, ast.ClassDef) else ():
        client = schemas.lookup(event.resolver.qualname(base) or "")
        if isinstance(client, ClassSchema) and schemas.part(client, attribute) is event.target.returns:
            return True
    return False


def owner_of(node: ast.AST, name: str, parents: Parents) -> ast.AST | None:
    """For `self.x`, the class whose instances hold it; for a plain name, its function."""
    home = parents.home(node)
    return parents.enclosing_class(home) if "." in name else home


def probes_only(event: KnownCall, context) -> bool:
    """An object whose class lists `session_methods` (paramiko's `Transport`), held in a name on which
    the function or class holding it calls none of them and which it hands to no other code: it only
    probes the server (zuul's host-key scan: `start_client()`, `get_remote_server_key()`, `close()`)
    (not with `strict`)."""
    session_methods = event.target.returns.session_methods
    if not session_methods or context.options.strict:
        return False
    held = holder(source_call(event.call), context.parents)
    if held is None or held[1] is None:
        return False
    name, owner = held
    parents = context.parents
    used = False
    for node, _ in parents.index(owner).loads((name,)):
        parent = parents.of(node)
        if isinstance(parent, ast.Attribute):
            called = parents.of(parent)
            if isinstance(called, ast.Call) and called.func is parent:
                if parent.attr in session_methods:
                    return False
                used = True
            continue  # a method call or an attribute read (`transport.active`)
        if _only_tested(node, parent):
            continue
        return False  # handed to a call, returned, stored elsewhere: a session may open out of sight
    return used


def liveness_left_to_users(event: KnownCall, context) -> bool:
    """The class holding the client on `self` keeps a liveness setting of its own (not with `strict`)."""
    if context.options.strict:
        return False
    held = holder(source_call(event.call), context.parents)
    if held is None or not isinstance(held[1], ast.ClassDef):
        return False
    receiver = held[0].split(".", 1)[0]
    cls = event.target.returns
    knob_names = {name.lower() for knob in cls.knobs for name in (knob.kwarg, knob.attribute) if name}
    for node in walk(held[1]):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                isinstance(node.value, ast.Name) and node.value.id == receiver:
            attr = node.attr.lower()
            if attr in knob_names or any(word in attr for word in LIVENESS_WORDS):
                return True
    return False


def _only_tested(node: ast.expr, parent: ast.AST | None) -> bool:
    """`if conn:`, `not conn`, `conn is None`: a look at the object that keeps nothing."""
    if isinstance(parent, _TESTS):
        return parent.test is node
    return isinstance(parent, ast.Compare) or (isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not))
