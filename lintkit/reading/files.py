"""Which files a run checks: walk directories, skip junk, excluded and git-ignored paths."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

if TYPE_CHECKING:
    import pathspec


#: Directories never walked into (explicitly named files are still checked).
DEFAULT_EXCLUDES = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "build", "dist", "node_modules", "site-packages", "__pypackages__",
    "_build", "buck-out",
})
SOURCE_SUFFIXES = (".py", ".pyi")

#: (path, is_dir) -> excluded by configuration.
Excluder = Callable[[str, bool], bool]


def _never(_path: str, _is_dir: bool) -> bool:
    return False


def iter_source_files(paths: Iterable[str], excluded: Excluder = _never, *, force_exclude: bool = False,
                      respect_gitignore: bool = True, included: Callable[[str], bool] | None = None
                      ) -> Iterator[str]:
    """Files to check, in a deterministic order.

    Directories are walked, skipping what `excluded` or a `.gitignore` (inside a
    git work tree) rules out; they yield Python files (SOURCE_SUFFIXES) and the
    files `included` accepts (`extend-include`).  A file named explicitly is always
    checked, unless `force_exclude` is set (pre-commit passes file names one by one).
    """
    gitignore = GitIgnore() if respect_gitignore else None

    def skip(path: str, is_dir: bool) -> bool:
        return excluded(path, is_dir) or (gitignore is not None and gitignore.ignored(path, is_dir))

    for raw in paths:
        if os.path.isdir(raw):
            if force_exclude and skip(raw, True):
                continue
            # A directory named explicitly is walked even when it is itself excluded or
            # git-ignored (the standard library inside ~/.pyenv, a package under
            # site-packages); the rules that matched it do not apply to its contents.
            root_excluded = excluded(raw, True)
            root_ignored = gitignore is not None and gitignore.ignored(raw, True)

            def skip_below(path: str, is_dir: bool, root_excluded=root_excluded, root_ignored=root_ignored) -> bool:
                return (not root_excluded and excluded(path, is_dir)) or (
                    not root_ignored and gitignore is not None and gitignore.ignored(path, is_dir))

            yield from _walk(raw, skip_below, included)
        elif not (force_exclude and skip(raw, False)):
            yield raw


def _walk(root: str, skip: Callable[[str, bool], bool], included: Callable[[str], bool] | None = None
          ) -> Iterator[str]:
    unreadable: list[str] = []
    for directory, subdirs, files in os.walk(root, onerror=lambda exc: unreadable.append(exc.filename)):
        subdirs[:] = sorted(
            d for d in subdirs
            if d not in DEFAULT_EXCLUDES and not d.endswith(".egg-info") and not skip(os.path.join(directory, d), True)
            and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))  # a virtual environment, by any name
        )
        for name in sorted(files):
            path = os.path.join(directory, name)
            if (name.endswith(SOURCE_SUFFIXES) or (included is not None and included(path))) \
                    and not skip(path, False):
                yield path
    # Reported by the reader as "cannot read", so the run says what it skipped.
    yield from unreadable


class GitIgnore:
    """`.gitignore` files of the git work tree a path is in (none outside one)."""

    def ignored(self, path: str, is_dir: bool) -> bool:
        absolute = Path(os.path.abspath(path))
        top = _work_tree(absolute.parent)
        if top is None:
            return False
        directory = absolute.parent
        chain = []
        while True:
            chain.append(directory)
            if directory == top or directory.parent == directory:
                break
            directory = directory.parent
        ignored = False
        for base in reversed(chain):  # outermost first; inner files may re-include
            spec = _spec_for(base)
            if spec is None:
                continue
            relative = absolute.relative_to(base).as_posix() + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                ignored = result.include
        return ignored


@lru_cache(maxsize=4096)
def _work_tree(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@lru_cache(maxsize=4096)
def _spec_for(directory: Path) -> "pathspec.GitIgnoreSpec" | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec  # imported on first use: it costs ~35 ms of start-up

    return pathspec.GitIgnoreSpec.from_lines(lines)
