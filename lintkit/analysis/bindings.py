"""What a name or expression is known to be, as far as lintkit can tell statically."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..schemas.schema import ClassSchema


@dataclass(frozen=True)
class Ref:
    """A reference to a module, class or function by qualified name (from imports)."""

    qualname: str


@dataclass(frozen=True)
class LocalClass:
    """A class defined in the checked file that derives from a schema class."""

    name: str
    base: ClassSchema
    names: frozenset[str]
    defines_init: bool
    #: For a class of another module of the project (whose methods the checked file's analysis
    #: does not walk): the attribute names its methods use (`set_keepalive`, `heartbeat`).
    attributes_used: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LocalClassRef:
    local: LocalClass


@dataclass(frozen=True)
class Instance:
    """An object known to be an instance of a schema class (or a local subclass)."""

    cls: ClassSchema
    subclass: LocalClass | None = None
    #: The constructor or factory call that made the object this instance belongs to
    #: (for `ssh.get_transport()`, the `SSHClient()` call): settings made through any
    #: name or path that holds it reach that call's connection.  None when unknown.
    origin: ast.Call | None = field(default=None, compare=False, repr=False)

    @property
    def display_name(self) -> str:
        if self.subclass is not None:
            return f"{self.subclass.name} (a {self.cls.display_name})"
        return self.cls.display_name


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: Bound to something lintkit does not track.
UNKNOWN = _Marker("UNKNOWN")
#: Bound to None: neutral when branches merge (`conn = None` then `conn = Connection()`).
NONE = _Marker("NONE")

Binding = Ref | LocalClassRef | Instance | _Marker


def merge(bindings: list[Binding | None]) -> Binding | None:
    """The binding after control flow joins; None means 'not bound on any path'."""
    present = [b for b in bindings if b is not None and b is not NONE]
    if not present:
        return NONE if any(b is NONE for b in bindings) else None
    first = present[0]
    if not all(b == first for b in present):
        return UNKNOWN
    if isinstance(first, Instance) and any(b.origin is not first.origin for b in present):
        return Instance(first.cls, first.subclass)  # the same class from different calls: origin unknown
    return first
