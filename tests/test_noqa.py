"""`# noqa` in the CLI behaves as flake8's (the fixtures also compare with the real flake8)."""

from __future__ import annotations

import pytest

from lintkit.reading.noqa import NoqaIndex


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_multiline_string_lines_share_a_noqa(newline: str) -> None:
    index = NoqaIndex(f"import x{newline}s = '''a{newline}b'''  # noqa: LK101{newline}c = 1{newline}")
    assert [index.suppressed("LK101", line) for line in (2, 3, 4)] == [True, True, False]


@pytest.mark.parametrize("comment, code, suppressed", [
    ("# noqa", "LK101", True),
    ("# NOQA:LK101", "LK101", True),
    ("# noqa: LK1", "LK101", True),
    ("# noqa: E501, LK102", "LK101", False),
    ("# noqa:E501,LK101", "LK101", True),
    ("# not a noqa", "LK101", False),
])
def test_inline_codes(comment: str, code: str, suppressed: bool) -> None:
    assert NoqaIndex(f"x = 1  {comment}\n").suppressed(code, 1) is suppressed


@pytest.mark.parametrize("header, suppressed", [
    ("# lintkit: noqa", {"LK101": True, "LK102": True}),
    ("# lintkit: noqa: LK101", {"LK101": True, "LK102": False}),
    ("# flake8: noqa", {"LK101": True, "LK102": True}),
    ("x = 1  # lintkit: noqa", {"LK101": False, "LK102": False}),
])
def test_file_level(header: str, suppressed: dict) -> None:
    index = NoqaIndex(f"{header}\nimport qpid\n")
    assert {code: index.suppressed(code, 2) for code in suppressed} == suppressed
