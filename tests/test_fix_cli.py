"""`lintkit fix`, `check --fix`, `--diff` and stdin, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SEED = 'import qpid.messaging\nconn = qpid.messaging.Connection("b")\nconn.hearbeat = 1\nconn.heartbeat_interval = 2\n'
FIXED = SEED.replace("hearbeat", "heartbeat")


def lintkit(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lintkit", *args], capture_output=True, cwd=cwd, input=stdin)


def test_fix_writes_safe_fixes_and_reports_the_rest(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SEED)
    completed = lintkit("fix", ".", cwd=tmp_path)
    assert (tmp_path / "app.py").read_text() == FIXED
    assert completed.returncode == 1  # heartbeat_interval -> heartbeat is unsafe: it remains
    assert completed.stdout.decode().splitlines() == [
        "./app.py:4:6: LK101 'heartbeat_interval' is not an attribute of qpid.messaging.Connection; "
        "did you mean 'heartbeat'?"]
    assert completed.stderr.decode().splitlines()[0] == "Fixed 1 finding."


def test_unsafe_fixes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SEED)
    completed = lintkit("check", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert completed.returncode == 0
    assert (tmp_path / "app.py").read_text().splitlines()[-2:] == ["conn.heartbeat = 1", "conn.heartbeat = 2"]


def test_diff_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SEED)
    completed = lintkit("fix", "--diff", "app.py", cwd=tmp_path)
    assert completed.returncode == 1
    assert "-conn.hearbeat = 1\n+conn.heartbeat = 1\n" in completed.stdout.decode()
    assert (tmp_path / "app.py").read_text() == SEED
    (tmp_path / "app.py").write_text(FIXED)
    clean = lintkit("check", "--diff", "app.py", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, b"")


def test_stdin_writes_the_fixed_source_to_stdout(tmp_path: Path) -> None:
    completed = lintkit("fix", "-", "--stdin-filename", "app.py", cwd=tmp_path, stdin=SEED.encode())
    assert completed.stdout == FIXED.encode()
    assert b"heartbeat_interval" in completed.stderr
    assert completed.returncode == 1


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SEED)
    lintkit("fix", ".", cwd=tmp_path)
    before = (tmp_path / "app.py").stat().st_mtime_ns
    second = lintkit("fix", ".", cwd=tmp_path)
    assert b"Fixed" not in second.stderr
    assert (tmp_path / "app.py").stat().st_mtime_ns == before


def test_per_file_ignores_are_not_fixed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.lintkit.per-file-ignores]\n"legacy/" = ["LK101"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "app.py").write_text(SEED)
    (tmp_path / "app.py").write_text(SEED)
    lintkit("fix", ".", cwd=tmp_path)
    assert (tmp_path / "legacy" / "app.py").read_text() == SEED
    assert (tmp_path / "app.py").read_text() == FIXED
