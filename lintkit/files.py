"""Which files a run checks: walk directories, skip what is never source."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

#: Directories never walked into (explicitly named files are still checked).
DEFAULT_EXCLUDES = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "build", "dist", "node_modules", "site-packages", "__pypackages__",
    "_build", "buck-out",
})
SOURCE_SUFFIXES = (".py", ".pyi")


def iter_source_files(paths: Iterable[str]) -> Iterator[str]:
    """Files to check, in a deterministic order; named files always included."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        else:
            yield raw


def _walk(root: Path) -> Iterator[str]:

    unreadable: list[str] = []
    for directory, subdirs, files in os.walk(root, onerror=lambda exc: unreadable.append(exc.filename)):
        subdirs[:] = sorted(d for d in subdirs if d not in DEFAULT_EXCLUDES and not d.endswith(".egg-info"))
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.join(directory, name)
    # Reported by the reader as "cannot read", so the run says what it skipped.
    yield from unreadable
