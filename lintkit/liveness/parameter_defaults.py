"""Parameters whose default reaches a liveness knob: `def connect(heartbeat=0): ...(heartbeat=heartbeat)`.

A value that is a parameter of the enclosing function (or `self.x` set once from a parameter
of a method of the class) is the parameter's default for every caller that does not pass it.
When the default is a literal, the rules judge it as if it were written at the knob, and
report it where the default is written.  Whose default it is decides whether it is reached:

- a public function or method (of a public class; `__init__` counts, by the class's name) is
  called from other modules lintkit does not see: its default is reached unless the file
  calls it and every call passes the parameter;
- a private one (`_connect`, a nested function, a method of a `_Private` class) is called
  only from the file: its default is reached when the file calls it and no call passes it.

A parameter rebound in its function, `*args`/`**kwargs` at a call (which may pass it) and a
default that is not a literal give nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .sockets import Parents
from ..reading.syntax import methods_with_receiver, walk
from ..analysis.values import NO_VALUE, literal_value


@dataclass(frozen=True)
class Default:
    """A parameter's default that a value stands for."""

    node: ast.expr
    parameter: str
    function: str


def default_behind(value: ast.expr | None, parents: Parents) -> Default | None:
    """The literal default of the parameter `value` is (a parameter, or `self.x` stored once
    from one), when callers reach it (see the module docstring); else None."""
    if isinstance(value, ast.Name):
        home = parents.home(value)
        return _reached(home, value.id, parents)
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        home = parents.home(value)
        cls = parents.enclosing_class(home) if isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if cls is None or not _receiver_is(home, value.value.id):
            return None
        source = _single_store(cls, value.attr)
        if source is None:
            return None
        method, name = source
        return _reached(method, name, parents)
    return None


def _reached(function: ast.AST, name: str, parents: Parents) -> Default | None:
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    default = _literal_default(function, name)
    if default is None or _rebinds(function, name, parents):
        return None
    passes = [_passes(call, function, name) for call in _callers(function, parents)]
    if _public(function, parents):
        if passes and all(passes):
            return None
    elif not passes or any(passes):
        return None
    label = function.name
    cls = parents.enclosing_class(function)
    if cls is not None:
        label = cls.name if function.name == "__init__" else f"{cls.name}.{function.name}"
    return Default(default, name, label)


def _literal_default(function, name: str) -> ast.expr | None:
    arguments = function.args
    positional = arguments.posonlyargs + arguments.args
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]], arguments.defaults))
    defaults.update((a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None)
    node = defaults.get(name)
    return node if node is not None and literal_value(node) is not NO_VALUE else None


def _rebinds(function, name: str, parents: Parents) -> bool:
    stored = parents.index(function).memo("stored names", lambda: frozenset(
        node.id for node in walk(function) if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)))
    return name in stored


def _receiver_is(method, name: str) -> bool:
    params = method.args.posonlyargs + method.args.args
    return bool(params) and params[0].arg == name


def _single_store(cls: ast.ClassDef, attribute: str) -> tuple[ast.AST, str] | None:
    """(method, parameter) when `self.<attribute>` is stored exactly once in the class, from a
    parameter of that method (`self.heartbeat = heartbeat`)."""
    found = []
    for method, receiver in methods_with_receiver(cls):
        for node in walk(method):
            if isinstance(node, ast.Attribute) and node.attr == attribute and not isinstance(node.ctx, ast.Load) \
                    and isinstance(node.value, ast.Name) and node.value.id == receiver:
                found.append((method, node))
    if len(found) != 1:
        return None
    method, target = found[0]
    statement = next((s for s in walk(method) if isinstance(s, ast.Assign) and s.targets == [target]), None)
    if statement is None or not isinstance(statement.value, ast.Name):
        return None
    return method, statement.value.id


def _public(function, parents: Parents) -> bool:
    """Callable from other modules: a module-level function or a method of a module-level
    class, named without a leading underscore (`__init__` and other dunders count)."""
    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    owner = parents.of(function)
    if isinstance(owner, ast.Module):
        return not private(function.name)
    if isinstance(owner, ast.ClassDef) and isinstance(parents.of(owner), ast.Module):
        return not private(function.name) and not private(owner.name)
    return False


def _callers(function, parents: Parents) -> list[ast.Call]:
    """The file's calls of `function`: by its name (a function), its class's name (`__init__`),
    or `<anything>.<name>(...)` (a method)."""
    cls = parents.enclosing_class(function)
    if cls is None:
        wanted, by_attribute = function.name, False
    elif function.name == "__init__":
        wanted, by_attribute = cls.name, False
    else:
        wanted, by_attribute = function.name, True
    calls = []
    for call in parents.tree_index.of_type(ast.Call):
        func = call.func
        if by_attribute and isinstance(func, ast.Attribute) and func.attr == wanted or \
                not by_attribute and isinstance(func, ast.Name) and func.id == wanted:
            calls.append(call)
    return calls


def _passes(call: ast.Call, function, name: str) -> bool:
    """Whether a call passes the parameter (a `*`/`**` splat may: counted as passing)."""
    if any(k.arg is None or k.arg == name for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return True
    positional = [a.arg for a in function.args.posonlyargs + function.args.args]
    if _is_method(function):
        positional = positional[1:]  # `self` (or the class) is not among the call's arguments
    return name in positional and positional.index(name) < len(call.args)


def _is_method(function) -> bool:
    params = function.args.posonlyargs + function.args.args
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
    return not static and bool(params) and params[0].arg in ("self", "cls")
