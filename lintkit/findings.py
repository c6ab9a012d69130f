"""What every front end reports: a finding at a precise place in a file."""

from __future__ import annotations

from dataclasses import dataclass, field


SAFE, UNSAFE, DISPLAY_ONLY = "safe", "unsafe", "display-only"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text between two positions (1-based lines, 0-based character columns)."""

    line: int
    col: int
    end_line: int
    end_col: int
    content: str


@dataclass(frozen=True, order=True)
class Fix:
    """How to fix a finding.  `applicability` follows ruff: safe fixes keep the
    code's intent and are applied by `lintkit fix`; unsafe ones change run-time
    behaviour and need `--unsafe-fixes`; display-only ones are never applied."""

    applicability: str
    title: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, order=True)
class Finding:
    """One rule violation.

    `line` is 1-based; `col` is the 0-based character column (not the UTF-8
    byte offset that `ast` uses), so every front end can print `col + 1`.
    `message` is one short sentence with what to change (the concise output
    and flake8 print it); `explanation` says why it matters (`--output-format
    full`, json and sarif add it; `lintkit rule CODE` has the whole story).
    """

    line: int
    col: int
    code: str
    message: str
    end_line: int = 0
    end_col: int = 0
    fix: Fix | None = None
    explanation: str = field(default="", compare=False)

    def text(self) -> str:
        return f"{self.code} {self.message}"


@dataclass(frozen=True)
class FileError:
    """A file that could not be analysed (unreadable, undecodable, unparsable)."""

    message: str
    line: int = 1
    col: int = 0
