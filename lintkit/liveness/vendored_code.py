"""Vendored code: another project's code copied into this one, where its connections are not this
project's to fix.

A directory inside a package is vendored when it is named like a vendoring directory (`_vendor`,
`vendor`, `vendored`, `_vendored`, `third_party`, `thirdparty`) or carries a licence file of its
own (`LICENSE`, `LICENCE`, `COPYING`, with or without `.txt`/`.md`/`.rst`): that is how a copy
keeps its upstream's terms (netmiko's `_telnetlib/`, prefect's `_vendor/`).  The search stops at the
project root (a directory with `pyproject.toml`, `setup.py`, `setup.cfg` or `.git`), so a project's
own licence, and a sub-project with its own `pyproject.toml`, never count, and nothing is decided
without a root.  A top-level package holding a copy of the project's licence is not vendored
either: only a directory whose parent is a package (has `__init__.py`) can be.

The LK2xx rules do not report in vendored code unless `strict` is set; the LK1xx rules do (a
misspelt name there is still a bug the project ships).  Directory listings are cached, so a tree
costs one listing per directory.
"""

from __future__ import annotations

import os
from functools import lru_cache

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
VENDOR_DIRECTORIES = frozenset({"_vendor", "vendor", "vendored", "_vendored", "third_party", "thirdparty"})
LICENCE_STEMS = frozenset({"license", "licence", "copying"})
LICENCE_SUFFIXES = frozenset({"", "txt", "md", "rst"})


def is_vendored(filename: str) -> bool:
    """Whether the file lies in vendored code below its project's root."""
    return _vendored_directory(os.path.dirname(os.path.abspath(filename))) is not None


@lru_cache(maxsize=4096)
def _vendored_directory(directory: str) -> str | None:
    names = _listing(directory)
    if any(marker in names for marker in PROJECT_MARKERS):
        return None
    parent = os.path.dirname(directory)
    if parent == directory:
        return None
    above = _vendored_directory(parent)
    if above is not None:
        return above
    if _project_root_above(parent) and "__init__.py" in _listing(parent) and (
            os.path.basename(directory).lower() in VENDOR_DIRECTORIES or any(map(_is_licence, names))):
        return directory
    return None


@lru_cache(maxsize=4096)
def _project_root_above(directory: str) -> bool:
    """Whether `directory` or one above it is a project root."""
    if any(marker in _listing(directory) for marker in PROJECT_MARKERS):
        return True
    parent = os.path.dirname(directory)
    return parent != directory and _project_root_above(parent)


@lru_cache(maxsize=4096)
def _listing(directory: str) -> frozenset[str]:
    try:
        return frozenset(os.listdir(directory))
    except OSError:
        return frozenset()


def _is_licence(name: str) -> bool:
    stem, _, suffix = name.partition(".")
    return stem.lower().split("-", 1)[0] in LICENCE_STEMS and suffix.lower() in LICENCE_SUFFIXES
