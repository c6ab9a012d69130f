"""The project index: what other modules of the checked project define, for the analysis of
one file (constants, functions that return a library client, classes).

A checked file's imports name modules of its own project (`from .settings import
HEARTBEAT`, `from app.connections import open_connection`); the index answers what such
a name is, without importing anything:

- a *constant*: a module-level name bound once to a literal (or arithmetic on literals),
  or a class attribute so bound in the class body, counts as that literal;
- a *client factory*: a module-level function whose every `return` gives the result of
  one and the same call (`return qpid.messaging.Connection(url)`, or a local name bound
  once to it), which is a schema class or factory, or another such function;
- a *class*: a subclass of a schema class (directly or through project classes), or a
  class whose methods store a client on `self` (`self.conn = pika.BlockingConnection(..)`):
  subclasses in the checked file know those attributes.

The index is built on demand: a project module is read and parsed only when a checked
file needs a name from it, then summarised (a small JSON document: its imports, constants,
functions' returned calls, classes) and the summary is cached by the module's content
under `LINTKIT_CACHE_DIR` (`project/`), so a warm run parses nothing it has seen before.
The summary does not depend on the schemas or the configuration: whether a returned call
makes a client is decided when the index is consulted.  One index per project per process;
every front end reaches it through the engine with the file's path (`project_layout`).

Bad input never stops it: a module that cannot be read or parsed is absent from the index,
imports that go round in circles end after MAX_HOPS steps, star imports are followed
(bounded the same way), at most MAX_MODULES modules are summarised per run, and a name it
cannot resolve is unknown: no finding rests on a guess.  A module takes part only if its
own text imports a library lintkit knows (the prefilter): a factory in a module that only
calls another project module's factory is not followed.
"""

from __future__ import annotations

import ast
import json
import os
import re
from typing import Callable

from .bindings import Instance, LocalClass
from .project_layout import Layout, layout_of
from .schema import ClassSchema, FactorySchema
from .syntax import _LEAVES, CHILD_FIELDS, child_fields, walk
from .toml_cache import cache_dir, content_key, store_json
from .values import NO_VALUE

#: The summary format; a cached summary of another version is not read.
SUMMARY_VERSION = 3
#: Steps through re-exports, star imports and factories calling factories.
MAX_HOPS = 12
#: Modules summarised per index and run (a huge package is indexed in part).
MAX_MODULES = 5000
#: Larger modules are not read.
MAX_MODULE_BYTES = 2 * 1024 * 1024

Target = tuple
#: The summary of a module that cannot be parsed (cached too: a warm run does not parse it again).
NO_SUMMARY = {"version": SUMMARY_VERSION, "names": None}


