"""The view of an installed library: what its classes and functions accept and hold.

The one place that imports a checked library (never detection: only `lintkit schema
generate` and the drift tests, tests/test_schema_drift.py, use it).  Where the source
says more than the signature, it is read with `ast`: the names a method of a class or
of a base assigns on `self`, and where a function's `**kwargs` go.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import re
import sys
import textwrap
import types
from dataclasses import dataclass, field
from typing import Any

from .library_source import key_read, refuses_leftovers, self_assigned

# --------------------------------------------------------------------------- resolving names


def resolve(qualname: str) -> Any:
    """Import the longest importable module prefix, then follow attributes."""
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if "." in missing and (module_name == missing or module_name.startswith(missing + ".")):
                continue  # a class or function name tried as a module: import a shorter prefix
            raise  # the library (or one of its dependencies) is not installed
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(f"cannot import {qualname}")


def same_object(a: Any, b: Any) -> bool:
    """Identity, or equal bound methods (psycopg.connect is `Connection.connect`, bound anew each time)."""
    return a is b or (isinstance(a, types.MethodType) and a == b)


def qualified_name(obj: Any) -> str:
    """Where a class or function is defined: `module.QualName`."""
    return f"{obj.__module__}.{obj.__qualname__}"


# --------------------------------------------------------------------------- keywords


def signature_keywords(obj: Any) -> set[str]:
    """The keyword parameters of a callable (positional-or-keyword ones included)."""
    sig = inspect.signature(obj)
    return {
        name for name, p in sig.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in ("self", "cls")
    }


def signature_default(obj: Any, name: str) -> Any:
    """The default of parameter `name`; inspect.Parameter.empty when it has none or does not exist."""
    try:
        p = inspect.signature(obj).parameters.get(name)
    except (TypeError, ValueError):
        return inspect.Parameter.empty
    return inspect.Parameter.empty if p is None else p.default


def takes_var_keyword(obj: Any) -> bool:
    try:
        return any(p.kind == p.VAR_KEYWORD for p in inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return False


_READ_FROM_KWARGS = re.compile(
    r"\b(?:kwargs|kw|options|connection_kwargs)(?:\.(?:get|pop)\(\s*|\[)[\"'](\w+)[\"']"
)


def keys_read_in_source(obj: Any) -> set[str]:
    """Keys a function or module's source reads out of a keywords dict by the usual names
    (`kwargs.pop("async")`, `options.get("timeout")`), across helper functions."""
    return set(_READ_FROM_KWARGS.findall(inspect.getsource(obj)))


def function_tree(function: Any) -> ast.FunctionDef | ast.AsyncFunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    assert isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)), function
    return tree


class _KeywordsDict:
    """A function's own `**kwargs` dict, also through an attribute it is stored in
    (`self._connection_kwargs = connection_kwargs`; a public property over the private field too)."""

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef):
        assert function.args.kwarg is not None, f"{function.name} takes no **kwargs"
        self.name = function.args.kwarg.arg
        self.holders = {ast.dump(ast.Name(self.name, ast.Load()))}
        self.stored_in: list[str] = []
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == self.name:
                for target in node.targets:
                    if isinstance(target, ast.Attribute):
                        self.stored_in.append(target.attr)
                        for attr in {target.attr, target.attr.lstrip("_")}:
                            self.holders.add(ast.dump(ast.Attribute(target.value, attr, ast.Load())))

    def __contains__(self, node: ast.AST) -> bool:
        if isinstance(node, (ast.Name, ast.Attribute)):
            node = ast.Attribute(node.value, node.attr, ast.Load()) if isinstance(node, ast.Attribute) \
                else ast.Name(node.id, ast.Load())
            return ast.dump(node) in self.holders
        return False


def keys_read_from_var_keyword(function: Any) -> set[str]:
    """Keys a function reads out of its own `**kwargs` (the ast of its source): `kwargs.get("k")`,
    `kwargs.pop("k")`, `kwargs["k"]`, `"k" in kwargs`, also through an attribute it stores the dict
    in (`self._connection_kwargs = connection_kwargs` ... `self._connection_kwargs.get("cache")`)."""
    tree = function_tree(function)
    holder = _KeywordsDict(tree)
    keys = (key_read(node, holder.__contains__) for node in ast.walk(tree))
    return {key for key in keys if key is not None}


@dataclass
class KeywordsFate:
    """Where a function's `**kwargs` go, read from its source."""

    #: The function has a `**kwargs` parameter at all.
    var_keyword: bool = False
    #: Callables the dict is passed on to with `**` (source text of the callee: `super().__init__`).
    forwarded_to: list[str] = field(default_factory=list)
    #: Attributes of `self` (or other names) the dict is stored in for later use.
    stored_in: list[str] = field(default_factory=list)
    #: Keys read out of the dict by name.
    read: set[str] = field(default_factory=set)
    #: The function raises when the dict is not empty (`if kwargs: raise TypeError(...)`), or always.
    raises_when_given: bool = False
    #: Other uses of the dict, as source text (passed positionally, iterated): a person must read them.
    other_uses: list[str] = field(default_factory=list)

    @property
    def policy(self) -> str:
        """A draft `unknown_kwargs`: raises, swallows or deferred (forwarded ones follow the callee)."""
        if not self.var_keyword or self.raises_when_given:
            return "raises"
        if self.stored_in:
            return "deferred"
        return "swallows"


