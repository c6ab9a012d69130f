"""Test doubles by their shape: `Mock()`, `mock.MagicMock(...)`, `AsyncMock()`, `create_autospec(...)`."""

from __future__ import annotations

import ast


def callee_names(func: ast.expr) -> tuple[str, ...]:
    """`mock.patch.object` -> ("mock", "patch", "object"); a call in the chain reads "()"."""
    parts: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):  # patch(...).start()
        parts.extend(reversed(("()",) + callee_names(node.func)))
    return tuple(reversed(parts))


def is_mock_call(node: ast.expr | None) -> bool:
    """A call that makes a mock object: a callee whose name ends in `Mock`, or `create_autospec`."""
    if not isinstance(node, ast.Call):
        return False
    names = callee_names(node.func)
    return bool(names) and (names[-1].endswith("Mock") or names[-1] == "create_autospec")
