"""Django-style settings modules: module-level assignments of UPPERCASE names.

lintkit reads a settings dict (`DATABASES = {...}`) only in a module it takes for a
settings module, conservatively: its file name contains `settings` (`settings.py`,
`local_settings.py`, `settings_docker.py`) or it lies in a `settings` package
(`settings/production.py`), and it assigns another well-known Django setting
(`INSTALLED_APPS`, `SECRET_KEY`...) or star-imports other settings (`from .base import *`,
split settings).  Only literal dicts are read; a computed value (`env.db()`,
`dj_database_url.config()`) is left alone.  The file name test comes first, so the
prefilter reads no other file for settings.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

if TYPE_CHECKING:
    from ..reading.syntax import TreeIndex

#: Settings that mark a Django settings module (django/conf/global_settings.py).
DJANGO_SETTINGS = frozenset({
    "ALLOWED_HOSTS", "AUTH_PASSWORD_VALIDATORS", "AUTH_USER_MODEL", "DEFAULT_AUTO_FIELD", "INSTALLED_APPS",
    "LANGUAGE_CODE", "MIDDLEWARE", "ROOT_URLCONF", "SECRET_KEY", "STATIC_URL", "TEMPLATES", "USE_TZ",
    "WSGI_APPLICATION",
})


def mentions_setting(source: str | bytes, names: Iterable[str]) -> bool:
    """The prefilter's test: a line of `source` starts with one of `names` (`DATABASES = ...`)."""
    for name in names:
        word = name if isinstance(source, str) else name.encode("ascii")
        newline = "\n" if isinstance(source, str) else b"\n"
        at = source.find(word)
        while at != -1:
            if at == 0 or source[at - 1:at] == newline:
                return True
            at = source.find(word, at + 1)
    return False


class Assignment(NamedTuple):
    name: str
    #: The string subscripts of the target: ("default", "OPTIONS") for `DATABASES["default"]["OPTIONS"] = ...`.
    keys: tuple[str, ...]
    value: ast.expr
    target: ast.expr


def module_assignments(tree: ast.Module) -> Iterator[Assignment]:
    """An Assignment for each module-level `NAME = value` (also annotated, and
    inside module-level `if`, `try` and `with` blocks), and `NAME["a"]["b"] = value` (keys
    ("a", "b")), in source order."""
    pending = list(tree.body)
    while pending:
        statement = pending.pop(0)
        if isinstance(statement, (ast.If, ast.Try, ast.With)):
            blocks = [statement.body, getattr(statement, "orelse", []), getattr(statement, "finalbody", []),
                      *(handler.body for handler in getattr(statement, "handlers", []))]
            pending[:0] = [inner for block in blocks for inner in block]
            continue
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            found = _subscripted_name(target)
            if found is not None:
                yield Assignment(found[0], found[1], value, target)


def _subscripted_name(target: ast.expr) -> tuple[str, tuple[str, ...]] | None:
    """`NAME` -> ("NAME", ()); `NAME["a"]["b"]` -> ("NAME", ("a", "b")); else None."""
    keys: list[str] = []
    while isinstance(target, ast.Subscript):
        if not (isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
            return None
        keys.insert(0, target.slice.value)
        target = target.value
    return (target.id, tuple(keys)) if isinstance(target, ast.Name) else None


def settings_path(filename: str) -> bool:
    """Named like a settings module: `settings` in the file's name (`settings.py`,
    `local_settings.py`, `settings_docker.py`) or a `settings` package (`settings/prod.py`)."""
    parts = filename.replace("\\", "/").split("/")
    return "settings" in parts[-1].rsplit(".", 1)[0].lower() or "settings" in parts[:-1]


def is_settings_module(tree: ast.Module, filename: str, assigned: set[str]) -> bool:
    """Whether the module looks like Django settings (see the module docstring)."""
    if not settings_path(filename):
        return False
    return bool(assigned & DJANGO_SETTINGS) or \
        any(isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names) for s in tree.body)


def loaded_names(nodes: TreeIndex) -> frozenset[str]:
    """Every name the module reads somewhere (`CONN_MAX_AGE` in `"CONN_MAX_AGE": CONN_MAX_AGE`),
    from the file's tree index (`context.parents.tree_index`)."""
    return frozenset(node.id for node in nodes.of_type(ast.Name) if isinstance(node.ctx, ast.Load))


def dict_items(value: ast.expr) -> dict[str, ast.expr]:
    """String key -> value of a dict display or `dict(KEY=...)` (computed keys left out)."""
    if isinstance(value, ast.Dict):
        return {key.value: item for key, item in zip(value.keys, value.values)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)}
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        return {keyword.arg: keyword.value for keyword in value.keywords if keyword.arg is not None}
    return {}


def has_splat(value: ast.expr) -> bool:
    """`{**BASE, ...}` or `dict(**base)`: keys lintkit cannot see."""
    if isinstance(value, ast.Dict):
        return any(key is None for key in value.keys)
    return isinstance(value, ast.Call) and any(keyword.arg is None for keyword in value.keywords)
