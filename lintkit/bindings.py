"""What a name or expression is known to be, as far as lintkit can tell statically."""

from __future__ import annotations

from dataclasses import dataclass

from .schema import ClassSchema


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


@dataclass(frozen=True)
class LocalClassRef:
    local: LocalClass


@dataclass(frozen=True)
class Instance:
    """An object known to be an instance of a schema class (or a local subclass)."""

    cls: ClassSchema
    subclass: LocalClass | None = None

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
    return first if all(b == first for b in present) else UNKNOWN
