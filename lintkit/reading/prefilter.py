"""The text prefilter: does a file import a module that some schema describes?

A file without such an import cannot produce a finding, so it is never parsed.
This runs on every file of a tree, most of which import no client library, so
it is built for speed: the fast `find` of the words `import` and `from` picks
the candidate lines, and an anchored regex reads only those lines.  (A regex
with a multi-line `^` over the whole file was 3.5x slower.)  It works on text
and on undecoded bytes alike: PEP 263 encodings are ASCII-compatible.

The two forms are told apart: `from redis import Redis` binds a schema name
directly, while after a plain `import socket` code can reach a schema class
only through an attribute of the module (`socket.socket`), which the engine's second test
(`relevance.RelevanceTest.mentioned_through`, given the names `plain_import_names` finds
bound) looks for.
"""

from __future__ import annotations

import re
from typing import AnyStr, Iterable, Iterator


class ImportPrefilter:
    def __init__(self, modules: Iterable[str]):
        names = "|".join(sorted(map(re.escape, modules)))
        # An optional UTF-8 byte order mark may open the file; a `>>> ` or `... ` prompt
        # may open the line (an example in a docstring or a Markdown/reST file): one
        # character class takes both, as cheap as the indentation alone (it also lets in a
        # few lines no example has, `>> from`, which costs a parse, never a miss).
        indent = r"[ \t>.]*"
        from_form = rf"(?:\ufeff)?{indent}from[ \t]+(?:{names})\b"
        import_form = rf"(?:\ufeff)?{indent}import[ \t]+[^\r\n#]*?\b(?:{names})\b"
        self._modules = frozenset(modules)
        self._from = _Form("from", from_form)
        self._import = _Form("import", import_form)

    def imports_plainly(self, source: str | bytes) -> bool:
        """Whether `source` has an `import <schema module>` statement."""
        return self._import.found_in(_line_breaks_normalised(source))

    def plain_import_names(self, source: str | bytes) -> frozenset[str] | None:
        """The names the `import <schema module>` statements of `source` bind: `socket`, `http`
        for `import http.client`, `s` for `import socket as s` (other modules of the same
        statement are left out); None when a statement goes on after a backslash."""
        found: set[str] = set()
        for line in self._import.matching_lines(_line_breaks_normalised(source)):
            if isinstance(line, bytes):
                line = line.decode("latin-1")
            code = line.split("#", 1)[0].rstrip()
            if code.endswith("\\"):
                return None
            for statement in code.split(";"):
                statement = statement.strip(" \t>.\ufeff\xef\xbb\xbf")
                if not statement.startswith("import"):
                    continue
                for item in statement[len("import"):].split(","):
                    match = _IMPORTED.match(item.strip())
                    if match and match.group(1).split(".", 1)[0] in self._modules:
                        found.add(match.group(2) or match.group(1).split(".", 1)[0])
        return frozenset(found)

    def imports_from(self, source: str | bytes) -> bool:
        """Whether `source` has a `from <schema module> import ...` statement."""
        return self._from.found_in(_line_breaks_normalised(source))


#: One item of an import statement: `a.b.c`, `a.b as c`.
_IMPORTED = re.compile(r"([A-Za-z_][\w.]*)(?:\s+as\s+(\w+))?")


class _Form:
    """One import form: the word that starts its lines' scan, and the line pattern."""

    def __init__(self, word: str, pattern: str):
        self._text = (word, re.compile(pattern))
        self._bytes = (word.encode("ascii"), re.compile(pattern.replace(r"\ufeff", r"\xef\xbb\xbf").encode("ascii")))

    def found_in(self, source: str | bytes) -> bool:
        word, pattern = self._text if isinstance(source, str) else self._bytes
        return _some_line_matches(source, word, pattern, "\n" if isinstance(source, str) else b"\n")

    def matching_lines(self, source: AnyStr) -> Iterator[AnyStr]:
        """Every line of `source` that matches the form's pattern from its start."""
        word, pattern = self._text if isinstance(source, str) else self._bytes
        newline = "\n" if isinstance(source, str) else b"\n"
        at = source.find(word)
        while at != -1:
            start = source.rfind(newline, 0, at) + 1
            end = source.find(newline, at)
            if pattern.match(source, start):
                yield source[start:end if end != -1 else len(source)]
            if end == -1:
                return
            at = source.find(word, end)


def _line_breaks_normalised(source: AnyStr) -> AnyStr:
    """CR-only line breaks (old Mac files) as \\n, so every line starts after a \\n."""
    newline, cr = ("\n", "\r") if isinstance(source, str) else (b"\n", b"\r")
    # `newline in source` first: it stops at the first line break, `cr in source` reads it all.
    return source.replace(cr, newline) if newline not in source and cr in source else source


def _some_line_matches(source: AnyStr, word: AnyStr, pattern: re.Pattern, newline: AnyStr) -> bool:
    """Whether a line containing `word` matches `pattern` from its start."""
    at = source.find(word)
    while at != -1:
        if pattern.match(source, source.rfind(newline, 0, at) + 1):
            return True
        end = source.find(newline, at)
        if end == -1:
            return False
        at = source.find(word, end)
    return False
