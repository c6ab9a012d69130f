"""Concise messages stay one short line; the why goes to the explanation (issue 10, item 14).

The concise output and flake8 print `message`: one sentence with what is wrong and what to
change.  The consequences (idle timeouts, OS defaults, version notes) go to `explanation`,
which `--output-format full`, json and sarif show.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from fixtures_support import all_fixtures
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file

ROOT = Path(__file__).parent.parent
#: The longest concise message (a long class or variable name may push one past ~120).
MESSAGE_CAP = 160


@lru_cache(maxsize=None)
def _engine(schemas: tuple[str, ...], select: tuple[str, ...] | None) -> Engine:
    return Engine(load_schema_set(schemas), select)


@lru_cache(maxsize=1)
def fixture_findings() -> list[tuple[str, object]]:
    found = []
    for fixture in all_fixtures():
        result = check_file(_engine(tuple(map(str, fixture.schemas)), fixture.select), str(fixture.path))
        assert result.error is None, result.error
        found.extend((f"{fixture.id}:{f.line}", f) for f in result.findings)
    assert len(found) > 500  # every fixture ran
    return found


def test_no_concise_message_exceeds_the_cap() -> None:
    long = [f"{where}: {len(f.message)}: {f.code} {f.message}" for where, f in fixture_findings()
            if len(f.message) > MESSAGE_CAP]
    assert not long, "\n".join(long)


def test_every_liveness_finding_explains_why() -> None:
    unexplained = [f"{where}: {f.code} {f.message}" for where, f in fixture_findings()
                   if f.code.startswith("LK2") and not f.explanation.strip()]
    assert not unexplained, "\n".join(unexplained)


def test_the_explanation_does_not_repeat_in_the_message() -> None:
    """The idle-timeout paragraph that used to end every LK2xx message lives in the explanation only."""
    repeated = [f"{where}: {f.code} {f.message}" for where, f in fixture_findings()
                if re.search(r"Azure|AWS|NAT gateway|7200 s \(macOS", f.message)]
    assert not repeated, "\n".join(repeated)


@pytest.mark.parametrize("code", ["LK101", "LK102", "LK104", "LK201", "LK202", "LK203", "LK204", "LK205", "LK206",
                                  "LK207"])
def test_typical_messages_are_short(code: str) -> None:
    lengths = sorted(len(f.message) for _, f in fixture_findings() if f.code == code)
    assert lengths, f"no {code} finding in the fixtures"
    assert lengths[len(lengths) // 2] <= 140, f"{code}: median {lengths[len(lengths) // 2]} characters"


def _console_blocks(path: Path) -> list[tuple[list[str], list[str]]]:
    """(command argv, shown output lines) of each `$ lintkit ...` in the ```console blocks of a doc."""
    runs = []
    for block in re.findall(r"```console\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL):
        for part in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, *output = part.rstrip("\n").split("\n")
            runs.append((command.split(), [line for line in output if line != "..."]))
    return runs


@pytest.mark.parametrize("doc", ["README.md", "docs/usage.md"])
def test_documented_output_is_what_lintkit_prints(doc: str) -> None:
    runs = _console_blocks(ROOT / doc)
    assert runs, f"no sample output in {doc}"
    for (program, *argv), shown in runs:
        assert program == "lintkit"
        completed = subprocess.run([sys.executable, "-m", "lintkit", *argv], capture_output=True, text=True,
                                   cwd=ROOT, env=dict(os.environ, NO_COLOR="1"))
        printed = completed.stdout.splitlines()
        missing = [line for line in shown if line not in printed]
        assert not missing, f"{doc}: `lintkit {' '.join(argv)}` does not print:\n" + "\n".join(missing)
