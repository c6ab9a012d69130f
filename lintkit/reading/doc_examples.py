"""Code in documentation: the `>>>` examples of docstrings, and the Python blocks of Markdown and reST.

Each piece of documentation code becomes one `DocBlock`: a small module made of
the code's lines, each remembering the line and column it came from, so the
engine checks the block as Python and every finding points into the file.

What is read (docs/usage.md, "Code in documentation", says the same):

- `.py` files: the `>>>` examples of module, class and function docstrings, as
  `doctest` finds them: a `>>> ` prompt (or a bare `>>>`) starts an example,
  `... ` lines of the same indentation continue it, expected output is not code.
  The examples of one docstring are one block, in order (state carries from one
  to the next, as when doctest runs them), read as written in the file (a
  backslash escape of a non-raw docstring stays as written, so columns are exact).
  Doctest runs examples with the module's globals: the module's top-level imports
  (`import x`, `from x import y`, also inside a top-level `try`) are put before
  the examples, so `Redis` imported at the top of the module is known in its
  docstrings; classes and functions the module defines are not followed.
- Markdown (`.md`, `.markdown`): fenced blocks whose info string is `python`,
  `py`, `python3`, `py3` or `pycon`.
- reStructuredText (`.rst`): the contents of `.. code-block::`, `.. code::` and
  `.. sourcecode::` directives naming one of those languages, of Sphinx's
  `.. testcode::` and `.. doctest::`, and `>>>` examples anywhere else (doctest blocks).  Plain `::` literal blocks name no language and
  are not read.
- Each Python code block of a Markdown or reST file is a block of its own: sections
  of a document often show different set-ups (a Redis broker here, a Sentinel one
  there), so nothing is carried from one code block to the next.  The `>>>`
  examples of the file (`pycon` blocks, a `python` block whose first line is a
  `>>>` example, reST doctest blocks) are one block in document order, as
  `doctest` runs a text file as one session.

A piece that does not parse on its own (a fragment, `...` for elided code) is
left out silently; the rest of the block is still checked.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .source import split_lines

#: File suffixes read as documentation when a run is given them.
MARKDOWN_SUFFIXES = (".md", ".markdown")
REST_SUFFIXES = (".rst",)
DOCUMENT_SUFFIXES = MARKDOWN_SUFFIXES + REST_SUFFIXES

#: Languages of a fenced block or code directive that are Python.
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3", "pycon"})

_PROMPT = re.compile(r"([ \t]*)>>>(?: |$)")
_FENCE = re.compile(r"([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`{]*)")
_DIRECTIVE = re.compile(r"([ \t]*)\.\.[ \t]+(code-block|code|sourcecode|doctest|testcode)::[ \t]*(\S*)")
_STRING_START = re.compile(r"[rRuUbBfF]*('''|\"\"\"|'|\")")


@dataclass
class DocBlock:
    """A module of documentation code: its lines and, for each, (file line, column of its first character).

    A line with origin None is context (the module's imports put before a
    docstring's examples): a finding there belongs to no documentation."""

    lines: list[str] = field(default_factory=list)
    origins: list[tuple[int, int] | None] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def position(self, line: int, col: int) -> tuple[int, int] | None:
        """The file position of (1-based line, 0-based character column) of the block's text."""
        if not 1 <= line <= len(self.origins):
            return None
        origin = self.origins[line - 1]
        return None if origin is None else (origin[0], origin[1] + col)

    def extend(self, piece: list[tuple[int, int, str]]) -> None:
        for line, col, code in piece:
            self.lines.append(code)
            self.origins.append((line, col))


Piece = list[tuple[int, int, str]]  # (file line, column, code) per line of one example or code block


def parsed_block(pieces: list[Piece], context: list[str] = ()) -> tuple[DocBlock, ast.Module] | None:
    """The block of the pieces (after `context` lines) with its tree; when the whole does not
    parse, the block of the pieces that parse on their own.  None when nothing parses."""
    if not pieces:
        return None
    block = _block(pieces, context)
    tree = _parse(block.text)
    if tree is None:
        kept = [piece for piece in pieces if _parses(piece)]
        if not kept or len(kept) == len(pieces):
            return None
        block = _block(kept, context)
        tree = _parse(block.text)
    return None if tree is None else (block, tree)


def _block(pieces: list[Piece], context: list[str]) -> DocBlock:
    block = DocBlock(list(context), [None] * len(context))
    for piece in pieces:
        block.extend(piece)
    return block


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _parses(piece: Piece) -> bool:
    return _parse("".join(code + "\n" for _, _, code in piece)) is not None


# --------------------------------------------------------------------------- prompts


def prompt_examples(lines: list[str], first_line: int, start: int = 0, end: int | None = None) -> list[Piece]:
    """The `>>>` examples in lines[start:end] (line breaks kept or not); `first_line` is the
    file line of lines[0].  An example is its prompt line and the `... ` lines that follow
    it at the same indentation; its code starts after the 4 characters of the prompt."""
    examples: list[Piece] = []
    end = len(lines) if end is None else end
    index = start
    while index < end:
        match = _PROMPT.match(lines[index])
        if match is None:
            index += 1
            continue
        indent = match.group(1)
        example = [_code_after_prompt(lines[index], len(indent), first_line + index)]
        index += 1
        continuation = re.compile(re.escape(indent) + r"\.\.\.(?: |$)")
        while index < end and continuation.match(lines[index]):
            example.append(_code_after_prompt(lines[index], len(indent), first_line + index))
            index += 1
        examples.append(example)
    return examples


def _code_after_prompt(line: str, indent: int, number: int) -> tuple[int, int, str]:
    code = line.rstrip("\r\n")[indent + 4:]
    return number, indent + 4, code


# --------------------------------------------------------------------------- docstrings


def docstring_pieces(tree: ast.Module, lines: list[str]) -> list[list[Piece]]:
    """The examples of each docstring (module, classes, functions) that has any, in file order.

    Only statements whose lines hold a `>>>` are looked into (no walk of the whole tree)."""
    prompts = [number for number, line in enumerate(lines, 1) if ">>>" in line]
    found = []
    for owner in _owners_around(tree, prompts):
        literal = _docstring(owner)
        if literal is None or ">>>" not in literal.value.value:
            continue
        examples = _literal_examples(literal, lines)
        if examples:
            found.append((literal.lineno, examples))
    return [examples for _, examples in sorted(found, key=lambda item: item[0])]


def _owners_around(tree: ast.Module, prompts: list[int]) -> list[ast.AST]:
    """The module, and the classes and functions whose lines hold one of the `prompts` lines."""
    owners: list[ast.AST] = [tree]
    pending = list(tree.body)
    while pending:
        statement = pending.pop()
        at = bisect_left(prompts, statement.lineno)
        if at == len(prompts) or prompts[at] > (statement.end_lineno or statement.lineno):
            continue
        if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            owners.append(statement)
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, name, None)
            if isinstance(children, list):
                pending.extend(child for child in children if hasattr(child, "lineno"))
    return owners


