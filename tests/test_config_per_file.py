"""Each file is judged under its closest configuration, the same in `lintkit check`,
`lintkit fix`, the codemod and flake8 (run as subprocesses, as users run them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

ACME_SCHEMA = """format = 1
[library]
name = "acme"
distribution = "acme"
version = "1"
source = "test"
[[class]]
name = "acme.Client"
attributes = ["endpoint"]
"""
# LK205 with max-idle-seconds 60 (not with the default 240), LK101 twice, LK204 once.
APP = ('import qpid.messaging\n'
       'slow = qpid.messaging.Connection("b", heartbeat=120)\n'
       'conn = qpid.messaging.Connection("b", heartbeat=30)\n'
       'conn.hearbeat = 1\n'
       'other = qpid.messaging.Connection("b")\n')
ACME = 'import acme\nc = acme.Client()\nc.endpiont = 1\n'


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True, cwd=cwd)


def findings(completed: subprocess.CompletedProcess, cwd: Path) -> list[str]:
    """`path:line:col: CODE` of each finding, paths relative to `cwd`, sorted."""
    result = []
    for line in completed.stdout.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[3].strip()[:2] == "LK":
            path = Path(parts[0])
            path = path.resolve().relative_to(cwd.resolve()) if path.is_absolute() else Path(path.as_posix().removeprefix("./"))
            result.append(f"{path.as_posix()}:{parts[1]}:{parts[2]}: {parts[3].split()[0]}")
    return sorted(result)


def two_services(tmp_path: Path) -> Path:
    """svc_a: max-idle-seconds 60, ignores LK204; svc_b: lintkit.toml ignoring LK101 in legacy/."""
    for name in ("svc_a", "svc_b"):
        (tmp_path / name / "legacy").mkdir(parents=True)
        (tmp_path / name / "app.py").write_text(APP)
        (tmp_path / name / "legacy" / "old.py").write_text(APP)
    (tmp_path / "svc_a" / "pyproject.toml").write_text(
        '[project]\nname = "a"\n[tool.lintkit]\nmax-idle-seconds = 60\nignore = ["LK204"]\n')
    (tmp_path / "svc_b" / "lintkit.toml").write_text('[per-file-ignores]\n"legacy/" = ["LK101"]\n')
    return tmp_path


SVC_A = ["svc_a/app.py:2:49: LK205", "svc_a/app.py:4:6: LK101",
         "svc_a/legacy/old.py:2:49: LK205", "svc_a/legacy/old.py:4:6: LK101"]
SVC_B = ["svc_b/app.py:4:6: LK101", "svc_b/app.py:5:9: LK204", "svc_b/legacy/old.py:5:9: LK204"]


def test_each_service_by_its_own_configuration_in_either_order(tmp_path: Path) -> None:
    root = two_services(tmp_path)
    forward = findings(run("lintkit", "check", "svc_a", "svc_b", cwd=root), root)
    backward = findings(run("lintkit", "check", "svc_b", "svc_a", cwd=root), root)
    assert forward == backward == sorted(SVC_A + SVC_B)


def test_monorepo_root_honours_subproject_configurations(tmp_path: Path) -> None:
    root = two_services(tmp_path)
    (root / "pyproject.toml").write_text('[tool.lintkit]\nextend-exclude = ["vendored/"]\nignore = ["LK101"]\n')
    (root / "top.py").write_text(APP)
    (root / "vendored").mkdir()
    (root / "vendored" / "lib.py").write_text(APP)
    # The root's settings govern its own files and what the walk enters below it (vendored/ is
    # excluded); the closest configuration, not the root's, governs a subproject's files (as in ruff).
    expected = sorted(["top.py:5:9: LK204"] + SVC_A + SVC_B)
    assert findings(run("lintkit", "check", cwd=root), root) == expected
    assert findings(run("lintkit", "check", ".", "-j", "2", cwd=root), root) == expected
    # Files named one by one (as pre-commit passes them) get the same settings.
    named = ["top.py", "svc_b/legacy/old.py", "svc_a/legacy/old.py", "svc_a/app.py", "svc_b/app.py"]
    assert findings(run("lintkit", "check", "--force-exclude", *named, "vendored/lib.py", cwd=root), root) == expected
    # --config overrides them all; --isolated ignores them all.
    overridden = findings(run("lintkit", "check", "--config", "svc_a/pyproject.toml", "svc_b", cwd=root), root)
    assert overridden == [f.replace("svc_a", "svc_b") for f in SVC_A]
    isolated = findings(run("lintkit", "check", "--isolated", "svc_a", cwd=root), root)
    assert isolated == sorted(SVC_A[1::2] + ["svc_a/app.py:5:9: LK204", "svc_a/legacy/old.py:5:9: LK204"])


def test_fix_uses_each_files_configuration(tmp_path: Path) -> None:
    root = two_services(tmp_path)
    completed = run("lintkit", "fix", "svc_b", "svc_a", cwd=root)
    assert completed.returncode == 1, completed.stderr
    assert "conn.heartbeat = 1" in (root / "svc_a" / "legacy" / "old.py").read_text()
    # svc_b ignores LK101 in legacy/: its fix is not applied there, and is elsewhere.
    assert "conn.hearbeat = 1" in (root / "svc_b" / "legacy" / "old.py").read_text()
    assert "conn.heartbeat = 1" in (root / "svc_b" / "app.py").read_text()


def test_codemod_uses_each_files_configuration(tmp_path: Path) -> None:
    root = two_services(tmp_path)
    completed = run("libcst.tool", "codemod", "--no-format", "-x", "lintkit.codemod.LintkitFixCommand",
                    "svc_b", "svc_a", cwd=root)
    assert completed.returncode == 0, completed.stderr
    assert "conn.heartbeat = 1" in (root / "svc_a" / "legacy" / "old.py").read_text()
    assert "conn.hearbeat = 1" in (root / "svc_b" / "legacy" / "old.py").read_text()


# --------------------------------------------------------------------------- flake8


def configured_project(tmp_path: Path) -> Path:
    """max-idle-seconds, ignore, per-file-ignores and extend-schemas in [tool.lintkit]."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "acme.toml").write_text(ACME_SCHEMA)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lintkit]\nmax-idle-seconds = 60\nignore = ["LK204"]\nextend-schemas = ["schemas/"]\n'
        '[tool.lintkit.per-file-ignores]\n"legacy/" = ["LK101"]\n')
    (tmp_path / "legacy").mkdir()
    for path in ("app.py", "legacy/old.py"):
        (tmp_path / path).write_text(APP)
    (tmp_path / "client.py").write_text(ACME)
    return tmp_path


