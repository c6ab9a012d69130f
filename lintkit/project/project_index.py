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
functions' returned calls, classes: `project_summaries.py`), and the summary is cached by
the module's content under `LINTKIT_CACHE_DIR` (`project/`), so a warm run parses nothing it
has seen before.  The summary does not depend on the schemas or the configuration: whether a
returned call makes a client is decided when the index is consulted.  One index per project
per process (`ProjectIndexes`, held by the engine); every front end reaches it through the
engine with the file's path (`project_layout`), so all see the same project.

Only names under the project's own packages are looked up (`Layout.first_party`), and before
any summary is read the text decides whether it can matter: a client factory or class is
defined (`def name`, `class name`) by a module whose own text imports a library lintkit knows
(the engine's prefilter), or re-exported by another module (a package's `__init__.py`, a
module naming it, a star import).  A factory that only calls another module's factory, in a
module importing no library, is not followed.  The same text tests let the prefilter admit a
file that imports no library but a client factory or class of its project
(`imports_clients`).

Bad input never stops it: a module that cannot be read or parsed is absent from the index,
imports that go round in circles end after MAX_HOPS steps, star imports are followed
(bounded the same way), at most MAX_MODULES modules are summarised per run, and a name it
cannot resolve is unknown: no finding rests on a guess.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from .module_facts import ModuleFacts, ModuleFactsCache
from ..analysis.bindings import Instance, LocalClass
from .project_layout import Layout, layout_of
from ..schemas.schema import ClassSchema, FactorySchema
from .project_summaries import cached_summary, summarize_bytes
from ..analysis.name_index import absolute_module
from ..analysis.values import NO_VALUE

#: Steps through re-exports, star imports and factories calling factories.
MAX_HOPS = 12
#: Modules summarised per index and run (a huge package is indexed in part).
MAX_MODULES = 5000
#: Larger modules are not read.
MAX_MODULE_BYTES = 2 * 1024 * 1024

Target = tuple


class ProjectIndex:
    """The modules of one project (one set of search roots), summarised on demand."""

    def __init__(self, search_roots: tuple[str, ...], wants: Callable[[bytes], bool], libraries_key: str = ""):
        self.search_roots = search_roots
        #: Whether a module's bytes import a library lintkit knows (the engine's prefilter).
        self._wants = wants
        self._files: dict[str, str | None] = {}
        self._summaries: dict[str, dict | None] = {}
        #: The text tests' answers per module, kept between runs (module_facts.py).
        self._facts: dict[str, ModuleFacts | None] = {}
        self._kept_facts = ModuleFactsCache(search_roots, libraries_key)
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
            summary = cached_summary(data)
            if summary is None and self.parsed < MAX_MODULES:
                self.parsed += 1
                summary = summarize_bytes(data)
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

    def module_facts(self, module: str) -> ModuleFacts | None:
        """What the text tests know of a module (None: no such module, or unreadable), read once
        per content: from the facts kept by an earlier run when the file did not change."""
        if module not in self._facts:
            path = self.module_file(module)
            facts = self._kept_facts.get(path) if path is not None else None
            if facts is None and path is not None:
                data = self._read(module)
                if data is not None:
                    relevant = self._wants(data)
                    facts = ModuleFacts(
                        relevant,
                        frozenset(m.decode("ascii") for m in _DEFINED.findall(b"\n" + data)) if relevant else frozenset(),
                        frozenset(word for statement in _IMPORT_STATEMENT.findall(data)
                                  for word in _IMPORTED_WORD.findall(statement)))
                    self._kept_facts.put(path, facts)
            self._facts[module] = facts
        return self._facts[module]

    def relevant(self, module: str) -> bool:
        """Whether module's text imports a library lintkit knows: only then can it make a client."""
        facts = self.module_facts(module)
        return facts is not None and facts.relevant

    def defines(self, module: str, name: str) -> bool:
        """Whether a module that imports a library defines function or class `name` at its top
        level, by its text (`def name`, `class name`): a cheap test before its summary is read."""
        return self.relevant(module) and name in self.module_facts(module).defined

    def defines_any(self, module: str, text: str) -> bool:
        """Whether `text` names, as an attribute, a top-level function or class of `module`."""
        names = self.module_facts(module).defined if self.relevant(module) else None
        if not names:
            return False
        key = ("attribute pattern", module)
        if key not in self._makers:
            self._makers[key] = re.compile(r"\.\s*(?:%s)\b" % "|".join(sorted(names)))
        return self._makers[key].search(text) is not None

    def reexports(self, module: str, name: str) -> bool:
        """Whether a module's text may import `name` for others (an import statement names it,
        or it has a star import): a cheap test before its summary is read.  A module that only
        defines the name does not pass: it imports no library, so it makes no client."""
        key = ("reexports", module, name)
        if key not in self._makers:
            facts = self.module_facts(module)
            self._makers[key] = facts is not None and (b"*" in facts.imported or name.encode("utf-8") in facts.imported)
        return self._makers[key]

    def absolute(self, module: str, entry: list) -> str | None:
        """The absolute name of an import entry `[level, dotted]` written in `module`."""
        level, dotted = entry
        if not level:
            return dotted or None
        path = self.module_file(module)
        package = module if path is not None and path.endswith("__init__.py") else module.rpartition(".")[0]
        return absolute_module(package, level, dotted)

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
        return absolute_module(package, level, module or "")

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
#: An import statement of a module's text (a parenthesised one across lines), and its words.
_IMPORT_STATEMENT = re.compile(rb"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+(\([^)]*\)|[^\n#]*)", re.MULTILINE)
_IMPORTED_WORD = re.compile(rb"\*|\w+")
_DEFINED = re.compile(rb"\n(?:async[ \t]+def|def|class)[ \t]+(\w+)")

_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<dots>\.*)[ \t]*(?P<from>[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^#;\n]+)"
    r"|import[ \t]+(?P<modules>[\w. \t,]+))", re.MULTILINE)


class ProjectIndexes:
    """The indexes of the projects one engine sees, one per project, for the process's life."""

    def __init__(self, schemas, wants: Callable[[bytes], bool], libraries_key: str = ""):
        self.schemas = schemas
        self._wants = wants
        #: What `wants` judges by (module_facts.py keeps its answers under this key).
        self._libraries_key = libraries_key
        self._indexes: dict[tuple[str, ...], ProjectIndex] = {}

    def view(self, filename: str) -> ProjectView | None:
        layout = layout_of(filename)
        if layout is None:
            return None
        index = self._indexes.get(layout.key)
        if index is None:
            index = self._indexes[layout.key] = ProjectIndex(layout.search_roots, self._wants, self._libraries_key)
        return ProjectView(index, layout, self.schemas)