def _docstring(owner: ast.AST) -> ast.Expr | None:
    body = getattr(owner, "body", None)
    if not body:
        return None
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None


def _literal_examples(literal: ast.Expr, lines: list[str]) -> list[Piece]:
    """The examples of a docstring, read from the file's lines between its quotes."""
    node = literal.value
    first, last = node.lineno, node.end_lineno
    if last is None or last > len(lines):
        return []
    opening = _STRING_START.match(lines[first - 1].encode("utf-8")[node.col_offset:].decode("utf-8", "replace"))
    if opening is None:  # implicitly concatenated or otherwise unusual: not a plain docstring
        return []
    quote = opening.group(1)
    body = [line.rstrip("\r\n") for line in lines[first - 1:last]]
    closing = body[-1].encode("utf-8")[:node.end_col_offset].decode("utf-8", "replace")
    if not closing.endswith(quote):
        return []
    body[-1] = closing[:-len(quote)]
    # The first line holds the opening quotes: its examples (`""">>> x`) are not doctest's either.
    return prompt_examples(body, first, start=1)


def module_imports(tree: ast.Module) -> list[str]:
    """The module's top-level imports (also inside a top-level `try`), one line each: the
    names doctest's globals hold when the examples run."""
    statements: list[ast.stmt] = []
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            statements.append(statement)
        elif isinstance(statement, ast.Try):
            statements.extend(s for s in statement.body if isinstance(s, (ast.Import, ast.ImportFrom)))
    return [ast.unparse(statement) for statement in statements
            if not (isinstance(statement, ast.ImportFrom) and statement.module == "__future__")]


