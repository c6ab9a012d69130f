"""Requirement lines from `setup.py`, `setup.cfg` and lock files, read without running anything.

`setup.py` is parsed with `ast`, never executed: only a literal list given to
`setup(install_requires=...)` (or a module-level name bound once to one) counts,
and `extras_require` dicts of literal lists.  Lock files name the exact version
installed: `poetry.lock`, `uv.lock` (TOML `[[package]]` tables) and
`Pipfile.lock` (JSON), each turned into `name==version`.
"""

from __future__ import annotations

import ast
import os

# json is imported where it is used: most runs never ask for a version.

#: Lock files beside a project's metadata, each naming exact versions.
LOCK_FILES = ("poetry.lock", "uv.lock", "Pipfile.lock")


def setup_py_requirements(path: str) -> list[str]:
    """`install_requires` and `extras_require` of the `setup()` call, where they are literals."""
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read(), path)
    except (OSError, SyntaxError, ValueError):
        return []
    bound = _module_literals(tree)
    lines: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_setup(node.func)):
            continue
        for keyword in node.keywords:
            value = _literal(keyword.value, bound)
            if keyword.arg == "install_requires":
                lines.extend(_strings(value))
            elif keyword.arg == "extras_require" and isinstance(value, dict):
                for group in value.values():
                    lines.extend(_strings(group))
    return lines


def setup_cfg_requirements(path: str) -> list[str]:
    """`[options] install_requires` and every `[options.extras_require]` group."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            sections = _ini_sections(handle.read())
    except OSError:
        return []
    values = [sections.get("options", {}).get("install_requires", "")]
    values.extend(sections.get("options.extras_require", {}).values())
    return [line.split(" #", 1)[0].strip() for value in values for line in value.splitlines()
            if line.strip() and not line.strip().startswith(("#", "file:"))]


def _ini_sections(text: str) -> dict[str, dict[str, str]]:
    """The `[section]` tables of a setup.cfg: `key = value` or `key: value`, indented lines
    continuing the value, `#`/`;` comment lines (configparser's reading of what setuptools
    writes, without configparser: its parser and section proxies form reference cycles)."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    key = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[0] in " \t" and current is not None and key is not None:
            current[key] += "\n" + stripped
        elif stripped.startswith("[") and stripped.endswith("]"):
            current, key = sections.setdefault(stripped[1:-1].strip(), {}), None
        elif current is not None:
            name, sep, value = stripped.partition("=") if "=" in stripped else stripped.partition(":")
            key = name.strip().lower() if sep else None
            if key is not None:
                current[key] = value.strip()
    return sections


def locked_requirements(directory: str) -> list[tuple[str, str]]:
    """(`name==version`, lock file name) for every package a lock file in `directory` pins."""
    found = []
    for name in LOCK_FILES:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            reader = _pipfile_lock if name == "Pipfile.lock" else _toml_lock
            found.extend((f"{package}=={version}", name) for package, version in reader(path))
    return found


# --------------------------------------------------------------------------- helpers


def _is_setup(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "setup") or \
        (isinstance(func, ast.Attribute) and func.attr == "setup")


def _module_literals(tree: ast.Module) -> dict[str, object]:
    """Module-level names bound exactly once, to a literal (`REQUIRES = ["redis>=5"]`)."""
    counts: dict[str, int] = {}
    values: dict[str, object] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name):
            name = statement.targets[0].id
            counts[name] = counts.get(name, 0) + 1
            values[name] = _literal(statement.value, {})
    return {name: value for name, value in values.items() if counts[name] == 1 and value is not None}


def _literal(node: ast.expr, bound: dict[str, object]) -> object:
    """Strings and containers of them, as `ast.literal_eval` would give (whose nested helper
    functions form reference cycles); None for anything else."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(item, {}) for item in node.elts]
        return None if any(item is None for item in items) else items
    if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
        pairs = [(_literal(key, {}), _literal(value, {})) for key, value in zip(node.keys, node.values)]
        return None if any(k is None or v is None for k, v in pairs) else dict(pairs)
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def read_toml(path: str) -> dict:
    """A TOML file's table; empty when it cannot be read or parsed."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _toml_lock(path: str) -> list[tuple[str, str]]:
    packages = read_toml(path).get("package")
    if not isinstance(packages, list):
        return []
    return [(p["name"], p["version"]) for p in packages
            if isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("version"), str)]


def _pipfile_lock(path: str) -> list[tuple[str, str]]:
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return []
    found = []
    for group in ("default", "develop"):
        packages = data.get(group) if isinstance(data, dict) else None
        for name, entry in (packages or {}).items():
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, str) and version.startswith("=="):
                found.append((name, version[2:]))
    return found
