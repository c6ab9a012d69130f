"""Which version of a library a checked project uses, without importing it.

Library defaults change between versions (redis-py turned TCP keepalive on in
8.0), so a rule asks whether the project's versions of a library all fall in
a knob's `versions` range.  The answer comes from, in order:

1. the project's pins: `[project] dependencies` and `optional-dependencies`
   and `[dependency-groups]` in the nearest `pyproject.toml`, `install_requires` and `extras_require` in
   `setup.py` (literals, read with `ast`: never run) and `setup.cfg`,
   `requirements*.txt`, and the exact versions of a lock file (`poetry.lock`,
   `uv.lock`, `Pipfile.lock`) beside them (found by walking up from the checked
   file to the first directory that has one of them or a `.git`); every pin of
   a library applies at once (`>=5.0.1` in setup.py and `==5.0.1` in a lock
   file: 5.0.1);
2. the version installed in the environment lintkit runs in (package
   metadata only: the library is never imported);
3. otherwise: unknown, and the rule gives the conservative answer and says so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .dependency_files import (LOCK_FILES, locked_requirements, read_toml, setup_cfg_requirements,
                               setup_py_requirements)

# `packaging`, `importlib.metadata` and `tomllib` are imported where they are used:
# most runs never ask for a version, and together they cost a third of start-up.
if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", *LOCK_FILES, ".git")


@dataclass(frozen=True)
class VersionConstraint:
    """The versions of one library a project can run with, and where that was read."""

    specifier: SpecifierSet
    source: str  # "redis>=5.0.1 in setup.py", "8.1.0 installed"

    def within(self, versions: str) -> bool | None:
        """True when every allowed version is in `versions`, False when none is, else None."""
        return _within(self.specifier, versions)


class ProjectVersions:
    """Library versions per checked file; each project directory is read once."""

    def __init__(self, use_installed: bool = True):
        self._use_installed = use_installed

    def constraint(self, filename: str, distribution: str) -> VersionConstraint | None:
        from packaging.specifiers import SpecifierSet
        from packaging.utils import canonicalize_name

        name = canonicalize_name(distribution)
        pins = _project_pins(_project_dir(os.path.dirname(os.path.abspath(filename))))
        pinned = pins.get(name)
        if pinned is not None:
            return pinned
        if self._use_installed:
            installed = _installed(name)
            if installed is not None:
                return VersionConstraint(SpecifierSet(f"=={installed}"), f"{installed} installed")
        return None


# --------------------------------------------------------------------------- reading pins


@lru_cache(maxsize=256)
def _project_dir(directory: str) -> str | None:
    current = directory
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in _PROJECT_MARKERS) or \
                _requirement_files(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _requirement_files(directory: str) -> list[str]:
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(n for n in names if re.fullmatch(r"requirements[\w.-]*\.(?:txt|in)", n))


@lru_cache(maxsize=64)
def _project_pins(directory: str | None) -> dict[str, VersionConstraint]:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name

    if directory is None:
        return {}
    found: dict[str, list[tuple[SpecifierSet, str]]] = {}

    def add(line: str, where: str) -> None:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            return
        if requirement.specifier and (requirement.marker is None or _marker_applies(requirement)):
            found.setdefault(canonicalize_name(requirement.name), []).append((requirement.specifier, where))

    for line in _pyproject_requirements(os.path.join(directory, "pyproject.toml")):
        add(line, "pyproject.toml")
    for line in setup_py_requirements(os.path.join(directory, "setup.py")):
        add(line, "setup.py")
    for line in setup_cfg_requirements(os.path.join(directory, "setup.cfg")):
        add(line, "setup.cfg")
    for name in _requirement_files(directory):
        for line in _requirements_lines(os.path.join(directory, name)):
            add(line, name)
    for line, lock in locked_requirements(directory):
        add(line, lock)
    pins = {}
    for name, entries in found.items():
        combined = SpecifierSet(",".join(str(s) for s, _ in entries if str(s)))
        where = ", ".join(sorted({w for _, w in entries}))
        pins[name] = VersionConstraint(combined, f"{name}{combined} in {where}")
    return pins


def _marker_applies(requirement: Requirement) -> bool:
    try:
        return requirement.marker.evaluate({"extra": ""})
    except Exception:  # an unknown marker variable: the pin may apply
        return True


def _pyproject_requirements(path: str) -> list[str]:
    document = read_toml(path)
    project = document.get("project")
    lines = []
    if isinstance(project, dict):
        lines.extend(project.get("dependencies") or [])
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for group in optional.values():
                lines.extend(group if isinstance(group, list) else [])
    groups = document.get("dependency-groups")  # PEP 735; `{include-group = ...}` tables are skipped
    if isinstance(groups, dict):
        for group in groups.values():
            lines.extend(group if isinstance(group, list) else [])
    return [line for line in lines if isinstance(line, str)]


def _requirements_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            raw = handle.read()
    except OSError:
        return []
    lines = []
    for line in raw.replace("\\\n", "").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            lines.append(line)
    return lines


@lru_cache(maxsize=128)
def _installed(name: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


# --------------------------------------------------------------------------- comparing ranges


@lru_cache(maxsize=1024)
def _within(allowed: SpecifierSet, versions: str) -> bool | None:
    """`VersionConstraint.within`, computed once per (pins, range): a rule asks it for every
    knob of every call, and the answer depends on nothing else."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        wanted = SpecifierSet(versions)
    except InvalidSpecifier:
        return None
    probes = [v for v in _probes(allowed, wanted) if allowed.contains(v, prereleases=True)]
    if not probes:
        return None
    inside = {wanted.contains(v, prereleases=True) for v in probes}
    return inside.pop() if len(inside) == 1 else None


def _probes(allowed: SpecifierSet, wanted: SpecifierSet) -> list[Version]:
    """Versions that sample every region the two specifier sets cut the version line into."""
    from packaging.version import InvalidVersion, Version

    edges: set[Version] = set()
    for spec in (*allowed, *wanted):
        try:
            edge = Version(spec.version.rstrip(".*"))
        except InvalidVersion:
            continue
        release = list(edge.release) + [0] * (3 - len(edge.release))
        edges.add(edge)
        for index in range(len(release)):
            below, above = list(release), list(release)
            above[index] += 1
            edges.add(Version(".".join(map(str, above[:index + 1] + [0] * (len(above) - index - 1)))))
            if below[index] > 0:
                below[index] -= 1
                edges.add(Version(".".join(map(str, below[:index + 1] + [99] * (len(below) - index - 1)))))
    edges.update(Version(f"{major}.{minor}") for major in range(0, 40) for minor in (0, 5))
    return sorted(edges)
