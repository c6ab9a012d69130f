"""Fixture files: hand-written markers say what fires; generated .expected say where and how.

Markers (pylint's grammar, with lintkit codes) at the end of a line:
    conn.hearbeat = 1  # [LK101]          a finding on this line
    call(  # +2: [LK102]                  a finding two lines below
A directory holding *.toml files passes them as extra schemas.  A directory named
after a rule (`LK201/`) is checked with that rule alone selected.
Files under `legacy/` are Python 2: flake8 reports E999 for them instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"#\s*(?:(?P<offset>[+-]\d+):\s*)?\[(?P<codes>LK\d{3}(?:\s*,\s*LK\d{3})*)\]")


@dataclass(frozen=True)
class Fixture:
    path: Path

    @property
    def id(self) -> str:
        return str(self.path.relative_to(FIXTURES))

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".expected")

    @property
    def schemas(self) -> list[Path]:
        return sorted(self.path.parent.glob("*.toml"))

    @property
    def select(self) -> tuple[str, ...] | None:
        """A directory named after a rule (`LK201/`) tests that rule alone; others test all."""
        name = self.path.relative_to(FIXTURES).parts[0]
        return (name,) if re.fullmatch(r"LK\d{3}", name) else None

    @property
    def legacy(self) -> bool:
        return self.path.parent.name == "legacy"

    def markers(self) -> set[tuple[int, str]]:
        found = set()
        text = self.path.read_bytes().decode("latin-1")
        for number, line in enumerate(text.splitlines(), 1):
            for match in MARKER.finditer(line):
                offset = int(match.group("offset") or 0)
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    found.add((number + offset, code))
        return found


def all_fixtures() -> list[Fixture]:
    # A fixture directory's setup.py is project metadata (pins read by lintkit), not a fixture.
    return [Fixture(p) for p in sorted(FIXTURES.rglob("*.py"))
            if not p.name.endswith(".fixed.py") and p.name != "setup.py"]


def format_findings(findings) -> str:
    return "".join(f"{f.line}:{f.col + 1}: {f.code} {f.message}\n" for f in findings)


def parse_tool_output(output: str, root: Path) -> dict[str, list[str]]:
    """`path:line:col: CODE message` lines grouped by fixture id."""
    grouped: dict[str, list[str]] = {}
    for line in output.splitlines():
        match = re.match(r"(.+?\.py):(\d+:\d+: .*)$", line)
        if match:
            key = str(Path(match.group(1)).resolve().relative_to(root.resolve()))
            # `[*]` (a fix is available) is the CLI's addition to flake8's format.
            finding = re.sub(r"^(\d+:\d+: LK\d{3}) \[\*\]", r"\1", match.group(2))
            grouped.setdefault(key, []).append(finding)
    return grouped
