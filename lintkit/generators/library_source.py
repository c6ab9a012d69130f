"""A library's classes as its source code states them, for any released version.

The drift tests compare the schemas' version ranges (`[class.history]`) with
the real code of several releases of a library, without installing any of
them: `fetch()` downloads a release's wheel (or sdist) once into a cache
outside the repository and unpacks it; `SourceTree` reads it with `ast`.  The
installed library is read the same way (`SourceTree.installed("pika")`), so
old and current versions are compared by one reader.

Nothing here is imported by the rules: it serves tests and schema authors.

    tree = SourceTree(fetch("pika", "0.13.1"))
    cls = tree.find_class("pika.connection.ConnectionParameters")
    cls.keywords()             # every keyword the constructor accepts
    cls.attributes()           # names the instances can be given
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

#: Where downloaded releases are kept (`LINTKIT_VERSIONS_CACHE` overrides it).
CACHE = Path(os.environ.get("LINTKIT_VERSIONS_CACHE", "~/.cache/lintkit-versions")).expanduser()


# --------------------------------------------------------------------------- fetching


def fetch(distribution: str, version: str, cache: Path | None = None, timeout: float = 60) -> Path | None:
    """The unpacked release `distribution==version`: from the cache, else downloaded with pip
    (a wheel, else the sdist).  None when it is not cached and cannot be downloaded."""
    cache = cache or CACHE
    unpacked = cache / "src" / f"{_normal(distribution)}-{version}"
    if unpacked.is_dir():
        return _package_root(unpacked)
    archive = _archive(cache, distribution, version)
    if archive is None:
        for only in (("--only-binary", ":all:"), ("--no-binary", ":all:")):
            try:
                subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                                "--disable-pip-version-check", *only, f"{distribution}=={version}",
                                "-d", str(cache)], check=True, timeout=timeout,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                continue
            archive = _archive(cache, distribution, version)
            if archive is not None:
                break
    if archive is None:
        return None
    unpacked.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=unpacked.name, dir=unpacked.parent))
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(partial)
    else:
        with tarfile.open(archive) as sdist:
            sdist.extractall(partial, filter="data")
    try:
        partial.rename(unpacked)
    except OSError:  # another process unpacked it first
        shutil.rmtree(partial, ignore_errors=True)
    return _package_root(unpacked)


def _normal(distribution: str) -> str:
    return distribution.lower().replace("-", "_").replace(".", "_")


def _archive(cache: Path, distribution: str, version: str) -> Path | None:
    if not cache.is_dir():
        return None
    prefix = f"{_normal(distribution)}-{version}"
    for path in sorted(cache.iterdir()):
        stem = path.name.lower().replace("-", "_").replace(".", "_")
        if path.is_file() and stem.startswith(_normal(prefix) + "_") and \
                path.name.endswith((".whl", ".tar.gz", ".zip")):
            return path
    return None


def _package_root(unpacked: Path) -> Path:
    """A wheel unpacks to its packages; an sdist to one folder (maybe with `src/`) holding them."""
    children = [p for p in unpacked.iterdir() if p.is_dir() and not p.name.endswith((".dist-info", ".egg-info"))]
    if len(children) == 1 and not (children[0] / "__init__.py").exists():
        inner = children[0]
        return inner / "src" if (inner / "src").is_dir() else inner
    return unpacked


# --------------------------------------------------------------------------- reading


class SourceTree:
    """The Python modules under `root` (the folder holding a library's top-level packages)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._modules: dict[str, ast.Module | None] = {}

    @classmethod
    def installed(cls, module: str) -> "SourceTree":
        """The tree of an installed library, found without importing it."""
        from importlib.machinery import PathFinder

        # Searched on sys.path, not in sys.modules (a test may have replaced the module there).
        spec = PathFinder.find_spec(module)
        if spec is not None and spec.submodule_search_locations:
            return cls(Path(next(iter(spec.submodule_search_locations))).parent)
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            return cls(Path(spec.origin).parent)  # a single-module distribution (pysftp 0.2.8's pysftp.py)
        raise LookupError(f"{module} is not installed as Python source")

    def module(self, dotted: str) -> ast.Module | None:
        if dotted not in self._modules:
            base = self.root.joinpath(*dotted.split("."))
            path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
            try:
                self._modules[dotted] = ast.parse(path.read_bytes(), str(path))
            except (OSError, SyntaxError, ValueError):
                self._modules[dotted] = None
        return self._modules[dotted]

    def find_class(self, qualname: str) -> ClassSource | None:
        """The class `module.Class`, following re-exports (`from .client import Redis`)."""
        module, _, name = qualname.rpartition(".")
        return self._resolve(module, name, depth=0)

    def _resolve(self, module: str, name: str, depth: int) -> ClassSource | None:
        tree = self.module(module)
        if tree is None or depth > 8:
            return None
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return ClassSource(name, node, module, self)
        target = _imported(tree, module, name, is_package=self._is_package(module))
        if target is not None:
            return self._resolve(*target.rsplit(".", 1), depth=depth + 1)
        return None

    def _is_package(self, module: str) -> bool:
        return self.root.joinpath(*module.split("."), "__init__.py").exists()

    def is_module(self, dotted: str) -> bool:
        base = self.root.joinpath(*dotted.split("."))
        return (base / "__init__.py").exists() or base.with_suffix(".py").exists()

    def has_name(self, dotted: str) -> bool:
        """Whether `pkg.mod.Name` can be imported: a module, or a name its module binds at
        module level (a class, function, import or assignment, in `try`/`if` blocks too)."""
        if self.is_module(dotted):
            return True
        module, _, name = dotted.rpartition(".")
        tree = self.module(module) if module else None
        if tree is None:  # `redis.Redis.from_pool`: a method of a class
            cls = self.find_class(module) if module.count(".") else None
            return cls is not None and any(name in (f.name for f in c._functions()) for c in cls.mro())
        return name in module_bindings(tree.body)

    def function_keywords(self, qualname: str) -> Keywords | None:
        """The keywords of a factory: a method of a class (`redis.client.Redis.from_url`) or a
        module-level function (`websocket._core.create_connection`); None when it is not there."""
        owner, _, name = qualname.rpartition(".")
        cls = self.find_class(owner) if owner.count(".") else None
        if cls is not None:
            if not any(f.name == name for c in cls.mro() for f in c._functions()):
                return None
            return cls.keywords(name)
        tree = self.module(owner)
        function = next((node for node in (tree.body if tree is not None else ())
                         if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name), None)
        if function is None:
            return None
        args = function.args
        names = {a.arg for a in (*args.args, *args.kwonlyargs)}
        if args.kwarg is None:
            return Keywords(frozenset(names), False)
        holds = _is_name(args.kwarg.arg)
        names |= {key for node in ast.walk(function) for key in [key_read(node, holds)] if key is not None}
        return Keywords(frozenset(names), True, refuses_leftovers(function, holds))


def module_bindings(body: list[ast.stmt]) -> set[str]:
    """The names statements bind at module level (`try`, `if` and `with` blocks included)."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names if alias.name != "*")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Try):
            names |= module_bindings(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                names |= module_bindings(handler.body)
        elif isinstance(node, (ast.If, ast.With)):
            names |= module_bindings(node.body + getattr(node, "orelse", []))
    return names


def _imported(tree: ast.Module, module: str, name: str, is_package: bool) -> str | None:
    """Where a module-level name comes from (`pkg.mod.Name`), by its imports."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return f"{_absolute(node, module, is_package)}.{alias.name}"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == name and isinstance(node.value, ast.Name):
            return f"{module}.{node.value.id}"  # StrictRedis = Redis
    return None


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    return ".".join(parts[:keep] + ([node.module] if node.module else []))


@dataclass(frozen=True)
class Keywords:
    """What a constructor accepts by keyword."""

    #: Named parameters (positional-or-keyword and keyword-only) and the keys it reads
    #: from its `**kwargs` (`kwargs.pop("heartbeat_interval")`).
    names: frozenset[str]
    #: It has a `**kwargs` parameter.
    var_keyword: bool
    #: Other keywords raise TypeError: no `**kwargs`, or `if kwargs: raise TypeError(...)`
    #: once the known keys are popped (pika's Parameters).
    rejects_others: bool = True


class ClassSource:
    """One class of a source tree, with the bases the tree defines."""

    def __init__(self, name: str, node: ast.ClassDef, module: str, tree: SourceTree):
        self.name, self.node, self.module, self.tree = name, node, module, tree

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    @cached_property
    def bases(self) -> tuple[ClassSource, ...]:
        """The bases found in the tree (others, such as `threading.Thread`, are left out)."""
        found = []
        for base in self.node.bases:
            if isinstance(base, ast.Name):
                resolved = self.tree._resolve(self.module, base.id, depth=0)
            elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
                module = self._module_alias(base.value.id)
                resolved = self.tree.find_class(f"{module}.{base.attr}") if module else None
            else:
                resolved = None
            if resolved is not None and resolved.qualname != self.qualname:
                found.append(resolved)
        return tuple(found)

    def _module_alias(self, name: str) -> str | None:
        tree = self.tree.module(self.module)
        for node in tree.body if tree is not None else ():
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if (alias.asname or alias.name.split(".")[0]) == name:
                        return alias.name if alias.asname else name
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return f"{_absolute(node, self.module, self.tree._is_package(self.module))}.{alias.name}"
        return None

    def mro(self) -> list[ClassSource]:
        order, pending = [], [self]
        while pending:
            current = pending.pop(0)
            if all(current.qualname != seen.qualname for seen in order):
                order.append(current)
                pending.extend(current.bases)
        return order

    def _functions(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        return [n for n in self.node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def methods(self) -> frozenset[str]:
        """Public method names, inherited ones included (properties are attributes)."""
        return frozenset(f.name for cls in self.mro() for f in cls._functions()
                         if not _is_property(f) and not f.name.startswith("_"))

    def keywords(self, method: str = "__init__") -> Keywords:
        """The constructor's keywords (or a method's): its `__init__` (or the first base's that
        has one), plus the keys read from `**kwargs`, plus a base's keywords when `**kwargs` is
        passed up."""
        for cls in self.mro():
            function = next((f for f in cls._functions() if f.name == method), None)
            if function is not None:
                return cls._init_keywords(function)
        return Keywords(frozenset(), False)

    def _init_keywords(self, init: ast.FunctionDef) -> Keywords:
        args = init.args
        # `self` is the first positional parameter; positional-only ones take no keyword.
        by_keyword = args.args if args.posonlyargs else args.args[1:]
        names = {a.arg for a in (*by_keyword, *args.kwonlyargs)}
        var_keyword = args.kwarg.arg if args.kwarg else None
        if var_keyword is None:
            return Keywords(frozenset(names), False)
        holds = _is_name(var_keyword)
        rejects = refuses_leftovers(init, holds)
        passed_up = False
        for node in ast.walk(init):
            key = key_read(node, holds)
            if key is not None:
                names.add(key)
            if isinstance(node, ast.Call) and _calls_super_init(node) and \
                    any(k.arg is None and holds(k.value) for k in node.keywords):
                passed_up = True
        if passed_up:
            for base in self.bases:
                inherited = base.keywords()
                names |= inherited.names
                rejects = rejects or inherited.rejects_others
        return Keywords(frozenset(names), True, rejects)

    def slotted(self) -> bool | None:
        """Whether instances refuse unknown attributes (`__slots__` on every class, no `__dict__`);
        None when a base is outside the tree (its own layout is not read)."""
        for cls in self.mro():
            slots = next((s for s in cls.node.body if isinstance(s, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__slots__" for t in s.targets)), None)
            if slots is None or "__dict__" in _strings(slots.value):
                return False
            written = [b for b in cls.node.bases if not (isinstance(b, ast.Name) and b.id == "object")]
            if len(written) != len(cls.bases):
                return None
        return True

    def attributes(self, class_level: bool = True) -> frozenset[str]:
        """Public names an instance can be given: `self.x = ...` in any method, `__slots__`,
        properties with a setter, and (`class_level`) class-level names that are not methods;
        bases included."""
        names: set[str] = set()
        for cls in self.mro():
            names |= cls._own_attributes(class_level)
        return frozenset(n for n in names if not n.startswith("_"))

    def _own_attributes(self, class_level: bool) -> set[str]:
        names: set[str] = {f.name for f in self._functions() if _is_setter(f)}
        for statement in self.node.body:
            targets = statement.targets if isinstance(statement, ast.Assign) else \
                [statement.target] if isinstance(statement, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name):
                    if target.id == "__slots__":
                        names |= set(_strings(statement.value))
                    elif class_level:
                        names.add(target.id)
        return names | self_assigned(self.node)


# --------------------------------------------------------------------------- reading a node
# Shared with lintkit.generators.library_view, which finds the nodes of the installed library through its objects.


def self_assigned(klass: ast.ClassDef) -> set[str]:
    """Every name a method of the class statement assigns on its first parameter:
    `self.x = v`, `self.x: T = v`, `self.x += v`, tuple and starred targets, and
    `setattr(self, "x", v)` with a literal name (static and class methods left out)."""
    names: set[str] = set()
    for function in ast.walk(klass):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        parameters = function.args.posonlyargs + function.args.args
        if not parameters or any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
                                 for d in function.decorator_list):
            continue
        me = parameters[0].arg
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                targets = [node.target]
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.withitem, ast.NamedExpr)):
                targets = [node.target if not isinstance(node, ast.withitem) else node.optional_vars]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                    and len(node.args) == 3 and isinstance(node.args[0], ast.Name) and node.args[0].id == me \
                    and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                names.add(node.args[1].value)
                continue
            else:
                continue
            names.update(_attributes_of(me, targets))
    return names


def _attributes_of(me: str, targets: Iterable[ast.expr | None]) -> set[str]:
    names: set[str] = set()
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            names |= _attributes_of(me, list(target.elts))
        elif isinstance(target, ast.Starred):
            names |= _attributes_of(me, [target.value])
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me:
            names.add(target.attr)
    return names


def _is_name(name: str) -> Callable[[ast.AST], bool]:
    return lambda expr: isinstance(expr, ast.Name) and expr.id == name


def refuses_leftovers(function: ast.FunctionDef | ast.AsyncFunctionDef, holds: Callable[[ast.AST], bool]) -> bool:
    """`if kwargs: raise TypeError(...)`: the function raises when its keywords dict is not empty."""
    return any(isinstance(node, ast.If) and holds(node.test) and
               any(isinstance(inner, ast.Raise) for statement in node.body for inner in ast.walk(statement))
               for node in ast.walk(function))


def key_read(node: ast.AST, holds: Callable[[ast.AST], bool]) -> str | None:
    """`kwargs.pop("k")`, `kwargs.get("k")`, `kwargs.setdefault("k")`, `kwargs["k"]`, `"k" in kwargs`:
    the key, where `holds(expr)` says `expr` is the keywords dict."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr in ("pop", "get", "setdefault") and node.args and holds(node.func.value):
        key = node.args[0]
    elif isinstance(node, ast.Subscript) and holds(node.value):
        key = node.slice
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) and \
            holds(node.comparators[0]):
        key = node.left
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _calls_super_init(call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr == "__init__"


def _decorators(function: ast.FunctionDef) -> list[str]:
    names = []
    for decorator in function.decorator_list:
        names.append(ast.unparse(decorator))
    return names


def _is_property(function: ast.FunctionDef) -> bool:
    return any(d == "property" or d.endswith((".setter", ".getter", ".deleter")) for d in _decorators(function))


def _is_setter(function: ast.FunctionDef) -> bool:
    return any(d.endswith(".setter") for d in _decorators(function))


def _strings(value: ast.expr) -> list[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


# --------------------------------------------------------------------------- settings read by name


def namespace_keys(tree: SourceTree, module: str = "celery.app.defaults", name: str = "NAMESPACES") -> frozenset[str]:
    """The setting keys of celery's `NAMESPACES = Namespace(broker=Namespace(url=Option(...)), ...)`,
    flattened as `celery.app.defaults.flatten` does (`broker_url`); empty when the module has none."""
    source = tree.module(module)
    value = next((node.value for node in (source.body if source is not None else ())
                  if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                          for t in node.targets)), None)
    keys: set[str] = set()

    def flatten(call: ast.expr, prefix: str) -> None:
        for keyword in call.keywords if isinstance(call, ast.Call) else ():
            if keyword.arg is None or keyword.arg == "__old__":
                continue
            inner = keyword.value
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "Namespace":
                flatten(inner, f"{prefix}{keyword.arg}_")
            else:
                keys.add(f"{prefix}{keyword.arg}")

    if value is not None:
        flatten(value, "")
    return frozenset(keys)