def test_flake8_reads_the_projects_configuration(tmp_path: Path) -> None:
    root = configured_project(tmp_path)
    cli = findings(run("lintkit", "check", cwd=root), root)
    assert cli == ["app.py:2:49: LK205", "app.py:4:6: LK101", "client.py:3:3: LK101", "legacy/old.py:2:49: LK205"]
    flake8 = run("flake8", "--select", "LK", ".", cwd=root)
    assert findings(flake8, root) == cli, flake8.stderr
    # The same messages, with the configured max-idle-seconds in them.
    assert "(idle limit 60 s)" in flake8.stdout
    # From another directory, too: each file's closest configuration, not the working directory's.
    assert findings(run("flake8", "--select", "LK", root.name, cwd=root.parent), root.parent) == \
        [f"{root.name}/{f}" for f in cli]


def test_flake8_options_win_over_the_configuration(tmp_path: Path) -> None:
    root = configured_project(tmp_path)
    completed = run("flake8", "--select", "LK", "--lintkit-max-idle-seconds=240", "app.py", cwd=root)
    assert findings(completed, root) == ["app.py:4:6: LK101"]
    (root / ".flake8").write_text("[flake8]\nlintkit-max-idle-seconds = 240\n")
    assert findings(run("flake8", "--select", "LK", "app.py", cwd=root), root) == ["app.py:4:6: LK101"]


