"""Private (name-mangled) attributes: `self.__client` in class `Foo` is the attribute `_Foo__client`.

Python rewrites a `__name` (two leading underscores, not two trailing ones) written inside a
class body to `_<Class>__name`, so `self.__client` in `Foo`, `self._Foo__client` anywhere,
and `self.__client` in a subclass `Bar` (which is `_Bar__client`) are told apart the way
Python does.  The analyzer keys what it learns about `self.<attr>` by the mangled name.
"""

from __future__ import annotations


def mangled(name: str, class_name: str) -> str:
    """The attribute `name`, written in the body of class `class_name`, really is."""
    if not name.startswith("__") or name.endswith("__") or "." in name:
        return name
    owner = class_name.lstrip("_")
    return f"_{owner}{name}" if owner else name


def spellings(attribute: str) -> tuple[str, ...]:
    """How code inside the owning class may spell a (mangled) attribute: `_Foo__x` and `__x`."""
    if attribute.startswith("_") and not attribute.startswith("__") and "__" in attribute[1:] \
            and not attribute.endswith("__"):
        return attribute, attribute[attribute.index("__", 1):]
    return (attribute,)
