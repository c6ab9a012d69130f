"""The text prefilter: does a file import a module that some schema describes?

A file without such an import cannot produce a finding, so it is never parsed.
This runs on every file of a tree, most of which import no client library, so
it is built for speed: the fast `find` of the words `import` and `from` picks
the candidate lines, and an anchored regex reads only those lines.  (A regex
with a multi-line `^` over the whole file was 3.5x slower.)  It works on text
and on undecoded bytes alike: PEP 263 encodings are ASCII-compatible.

The two forms are told apart: `from redis import Redis` binds a schema name
directly, while after a plain `import socket` code can reach a schema class
only through an attribute (`socket.socket`), which the engine's second test
(`relevance.RelevanceTest.mentioned_in`) looks for.
"""

from __future__ import annotations

import re
from typing import AnyStr, Iterable


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
        self._from = _Form("from", from_form)
        self._import = _Form("import", import_form)

    def imports_plainly(self, source: str | bytes) -> bool:
        """Whether `source` has an `import <schema module>` statement."""
        return self._import.found_in(_line_breaks_normalised(source))

    def imports_from(self, source: str | bytes) -> bool:
        """Whether `source` has a `from <schema module> import ...` statement."""
        return self._from.found_in(_line_breaks_normalised(source))


class _Form:
    """One import form: the word that starts its lines' scan, and the line pattern."""

    def __init__(self, word: str, pattern: str):
        self._text = (word, re.compile(pattern))
        self._bytes = (word.encode("ascii"), re.compile(pattern.replace(r"\ufeff", r"\xef\xbb\xbf").encode("ascii")))

    def found_in(self, source: str | bytes) -> bool:
        word, pattern = self._text if isinstance(source, str) else self._bytes
        return _some_line_matches(source, word, pattern, "\n" if isinstance(source, str) else b"\n")


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