class ProjectIndex:
    """The modules of one project (one set of search roots), summarised on demand."""

    def __init__(self, search_roots: tuple[str, ...], wants: Callable[[bytes], bool]):
        self.search_roots = search_roots
        #: Whether a module's bytes import a library lintkit knows (the engine's prefilter).
        self._wants = wants
        self._files: dict[str, str | None] = {}
        self._summaries: dict[str, dict | None] = {}
        self._relevant: dict[str, bool] = {}
        self._defined: dict[str, frozenset[str]] = {}
        self._makers: dict[tuple, object] = {}
        self._resolved: dict[str, Target | None] = {}
        self.parsed = 0

    # ------------------------------------------------------------------ modules

    def module_file(self, module: str) -> str | None:
        """The file of project module `module` (`app/db.py` or `app/db/__init__.py`), or None."""
        if module in self._files:
            return self._files[module]
        found = None
        parts = module.split(".")
        if all(part.isidentifier() for part in parts):
            for root in self.search_roots:
                base = os.path.join(root, *parts)
                for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                    if os.path.isfile(candidate):
                        found = candidate
                        break
                if found:
                    break
        self._files[module] = found
        return found

    def summary(self, module: str) -> dict | None:
        """The summary of a project module that imports a known library, or None."""
        if module in self._summaries:
            return self._summaries[module]
        self._summaries[module] = None  # while it is made: a cycle finds nothing
        summary = None
        data = self._read(module)
        if data is not None:
            summary = _cached_summary(data)
            if summary is None and self.parsed < MAX_MODULES:
                self.parsed += 1
                summary = _summarize_bytes(data)
        if summary is not None and summary.get("names") is None:
            summary = None  # the module cannot be parsed: absent from the index
        self._summaries[module] = summary
        return summary

    def _read(self, module: str) -> bytes | None:
        path = self.module_file(module)
        if path is None:
            return None
        try:
            if os.path.getsize(path) > MAX_MODULE_BYTES:
                return None
            with open(path, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def relevant(self, module: str) -> bool:
        """Whether module's text imports a library lintkit knows: only then can it make a client."""
        known = self._relevant.get(module)
        if known is None:
            data = self._read(module)
            known = self._relevant[module] = data is not None and self._wants(data)
            if known:
                self._defined[module] = frozenset(match.decode("ascii") for match in _DEFINED.findall(b"\n" + data))
        return known

    def defines(self, module: str, name: str) -> bool:
        """Whether a module that imports a library defines function or class `name` at its top
        level, by its text (`def name`, `class name`): a cheap test before its summary is read."""
        return self.relevant(module) and name in self._defined.get(module, ())

    def defines_any(self, module: str, text: str) -> bool:
        """Whether `text` names, as an attribute, a top-level function or class of `module`."""
        names = self._defined.get(module) if self.relevant(module) else None
        return bool(names) and re.search(r"\.\s*(?:%s)\b" % "|".join(sorted(names)), text) is not None

    def reexports(self, module: str, name: str) -> bool:
        """Whether a module's text may import `name` for others (names it, or has a star import):
        a cheap test before its summary is read."""
        key = ("reexports", module, name)
        if key not in self._makers:
            data = self._read(module)
            self._makers[key] = data is not None and (name.encode("utf-8") in data or b"import *" in data)
        return self._makers[key]

    def absolute(self, module: str, entry: list) -> str | None:
        """The absolute name of an import entry `[level, dotted]` written in `module`."""
        level, dotted = entry
        if not level:
            return dotted or None
        path = self.module_file(module)
        package = module if path is not None and path.endswith("__init__.py") else module.rpartition(".")[0]
        return _relative(package, level, dotted)

    # ------------------------------------------------------------------ names

    def resolve(self, qualname: str, depth: int = 0) -> Target | None:
        """What a qualified name is: ("library", name) outside the project, ("module", m),
        ("constant", value), ("function", m, name), ("class", m, name); None if unknown."""
        if depth == 0 and qualname in self._resolved:
            return self._resolved[qualname]
        found = self._resolve(qualname, depth)
        if depth == 0:
            self._resolved[qualname] = found
        return found

    def _resolve(self, qualname: str, depth: int) -> Target | None:
        if depth > MAX_HOPS:
            return None
        parts = qualname.split(".")
        for end in range(len(parts), 0, -1):
            module = ".".join(parts[:end])
            if self.module_file(module) is not None:
                return self._resolve_in(module, parts[end:], depth)
        return ("library", qualname)

    def _resolve_in(self, module: str, rest: list[str], depth: int) -> Target | None:
        if not rest:
            return ("module", module)
        if depth > MAX_HOPS:
            return None
        summary = self.summary(module)
        if summary is None:
            return None
        name, more = rest[0], rest[1:]
        if name in summary["constants"]:
            return ("constant", summary["constants"][name]) if not more else None
        if name in summary["functions"]:
            return ("function", module, name) if not more else None
        if name in summary["classes"]:
            if not more:
                return ("class", module, name)
            constants = summary["classes"][name]["constants"]
            return ("constant", constants[more[0]]) if len(more) == 1 and more[0] in constants else None
        if name in summary["imports"]:
            target = self.absolute(module, summary["imports"][name])
            return None if target is None else self._resolve(".".join([target, *more]), depth + 1)
        if name in summary["names"]:
            return None  # bound to something the index does not follow
        submodule = f"{module}.{name}"
        if self.module_file(submodule) is not None:
            return self._resolve_in(submodule, more, depth + 1)
        for entry in summary["star"]:
            base = self.absolute(module, entry)
            if base and base != module and self.module_file(base) is not None:
                found = self._resolve_in(base, rest, depth + 1)
                if found is not None:
                    return found
        return None

    def qualify(self, module: str, dotted: str) -> str | None:
        """The qualified name that `dotted` (`qpid.messaging.Connection`, `Connection`,
        `helper`) written in `module` refers to, through its imports and definitions."""
        summary = self.summary(module)
        if summary is None:
            return None
        first, _, rest = dotted.partition(".")
        if first in summary["imports"]:
            target = self.absolute(module, summary["imports"][first])
            return None if target is None else target + ("." + rest if rest else "")
        if first in summary["functions"] or first in summary["classes"]:
            return f"{module}.{dotted}"
        return None

    # ------------------------------------------------------------------ clients

    def maker(self, qualname: str, schemas) -> object | None:
        """What calling `qualname` (a project function or class) makes: Instance or a
        LocalClass (a project subclass of a schema class), or None."""
        if not self._may_make(qualname):
            return None
        target = self.resolve(qualname)
        if target is None or target[0] not in ("function", "class"):
            return None
        return self._maker(target, schemas, 0)

    def _may_make(self, qualname: str) -> bool:
        """A cheap test by the text alone, before any summary is read: a client is made by a
        function or class that a module importing a library defines (`def name`, `class name`),
        or that another module re-exports (a package's `__init__.py`, a module naming it or
        with a star import)."""
        module, _, name = qualname.rpartition(".")
        path = self.module_file(module) if module else None
        if path is None:
            return True  # a submodule's name, or not a module: resolve it
        return path.endswith("__init__.py") or self.defines(module, name) or \
            (not self.relevant(module) and self.reexports(module, name))

    def _maker(self, target: Target, schemas, depth: int):
        key = target
        if key in self._makers:
            return self._makers[key]
        self._makers[key] = None  # a cycle makes nothing
        made = None
        if depth <= MAX_HOPS:
            if target[0] == "function":
                made = self._function_maker(target[1], target[2], schemas, depth)
            elif target[0] == "class":
                made = self.local_class(target[1], target[2], schemas, depth)
        self._makers[key] = made
        return made

    def _function_maker(self, module: str, name: str, schemas, depth: int):
        if not self.relevant(module):
            return None
        summary = self.summary(module)
        dotted = summary["functions"].get(name) if summary is not None else None
        qualname = self.qualify(module, dotted) if dotted else None
        made = self._made_by(qualname, schemas, depth) if qualname else None
        return Instance(made.base, made) if isinstance(made, LocalClass) else made

    def _made_by(self, qualname: str, schemas, depth: int):
        """What a call of `qualname` makes: a schema class's instance, a schema factory's
        result, or a project function's or class's."""
        item = schemas.lookup(qualname)
        if isinstance(item, ClassSchema):
            return Instance(item)
        if isinstance(item, FactorySchema):
            if item.returns_varies or item.returns_overridden_by:
                return None
            returned = schemas.lookup(item.returns)
            return Instance(returned) if isinstance(returned, ClassSchema) else None
        target = self.resolve(qualname)
        if target is None or target[0] not in ("function", "class"):
            return None
        return self._maker(target, schemas, depth + 1)

    def local_class(self, module: str, name: str, schemas, depth: int = 0) -> LocalClass | None:
        """A project class deriving from exactly one schema class (maybe through project
        classes), as the analysis knows a subclass in the checked file."""
        summary = self.summary(module)
        info = summary["classes"].get(name) if summary is not None else None
        if info is None or info["opaque"] or len(info["bases"]) != 1 or info["bases"][0] is None:
            return None
        qualname = self.qualify(module, info["bases"][0])
        if qualname is None:
            return None
        item = schemas.lookup(qualname)
        if isinstance(item, ClassSchema):
            return LocalClass(name, item, frozenset(info["names"]), info["init"], frozenset(info["used"]))
        target = self.resolve(qualname)
        if target is None or target[0] != "class":
            return None
        base = self._maker(target, schemas, depth + 1)
        if not isinstance(base, LocalClass):
            return None
        return LocalClass(name, base.base, frozenset(info["names"]) | base.names, info["init"] or base.defines_init,
                          frozenset(info["used"]) | base.attributes_used)

    def self_types(self, qualname: str, schemas, depth: int = 0) -> dict[str, Instance]:
        """The clients a project class's methods (and its project bases') store on `self`."""
        target = self.resolve(qualname) if depth <= MAX_HOPS and self._may_make(qualname) else None
        if target is None or target[0] != "class":
            return {}
        key = ("self", target)
        if key in self._makers:
            return self._makers[key] or {}
        self._makers[key] = {}
        module, name = target[1], target[2]
        info = self.summary(module)["classes"][name]
        types: dict[str, Instance] = {}
        for base in info["bases"]:
            base_name = self.qualify(module, base) if base else None
            if base_name is not None:
                types.update(self.self_types(base_name, schemas, depth + 1))
        if self.relevant(module):
            for attr, dotted in info["self"].items():
                made_by = self.qualify(module, dotted)
                made = self._made_by(made_by, schemas, depth + 1) if made_by else None
                if isinstance(made, LocalClass):
                    made = Instance(made.base, made)
                if isinstance(made, Instance):
                    types[attr] = made
                else:
                    types.pop(attr, None)
        self._makers[key] = types
        return types

    def client_makers(self, module: str, schemas) -> frozenset[str]:
        """The names of a module's client factories and client classes (the prefilter's question)."""
        key = ("makers", module)
        if key not in self._makers:
            self._makers[key] = frozenset()
            summary = self.summary(module) if self.relevant(module) else None
            if summary is not None:
                self._makers[key] = frozenset(name for name in list(summary["functions"]) + list(summary["classes"])
                                              if self.is_client_maker(f"{module}.{name}", schemas))
        return self._makers[key]

    def is_client_maker(self, qualname: str, schemas) -> bool:
        """Whether a project function or class makes a client, or a class stores one on `self`."""
        target = self.resolve(qualname)
        if target is None or target[0] not in ("function", "class"):
            return False
        return self.maker(qualname, schemas) is not None or \
            (target[0] == "class" and bool(self.self_types(qualname, schemas)))


class ProjectView:
    """The project index as seen from one checked file (its relative imports)."""

    def __init__(self, index: ProjectIndex, layout: Layout, schemas):
        self.index, self.layout, self.schemas = index, layout, schemas

    def absolute_import(self, level: int, module: str | None) -> str | None:
        """The absolute module a relative import of the checked file names (`from ..db import x`)."""
        package = self.layout.module if self.layout.is_package else self.layout.module.rpartition(".")[0]
        return _relative(package, level, module or "")

    def _imports_maker(self, module: str, name: str) -> bool:
        """Whether `from module import name` imports a client factory or class: one the module
        defines, or one it re-exports (`from .connections import open_connection` in a package's
        `__init__.py`)."""
        path = self.index.module_file(module)
        if path is None:
            return False
        if self.index.relevant(module):
            # a module that imports a library re-exports rarely: it must define the name
            return self.index.defines(module, name) and name in self.index.client_makers(module, self.schemas)
        return self.index.reexports(module, name) and self.index.is_client_maker(f"{module}.{name}", self.schemas)

    def first_party(self, qualname: str) -> bool:
        """Whether `qualname` is under one of the project's own packages (see `Layout.first_party`)."""
        return qualname.split(".", 1)[0] in self.layout.first_party

    def constant(self, qualname: str) -> object:
        target = self.index.resolve(qualname) if self.first_party(qualname) else None
        return target[1] if target is not None and target[0] == "constant" else NO_VALUE

    def maker(self, qualname: str):
        """What calling a project function or class makes (Instance, or LocalClass for a class), or None."""
        return self.index.maker(qualname, self.schemas) if self.first_party(qualname) else None

    made_by_call = maker

    def local_class(self, qualname: str) -> LocalClass | None:
        """A project class deriving from a schema class, or None."""
        made = self.index.maker(qualname, self.schemas)
        return made if isinstance(made, LocalClass) else None

    def self_types(self, qualname: str) -> dict[str, Instance]:
        return self.index.self_types(qualname, self.schemas) if self.first_party(qualname) else {}

    def imports_clients(self, source: str | bytes) -> bool:
        """Whether the file imports a client factory or class from another module of the project
        (`from .connections import open_connection`), or imports such a module and names one
        of them as an attribute (`connections.open_connection`).  A text scan of its import
        lines: the file is not parsed."""
        if not self.layout.first_party:
            return False
        text = source.decode("latin-1") if isinstance(source, bytes) else source
        if "from ." not in text and not any(name in text for name in self.layout.first_party):
            return False
        index, schemas = self.index, self.schemas
        for match in _import_lines(text):
            modules = []
            if match.group("from") is not None:
                dots, dotted = match.group("dots"), match.group("from")
                base = self.absolute_import(len(dots), dotted) if dots else dotted
                if not base or not self.first_party(base):
                    continue
                for name in match.group("names").replace("(", " ").replace(")", " ").replace("\\", " ").split(","):
                    name = name.split()[0] if name.split() else ""
                    if not name.isidentifier():
                        continue
                    if index.module_file(f"{base}.{name}") is not None:
                        modules.append(f"{base}.{name}")
                    elif self._imports_maker(base, name):
                        return True
            else:
                modules = [item.split()[0] for item in match.group("modules").split(",") if item.strip()]
            for module in modules:
                if not self.first_party(module):
                    continue
                if index.module_file(module) is None or not index.defines_any(module, text):
                    continue
                makers = index.client_makers(module, schemas)
                if makers and re.search(r"\.\s*(?:%s)\b" % "|".join(sorted(makers)), text):
                    return True
        return False


def _import_lines(text: str):
    """The import statements of a text, found from each `import` word (a regex tried at every
    line start of a large file costs ten times more)."""
    position = 0
    while True:
        found = text.find("import", position)
        if found < 0:
            return
        match = _IMPORT_LINE.match(text, text.rfind("\n", 0, found) + 1)
        if match is not None and match.end() > found:
            yield match
            position = match.end()
        else:
            position = found + 6


#: A top-level `def` or `class` statement's name (after a line break).
_DEFINED = re.compile(rb"\n(?:async[ \t]+def|def|class)[ \t]+(\w+)")

_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<dots>\.*)[ \t]*(?P<from>[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^#;\n]+)"
    r"|import[ \t]+(?P<modules>[\w. \t,]+))", re.MULTILINE)


class ProjectIndexes:
    """The indexes of the projects one engine sees, one per project, for the process's life."""

    def __init__(self, schemas, wants: Callable[[bytes], bool]):
        self.schemas = schemas
        self._wants = wants
        self._indexes: dict[tuple[str, ...], ProjectIndex] = {}

    def view(self, filename: str) -> ProjectView | None:
        layout = layout_of(filename)
        if layout is None:
            return None
        index = self._indexes.get(layout.key)
        if index is None:
            index = self._indexes[layout.key] = ProjectIndex(layout.search_roots, self._wants)
        return ProjectView(index, layout, self.schemas)


def _relative(package: str, level: int, dotted: str) -> str | None:
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not dotted):
        return None
    base = parts[:len(parts) - (level - 1)]
    name = ".".join(base + ([dotted] if dotted else []))
    return name or None


