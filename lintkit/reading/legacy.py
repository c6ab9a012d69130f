"""An error-tolerant parse for code that Python 3's parser rejects.

Legacy files (Python 2: `except X, e:`, `print x`, `0x3FL`; `async` used as a
name) must still be checked.  Strategy: keep every statement Python 3 can
parse, exactly where it is, and neutralise the others.

1. Python 2 spellings with a Python 3 equivalent are rewritten on the lines
   where they occur (`0x3FL` -> `0x3F `, `<>` -> `!=`, `except X, e:` ->
   `except X as e:`, ...), keeping line numbers and, wherever the lengths
   allow, columns.
2. A statement that still fails is masked: a compound header becomes a header
   of the same shape (`if 1:`, `except:`), so its body is still analysed; a
   simple statement becomes `pass`; its continuation lines become blank.

Line numbers never change.  Where a rewrite changed a line's length
(`except X, e:`, `async` -> `async_`), the tree's columns are mapped back to
the original line, and the renamed identifiers get their own names back, so
findings and fixes point at the original source.  The result is only ever
used for analysis, never written back.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from .source import split_lines
from .syntax import walk

#: A file needing more masked statements than this is not worth analysing.
MAX_REPAIRS = 400

# Patterns are kept as strings and compiled by `re` on first use (its cache keeps
# them): most runs meet no legacy file, and compiling them all costs 2 ms.
_LINE_FIXUPS: tuple[tuple[str, str], ...] = (
    # except ValueError, e:  ->  except ValueError as e:
    (r"^(\s*except\b[^:#]*?)\s*,\s*([A-Za-z_]\w*)\s*:", r"\1 as \2:"),
    # 0x3FL, 10L  ->  0x3F , 10   (same length)
    (r"\b((?:0[xX][0-9a-fA-F]+)|(?:\d+))[lL]\b", r"\1 "),
    # 0777  ->   777   (octal without 0o; same length)
    (r"(?<![\w.])0([0-7]+)\b(?!\.)", r" \1"),
    # a <> b  ->  a != b
    (r"<>", "!="),
    # `x`  ->  (x)   (repr backticks; same length)
    (r"`([^`\n]*)`", r"(\1)"),
    # ur"..."  ->   r"..."
    (r"\b[uU]([rR])(['\"])", r" \1\2"),
    # async / await used as names
    (r"\basync\b(?!\s+(?:def|for|with)\b)", "async_"),
    (r"\bawait\b(?=\s*(?:=[^=]|\.|,|\)|\]|:|$))", "await_"),
)

_PRINT_STATEMENT = r"^\s*print\b(?!\s*\()(?!\s*=[^=])(?!\s*\.)(\s*>>|\s+\S|\s*$)"
_EXEC_STATEMENT = r"^\s*exec\b\s+[^\s(=]"
_HEADER_KEYWORDS = {"if", "while", "for", "with", "def", "class", "async", "try", "else", "elif",
                    "except", "finally", "match", "case"}
_TRAILING_COMMENT = r"\s*#[^'\"]*$"


@dataclass(frozen=True)
class TolerantParse:
    tree: ast.Module
    masked_lines: tuple[int, ...]
    #: The error Python 3's parser gave for the original text, if any.
    syntax_error: SyntaxError | None = None


def parse_tolerant(text: str, filename: str = "<unknown>") -> TolerantParse:
    """Parse `text`, repairing Python 2 constructs; raise SyntaxError if hopeless."""
    try:
        return TolerantParse(ast.parse(text, filename), ())
    except SyntaxError as first_error:
        # Kept without its traceback, and re-raised as a copy: an exception held in a
        # local of a frame its traceback holds is a reference cycle.
        original_error = first_error.with_traceback(None)
    lines = split_lines(text)
    if not _looks_legacy(original_error, lines):
        raise SyntaxError(*original_error.args)
    original_lines = list(lines)
    spans = _logical_spans(text, len(lines))
    masked: set[int] = set()
    fixed: set[int] = set()

    for index, line in enumerate(lines):
        if re.match(_PRINT_STATEMENT, line) or re.match(_EXEC_STATEMENT, line):
            masked.update(_mask(lines, spans, index))
        else:
            lines[index] = _apply_fixups(line)

    for _ in range(MAX_REPAIRS):
        try:
            tree = ast.parse("".join(lines), filename)
            _point_at_original(tree, original_lines, lines, masked, text)
            return TolerantParse(tree, tuple(sorted(masked)), original_error)
        except SyntaxError as error:
            index = (error.lineno or 0) - 1
            if not 0 <= index < len(lines):
                raise SyntaxError(*original_error.args) from None
            if index not in fixed:
                fixed.add(index)
                repaired = _apply_fixups(lines[index])
                if repaired != lines[index]:
                    lines[index] = repaired
                    continue
            start = spans.get(index, (index, index))[0]
            if start in masked:
                raise SyntaxError(*original_error.args) from None
            masked.update(_mask(lines, spans, index))
        except (RecursionError, MemoryError, ValueError):
            raise SyntaxError(*original_error.args) from None
    raise SyntaxError(*original_error.args)


#: SyntaxError messages Python 3 gives for Python 2 code.
_LEGACY_MESSAGES = ("Missing parentheses in call to", "multiple exception types must be parenthesized",
                    "leading zeros in decimal integer literals", "invalid decimal literal",
                    "invalid hexadecimal literal", "invalid digit")
#: `raise E, "message"` and `print >>f, x` (Python 2).
_LEGACY_STATEMENT = r"^\s*raise\s+[\w.]+\s*,|^\s*print\s*>>"


def _looks_legacy(error: SyntaxError, lines: list[str]) -> bool:
    """Whether the first syntax error is a Python 2 (or pre-3.7 `async` as a name) construct.

    Only such files get the tolerant parse: a Python 3 file that is merely broken (an
    unclosed parenthesis) is an error, not a legacy file with statements set aside."""
    if error.msg and error.msg.startswith(_LEGACY_MESSAGES):
        return True
    index = (error.lineno or 0) - 1
    if not 0 <= index < len(lines):
        return False
    line = lines[index]
    return bool(re.match(_PRINT_STATEMENT, line) or re.match(_EXEC_STATEMENT, line)
                or re.match(_LEGACY_STATEMENT, line) or _apply_fixups(line) != line)


#: Identifiers a fixup renames (Python 3 keywords used as names), back to their names.
_RENAMED = {"async_": "async", "await_": "await"}
#: The fields of nodes that hold an identifier.
_IDENTIFIER_FIELDS = {ast.Name: "id", ast.Attribute: "attr", ast.keyword: "arg", ast.arg: "arg",
                      ast.FunctionDef: "name", ast.AsyncFunctionDef: "name", ast.ClassDef: "name"}


def _point_at_original(tree: ast.Module, original: list[str], rewritten: list[str], masked: set[int],
                       text: str) -> None:
    """Map the tree's columns on rewritten lines back to the original lines, and give
    renamed identifiers their names back (unless the original already uses the new name)."""
    from difflib import SequenceMatcher  # legacy files only

    moved = {index + 1: SequenceMatcher(None, old.encode("utf-8"), new.encode("utf-8"), autojunk=False).get_opcodes()
             for index, (old, new) in enumerate(zip(original, rewritten)) if old != new and index not in masked}
    renamed = {new: old for new, old in _RENAMED.items() if re.search(rf"\b{new}\b", text) is None}
    if not moved and not renamed:
        return
    for node in walk(tree):
        if moved and hasattr(node, "col_offset"):
            opcodes = moved.get(node.lineno)
            if opcodes is not None:
                node.col_offset = _original_column(opcodes, node.col_offset, end=False)
            opcodes = moved.get(node.end_lineno) if node.end_lineno is not None else None
            if opcodes is not None and node.end_col_offset is not None:
                node.end_col_offset = _original_column(opcodes, node.end_col_offset, end=True)
        field = _IDENTIFIER_FIELDS.get(type(node))
        if field is not None and getattr(node, field, None) in renamed:
            setattr(node, field, renamed[getattr(node, field)])


def _original_column(opcodes: list[tuple[str, int, int, int, int]], column: int, end: bool) -> int:
    """A byte column of a rewritten line, on the original line: inside an unchanged stretch
    it moves with it; inside a rewritten one it goes to that stretch's start (or end)."""
    for tag, old_start, old_end, new_start, new_end in opcodes:
        inside = new_start < column <= new_end if end else new_start <= column < new_end
        if inside:
            if tag == "equal":
                return old_start + column - new_start
            return old_end if end else old_start
    last = opcodes[-1]
    return last[2] + column - last[4]


