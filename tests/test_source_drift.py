"""Keep the schemas of libraries that cannot be imported honest: read the installed source with `ast`.

pysftp 0.2.9 imports `DSSKey` from paramiko, which paramiko 4.0 removed, so `test_schema_drift.py`
(which imports the library) cannot check it.  Its files install all the same, and
`lintkit.generators.library_source` reads them without importing anything: the constructor's
keywords, the names instances can be given, the methods, the objects a class keeps in its
`parts`, and whether the library ever sets a knob of such a part itself.
"""

from __future__ import annotations

import ast
from importlib.metadata import PackageNotFoundError, version

import pytest

from lintkit.generators.library_source import ClassSource, SourceTree
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import ClassSchema, LibrarySchema

SCHEMAS = load_schema_set()
#: Libraries whose schema says `importable = false`, and why each is or is not read here.
READ_FROM_SOURCE = {"pysftp": "imports paramiko.DSSKey, gone since paramiko 4.0"}
NEVER_INSTALLED = {"qpid-python": "its setup.py is Python 2 only: the schema is static data"}
UNIMPORTABLE = [lib for lib in SCHEMAS.libraries if not lib.importable]
READ = [lib for lib in UNIMPORTABLE if lib.distribution in READ_FROM_SOURCE]


def test_every_unimportable_schema_is_read_from_source_or_says_why_not() -> None:
    assert sorted(lib.distribution for lib in UNIMPORTABLE) == sorted({**READ_FROM_SOURCE, **NEVER_INSTALLED})


def _tree(lib: LibrarySchema) -> SourceTree:
    try:
        installed = version(lib.distribution)
    except PackageNotFoundError:
        pytest.skip(f"{lib.distribution} is not installed (pip install -e '.[libraries]')")
    assert installed == lib.version, f"the schema describes {lib.distribution} {lib.version}, {installed} is installed"
    return SourceTree.installed(lib.name.split(".")[0])


def _class(lib: LibrarySchema, cls: ClassSchema) -> ClassSource:
    found = _tree(lib).find_class(cls.name)
    assert found is not None, f"{cls.name} is not in {lib.distribution} {lib.version}"
    return found


def _method_aliases(source: ClassSource) -> set[str]:
    """Class-level names bound to a method of the class (`cwd = chdir`): methods, not attributes."""
    functions = {f.name for c in source.mro() for f in c._functions()}
    return {target.id for c in source.mro() for node in c.node.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name) and node.value.id in functions
            for target in node.targets if isinstance(target, ast.Name)}


CLASSES = [(lib, cls) for lib in READ for cls in lib.classes]
IDS = [cls.name for _, cls in CLASSES]


@pytest.mark.parametrize(("lib", "cls"), CLASSES, ids=IDS)
def test_keywords_match_the_constructor(lib: LibrarySchema, cls: ClassSchema) -> None:
    keywords = _class(lib, cls).keywords()
    assert frozenset(cls.kwargs or ()) == keywords.names
    assert cls.unknown_kwargs == ("raises" if keywords.rejects_others else "silent")


@pytest.mark.parametrize(("lib", "cls"), CLASSES, ids=IDS)
def test_attributes_and_methods_match_the_class(lib: LibrarySchema, cls: ClassSchema) -> None:
    source = _class(lib, cls)
    aliases = _method_aliases(source)
    assert SCHEMAS.attributes(cls) == source.attributes() - aliases
    assert SCHEMAS.methods(cls) == source.methods() | aliases
    assert cls.unknown_attributes == ("raises" if source.slotted() else "silent")


PARTS = [(lib, cls, attribute, held) for lib, cls in CLASSES for attribute, held in cls.parts.items()]


@pytest.mark.parametrize(("lib", "cls", "attribute", "held"), PARTS,
                         ids=[f"{cls.name}.{attribute}" for _, cls, attribute, _ in PARTS])
def test_parts_hold_what_the_schema_says(lib: LibrarySchema, cls: ClassSchema, attribute: str, held: str) -> None:
    """The class stores an instance of the part's class in the attribute (`self._transport =
    paramiko.Transport((host, port))`), and no code of the library sets the part's knobs, so
    they keep the part's own defaults, as LK204 assumes."""
    part = SCHEMAS.lookup(held)
    names = {part.name, *part.aliases}
    made = [node.value for node in ast.walk(_class(lib, cls).node) if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call) and _dotted(node.value.func) in names
            and any(_dotted(target) == f"self.{attribute}" for target in node.targets)]
    assert made, f"{cls.name} never stores a {part.display_name} in self.{attribute}"
    setters = {name for owner in SCHEMAS.mro(part) for knob in owner.knobs
               for name in (knob.method, knob.attribute) if name}
    tree = _tree(lib)
    package = tree.root / lib.name.split(".")[0]
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            name = node.attr if isinstance(node, ast.Attribute) else None
            assert name not in setters, f"{path.name}:{node.lineno} sets {name} of the {part.display_name}"


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None
