"""Test code: where connections and sockets are short-lived by design.

Test suites, fixtures and mocks open connections for a moment (or not at all),
so the LK2xx liveness rules are not worth reporting there; a misspelt keyword
(LK1xx) is still a bug.  Which rules stay quiet is `test-code-ignore` (default
`["LK2"]`); what counts as test code:

- by path (`test-code-paths`, `.gitignore` patterns relative to the project root,
  matched like `per-file-ignores`: see `config.Settings.enabled_for`);
- inside any file (here): a class named `Test*` or `test_*` or deriving from a `*TestCase`
  class (every method), a function named `test_*`, a function decorated with a
  `fixture` (`pytest.fixture`, `pytest_asyncio.fixture`), module-level set-up and
  tear-down functions (`setup_module`, `setUpModule`, ...), and a call given a mock
  (`Mock()`, `MagicMock`, `create_autospec(...)`) as an argument.

Inside a `with pytest.raises(...)` (or `warns`, `deprecated_call`, `assertRaises`...)
block a test means the code to fail or warn: no rule reports there
(`expected_failure_spans`).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable

from ..reading.syntax import block_children

if TYPE_CHECKING:
    from .sockets import Parents

#: Paths of test code (gitignore patterns: a name without a slash matches at any depth).
DEFAULT_TEST_CODE_PATHS: tuple[str, ...] = ("test/", "tests/", "testing/", "t/", "conftest.py", "test_*.py",
                                            "*_test.py", "tests.py")
#: Rules that do not report in test code.
DEFAULT_TEST_CODE_IGNORE: tuple[str, ...] = ("LK2",)

#: Module-level set-up and tear-down functions of pytest and unittest.
_FIXTURE_FUNCTIONS = frozenset({"setup_module", "teardown_module", "setup_function", "teardown_function",
                                "setUpModule", "tearDownModule"})
_MOCKS = frozenset({"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock", "create_autospec"})

Span = tuple[int, int, int, int]


def test_code_spans(parents: Parents, text: str | None = None) -> list[Span]:
    """(line, col, end_line, end_col) of every test scope and mock-argument call in the file.
    `text`: the source the tree was parsed from, when known: a file whose text names no mock
    has no call given one, so its calls need no look (no walk of the whole tree)."""
    spans: list[Span] = []
    pending: list[ast.AST] = [parents.tree]
    while pending:  # scopes first: a test scope's body needs no further look
        node = pending.pop()
        for child in block_children(node):
            if _is_test_scope(child):
                spans.append(_span(child))
            elif isinstance(child, ast.stmt):
                pending.append(child)
    if text is None or _may_name_a_mock(text):
        spans.extend(_span(node) for node in parents.tree_index.of_type(ast.Call) if _given_a_mock(node))
    return spans


def _may_name_a_mock(text: str) -> bool:
    """Whether an identifier of the text may be one of `_MOCKS` (all of them contain "Mock" but
    `create_autospec`); the parser folds non-ASCII identifiers (NFKC), so those may be anything."""
    return "Mock" in text or "create_autospec" in text or not text.isascii()


#: Context managers inside which a test expects the code to fail or warn (pytest, unittest).
_EXPECTING = frozenset({"raises", "warns", "deprecated_call", "assertRaises", "assertRaisesRegex", "assertWarns",
                        "assertWarnsRegex"})


def expected_failure_spans(blocks: list[ast.AST]) -> list[Span]:
    """The bodies of `with pytest.raises(...)`, `pytest.warns`, `pytest.deprecated_call()`,
    `self.assertRaises(...)` and the like: code a test runs because it fails or warns, so
    no rule reports what is wrong there (a deliberately misspelt keyword, a deprecated one).
    `blocks`: the tree's statements (`Parents.blocks`)."""
    return [(stmt.body[0].lineno, 0, stmt.end_lineno, stmt.end_col_offset)
            for stmt in blocks if type(stmt) in (ast.With, ast.AsyncWith) and any(
                isinstance(item.context_expr, ast.Call) and _last_name(item.context_expr.func) in _EXPECTING
                for item in stmt.items)]


def inside(spans: Iterable[Span], line: int, col: int) -> bool:
    return any((start_line, start_col) <= (line, col) <= (end_line, end_col)
               for start_line, start_col, end_line, end_col in spans)


def _is_test_scope(node: ast.AST) -> bool:
    if isinstance(node, ast.ClassDef):
        return node.name.startswith(("Test", "test_")) or any(_last_name(base).endswith("TestCase") for base in node.bases)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name.startswith("test_") or node.name in _FIXTURE_FUNCTIONS or \
            any(_last_name(d.func if isinstance(d, ast.Call) else d).endswith("fixture") for d in node.decorator_list)
    return False


def _given_a_mock(call: ast.Call) -> bool:
    for argument in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(argument, ast.Call):
            argument = argument.func
        if _last_name(argument) in _MOCKS:
            return True
    return False


def _last_name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return expr.id if isinstance(expr, ast.Name) else ""


def _span(node: ast.AST) -> Span:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset
