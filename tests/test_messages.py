"""Concise messages stay one short line; the why goes to the explanation (issue 10, item 14).

The concise output and flake8 print `message`: one sentence with what is wrong and what to
change.  The consequences (idle timeouts, OS defaults, version notes) go to `explanation`,
which `--output-format full`, json and sarif show.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from fixtures_support import all_fixtures
from lintkit.engine import Engine
from lintkit.registry import load_schema_set
from lintkit.runner import check_file

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


@pytest.mark.parametrize("code", ["LK101", "LK102", "LK104", "LK201", "LK202", "LK203", "LK204", "LK205", "LK206"])
def test_typical_messages_are_short(code: str) -> None:
    lengths = sorted(len(f.message) for _, f in fixture_findings() if f.code == code)
    assert lengths, f"no {code} finding in the fixtures"
    assert lengths[len(lengths) // 2] <= 140, f"{code}: median {lengths[len(lengths) // 2]} characters"
