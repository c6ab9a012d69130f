"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit from this working tree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SEED = 'import qpid.messaging\nconn = qpid.messaging.Connection("b")\nconn.hearbeat = 1\n'

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def run(*argv: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def source_repo(tmp_path_factory) -> Path:
    """A git commit of the working tree as it is (try-repo uses the repository's HEAD otherwise)."""
    clone = tmp_path_factory.mktemp("lintkit-src")
    env = _git_env(tmp_path_factory.mktemp("home"))
    ignore = shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".venvs", ".pytest_cache")
    shutil.copytree(ROOT, clone, dirs_exist_ok=True, ignore=ignore)
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "snapshot"]):
        subprocess.run(argv, cwd=clone, check=True, env=env, capture_output=True)
    return clone


def _git_env(home: Path) -> dict:
    env = dict(os.environ, HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t", PRE_COMMIT_HOME=str(home / "pre-commit-cache"))
    env.pop("PRE_COMMIT", None)
    return env


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, dict]:
    env = _git_env(tmp_path / "home")
    repo = tmp_path / "project"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    return repo, env


def try_repo(source: Path, hook: str, repo: Path, env: dict) -> subprocess.CompletedProcess:
    return run(sys.executable, "-m", "pre_commit", "try-repo", str(source), hook, "--all-files", cwd=repo, env=env)


def test_manifest_is_valid() -> None:
    completed = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                                str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_check_hook_fails_then_passes(source_repo: Path, project) -> None:
    repo, env = project
    (repo / "app.py").write_text(SEED)
    run("git", "add", "-A", cwd=repo, env=env)
    failing = try_repo(source_repo, "lintkit", repo, env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "app.py:3:6: LK101 [*] 'hearbeat' is not an attribute of qpid.messaging.Connection" in failing.stdout
    (repo / "app.py").write_text(SEED.replace("hearbeat", "heartbeat"))
    run("git", "add", "-A", cwd=repo, env=env)
    passing = try_repo(source_repo, "lintkit", repo, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr


def test_fix_hook_edits_the_file(source_repo: Path, project) -> None:
    repo, env = project
    (repo / "app.py").write_text(SEED)
    run("git", "add", "-A", cwd=repo, env=env)
    completed = try_repo(source_repo, "lintkit-fix", repo, env)
    assert completed.returncode == 1  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in completed.stdout
    assert (repo / "app.py").read_text() == SEED.replace("hearbeat", "heartbeat")


def test_excludes_apply_to_the_file_names_pre_commit_passes(source_repo: Path, project) -> None:
    repo, env = project
    (repo / "pyproject.toml").write_text('[tool.lintkit]\nextend-exclude = ["vendored/"]\n')
    (repo / "vendored").mkdir()
    (repo / "vendored" / "app.py").write_text(SEED)
    run("git", "add", "-A", cwd=repo, env=env)
    completed = try_repo(source_repo, "lintkit", repo, env)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def readme_pre_commit_config(source: Path) -> str:
    """The README's .pre-commit-config.yaml, pointed at the working tree's snapshot."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True,
                            check=True).stdout.strip()
    config = re.sub(r"rev: [^#\n]*", f"rev: {commit}  ", block.replace("https://github.com/lintkit/lintkit", str(source)))
    assert str(source) in config and commit in config, config
    return config


def finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"\S+\.py:\d+:\d+: LK\d{3} ", line)]


def test_readme_setup_prints_each_finding_once(source_repo: Path, project) -> None:
    repo, env = project
    (repo / ".pre-commit-config.yaml").write_text(readme_pre_commit_config(source_repo))
    (repo / "app.py").write_text(SEED + "conn.reconnect_interval_mix = 3\n")  # one fixable, one not
    run("git", "add", "-A", cwd=repo, env=env)
    completed = run(sys.executable, "-m", "pre_commit", "run", "--all-files", cwd=repo, env=env)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    findings = finding_lines(completed.stdout)
    assert findings == ["app.py:4:6: LK101 'reconnect_interval_mix' is not an attribute of qpid.messaging.Connection; "
                        "did you mean 'reconnect_interval_max' or 'reconnect_interval_min'?"], completed.stdout
    assert (repo / "app.py").read_text().startswith(SEED.replace("hearbeat", "heartbeat"))


def test_check_hook_prints_each_finding_once(source_repo: Path, project) -> None:
    repo, env = project
    (repo / "app.py").write_text(SEED + "conn.reconnect_interval_mix = 3\n")
    run("git", "add", "-A", cwd=repo, env=env)
    findings = finding_lines(try_repo(source_repo, "lintkit", repo, env).stdout)
    assert [line.split(" ")[:2] for line in findings] == [["app.py:2:8:", "LK204"], ["app.py:3:6:", "LK101"],
                                                                 ["app.py:4:6:", "LK101"]]
def test_each_file_under_its_closest_configuration(source_repo: Path, project) -> None:
    """pre-commit passes the file names of every subproject at once: each gets its own settings."""
    repo, env = project
    slow = 'import qpid.messaging\nconn = qpid.messaging.Connection("b", heartbeat=120)\n'
    for name in ("svc_a", "svc_b"):
        (repo / name).mkdir()
        (repo / name / "app.py").write_text(slow)
    (repo / "svc_a" / "pyproject.toml").write_text("[tool.lintkit]\nmax-idle-seconds = 60\n")
    (repo / "svc_b" / "pyproject.toml").write_text('[tool.lintkit]\nmax-idle-seconds = 60\nignore = ["LK205"]\n')
    (repo / "pyproject.toml").write_text('[tool.lintkit]\nignore = ["LK"]\n')
    run("git", "add", "-A", cwd=repo, env=env)
    completed = try_repo(source_repo, "lintkit", repo, env)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    reported = [line.split(" ", 2)[:2] for line in completed.stdout.splitlines() if ": LK" in line]
    assert reported == [["svc_a/app.py:2:49:", "LK205"]], completed.stdout


def test_docstring_examples_and_the_doctests_key(source_repo: Path, project) -> None:
    repo, env = project
    (repo / "app.py").write_text('"""\n    >>> conn = Connection("amqp://", hearbeat=10)\n"""\n'
                                 "from kombu import Connection\n")
    run("git", "add", "-A", cwd=repo, env=env)
    failing = try_repo(source_repo, "lintkit", repo, env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "app.py:2:38: LK102 'hearbeat' is not a keyword argument of kombu.Connection" in failing.stdout
    (repo / "pyproject.toml").write_text("[tool.lintkit]\ndoctests = false\n")
    run("git", "add", "-A", cwd=repo, env=env)
    passing = try_repo(source_repo, "lintkit", repo, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
