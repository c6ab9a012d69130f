"""What the LK2xx rules judge at all: short-lived connections (`strict` brings them back) and
test code (`test-code-paths`, `test-code-ignore`), the same in every front end."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_support import FIXTURES, Fixture, all_fixtures
from lintkit.checks.base import RuleOptions
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file

#: `# strict: [LK204]`: a finding only `strict` reports (a short-lived connection or socket).
STRICT_MARKER = re.compile(r"#\s*strict:\s*\[(?P<codes>LK\d{3}(?:\s*,\s*LK\d{3})*)\]")
STRICT_FIXTURES = [f for f in all_fixtures() if STRICT_MARKER.search(f.path.read_bytes().decode("latin-1"))]


def strict_markers(fixture: Fixture) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(fixture.path.read_bytes().decode("latin-1").splitlines(), 1):
        for match in STRICT_MARKER.finditer(line):
            found.update((number, code) for code in re.split(r"\s*,\s*", match.group("codes")))
    return found


def findings(fixture: Fixture, options: RuleOptions) -> set[tuple[int, str]]:
    engine = Engine(load_schema_set(tuple(map(str, fixture.schemas))), fixture.select, options=options)
    result = check_file(engine, str(fixture.path))
    assert result.error is None, result.error
    return {(f.line, f.code) for f in result.findings}


def test_strict_fixtures_cover_every_rule_that_asks_about_lifetime() -> None:
    assert {f.select[0] for f in STRICT_FIXTURES if f.select} >= {"LK201", "LK202", "LK203", "LK204", "LK205"}


@pytest.mark.parametrize("fixture", STRICT_FIXTURES, ids=[f.id for f in STRICT_FIXTURES])
def test_strict_reports_the_short_lived_ones_too(fixture: Fixture) -> None:
    markers = strict_markers(fixture)
    assert markers and not markers & fixture.markers()
    assert findings(fixture, RuleOptions()) == fixture.markers()
    assert findings(fixture, RuleOptions(strict=True)) == fixture.markers() | markers


@pytest.mark.parametrize("fixture", STRICT_FIXTURES, ids=[f.id for f in STRICT_FIXTURES])
def test_lifetime_under_the_default_selection(fixture: Fixture) -> None:
    engine = Engine(load_schema_set(tuple(map(str, fixture.schemas))))
    reported = {(f.line, f.code) for f in check_file(engine, str(fixture.path)).findings}
    assert {item for item in reported if item[1] == fixture.select[0]} == fixture.markers()


def test_a_with_block_at_module_level_is_short_lived_not_a_global() -> None:
    fixture = Fixture(FIXTURES / "LK201" / "lifetime.py")
    engine = Engine(load_schema_set(()), ("LK201",), options=RuleOptions(strict=True))
    messages = {f.line: f.message for f in check_file(engine, str(fixture.path)).findings}
    assert "it is short-lived" in messages[4] and "it is short-lived" in messages[7]
    assert "it is a module global" in messages[10]


# --------------------------------------------------------------------------- test code inside a file

SCOPES = Fixture(FIXTURES / "test_code" / "scopes.py")


def test_test_scopes_silence_only_the_test_code_ignore_rules() -> None:
    judged = findings(SCOPES, RuleOptions(test_code_ignore=()))
    quiet = judged - findings(SCOPES, RuleOptions())
    # setup_method of Test*, setUp and a helper of TestCase subclasses (also through `base.*TestCase`),
    # test_* functions (async too), pytest fixtures in three spellings, calls given a mock.
    assert quiet == {(16, "LK204"), (22, "LK201"), (25, "LK203"), (30, "LK205"), (34, "LK204"), (39, "LK204"),
                     (44, "LK204"), (50, "LK204"), (55, "LK201"), (58, "LK204"), (59, "LK204"), (67, "LK204"),
                     (77, "LK204"), (82, "LK204")}
    assert not any(code.startswith("LK1") for _, code in quiet)  # typos still count in tests
    narrower = findings(SCOPES, RuleOptions(test_code_ignore=("LK204",)))
    assert judged - narrower == {item for item in quiet if item[1] == "LK204"}


# --------------------------------------------------------------------------- test code by path, per front end

APP = 'import qpid.messaging\nconn = qpid.messaging.Connection("broker.example.com")\nconn.reconect = True\n'


def project(root: Path, config: str = "") -> Path:
    for path in ("app.py", "tests/test_app.py", "qa/check.py", "pkg/conftest.py"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(APP)
    if config:
        (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n[tool.lintkit]\n{config}")
    return root


def run(argv: list[str], cwd: Path) -> list[tuple[str, str]]:
    completed = subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True, cwd=cwd)
    assert completed.returncode in (0, 1), completed.stderr
    found = re.findall(r"^\.?/?(\S+?\.py):\d+:\d+: (LK\d{3})", completed.stdout, re.MULTILINE)
    return sorted(set(found))


EVERYWHERE = [(path, code) for path in ("app.py", "pkg/conftest.py", "qa/check.py", "tests/test_app.py")
              for code in ("LK101", "LK204")]


def default_policy(paths: tuple[str, ...] = ("pkg/conftest.py", "tests/test_app.py")) -> list[tuple[str, str]]:
    return [(path, code) for path, code in EVERYWHERE if code == "LK101" or path not in paths]


def test_cli_default_policy(tmp_path: Path) -> None:
    assert run(["lintkit", "check", "."], project(tmp_path)) == default_policy()


def test_cli_reads_the_keys_from_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, 'test-code-paths = ["qa/"]\n')
    assert run(["lintkit", "check", "."], root) == default_policy(("qa/check.py",))
    (root / "pyproject.toml").write_text("[tool.lintkit]\ntest-code-ignore = []\n")
    assert run(["lintkit", "check", "."], root) == EVERYWHERE
    (root / "pyproject.toml").write_text('[tool.lintkit]\ntest-code-ignore = ["LK1", "LK2"]\n')
    assert run(["lintkit", "check", "."], root) == [(path, code) for path, code in EVERYWHERE
                                                    if path in ("app.py", "qa/check.py")]


def test_flake8_default_policy_and_options(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run(["flake8", "--select", "LK", "."], root) == default_policy()
    assert run(["flake8", "--select", "LK", "--lintkit-test-code-paths=qa/", "."], root) == \
        default_policy(("qa/check.py",))
    (root / ".flake8").write_text("[flake8]\nlintkit-test-code-ignore =\n")
    assert run(["flake8", "--select", "LK", "."], root) == EVERYWHERE


def test_fixer_leaves_test_code_alone(tmp_path: Path) -> None:
    root = project(tmp_path)
    completed = subprocess.run([sys.executable, "-m", "lintkit", "fix", "--unsafe-fixes", "."], capture_output=True,
                               text=True, cwd=root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for path in ("app.py", "qa/check.py"):
        assert 'Connection("broker.example.com", heartbeat=30)' in (root / path).read_text(), path
    for path in ("tests/test_app.py", "pkg/conftest.py"):  # the typo is fixed, no heartbeat is added
        assert (root / path).read_text() == APP.replace("reconect", "reconnect"), path


def test_codemod_leaves_test_code_alone(tmp_path: Path) -> None:
    root = project(tmp_path, 'test-code-paths = ["qa/"]\n')
    completed = subprocess.run([sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "-x",
                                "lintkit.codemod.LintkitFixCommand", "--unsafe-fixes", "app.py", "qa/check.py"],
                               capture_output=True, text=True, cwd=root)
    assert completed.returncode == 0, completed.stderr
    assert "heartbeat=30" in (root / "app.py").read_text()
    assert (root / "qa/check.py").read_text() == APP.replace("reconect", "reconnect")
