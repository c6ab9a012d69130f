"""The text prefilter: does a file import a module that some schema describes?

A file without such an import cannot produce a finding, so it is never parsed.
This runs on every file of a tree, most of which import no client library, so
it is built for speed: the fast `find` of the words `import` and `from` picks
the candidate lines, and an anchored regex reads only those lines.  (A regex
with a multi-line `^` over the whole file was 3.5x slower.)  It works on text
and on undecoded bytes alike: PEP 263 encodings are ASCII-compatible.
"""

from __future__ import annotations

import re
from typing import AnyStr, Iterable


class ImportPrefilter:
    def __init__(self, modules: Iterable[str]):
        names = "|".join(sorted(map(re.escape, modules)))
        statement = rf"[ \t]*(?:from[ \t]+(?:{names})\b|import[ \t]+[^\r\n#]*?\b(?:{names})\b)"
        # An optional UTF-8 byte order mark may open the file.
        self._text = re.compile("(?:\ufeff)?" + statement)
        self._bytes = re.compile((r"(?:\xef\xbb\xbf)?" + statement).encode("ascii"))

    def matches(self, source: str | bytes) -> bool:
        if isinstance(source, str):
            pattern, newline, cr, words = self._text, "\n", "\r", ("import", "from")
        else:
            pattern, newline, cr, words = self._bytes, b"\n", b"\r", (b"import", b"from")
        if cr in source and newline not in source:
            source = source.replace(cr, newline)  # CR-only line breaks (old Mac files)
        return any(_some_line_matches(source, word, pattern, newline) for word in words)


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
