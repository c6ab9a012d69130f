"""Clients whose set-up may live in code of the same class hierarchy.

LK204 reports a client when nothing in the file turns liveness on.  Two shapes put
the setter where a file-local search cannot pair it with the constructor call:

- the client is made for the object of a class one of whose bases lintkit did not
  read (`class CalixB6SSH(CiscoSSHConnection)`, with the base in another module): a
  method stores it on `self` or returns it (a factory method the base calls), and a
  method of the base may turn keepalive on (netmiko's `BaseConnection` calls
  `self.remote_conn_pre.get_transport().set_keepalive(...)`), unless the class
  itself readies the stored client (`self.client.connect(...)`, the schema's
  `ready_after`): its set-up is then here, where a setter would be seen;
- the client is an instance of a subclass defined in this file whose own methods call
  the setter (`class SSHClient(paramiko.SSHClient)` whose `connect()` calls
  `self.get_transport().set_keepalive(...)`): every instance is configured.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .events import KnownCall, Resolver
from .keyword_dicts import source_call
from ..liveness.sockets import Parents
from ..reading.syntax import walk

#: Bases that define no client set-up of their own.
_NEUTRAL_BASES = frozenset({"abc.ABC", "typing.Generic", "typing.Protocol", "builtins.object"})


def made_for_unseen_base(event: KnownCall, context, schemas) -> bool:
    """The call is in a method of a class with a base lintkit did not read, and the
    client is stored on the object (`self.x = Client()`) or returned by the method."""
    parents: Parents = context.parents
    event = replace(event, call=source_call(event.call))
    home = parents.home(event.call)
    cls = parents.enclosing_class(home)
    if cls is None or not isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)) or event.resolver is None:
        return False
    kept = _kept_by_object(event.call, home, parents)
    if kept is None:
        return False
    classes = _module_classes(context)
    if not has_unseen_base(cls, classes, event.resolver, schemas):
        return False
    return not (kept and _readied_here(kept, _ready_methods(event, schemas), _ancestors(cls, classes)))


def _ready_methods(event: KnownCall, schemas) -> frozenset[str]:
    """The calls after which the client's settings can be made (paramiko: `connect()`
    before `get_transport().set_keepalive()`), from its factories' `ready_after`."""
    cls = event.target.returns
    return frozenset(name for route in schemas.routes(cls) for name in route.ready_after)


def _readied_here(attribute: str, methods: frozenset[str], classes: list[ast.ClassDef]) -> bool:
    """The class itself calls `self.<attribute>.connect(...)`: it sets the client up here,
    where a setter would be seen, not in the base."""
    if not methods:
        return False
    for cls in classes:
        for node in walk(cls):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                receiver = node.func.value
                if isinstance(receiver, ast.Attribute) and receiver.attr == attribute and \
                        isinstance(receiver.value, ast.Name):
                    return True
    return False


def configured_by_own_class(event: KnownCall, setter_receiver: ast.expr | None, context) -> bool:
    """A setter in a method of the local subclass the call constructs (or of a local
    class it derives from): it configures every instance."""
    subclass = event.instance.subclass if event.instance is not None else None
    if subclass is None or setter_receiver is None:
        return False
    parents: Parents = context.parents
    cls = parents.enclosing_class(parents.home(setter_receiver))
    if cls is None:
        return False
    classes = _module_classes(context)
    constructed = classes.get(subclass.name)
    return constructed is not None and cls.name in _local_ancestry(constructed, classes)


def has_unseen_base(cls: ast.ClassDef, classes: dict[str, ast.ClassDef], resolver: Resolver, schemas) -> bool:
    """Whether `cls`, or a class of this file it derives from, has a base that is neither
    `object` (or another base without set-up), a schema class, nor a class of this file."""
    for current in _ancestors(cls, classes):
        for base in current.bases:
            if isinstance(base, ast.Subscript):  # `Generic[T]`
                base = base.value
            if isinstance(base, ast.Name) and (base.id == "object" or base.id in classes):
                continue
            qualname = resolver.qualname(base)
            if qualname is not None and (qualname in _NEUTRAL_BASES or schemas.lookup(qualname) is not None):
                continue
            return True
    return False


def _kept_by_object(call: ast.Call, home: ast.FunctionDef | ast.AsyncFunctionDef, parents: Parents) -> str | None:
    """`self.x = Client()` ("x"), or `return Client()` / `client = Client(); ...; return client`
    (""): how the object keeps the client; None when it does not."""
    if not home.args.args:
        return None
    me = home.args.args[0].arg
    parent = parents.of(call)
    if isinstance(parent, ast.Return):
        return ""
    if not isinstance(parent, (ast.Assign, ast.AnnAssign)) or parent.value is not call:
        return None
    targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
    for target in targets:
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me:
            return target.attr
        if isinstance(target, ast.Name) and any(
                isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and node.value.id == target.id
                and parents.home(node) is home for node in walk(home)):
            return ""
    return None


def _ancestors(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> list[ast.ClassDef]:
    """`cls` and the classes of this file it derives from (by name), each once."""
    found: dict[int, ast.ClassDef] = {}
    stack = [cls]
    while stack:
        current = stack.pop()
        if id(current) in found:
            continue
        found[id(current)] = current
        stack.extend(classes[b.id] for b in current.bases if isinstance(b, ast.Name) and b.id in classes)
    return list(found.values())


def _local_ancestry(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> set[str]:
    return {c.name for c in _ancestors(cls, classes)}


def _module_classes(context) -> dict[str, ast.ClassDef]:
    """The classes defined in the file, by name (built once per file, on first use)."""
    classes = context.__dict__.get("_class_setup_classes")
    if classes is None:
        classes = {node.name: node for node in context.parents.blocks if type(node) is ast.ClassDef}
        object.__setattr__(context, "_class_setup_classes", classes)
    return classes
