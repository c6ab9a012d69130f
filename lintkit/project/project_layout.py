"""Where a checked file's project is: its module name, the directories its imports resolve
in, and the project's Python files (for the project index, `project_index.py`).

Derived from the file's path alone, so that every front end (flake8 one file at a time,
`lintkit check --jobs N`, pre-commit with only the changed files, `lintkit fix`, the
codemod) sees the same project:

- the *package top*: walking up from the file while the directory holds an `__init__.py`;
  the directory above the last one is where the file's absolute module name starts
  (`app/db/conn.py` with `app/__init__.py`, `app/db/__init__.py` is `app.db.conn`);
- the *project root*: the closest directory above the file holding a project file
  (`pyproject.toml`, `lintkit.toml`, `.lintkit.toml`, `setup.py`, `setup.cfg`) up to two levels
  above the package top, else the package top;
- imports of project modules resolve under the package top, the project root and its
  `src/` (the usual `src` layout).

A symlinked directory is not followed when listing files (no loops), and the listing is
bounded (`MAX_PROJECT_FILES`): a huge tree is indexed in part, never without end.
"""

from __future__ import annotations

import os
from functools import lru_cache

ROOT_MARKERS = ("pyproject.toml", "lintkit.toml", ".lintkit.toml", "setup.py", "setup.cfg")
#: The project root is looked for up to this many directories above the package top (`src/` layouts).
MAX_ROOT_ABOVE_TOP = 2
#: At most this many files of a project are listed (the callers scan of `project_callers`).
MAX_PROJECT_FILES = 20000
#: Directories never listed: tools' caches, virtual environments, build output.
_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist", "venv",
                                  "env", ".venv", ".tox", ".nox", ".git", ".hg", ".eggs"})


class Layout:
    """The project of one checked file."""

    def __init__(self, module: str, package_top: str, root: str):
        #: The checked file's absolute module name (`app.db.conn`; `app.db` for `app/db/__init__.py`).
        self.module = module
        self.is_package = False
        #: The checked file's absolute path.
        self.path = ""
        self.package_top = package_top
        self.root = root
        self.search_roots = _search_roots(package_top, root)
        #: The top-level names of the project's own packages: the file's package, and with a
        #: project file (pyproject.toml, ...) the packages in the root and in `src/`.  Only
        #: names under these are looked up in the project (`import os` is not, even where a
        #: directory of top-level modules, such as the standard library's, is checked).
        own = frozenset({module.split(".", 1)[0]}) if "." in module else frozenset()
        self.first_party = own | _root_packages(root)

    @property
    def key(self) -> tuple[str, ...]:
        """Files with the same key share one index."""
        return (self.root,) + self.search_roots


def layout_of(filename: str) -> Layout | None:
    """The project of `filename` (a path on disk), or None (stdin, not a .py file, gone)."""
    if not filename.endswith(".py"):
        return None
    path = os.path.abspath(filename)
    if not os.path.isfile(path):
        return None
    directory, name = os.path.split(path)
    package, top, root = _package_of(directory)
    parts = list(package) if name == "__init__.py" else [*package, name[:-3]]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    layout = Layout(".".join(parts), top, root)
    layout.is_package = name == "__init__.py"
    layout.path = path
    return layout


@lru_cache(maxsize=4096)
def _package_of(directory: str) -> tuple[tuple[str, ...], str, str]:
    """(the package names from the top down to `directory`, the package top, the project root)."""
    parts: list[str] = []
    top = directory
    while _is_package(top):
        parts.insert(0, os.path.basename(top))
        parent = os.path.dirname(top)
        if parent == top:
            break
        top = parent
    return tuple(parts), top, _project_root(directory, top) or top


@lru_cache(maxsize=1024)
def _search_roots(package_top: str, root: str) -> tuple[str, ...]:
    roots = [package_top, root, os.path.join(root, "src")]
    return tuple(dict.fromkeys(r for r in roots if os.path.isdir(r)))


@lru_cache(maxsize=1024)
def _root_packages(root: str) -> frozenset[str]:
    """The packages in a marked project root and its `src/`."""
    if not _has_marker(root):
        return frozenset()
    return _packages_in(root) | _packages_in(os.path.join(root, "src"))


def _has_marker(directory: str) -> bool:
    return any(os.path.isfile(os.path.join(directory, marker)) for marker in ROOT_MARKERS)


@lru_cache(maxsize=256)
def _packages_in(directory: str) -> frozenset[str]:
    """The package directories (with `__init__.py`) directly in `directory`."""
    try:
        names = os.listdir(directory)
    except OSError:
        return frozenset()
    return frozenset(name for name in names if name.isidentifier() and _is_package(os.path.join(directory, name)))


@lru_cache(maxsize=4096)
def _is_package(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


@lru_cache(maxsize=4096)
def _project_root(directory: str, top: str) -> str | None:
    """The closest directory from `directory` up to MAX_ROOT_ABOVE_TOP levels above the
    package top `top` that holds a project file (a stray `setup.cfg` in a home directory
    does not make the whole home one project)."""
    limit = top
    for _ in range(MAX_ROOT_ABOVE_TOP):
        limit = os.path.dirname(limit)
    while True:
        if _has_marker(directory):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory or directory == limit:
            return None
        directory = parent


def project_files(root: str, limit: int = MAX_PROJECT_FILES) -> list[str]:
    """The `.py` files under `root`, sorted, without following symlinked directories."""
    found: list[str] = []
    for directory, subdirectories, files in os.walk(root):  # followlinks=False: no symlink loops
        subdirectories[:] = sorted(d for d in subdirectories
                                   if d not in _SKIPPED_DIRECTORIES and not d.startswith(".") and d.isprintable())
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(os.path.join(directory, name))
                if len(found) >= limit:
                    return found
    return found
