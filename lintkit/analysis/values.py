"""Values lintkit reads from source without running it: literals, and module-level
constants assigned once.  Anything else is not guessed (NO_VALUE)."""

from __future__ import annotations

import ast
import operator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .events import Resolver


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        return "NO_VALUE"  # unpickled as this module's one instance (schema_cache.py), so `is` holds


#: "Not a value lintkit can know."
NO_VALUE = _NoValue()

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
               ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv}


def literal_value(expr: ast.expr | None, resolver: Resolver | None = None, _depth: int = 0):
    """A number, bool, str or None written literally (`60`, `-1`, `5 * 60 * 1000`), or a
    module-level constant bound once to one (through `resolver`); NO_VALUE otherwise."""
    if expr is None or _depth > 20:
        return NO_VALUE
    if isinstance(expr, ast.Constant):
        value = expr.value
        return value if value is None or isinstance(value, (bool, int, float, str)) else NO_VALUE
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        operand = literal_value(expr.operand, resolver, _depth + 1)
        if _is_number(operand):
            return -operand if isinstance(expr.op, ast.USub) else operand
        return NO_VALUE
    if isinstance(expr, ast.BinOp) and type(expr.op) in _ARITHMETIC:
        left = literal_value(expr.left, resolver, _depth + 1)
        right = literal_value(expr.right, resolver, _depth + 1)
        if _is_number(left) and _is_number(right):
            try:
                return _ARITHMETIC[type(expr.op)](left, right)
            except (ZeroDivisionError, OverflowError):
                return NO_VALUE
        return NO_VALUE
    if isinstance(expr, ast.Name) and resolver is not None:
        return resolver.constant(expr.id)
    if isinstance(expr, ast.Attribute) and resolver is not None:
        # `settings.HEARTBEAT`: a constant of another module of the project (project_index.py).
        attribute_constant = getattr(resolver, "attribute_constant", None)
        return attribute_constant(expr) if attribute_constant is not None else NO_VALUE
    return NO_VALUE


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_number(value) -> bool:
    """An int or float, not a bool."""
    return _is_number(value)
