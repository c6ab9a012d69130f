"""`# noqa` exactly as flake8 reads it, for the front ends that are not flake8.

Under flake8 lintkit leaves `# noqa` and `# flake8: noqa` to flake8 itself (so
`--disable-noqa` keeps working); the CLI applies the same rules here.  The
file-level `# lintkit: noqa[: CODES]` is lintkit's own: the flake8 plugin
applies it through `file_level_codes`.
"""

from __future__ import annotations

import re
import tokenize

from .source import split_lines

# flake8.defaults.NOQA_INLINE_REGEXP and NOQA_FILE (flake8 7.x).
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE_FLAKE8 = re.compile(r"\s*# flake8[:=]\s*noqa", re.I)
NOQA_FILE_LINTKIT = re.compile(r"\s*# lintkit[:=]\s*noqa(?::\s?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.I)


_ANY_NOQA = re.compile("noqa", re.IGNORECASE)


def unsuppressed(findings: list, text: str) -> list:
    """The findings that no `# noqa` comment (line or file level) of `text` suppresses."""
    if not findings or _ANY_NOQA.search(text) is None:
        return findings  # no comment can suppress anything: skip tokenizing the file
    index = NoqaIndex(text)
    return [f for f in findings if not index.suppressed(f.code, f.line)]


def file_level_codes(lines) -> frozenset[str] | None:
    """The file-level exemption of these lines: None, none; an empty set, every code
    (`# lintkit: noqa`, `# flake8: noqa`); else the codes and prefixes of
    `# lintkit: noqa: CODES` lines."""
    codes: set[str] = set()
    for line in lines:
        if NOQA_FILE_FLAKE8.match(line):
            return frozenset()
        match = NOQA_FILE_LINTKIT.match(line)
        if match:
            if match.group("codes") is None:
                return frozenset()
            codes.update(_split(match.group("codes")))
    return frozenset(codes) if codes else None


class NoqaIndex:
    def __init__(self, text: str):
        self.lines = split_lines(text)
        self._mapping: dict[int, str] | None = None
        self.file_codes = self._file_level()

    def _file_level(self) -> frozenset[str] | None:
        return file_level_codes(self.lines)

    @property
    def mapping(self) -> dict[int, str]:
        # flake8.processor.FileProcessor._noqa_line_mapping
        if self._mapping is None:
            mapping: dict[int, str] = {}
            try:
                # tokenize knows \n only: give it the same lines with \n endings (CR-only files).
                normalised = [line.rstrip("\r\n") + "\n" for line in self.lines]
                tokens = list(tokenize.generate_tokens(iter(normalised).__next__))
            except (tokenize.TokenError, SyntaxError):
                tokens = []
            low, high = len(self.lines) + 2, -1
            for tok in tokens:
                if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                    continue
                low, high = min(low, tok.start[0]), max(high, tok.end[0])
                if tok.type in (tokenize.NL, tokenize.NEWLINE):
                    joined = "".join(self.lines[low - 1:high])
                    mapping.update(dict.fromkeys(range(low, high + 1), joined))
                    low, high = len(self.lines) + 2, -1
            self._mapping = mapping
        return self._mapping

    def suppressed(self, code: str, line: int) -> bool:
        if self.file_codes is not None and (not self.file_codes or _matches(code, self.file_codes)):
            return True
        physical = self.mapping.get(line)
        if physical is None and 0 < line <= len(self.lines):
            physical = self.lines[line - 1]
        if physical is None:
            return False
        match = NOQA_INLINE.search(physical)
        if match is None:
            return False
        codes = match.group("codes")
        return codes is None or _matches(code, set(_split(codes)))


def _split(codes: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,\s]", codes) if c.strip()]


def _matches(code: str, codes) -> bool:
    return code in codes or code.startswith(tuple(codes))
