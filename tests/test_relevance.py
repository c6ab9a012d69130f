"""Skipping function bodies by a text test never changes what the analysis reports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lintkit.engine import Engine
from lintkit.reading.legacy import parse_tolerant
from lintkit.schemas.registry import load_schema_set
from lintkit.analysis.relevance import RelevanceTest
from lintkit.reading.source import decode_source

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for root in (REPO / "tests" / "fixtures", REPO / "examples") for p in root.rglob("*.py")
                 if not p.name.endswith(".fixed.py"))

TEST = RelevanceTest(attribute_words={"socket", "Connection", "setsockopt"}, plain_words={"setattr", "sockopt"})


@pytest.mark.parametrize(("body", "names", "relevant"), [
    ("x.socket()", (), True),
    ("socket.error", (), False),  # the module, not the class: only `.socket` counts
    ("y = a . \\\n        Connection", (), True),
    ("mysockopt = 1", (), False),
    ("sockopt_x = 1", (), False),
    ("f(sockopt=[])", (), True),
    ("setattr(a, 'b', 1)", (), True),
    ("conn.x = 1", (), False),
    ("conn.x = 1", ("conn",), True),
    ("myconn.x = 1", ("conn",), False),
    ("conn_x = 1", ("conn",), False),
    ("'''conn'''", ("conn",), True),  # a word in a string may say relevant, never the reverse
])
def test_function_mentions(body: str, names: tuple[str, ...], relevant: bool) -> None:
    source = f"import socket\n\ndef f():\n    {body}\n\ndef g():\n    conn.socket(sockopt=setattr)\n"
    tree = ast.parse(source)
    assert TEST.source(source).mentions(tree.body[1], names) is relevant


def test_untrusted_text_is_never_skipped() -> None:
    assert TEST.source(None) is None
    assert TEST.source("def f():\n    ｃonn.x = 1\n") is None  # Python normalises this identifier to conn


def test_skipping_changes_no_finding() -> None:
    engine = Engine(load_schema_set(), select=["LK"])
    total = 0
    for path in SOURCES:
        text = decode_source(path.read_bytes()).text
        if not engine.wants(text):
            continue
        parsed = parse_tolerant(text, str(path))
        skipping = engine._check(parsed.tree, text, str(path), trust_text=True).findings
        walking = engine._check(parsed.tree, text, str(path), trust_text=False).findings
        assert skipping == walking, path
        total += len(walking)
    assert total > 500


@pytest.mark.parametrize("text", ["", "x", "a\nb", "a\nb\n", "\n\n", "a\r\nb\rc\n", "a\r", "\r\n", "é\nü\n\n"])
def test_line_starts_are_those_of_the_line_break_pattern(text: str) -> None:
    from lintkit.analysis.relevance import _LINE_BREAK, _line_starts

    assert _line_starts(text) == [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