def keywords_fate(function: Any) -> KeywordsFate:
    """What `function` does with its `**kwargs`: forwarded (`f(**kwargs)`), stored
    (`self._kw = kwargs`), read by key, or refused (`if kwargs: raise`)."""
    if not takes_var_keyword(function):
        return KeywordsFate()
    try:
        tree = function_tree(function)
    except (OSError, TypeError, SyntaxError, AssertionError):
        return KeywordsFate(var_keyword=True)
    holder = _KeywordsDict(tree)
    fate = KeywordsFate(var_keyword=True, stored_in=list(holder.stored_in), read=keys_read_from_var_keyword(function))
    if any(isinstance(statement, ast.Raise) for statement in tree.body):
        fate.raises_when_given = True  # raises whatever it is given (ssl.SSLSocket: no public constructor)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg is None and _carries(k.value, holder) for k in node.keywords):
            fate.forwarded_to.append(ast.unparse(node.func))
    fate.raises_when_given |= refuses_leftovers(tree, holder.__contains__)
    fate.other_uses = _other_uses(tree, holder.name)
    return fate


def _other_uses(tree: ast.AST, name: str) -> list[str]:
    """Uses of the `**kwargs` dict `name` other than those keywords_fate reads: a key read
    (`.get()`, `.pop()`, `[...]`, `in`), a `**` spread, a store, a truth test."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    uses = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(node)
        spread = isinstance(parent, ast.Dict) and any(key is None and value is node
                                                      for key, value in zip(parent.keys, parent.values))
        if isinstance(parent, ast.keyword) and parent.arg is None or spread \
                or isinstance(parent, ast.Attribute) and parent.attr in ("get", "pop") \
                or isinstance(parent, ast.Subscript) and parent.value is node \
                or isinstance(parent, ast.Compare) and node in parent.comparators \
                or isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node \
                or isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.BoolOp, ast.UnaryOp)):
            continue
        text = ast.unparse(parent) if parent is not None else name
        uses.append(text if len(text) <= 60 else text[:57] + "...")
    return uses


def _carries(value: ast.expr, holder: _KeywordsDict) -> bool:
    """The `**` argument is the keywords dict, or a dict made with it (`dict(defaults, **kwargs)`,
    `{**defaults, **kwargs}`)."""
    if value in holder:
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        return any(k.arg is None and k.value in holder for k in value.keywords)
    if isinstance(value, ast.Dict):
        return any(key is None and item in holder for key, item in zip(value.keys, value.values))
    return False


# --------------------------------------------------------------------------- members

ROUTINES = (types.FunctionType, types.BuiltinFunctionType, types.MethodDescriptorType,
            types.WrapperDescriptorType, types.ClassMethodDescriptorType, staticmethod, classmethod,
            functools.partialmethod, functools.singledispatchmethod)


def _compiled_function(value: Any) -> bool:
    """A function Cython compiled (cassandra-driver's wheels compile cluster.py): a method, though
    not one of ROUTINES."""
    return type(value).__name__ in ("cython_function_or_method", "fused_cython_function")


def _writable(instance: Any, name: str) -> bool:
    """A C data descriptor: assign its own value back; AttributeError means read-only."""
    try:
        value = getattr(instance, name)
    except AttributeError:
        return True  # an unset __slots__ member
    try:
        setattr(instance, name, value)
    except AttributeError:
        return False
    except Exception:  # the setter ran and refused the value (e.g. psycopg2 in async mode)
        return True
    return True


_NO_INSTANCE = object()


def instances_have_dict(cls: type) -> bool:
    """Whether instances get a __dict__ (no `__slots__` all the way down, not a C type): assigning
    an unknown name then succeeds silently."""
    return any("__dict__" in vars(klass) for klass in cls.__mro__)


def setattr_refuses(cls: type) -> bool:
    """Whether a `__setattr__` of the class or a base raises AttributeError (pyzmq's
    AttributeSetter: a name that is no socket option raises "Socket has no such option")."""
    for klass in cls.__mro__[:-1]:
        method = vars(klass).get("__setattr__")
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(method))) if method is not None else None
        except (OSError, TypeError, SyntaxError):
            continue
        if tree is not None and any(isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                                    and isinstance(node.exc.func, ast.Name) and node.exc.func.id == "AttributeError"
                                    for node in ast.walk(tree)):
            return True
    return False


def class_members(cls: type, instance: Any = _NO_INSTANCE) -> tuple[set[str], set[str]]:
    """Public names that may be assigned on an instance, and public methods.

    Assignable: instance __dict__ names, names any method of the class or of a
    base assigns on `self` (`Connection.connect()` sets `server_version`: an
    offline instance does not have it yet), properties with a setter, writable
    data descriptors (__slots__ members, C getsets), and plain class-level values
    when the instance has a __dict__ (assignment shadows them).  Read-only
    properties are neither: assigning one raises AttributeError.

    Without an instance (the schema generator: constructors may connect) the view is
    the source's alone: C descriptors count as writable, and no __dict__ is read.
    """
    has_dict = hasattr(instance, "__dict__") if instance is not _NO_INSTANCE else instances_have_dict(cls)
    attributes, methods, seen, read_only = set(), set(), set(), set()
    for klass in cls.__mro__:
        if klass is object:
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(value, ROUTINES) or _compiled_function(value):
                methods.add(name)
            elif isinstance(value, property):
                if value.fset is not None:
                    attributes.add(name)
                else:
                    read_only.add(name)
            elif isinstance(value, (types.GetSetDescriptorType, types.MemberDescriptorType)):
                if instance is _NO_INSTANCE or _writable(instance, name):
                    attributes.add(name)
                else:
                    read_only.add(name)
            elif has_dict:
                attributes.add(name)
    if has_dict:
        if instance is not _NO_INSTANCE:
            for name in vars(instance):
                if not name.startswith("_"):
                    attributes.add(name)
                    methods.discard(name)
        for klass in cls.__mro__:
            attributes |= {name for name in self_assignments(klass)
                           if not name.startswith("_") and name not in methods and name not in read_only}
    return attributes, methods


def source_file(klass: type) -> str | None:
    """The Python source file of `klass`; for a module Cython compiled, the `.py` the wheel ships
    beside it (cassandra-driver's cluster.py next to cluster.cpython-311-x86_64-linux-gnu.so)."""
    try:
        filename = inspect.getsourcefile(klass)
    except TypeError:
        return None
    if filename is None:
        compiled = getattr(sys.modules.get(klass.__module__), "__file__", None) or ""
        beside = os.path.join(os.path.dirname(compiled), os.path.basename(compiled).split(".", 1)[0] + ".py") \
            if compiled.endswith((".so", ".pyd")) else ""
        filename = beside if beside and os.path.exists(beside) else None
    return filename


@functools.lru_cache(maxsize=None)
def _module_tree(filename: str) -> ast.Module | None:
    try:
        with open(filename, encoding="utf-8") as handle:
            return ast.parse(handle.read())
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def class_tree(klass: type) -> ast.ClassDef | None:
    """The class statement of `klass`, from its module's source parsed once (inspect.getsource parses
    the whole module again for every class); None for a class without Python source."""
    filename = source_file(klass)
    tree = _module_tree(filename) if filename else None
    scope: list[ast.stmt] = tree.body if tree is not None else []
    found = None
    for part in klass.__qualname__.split("."):
        found = next((node for node in scope if isinstance(node, ast.ClassDef) and node.name == part), None)
        if found is None:
            break
        scope = found.body
    if found is not None:
        return found
    try:  # a class made in a function (`<locals>`) or under a condition: inspect finds it
        statement = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0]
    except (OSError, TypeError, SyntaxError):
        return None
    return statement if isinstance(statement, ast.ClassDef) else None


@functools.lru_cache(maxsize=None)
def self_assignments(klass: type) -> frozenset[str]:
    """Every name a method of `klass` (its own source only) assigns on its first parameter:
    `self.x = v`, `self.x: T = v`, `self.x += v`, tuple and starred targets, and
    `setattr(self, "x", v)` with a literal name (lintkit.generators.library_source.self_assigned).  Empty for a
    class without Python source."""
    tree = class_tree(klass)
    return frozenset(self_assigned(tree)) if tree is not None else frozenset()


def public_slots(cls: type) -> set[str]:
    """The public `__slots__` members of the class and its bases."""
    names: set[str] = set()
    for klass in cls.__mro__:
        slots = vars(klass).get("__slots__", ())
        names |= {name for name in ([slots] if isinstance(slots, str) else slots) if not name.startswith("_")}
    return names
