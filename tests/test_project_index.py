"""The project index (`project_layout`, `project_index`, `project_callers`): the same findings
under every front end, a cache keyed by content, and bad input that never stops it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lintkit.project import project_index, project_summaries
from lintkit.engine import Engine
from lintkit.project.project_layout import layout_of, project_files
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import EngineSpec, check_files

FIXTURES = Path(__file__).parent / "fixtures" / "project_index"
WORKER = Path("app") / "worker.py"


def engine() -> Engine:
    return Engine(load_schema_set(()))


def lines(engine: Engine, path: Path) -> list[str]:
    result = engine.check_bytes(path.read_bytes(), str(path), honour_noqa=True)
    assert result.error is None
    return [f"{f.line}:{f.col + 1}: {f.code}" for f in result.findings]


def run(*argv: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LINTKIT_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True, cwd=cwd, env=env)


def reported(completed: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """`path` -> `line:col: CODE` of each finding in `lintkit check` or flake8 output."""
    found: dict[str, list[str]] = {}
    for line in completed.stdout.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[3].strip()[:2] == "LK":
            path = os.path.normpath(parts[0])
            found.setdefault(path, []).append(f"{parts[1]}:{parts[2]}: {parts[3].split()[0]}")
    return found


@pytest.fixture
def qpid_app(tmp_path: Path) -> Path:
    """The fixture project, with enough users of the factories for `--jobs` to start a pool."""
    root = tmp_path / "qpid_app"
    shutil.copytree(FIXTURES / "qpid_app", root, ignore=shutil.ignore_patterns("*.expected", "*.fixed.py"))
    for number in range(14):
        shutil.copy(root / WORKER, root / "app" / f"worker_{number}.py")
    return root


def test_front_ends_agree(qpid_app: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = lines(engine(), qpid_app / WORKER)
    assert "15:10: LK101" in expected and "47:59: LK205" in expected
    files = sorted(str(p.relative_to(qpid_app)) for p in qpid_app.rglob("*.py"))
    per_file = {path: lines(engine(), qpid_app / path) for path in files}
    wanted = {path: found for path, found in per_file.items() if found}
    assert len(wanted) == 15 and all(found == expected for found in wanted.values())

    parallel = run("lintkit", "check", "--isolated", "-j", "2", ".", cwd=qpid_app, cache=cache)
    assert reported(parallel) == wanted, parallel.stderr
    flake8 = run("flake8", "--select", "LK", "--no-show-source", ".", cwd=qpid_app, cache=cache)
    assert reported(flake8) == wanted, flake8.stderr
    # pre-commit passes only the changed files: the index still covers the project.
    changed = run("lintkit", "check", "--isolated", str(WORKER), cwd=qpid_app, cache=cache)
    assert reported(changed) == {str(WORKER): expected}
    in_process = dict((os.path.relpath(path, qpid_app), [f"{f.line}:{f.col + 1}: {f.code}" for f in result.findings])
                      for path, result in check_files([(str(qpid_app / p), EngineSpec()) for p in files], jobs=2))
    assert {path: found for path, found in in_process.items() if found} == wanted


def test_fixes_agree(qpid_app: Path, tmp_path: Path) -> None:
    fixed = (FIXTURES / "qpid_app" / "app" / "worker.fixed.py").read_text()
    cache = tmp_path / "cache"
    completed = run("lintkit", "fix", "--isolated", str(WORKER), cwd=qpid_app, cache=cache)
    assert (qpid_app / WORKER).read_text() == fixed, completed.stdout + completed.stderr
    completed = run("libcst.tool", "codemod", "--no-format", "-x", "lintkit.codemod.LintkitFixCommand",
                    str(WORKER.with_name("worker_0.py")), cwd=qpid_app, cache=cache)
    assert completed.returncode == 0, completed.stderr
    assert (qpid_app / "app" / "worker_0.py").read_text() == fixed


def test_without_the_index_nothing_is_followed(qpid_app: Path) -> None:
    """Every finding of the fixture comes through the index: from stdin (no project) there is none."""
    checked = engine().check_bytes((qpid_app / WORKER).read_bytes(), "<stdin>").findings
    assert checked == []


# --------------------------------------------------------------------------- the cache


def summaries(cache: Path) -> list[Path]:
    return sorted((cache / "project").glob("*.json"))


def test_summaries_are_cached_by_content(qpid_app: Path, tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(cache))
    first = lines(engine(), qpid_app / WORKER)
    stored = summaries(cache)
    assert len(stored) == 2  # app/connections.py and app/settings.py: worker.py itself is not summarised
    # A warm run parses nothing.
    parsed = engine()
    assert lines(parsed, qpid_app / WORKER) == first
    assert sum(index.parsed for index in parsed._projects._indexes.values()) == 0
    # A changed module is a new entry: the old summary is never read for it.
    settings = qpid_app / "app" / "settings.py"
    settings.write_text(settings.read_text().replace("HEARTBEAT = 600", "HEARTBEAT = 60"))
    changed = lines(engine(), qpid_app / WORKER)
    assert "45:59: LK205" not in changed and "47:59: LK205" not in changed
    assert len(summaries(cache)) == 3


@pytest.mark.parametrize("damage", ["{not json", '{"version": 2, "names": [], "imports": []}', "[]",
                                    '{"version": 2, "names": [], "imports": {"x": 1}, "star": [], "constants": {},'
                                    ' "functions": {}, "classes": {}}'])
def test_a_damaged_cache_entry_is_ignored(qpid_app: Path, tmp_path: Path, monkeypatch, damage: str) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(cache))
    first = lines(engine(), qpid_app / WORKER)
    for entry in summaries(cache):
        entry.write_text(damage)
    assert lines(engine(), qpid_app / WORKER) == first


def test_no_cache_directory(qpid_app: Path, monkeypatch) -> None:
    monkeypatch.setenv("LINTKIT_CACHE_DIR", "")
    assert "47:59: LK205" in lines(engine(), qpid_app / WORKER)


# --------------------------------------------------------------------------- layouts


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CONNECTIONS = "import qpid.messaging\n\ndef open_connection(url):\n    return qpid.messaging.Connection(url)\n"
USER = "from app.connections import open_connection\n\nconn = open_connection('b')\nconn.hearbeat = 1\n"


def test_src_layout_and_a_test_directory(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": "", "src/app/__init__.py": "", "src/app/connections.py": CONNECTIONS,
                            "src/app/user.py": USER, "tests/test_user.py": USER})
    assert lines(engine(), root / "src" / "app" / "user.py") == ["4:6: LK101"]
    assert lines(engine(), root / "tests" / "test_user.py") == ["4:6: LK101"]
    layout = layout_of(str(root / "tests" / "test_user.py"))
    assert layout.module == "test_user" and layout.root == str(root) and layout.first_party == {"app"}


def test_relative_imports(tmp_path: Path) -> None:
    root = write(tmp_path, {"setup.py": "", "app/__init__.py": "from .db.connections import open_connection\n",
                            "app/db/__init__.py": "", "app/db/connections.py": CONNECTIONS,
                            "app/jobs/__init__.py": "",
                            "app/jobs/run.py": "from .. import open_connection\nc = open_connection('b')\n"
                                               "c.hearbeat = 1\n",
                            "app/jobs/far.py": "from .... import open_connection\nc = open_connection('b')\n"
                                               "c.hearbeat = 1\n"})
    assert lines(engine(), root / "app" / "jobs" / "run.py") == ["3:3: LK101"]  # through the package's re-export
    assert lines(engine(), root / "app" / "jobs" / "far.py") == []  # above the top package: unresolved


def test_a_library_module_is_not_the_project(tmp_path: Path) -> None:
    """`import os` in a directory of top-level modules (the standard library's) is not looked up."""
    root = write(tmp_path, {"os.py": CONNECTIONS, "user.py": USER.replace("app.connections", "os")})
    assert lines(engine(), root / "user.py") == []


# --------------------------------------------------------------------------- bad input


def test_cyclic_imports(tmp_path: Path) -> None:
    root = write(tmp_path, {"setup.py": "", "app/__init__.py": "",
                            "app/a.py": "from .b import open_connection, LIMIT\n",
                            "app/b.py": "from .a import open_connection, LIMIT\n",
                            "app/user.py": "import pika\nfrom .a import open_connection, LIMIT\n"
                                           "c = open_connection('b')\nc.hearbeat = 1\n"
                                           "p = pika.ConnectionParameters('h', heartbeat=LIMIT)\n"})
    assert lines(engine(), root / "app" / "user.py") == []


def test_star_imports(tmp_path: Path) -> None:
    root = write(tmp_path, {"setup.py": "", "app/__init__.py": "", "app/connections.py": CONNECTIONS,
                            "app/api.py": "from .connections import *\nfrom .api import *\n",
                            "app/user.py": "from app.api import open_connection\nc = open_connection('b')\n"
                                           "c.hearbeat = 1\n"})
    assert lines(engine(), root / "app" / "user.py") == ["3:3: LK101"]


def test_a_module_that_does_not_parse_is_absent(tmp_path: Path) -> None:
    root = write(tmp_path, {"setup.py": "", "app/__init__.py": "",
                            "app/connections.py": CONNECTIONS + "def broken(:\n", "app/user.py": USER})
    assert lines(engine(), root / "app" / "user.py") == []


def test_symlink_loop(tmp_path: Path) -> None:
    root = write(tmp_path, {"setup.py": "", "app/__init__.py": "", "app/connections.py": CONNECTIONS,
                            "app/user.py": USER})
    try:
        (root / "app" / "loop").symlink_to(root, target_is_directory=True)
        (root / "app" / "loop.py").symlink_to(root / "app" / "loop.py")
    except OSError:
        pytest.skip("no symlinks here")
    assert lines(engine(), root / "app" / "user.py") == ["4:6: LK101"]
    names = sorted(Path(p).name for p in project_files(str(root)))
    assert names == ["__init__.py", "connections.py", "loop.py", "setup.py", "user.py"]


def test_huge_packages_are_indexed_in_part(tmp_path: Path, monkeypatch) -> None:
    root = write(tmp_path, {"setup.py": "", "app/__init__.py": "", "app/connections.py": CONNECTIONS,
                            "app/user.py": USER})
    monkeypatch.setattr(project_index, "MAX_MODULES", 0)
    monkeypatch.setenv("LINTKIT_CACHE_DIR", "")
    assert lines(engine(), root / "app" / "user.py") == []


def test_summary_is_plain_json() -> None:
    import ast

    summary = project_summaries.summarize(ast.parse((FIXTURES / "qpid_app" / "app" / "connections.py").read_text()))
    assert json.loads(json.dumps(summary)) == summary
    assert summary["functions"]["open_connection"] == "qpid.messaging.Connection"
    assert summary["functions"]["open_later"] == "Connection"
    assert summary["functions"]["not_a_factory"] is None
    assert summary["classes"]["Service"]["self"] == {"conn": "qpid.messaging.Connection"}