def test_flake8_honours_file_level_lintkit_noqa(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("# lintkit: noqa: LK101\n" + APP)
    (tmp_path / "all.py").write_text("# lintkit: noqa\n" + APP)
    completed = run("flake8", "--select", "LK", "--lintkit-max-idle-seconds=60", ".", cwd=tmp_path)
    assert findings(completed, tmp_path) == ["app.py:3:49: LK205", "app.py:6:9: LK204"]
    assert findings(completed, tmp_path) == findings(
        run("lintkit", "check", "--max-idle-seconds=60", ".", cwd=tmp_path), tmp_path)
    disabled = run("flake8", "--select", "LK", "--disable-noqa", "app.py", cwd=tmp_path)
    assert "app.py:5:6: LK101" in disabled.stdout


def test_flake8_option_error_names_the_flake8_option(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    completed = run("flake8", "--lintkit-max-idle-seconds=0", "app.py", cwd=tmp_path)
    assert completed.returncode != 0
    assert "--lintkit-max-idle-seconds: must be positive, got 0" in completed.stderr
    assert " --max-idle-seconds" not in completed.stderr


def test_flake8_malformed_subproject_configuration_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "pyproject.toml").write_text('[tool.lintkit]\nmax-idle-seconds = "x"\n')
    (tmp_path / "svc" / "app.py").write_text(APP)
    completed = run("flake8", "--select", "LK", "svc", cwd=tmp_path)
    assert completed.returncode == 1
    assert "max-idle-seconds: expected an integer number of seconds, got string 'x'" in completed.stdout
    assert "Traceback" not in completed.stdout + completed.stderr


def test_resolver_caches_per_directory_and_config(tmp_path: Path) -> None:
    from lintkit.frontends.resolver import SettingsResolver

    root = two_services(tmp_path)
    resolver = SettingsResolver(overrides={"strict": True})
    a = resolver.for_file(root / "svc_a" / "legacy" / "old.py")
    assert a is resolver.for_file(root / "svc_a" / "app.py") is resolver.for_directory(str(root / "svc_a"))
    assert a.max_idle_seconds == 60 and a.strict and a.root == root / "svc_a"
    b = resolver.for_file(root / "svc_b" / "app.py")
    assert b.max_idle_seconds == 240 and b.source == root / "svc_b" / "lintkit.toml" and b.strict
    fixed = SettingsResolver(config=root / "svc_a" / "pyproject.toml")
    assert fixed.for_file(root / "svc_b" / "app.py").max_idle_seconds == 60
    assert SettingsResolver(isolated=True).for_file(root / "svc_a" / "app.py").max_idle_seconds == 240


def test_flake8_select_e999_fails_on_python2_code() -> None:
    example = ROOT / "examples" / "qpid_driver.py"
    lk_only = run("flake8", "--select", "LK", str(example), cwd=ROOT)
    assert lk_only.returncode == 0 and lk_only.stdout == ""  # the README's warning: nothing is checked
    recommended = run("flake8", "--select", "E999,LK", str(example), cwd=ROOT)
    assert recommended.returncode == 1
    assert " E999 SyntaxError" in recommended.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "flake8 --select E999,LK src/" in readme and "flake8 --select LK src/" not in readme


PATTERNS = ["test/", "tests/", "testing/", "t/", "conftest.py", "test_*.py", "*_test.py", "tests.py",
            "tests.py  ", "/app", "/app/", "app/db", "app/db/", "**/db", "db/**", "app/**/db.py", "**", "*",
            "*.py", "a?c.py", "legacy/", "svc_b/legacy/", "old.py", "[ab].py", "\\*.py", "#comment", "",
            ".venv/", "./app", "app/./db.py", "*/db.py", "app*", "*db*", "x/y/z/"]
PATHS = ["app/db.py", "app/db/conn.py", "db.py", "a/b/c.py", "abc.py", "a.py", "tests/test_x.py",
         "src/pkg/t/x.py", "t.py", "lib/python3.11/ftplib.py", "svc_b/legacy/old.py", "legacy_old.py",
         "x/y/z/w.py", "conftest.py", "pkg/conftest.py", "my_test.py", "testing.py", "app", ".venv/x.py",
         "*.py", "#comment"]


def test_a_path_ignore_pattern_is_matched_by_pathspec_only_when_it_may_match() -> None:
    """config._may_match is False only where pathspec does not match: it spares pathspec
    (and its import) without changing any answer."""
    import pathspec

    from lintkit.frontends.config import _may_match

    spared = 0
    for pattern in PATTERNS:
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        for path in PATHS:
            if spec.match_file(path):
                assert _may_match(pattern, path), (pattern, path)
            spared += not _may_match(pattern, path)
    assert spared > len(PATTERNS) * len(PATHS) // 2


def test_findings_outside_test_code_need_no_pathspec(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(APP)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(APP)
    code = ("import sys\n"
            "from lintkit.frontends.config import Settings\n"
            "from pathlib import Path\n"
            "settings = Settings(root=Path.cwd())\n"
            "print(settings.enabled_for('app/main.py'), 'pathspec' in sys.modules)\n"
            "print(settings.enabled_for('tests/test_app.py'), 'pathspec' in sys.modules)\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["(None, ()) False", f"(None, {_lk2_codes()!r}) True"]


def _lk2_codes() -> tuple[str, ...]:
    from lintkit.checks import CHECKS_BY_CODE

    return ("LK2", *sorted(code for code in CHECKS_BY_CODE if code.startswith("LK2")))