# --------------------------------------------------------------------------- Markdown and reST


def document_blocks(text: str, filename: str) -> list[list[Piece]]:
    """The code of a Markdown or reST file: one list of pieces per code block, and one for all
    the `>>>` examples of the file (in document order)."""
    lines = split_lines(text)
    found = _markdown_pieces(lines) if filename.lower().endswith(MARKDOWN_SUFFIXES) else _rest_pieces(lines)
    session = [piece for prompted, piece in found if prompted]
    return [[piece] for prompted, piece in found if not prompted] + ([session] if session else [])


def _markdown_pieces(lines: list[str]) -> list[tuple[bool, Piece]]:
    """(written with prompts, piece) in document order."""
    pieces: list[tuple[bool, Piece]] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, fence, language = match.groups()
        closing = re.compile(rf"[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        start = index + 1
        end = start
        while end < len(lines) and not closing.match(lines[end].rstrip("\r\n")):
            end += 1
        if language.lower() in PYTHON_LANGUAGES:
            pieces.extend(_code_pieces(lines, start, end, len(indent), language.lower() == "pycon"))
        index = end + 1
    return pieces


def _rest_pieces(lines: list[str]) -> list[tuple[bool, Piece]]:
    """(written with prompts, piece) in document order."""
    pieces: list[tuple[bool, Piece]] = []
    covered = [False] * len(lines)
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line.rstrip("\r\n"))
        if match is None:
            continue
        indent, directive, language = len(match.group(1)), match.group(2), match.group(3).lower()
        if directive in ("doctest", "testcode"):  # sphinx.ext.doctest: Python by definition
            language = "pycon" if directive == "doctest" else "python"
        end = index + 1
        while end < len(lines) and (not lines[end].strip() or _indentation(lines[end]) > indent):
            end += 1
        covered[index:end] = [True] * (end - index)
        start = index + 1
        while start < end and (not lines[start].strip() or lines[start].lstrip().startswith(":")):
            start += 1  # the directive's options (`:linenos:`) and the blank line after them
        content = [i for i in range(start, end) if lines[i].strip()]
        if language in PYTHON_LANGUAGES and content:
            width = min(_indentation(lines[i]) for i in content)
            pieces.extend(_code_pieces(lines, start, content[-1] + 1, width, language == "pycon"))
    # Doctest blocks: `>>>` examples outside the code directives.
    runs: list[tuple[int, int]] = []
    for index, inside in enumerate(covered):
        if not inside and (not runs or runs[-1][1] != index):
            runs.append((index, index + 1))
        elif not inside:
            runs[-1] = (runs[-1][0], index + 1)
    for start, end in runs:
        pieces.extend((True, example) for example in prompt_examples(lines, 1, start, end))
    return sorted(pieces, key=lambda item: item[1][0][0])


def _code_pieces(lines: list[str], start: int, end: int, width: int, prompts: bool) -> list[tuple[bool, Piece]]:
    """A code block's pieces: its examples when it is written with prompts, else its lines as one piece
    (each without its first `width` columns of indentation)."""
    first = next((i for i in range(start, end) if lines[i].strip()), None)
    if first is None:
        return []
    if prompts or _PROMPT.match(lines[first]):
        return [(True, example) for example in prompt_examples(lines, 1, start, end)]
    piece = []
    for index in range(start, end):
        line = lines[index].rstrip("\r\n")
        cut = min(width, _indentation(line))
        piece.append((index + 1, cut, line[cut:]))
    return [(False, piece)]


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))
