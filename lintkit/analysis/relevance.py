"""Which function bodies the reporting pass of the analysis can skip.

A function body can produce an event only when it mentions something a rule
looks at: an attribute named like a schema class or factory (`.Connection(`,
`.socket(`) or like a method some rule watches (`.setsockopt(`), a keyword some
rule watches (`socket_options=`), `setattr`, or a name that the scopes around
it bind to a client object, a schema class or factory, or a local subclass of
one (`conn`, `Redis`, `MyConnection`), including `self.<attr>` attributes known
to hold one.  A regex over the function's own source lines answers that about
ten times faster than walking its syntax tree, and most functions of a file
that imports `socket` never touch a socket.  The test may say "relevant" too
often (a word in a comment), never too rarely; where the source cannot be
trusted to spell every name as the tree does (non-ASCII text, whose
identifiers Python normalises; legacy code the tolerant parser rewrote) it
always says "relevant".
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from itertools import accumulate
from typing import Iterable

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: The dotted chain that ends right before an attribute (`http.client` before `.HTTPConnection`),
#: its first name captured; spaces and line continuations may surround the dots.
_CHAIN_BEFORE = re.compile(r"(?<![\w.])(\w+)(?:[\s\\]*\.[\s\\]*\w+)*[\s\\]*\Z")
_CHAIN_BEFORE_BYTES = re.compile(_CHAIN_BEFORE.pattern.encode("ascii"))
#: How far back the chain is looked for.
_CHAIN_REACH = 200


class RelevanceTest:
    """The words that make any function relevant, for one schema set and rule selection."""

    def __init__(self, attribute_words: Iterable[str], plain_words: Iterable[str], method_words: Iterable[str] = (),
                 keyword_words: Iterable[str] = ()):
        attributes = "|".join(sorted(map(re.escape, set(attribute_words))))
        self.method_words = frozenset(method_words)
        methods = "|".join(sorted(map(re.escape, self.method_words)))
        self._method = re.compile(rf"\.[\s\\]*(?:{methods})(?!\w)") if methods else None
        self._method_bytes = _as_bytes(self._method)
        self._keyword = _words_pattern(frozenset(keyword_words))
        self._keyword_bytes = _as_bytes(self._keyword)
        # Patterns that open with literal text: a leading \b makes the regex engine try
        # every position of the text, about ten times slower.
        self._attribute = re.compile(rf"\.[\s\\]*(?:{attributes})(?!\w)") if attributes else None
        self._plain = _words_pattern(frozenset(plain_words))
        self._attribute_bytes = _as_bytes(self._attribute)
        self._plain_bytes = _as_bytes(self._plain)

    def mentioned_in(self, source: str | bytes) -> bool:
        """Whether a whole file, text or undecoded bytes, mentions a static word.

        A file that imports schema modules only in the plain form (`import socket`)
        reaches their classes and factories only through attributes: without a
        static word it cannot produce an event, and is not even parsed."""
        return not source.isascii() or self.static_match(source, 0, len(source))

    def mentioned_through(self, source: str | bytes, modules: frozenset[str] | None) -> bool:
        """Whether a file that imports schema modules plainly (`import socket`, `import http.client
        as hc`), binding the names `modules`, can reach one of their classes or factories: it
        names one through a module (`socket.socket`, `hc.HTTPConnection`,
        `paramiko.client.SSHClient`), calls a method that is a finding on any object
        (`.setsockopt(`), or passes a watched keyword (`socket_options=`).  A class or factory
        name after any other object (`loop.create_connection`, `self.socket`, a full stop in a
        docstring) cannot come from the import, nor can a setter (`.set_keepalive(`) or
        `setattr()` act on a client the file never makes.  `modules` None (an import lintkit did not read whole): any attribute
        counts, as `mentioned_in` does."""
        if modules is None:
            return self.mentioned_in(source)
        if not modules:
            return False
        if not source.isascii():
            return True
        text = isinstance(source, str)
        keyword = self._keyword if text else self._keyword_bytes
        method = self._method if text else self._method_bytes
        if (keyword is not None and _find_word(keyword, source, 0, len(source))) or \
                (method is not None and method.search(source) is not None):
            return True
        attribute = self._attribute if text else self._attribute_bytes
        if attribute is None:
            return False
        chain = _CHAIN_BEFORE if text else _CHAIN_BEFORE_BYTES
        wanted = modules if text else {name.encode("ascii") for name in modules}
        for match in attribute.finditer(source):  # `.socket`: is the chain before it `socket.`?
            start = match.start()
            before = chain.search(source, max(0, start - _CHAIN_REACH), start)
            if before is not None and before.group(1) in wanted:
                return True
        return False

    def source(self, text: str | None) -> SourceSegments | None:
        """A searchable view of one file, or None when its text cannot be trusted."""
        if text is None or not text.isascii():
            return None
        return SourceSegments(text, self)

    def static_match(self, text: str | bytes, start: int, end: int) -> bool:
        attribute, plain = (self._attribute, self._plain) if isinstance(text, str) else \
            (self._attribute_bytes, self._plain_bytes)
        return (attribute is not None and attribute.search(text, start, end) is not None) or \
            (plain is not None and _find_word(plain, text, start, end))


class SourceSegments:
    def __init__(self, text: str, test: RelevanceTest):
        self._text = text
        self._test = test
        self._line_starts = _line_starts(text)

    def mentions(self, node: ast.AST, names: Iterable[str]) -> bool:
        """Whether the source lines of `node` contain a static word or one of `names`."""
        starts, text = self._line_starts, self._text
        start = starts[node.lineno - 1]
        end = starts[node.end_lineno] if node.end_lineno < len(starts) else len(text)
        return self._test.static_match(text, start, end) or \
            any(_find_word(_words_pattern((name,)), text, start, end) for name in names)


def _line_starts(text: str) -> list[int]:
    """The offset of each line of the text (lines end at \\r\\n, \\r or \\n)."""
    if "\r" in text:
        return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
    # Splitting is four times faster than the regex: most files have no \r.
    return list(accumulate([len(line) + 1 for line in text.split("\n")[:-1]], initial=0))


def _as_bytes(pattern: re.Pattern[str] | None) -> re.Pattern[bytes] | None:
    return re.compile(pattern.pattern.encode("ascii")) if pattern is not None else None


@lru_cache(maxsize=4096)
def _words_pattern(words: frozenset[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of `words`, not followed by a word character (see `_find_word` for the start)."""
    words = sorted(set(words))
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?!\w)") if words else None


def _find_word(pattern: re.Pattern, text: str | bytes, start: int, end: int) -> bool:
    """Whether `pattern` matches in text[start:end] as a whole word."""
    while True:
        match = pattern.search(text, start, end)
        if match is None:
            return False
        at = match.start()
        before = text[at - 1:at]  # a slice: the same for str and bytes
        if not (before.isalnum() or before in ("_", b"_")):
            return True
        start = at + 1
