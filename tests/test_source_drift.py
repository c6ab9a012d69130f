"""Keep the schemas of libraries that cannot be imported honest: read the installed source with `ast`.

pysftp 0.2.9 imports `DSSKey` from paramiko, which paramiko 4.0 removed, so `test_schema_drift.py`
(which imports the library) cannot check it.  Its files install all the same, and the schema
generator reads them without importing anything (`lintkit schema generate --from-source`,
lintkit.generators.source_draft): the schema must say what the draft says of the constructor's
keywords, the names instances can be given and the methods.  The objects a class keeps in its
`parts` are read here, with whether the library ever sets a knob of such a part itself.
"""

from __future__ import annotations

import ast
import os
from importlib.metadata import PackageNotFoundError, version

import pytest

from lintkit.generators.library_source import SourceTree
from lintkit.generators.schema_draft import ClassDraft
from lintkit.generators.source_draft import draft_from_source
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
        message = f"{lib.distribution} is not installed (pip install -e '.[libraries]')"
        if os.environ.get("LINTKIT_REQUIRE_LIBRARIES"):
            pytest.fail(message)
        pytest.skip(message)
    assert installed == lib.version, f"the schema describes {lib.distribution} {lib.version}, {installed} is installed"
    return SourceTree.installed(lib.name.split(".")[0])


def _draft(lib: LibrarySchema, cls: ClassSchema) -> ClassDraft:
    """The generator's view of the class: `lintkit schema generate --from-source --class NAME`."""
    _tree(lib)
    [draft] = draft_from_source(lib.distribution, [cls.name]).classes
    return draft


CLASSES = [(lib, cls) for lib in READ for cls in lib.classes]
IDS = [cls.name for _, cls in CLASSES]


@pytest.mark.parametrize(("lib", "cls"), CLASSES, ids=IDS)
def test_keywords_match_the_constructor(lib: LibrarySchema, cls: ClassSchema) -> None:
    keywords = _draft(lib, cls).keywords
    assert frozenset(cls.kwargs or ()) == keywords.names
    assert cls.unknown_kwargs == keywords.policy


@pytest.mark.parametrize(("lib", "cls"), CLASSES, ids=IDS)
def test_attributes_and_methods_match_the_class(lib: LibrarySchema, cls: ClassSchema) -> None:
    draft = _draft(lib, cls)
    assert SCHEMAS.attributes(cls) == draft.attributes
    assert SCHEMAS.methods(cls) == draft.methods
    assert cls.unknown_attributes == draft.unknown_attributes


PARTS = [(lib, cls, attribute, held) for lib, cls in CLASSES for attribute, held in cls.parts.items()]


@pytest.mark.parametrize(("lib", "cls", "attribute", "held"), PARTS,
                         ids=[f"{cls.name}.{attribute}" for _, cls, attribute, _ in PARTS])
def test_parts_hold_what_the_schema_says(lib: LibrarySchema, cls: ClassSchema, attribute: str, held: str) -> None:
    """The class stores an instance of the part's class in the attribute (`self._transport =
    paramiko.Transport((host, port))`), and no code of the library sets the part's knobs, so
    they keep the part's own defaults, as LK204 assumes."""
    part = SCHEMAS.lookup(held)
    names = {part.name, *part.aliases}
    made = [node.value for node in ast.walk(_tree(lib).find_class(cls.name).node) if isinstance(node, ast.Assign)
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