def _apply_fixups(line: str) -> str:
    for pattern, replacement in _LINE_FIXUPS:
        line = re.sub(pattern, replacement, line)
    return line


def _logical_spans(text: str, line_count: int) -> dict[int, tuple[int, int]]:
    """0-based line index -> (first, last) line index of its logical line."""
    skip_before_start = (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    spans: dict[int, tuple[int, int]] = {}
    start = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if start is None:
                if tok.type in skip_before_start:
                    continue
                start = tok.start[0] - 1
            if tok.type == tokenize.NEWLINE:
                end = min(tok.start[0] - 1, line_count - 1)
                for i in range(start, end + 1):
                    spans[i] = (start, end)
                start = None
    except (tokenize.TokenError, SyntaxError):
        pass
    return spans


def _mask(lines: list[str], spans: dict[int, tuple[int, int]], index: int) -> list[int]:
    first, last = spans.get(index, (index, index))
    head = lines[first]
    indent = head[: len(head) - len(head.lstrip())]
    ending = "\r\n" if head.endswith("\r\n") else "\n" if head.endswith("\n") else ""
    logical = "".join(lines[first:last + 1]).rstrip()
    logical = re.sub(_TRAILING_COMMENT, "", logical)
    keyword = re.match(r"\s*(@|\w+)", head)
    keyword = keyword.group(1) if keyword else ""
    is_header = logical.endswith(":")
    body = "" if is_header else " pass"
    if keyword == "except":
        replacement = "except:" + body
    elif keyword in ("else", "finally", "try"):
        replacement = keyword + ":" + body
    elif keyword == "elif":
        replacement = "elif 1:" + body
    elif keyword in _HEADER_KEYWORDS or is_header:
        replacement = "if 1:" + body
    else:
        replacement = "pass"
    lines[first] = indent + replacement + ending
    for i in range(first + 1, last + 1):
        lines[i] = "\r\n" if lines[i].endswith("\r\n") else "\n" if lines[i].endswith("\n") else ""
    return [first]