# ===================================================================== summaries

def _cached_summary(data: bytes) -> dict | None:
    directory = cache_dir()
    if directory is None:
        return None
    try:
        summary = json.loads((directory / "project" / f"{content_key(data)}.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or summary.get("version") != SUMMARY_VERSION:
        return None
    return summary if summary.get("names") is None or _well_formed(summary) else None


def _summarize_bytes(data: bytes) -> dict:
    from .source import SourceError, decode_source

    try:
        tree = ast.parse(decode_source(data).text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        summary = NO_SUMMARY
    else:
        try:
            summary = summarize(tree)
        except RecursionError:
            summary = NO_SUMMARY
    directory = cache_dir()
    if directory is not None:
        store_json(directory / "project" / f"{content_key(data)}.json", summary)
    return summary


def _well_formed(summary: dict) -> bool:
    """A cached summary has the shape `summarize` gives (a damaged file is not trusted)."""
    if not (all(isinstance(summary.get(key), dict) for key in ("imports", "constants", "functions", "classes"))
            and isinstance(summary.get("star"), list) and isinstance(summary.get("names"), list)):
        return False
    entries = list(summary["imports"].values()) + summary["star"]
    if not all(isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and isinstance(e[1], str)
               for e in entries):
        return False
    if not all(v is None or isinstance(v, str) for v in summary["functions"].values()):
        return False
    for info in summary["classes"].values():
        if not (isinstance(info, dict) and isinstance(info.get("bases"), list) and isinstance(info.get("names"), list)
                and isinstance(info.get("used"), list)
                and isinstance(info.get("self"), dict) and isinstance(info.get("constants"), dict)
                and isinstance(info.get("opaque"), bool) and isinstance(info.get("init"), bool)
                and all(b is None or isinstance(b, str) for b in info["bases"])
                and all(isinstance(v, str) for v in info["self"].values())):
            return False
    return True


def summarize(tree: ast.Module) -> dict:
    """A module's summary: JSON data only, independent of schemas and configuration."""
    from .analyzer import _OPAQUE_CLASS_NAMES, _module_constants, _names_defined_by

    counts: dict[str, int] = {}
    imports: dict[str, list] = {}
    star: list[list] = []
    for stmt in _top_level(tree.body):
        for name in _bound_names(stmt):
            counts[name] = counts.get(name, 0) + 1
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    imports[alias.asname] = [0, alias.name]
                else:
                    top = alias.name.split(".", 1)[0]
                    imports[top] = [0, top]
        elif isinstance(stmt, ast.ImportFrom):
            prefix = f"{stmt.module}." if stmt.module else ""
            for alias in stmt.names:
                if alias.name == "*":
                    star.append([stmt.level, stmt.module or ""])
                else:
                    imports[alias.asname or alias.name] = [stmt.level, prefix + alias.name]
    #: Function name -> the callee whose result it returns (None: not one call's).
    functions: dict[str, str | None] = {}
    classes: dict[str, dict] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = _returned_call(stmt)
        elif isinstance(stmt, ast.ClassDef):
            names = _names_defined_by(stmt)
            classes[stmt.name] = {
                "bases": [_dotted(base) for base in stmt.bases
                          if not (isinstance(base, ast.Name) and base.id == "object")],
                "names": sorted(names), "opaque": bool(names & _OPAQUE_CLASS_NAMES) or bool(stmt.keywords),
                "init": any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__init__"
                            for s in stmt.body),
                "self": _self_calls(stmt), "constants": _class_constants(stmt),
                "used": sorted({node.attr for node in walk(stmt) if type(node) is ast.Attribute})}
    once = {name for name, count in counts.items() if count == 1}
    return {
        "version": SUMMARY_VERSION,
        "names": sorted(counts),
        "imports": {name: entry for name, entry in imports.items() if name in once},
        "star": star,
        "constants": _module_constants(tree),
        "functions": {name: dotted for name, dotted in functions.items() if name in once},
        "classes": {name: info for name, info in classes.items() if name in once},
    }


def _top_level(body: list[ast.stmt]):
    """Module-level statements, also inside `if`, `try` and `with` blocks (not in functions)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or \
                type(stmt).__name__ == "TryStar":
            for block in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(stmt, block, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _top_level(handler.body)


def _bound_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Import):
        return [alias.asname or alias.name.split(".", 1)[0] for alias in stmt.names]
    if isinstance(stmt, ast.ImportFrom):
        return [alias.asname or alias.name for alias in stmt.names if alias.name != "*"]
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For)):
        targets = [stmt.target]
    elif isinstance(stmt, ast.With):
        targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    elif isinstance(stmt, ast.Try):
        return [handler.name for handler in stmt.handlers if handler.name]
    return [node.id for target in targets for node in walk(target) if type(node) is ast.Name]


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(function: ast.AST):
    """The nodes of a function's body, not those of nested functions, lambdas or classes
    (contexts and operators left out, as `syntax.walk` does)."""
    pending = [function]
    pop, push = pending.pop, pending.append
    fields_of = CHILD_FIELDS.get
    while pending:
        node = pop()
        if node is not function:
            yield node
            if isinstance(node, _SCOPES):
                continue
        kind = type(node)
        fields = fields_of(kind)
        for name in fields if fields is not None else child_fields(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, ast.AST) and not isinstance(child, _LEAVES):
                        push(child)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                push(value)


def _returned_call(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The callee (`qpid.messaging.Connection`) whose result every `return` gives, or None."""
    returned: list[ast.expr] = []
    assigned: dict[str, list[ast.expr | None]] = {}
    for node in _own_nodes(function):
        if isinstance(node, ast.Return):
            if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
                returned.append(node.value)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            assigned.setdefault(node.id, []).append(None)
    args = function.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
        assigned.setdefault(arg.arg, []).append(None)
    callees = set()
    for value in returned:
        value = value.value if isinstance(value, ast.Await) else value
        if isinstance(value, ast.Name):
            # The Name store of `x = Call()` counts too: bound once means two entries, the call first.
            values = [v for v in assigned.get(value.id, ()) if v is not None]
            if len(assigned.get(value.id, ())) != 2 or len(values) != 1:
                return None
            value = values[0].value if isinstance(values[0], ast.Await) else values[0]
        callee = _dotted(value.func) if isinstance(value, ast.Call) else None
        if callee is None:
            return None
        callees.add(callee)
    return callees.pop() if len(callees) == 1 else None


def _self_calls(cls: ast.ClassDef) -> dict[str, str]:
    """`self.<attr>` -> the callee of the one call every method stores in it."""
    stored: dict[str, set] = {}
    for method in cls.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = method.args.posonlyargs + method.args.args
        if not params:
            continue
        self_name = params[0].arg
        for node in _own_nodes(method):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name) and node.value.id == self_name:
                stored.setdefault(node.attr, set())
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
                            target.value.id == self_name:
                        value = node.value.value if isinstance(node.value, ast.Await) else node.value
                        if isinstance(value, ast.Constant) and value.value is None:
                            continue  # `self.conn = None`: neutral, as when branches join
                        callee = _dotted(value.func) if isinstance(value, ast.Call) and len(node.targets) == 1 \
                            else None
                        stored.setdefault(target.attr, set()).add(callee)
    return {attr: next(iter(callees)) for attr, callees in stored.items()
            if len(callees) == 1 and None not in callees}


def _class_constants(cls: ast.ClassDef) -> dict[str, object]:
    from .values import literal_value

    counts: dict[str, int] = {}
    values: dict[str, object] = {}
    for stmt in cls.body:
        for name in _bound_names(stmt):
            counts[name] = counts.get(name, 0) + 1
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = literal_value(stmt.value)
            if value is not NO_VALUE:
                values[stmt.targets[0].id] = value
    return {name: value for name, value in values.items() if counts.get(name) == 1}


def _dotted(expr: ast.expr) -> str | None:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    return ".".join([expr.id] + parts[::-1])
