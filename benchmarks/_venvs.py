"""Helpers both benchmark scripts use: logging, subprocesses, throwaway venvs."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import venv
from pathlib import Path


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def bin_path(env: Path, name: str) -> Path:
    return env / "bin" / name


def flake8_spec() -> str:
    try:
        return f"flake8=={importlib.metadata.version('flake8')}"
    except importlib.metadata.PackageNotFoundError:
        return "flake8"


def make_venv(env: Path, rebuild: bool) -> bool:
    """Create env if needed; return True if it was (re)created."""
    if rebuild and env.exists():
        shutil.rmtree(env)
    if bin_path(env, "python").exists():
        return False
    log(f"creating {env}")
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    return True


def pip(env: Path, *args: str) -> None:
    run([str(bin_path(env, "python")), "-m", "pip", "install", "-q", *args])
