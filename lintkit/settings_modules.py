"""Django-style settings modules: module-level assignments of UPPERCASE names.

lintkit reads a settings dict (`DATABASES = {...}`) only in a module it takes for a
settings module, conservatively: the module assigns the dict at module level, and it
also assigns another well-known Django setting (`INSTALLED_APPS`, `SECRET_KEY`...), or
star-imports other settings (`from .base import *`, split settings), or its file name
or package is called `settings`.  Only literal dicts are read; a computed value
(`env.db()`, `dj_database_url.config()`) is left alone.
"""

from __future__ import annotations

import ast
import os
from typing import Iterable, Iterator

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


def module_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr, ast.stmt]]:
    """(name, value, statement) for each module-level `NAME = value` (also annotated)."""
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    yield target.id, statement.value, statement
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                and statement.value is not None:
            yield statement.target.id, statement.value, statement


def is_settings_module(tree: ast.Module, filename: str, assigned: set[str]) -> bool:
    """Whether the module looks like Django settings (see the module docstring)."""
    if assigned & DJANGO_SETTINGS:
        return True
    if any(isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names) for s in tree.body):
        return True
    path = os.path.normpath(filename).split(os.sep)
    return os.path.splitext(path[-1])[0] == "settings" or "settings" in path[:-1]


def loaded_names(tree: ast.Module) -> frozenset[str]:
    """Every name the module reads somewhere (`CONN_MAX_AGE` in `"CONN_MAX_AGE": CONN_MAX_AGE`)."""
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
                     and isinstance(node.ctx, ast.Load))
