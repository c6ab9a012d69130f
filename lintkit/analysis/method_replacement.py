"""Deliberate method replacement: is the value assigned to a method name a callable?

`conn.connect = Mock()`, `client.execute_command = lambda *a: None`,
`sock.send = fake_send` (a `def` in the file) replace a method on purpose
(monkeypatching, test doubles, spies); `conn.autocommit = True` replaces it by
mistake.  Only the shape of the value is read, never its runtime type:

- callable: a lambda; a call of a mock factory (a callee whose name ends in
  `Mock`, `create_autospec`, `patch`/`patch.object`/`patch.start()`, and the
  target of `with patch.object(...) as fake`),
  `functools.partial`, `partialmethod`, `types.MethodType`; a reference to a
  method (`other.method`, `self._fake`); a name the file binds by `def`,
  `class` or `import`, or assigns one of those values (`original = conn.send`).
- not callable: literals, containers, f-strings, comparisons, arithmetic...
- unknown (treated as not callable, so still reported): a name the file binds
  only otherwise (a parameter, a loop variable, a literal), any other call.

One exception keeps the `conn.autocommit = settings.autocommit` shape reported:
when the method shares its name with a keyword of the class's constructor
(PyMySQL's `autocommit()` and `autocommit=`), an attribute of that name on
another object is read as a setting copied from a configuration object, not as
a method reference; on the same object (`conn.autocommit = saved` after
`saved = conn.autocommit`) it is a restore and counts as callable.
"""

from __future__ import annotations

import ast

from ..liveness.test_doubles import callee_names, is_mock_call

#: Callees whose result is a callable (by their last dotted name).
CALLABLE_FACTORIES = frozenset({"partial", "partialmethod", "MethodType"})


def _is_callable_factory(call: ast.Call) -> bool:
    dotted = callee_names(call.func)
    if not dotted:
        return False
    last = dotted[-1]
    if is_mock_call(call):
        return not last.startswith("NonCallable")  # NonCallableMock instances are not callable
    if last == "start":  # patch(...).start()
        return "patch" in dotted
    return _is_patcher(call) or last in CALLABLE_FACTORIES


def _is_patcher(node: ast.expr) -> bool:
    """`patch(...)` or `patch.object(...)`: as a context manager it gives a mock."""
    if not isinstance(node, ast.Call):
        return False
    names = callee_names(node.func)
    return names[-1:] == ("patch",) or names[-2:] == ("patch", "object")


def _same_expression(a: ast.expr | None, b: ast.expr | None) -> bool:
    """The same code, field by field (`ast.dump` would do, but its helper closures leave cycles)."""
    if a is None or b is None or type(a) is not type(b):
        return False
    for name in a._fields:
        if name == "ctx":
            continue
        left, right = getattr(a, name, None), getattr(b, name, None)
        if isinstance(left, list):
            if not isinstance(right, list) or len(left) != len(right) or \
                    not all(_same_expression(x, y) if isinstance(x, ast.AST) else x == y for x, y in zip(left, right)):
                return False
        elif isinstance(left, ast.AST):
            if not _same_expression(left, right):
                return False
        elif left != right:
            return False
    return True


def is_callable_value(value: ast.expr | None, method: str, receiver: ast.expr | None, tree: ast.Module,
                      cache: dict, setting_like: bool = False) -> bool:
    """True when `value`, assigned to `receiver.method`, is evidently a callable.
    `setting_like`: the method shares its name with a constructor keyword (PyMySQL's
    `autocommit`), so `other.autocommit` is more likely a copied setting."""
    if isinstance(value, ast.Name):
        bindings = _bindings(tree, cache).get(value.id)
        return bool(bindings) and all(
            bound is None or _is_callable_shape(bound, method, receiver, setting_like) for bound in bindings)
    return _is_callable_shape(value, method, receiver, setting_like)


def _is_callable_shape(value: ast.expr | None, method: str, receiver: ast.expr | None,
                       setting_like: bool) -> bool:
    if isinstance(value, ast.Lambda):
        return True
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Call) and callee_names(value.func.func)[-1:] == ("wraps",):
            return True  # functools.wraps(f)(g)
        return _is_callable_factory(value)
    if isinstance(value, ast.Attribute):
        if value.attr == method and setting_like:  # a restore on the same object, else a copied setting
            return _same_expression(value.value, receiver)
        return True
    return False


#: A name bound by def, class or import (always callable).
_DEFINED = None


def _bindings(tree: ast.Module, cache: dict) -> dict[str, list[ast.expr | None]]:
    """Every binding of each name in the file: the assigned value, or None for def, class
    and import; names also bound otherwise (parameters, loop and unpacking targets,
    augmented assignment) map to an empty list (unknown).  Built once per file on first use."""
    bindings = cache.get("method_replacement_bindings")
    if bindings is None:
        bindings = cache["method_replacement_bindings"] = _collect(tree)
    return bindings


def _collect(tree: ast.Module) -> dict[str, list[ast.expr | None]]:
    values: dict[str, list[ast.expr | None]] = {}
    unknown: set[str] = set()
    simple_targets: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            values.setdefault(node.name, []).append(_DEFINED)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                values.setdefault((alias.asname or alias.name).split(".")[0], []).append(_DEFINED)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            simple_targets.add(id(node.targets[0]))
            values.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) and \
                _is_patcher(node.context_expr):  # with patch.object(...) as fake: a MagicMock
            simple_targets.add(id(node.optional_vars))
            values.setdefault(node.optional_vars.id, []).append(_DEFINED)
        elif isinstance(node, ast.arg):
            unknown.add(node.arg)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and id(node) not in simple_targets:
            unknown.add(node.id)
    for name in unknown:
        values[name] = []
    return values
