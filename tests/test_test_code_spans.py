"""test_code.py's spans read the tree's statements only, and its calls only when the text may name
a mock: the same spans as a look at every call, without walking the whole tree when it cannot matter."""

from __future__ import annotations

import ast
import textwrap

import pytest

from fixtures_support import FIXTURES
from lintkit.liveness.sockets import Parents
from lintkit.liveness import test_code

SOURCES = {
    "scopes": (FIXTURES / "test_code" / "scopes.py").read_text(),
    "expected_failures": (FIXTURES / "test_code" / "expected_failures.py").read_text(),
    "nested": textwrap.dedent('''
        import unittest
        class Suite(unittest.TestCase):
            def test_one(self): pass
        try:
            def test_in_try(): pass
        except ImportError:
            def test_in_handler(): pass
        if True:
            async def test_async():
                async with pytest.raises(ValueError):
                    await go()
        match x:
            case 1:
                def test_in_case(): pass
        call(arg, mocked=Mock())
        other(create_autospec(Thing))
        '''),
}


def all_calls_spans(source: str) -> list:
    """The reference: the spans with every call looked at."""
    return sorted(test_code.test_code_spans(Parents(ast.parse(source)), None))


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_spans_with_the_text_are_those_of_every_call(name):
    source = SOURCES[name]
    assert sorted(test_code.test_code_spans(Parents(ast.parse(source)), source)) == all_calls_spans(source)


def test_reference_spans_cover_scopes_and_mocks_not_in_handlers_or_cases():
    spans = all_calls_spans(SOURCES["nested"])
    lines = {span[0] for span in spans}
    assert lines == {3, 6, 10, 16, 17}  # as before: handlers' and match cases' bodies are not searched


def test_a_text_without_mocks_needs_no_walk_of_its_calls():
    source = SOURCES["nested"].replace("Mock()", "Real()").replace("create_autospec", "make")
    parents = Parents(ast.parse(source))
    assert test_code.test_code_spans(parents, source) == test_code.test_code_spans(Parents(ast.parse(source)), None)
    assert parents._tree_index is None


def test_a_mock_spelt_with_non_ascii_letters_is_still_seen():
    source = "call(arg, mocked=\uff2dock())\n"  # FULLWIDTH M: the parser reads `Mock`
    assert ast.parse(source).body[0].value.keywords[0].value.func.id == "Mock"
    assert test_code.test_code_spans(Parents(ast.parse(source)), source) == [(1, 0, 1, len(source.encode()) - 1)]


def test_expected_failure_spans_from_the_statements():
    tree = ast.parse(SOURCES["nested"])
    with_node = next(node for node in ast.walk(tree) if isinstance(node, ast.AsyncWith))
    assert test_code.expected_failure_spans(Parents(tree).blocks) == [
        (with_node.body[0].lineno, 0, with_node.end_lineno, with_node.end_col_offset)]
