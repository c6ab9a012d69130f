"""Every fixture through the engine, the `lintkit check` CLI and the real flake8."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

import pytest

from fixtures_support import FIXTURES, Fixture, all_fixtures, format_findings, parse_tool_output
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file
from lintkit.engine import Engine

FIXTURE_LIST = all_fixtures()
IDS = [f.id for f in FIXTURE_LIST]


@lru_cache(maxsize=None)
def engine_for(schemas: tuple[str, ...], select: tuple[str, ...] | None = None) -> Engine:
    return Engine(load_schema_set(schemas), select)


def engine_output(fixture: Fixture) -> str:
    engine = engine_for(tuple(map(str, fixture.schemas)), fixture.select)
    result = check_file(engine, str(fixture.path))
    assert result.error is None, result.error
    return format_findings(result.findings)


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=IDS)
def test_markers_match_findings(fixture: Fixture) -> None:
    engine = engine_for(tuple(map(str, fixture.schemas)), fixture.select)
    result = check_file(engine, str(fixture.path))
    assert result.error is None, result.error
    reported = {(f.line, f.code) for f in result.findings}
    assert reported == fixture.markers(), (
        f"reported but not marked: {sorted(reported - fixture.markers())}; "
        f"marked but not reported: {sorted(fixture.markers() - reported)}"
    )


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=IDS)
def test_expected_output(fixture: Fixture, request: pytest.FixtureRequest) -> None:
    actual = engine_output(fixture)
    if request.config.getoption("--update-fixtures"):
        fixture.expected_path.write_text(actual, encoding="utf-8")
    assert fixture.expected_path.exists(), f"run pytest --update-fixtures to create {fixture.expected_path}"
    assert actual == fixture.expected_path.read_text(encoding="utf-8")


def _groups():
    """Fixture directories, each run once per tool (its schemas apply to all its files)."""
    directories = sorted({f.path.parent for f in FIXTURE_LIST})
    return [d for d in directories]


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    # The fixtures model application code: the tools run with tests/fixtures as the project
    # root, so the default test-code-paths (`tests/`) judge the paths below it, and do not match.
    return subprocess.run(argv, capture_output=True, text=True, cwd=FIXTURES)


@lru_cache(maxsize=None)
def flake8_output(directory) -> dict[str, list[str]]:
    schemas = sorted(directory.glob("*.toml"))
    select = Fixture(directory / "x.py").select
    argv = [sys.executable, "-m", "flake8", "--select", ",".join(select or ("LK",)) + ",E999", "--no-show-source",
            str(directory)]
    if schemas:
        argv.insert(3, "--lintkit-schemas=" + ",".join(map(str, schemas)))
    completed = _run(argv)
    assert completed.returncode in (0, 1), completed.stderr
    return parse_tool_output(completed.stdout, FIXTURES)


@lru_cache(maxsize=None)
def cli_output(directory) -> dict[str, list[str]]:
    argv = [sys.executable, "-m", "lintkit", "check", "--isolated", str(directory)]
    select = Fixture(directory / "x.py").select
    if select:
        argv += ["--select", ",".join(select)]
    for schema in sorted(directory.glob("*.toml")):
        argv += ["--schemas", str(schema)]
    completed = _run(argv)
    assert completed.returncode in (0, 1), completed.stderr
    return parse_tool_output(completed.stdout, FIXTURES)


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=IDS)
def test_cli_agrees(fixture: Fixture) -> None:
    lines = cli_output(fixture.path.parent).get(fixture.id, [])
    assert "".join(line + "\n" for line in lines) == engine_output(fixture)


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=IDS)
def test_flake8_agrees(fixture: Fixture) -> None:
    lines = flake8_output(fixture.path.parent).get(fixture.id, [])
    if fixture.legacy:
        # flake8 cannot parse Python 2 and runs no plugin on it: it reports E999 only.
        assert len(lines) == 1 and " E999 " in lines[0], lines
        return
    assert "".join(line + "\n" for line in lines) == engine_output(fixture)
