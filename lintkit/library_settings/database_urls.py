"""SQLAlchemy database URLs read from source: the driver name and the query keys.

`"postgresql+psycopg2://u:p@db/app?sslmode=require"` names the driver
`postgresql+psycopg2` and carries the query key `sslmode`.  An f-string is read
where it is literal: `f"postgresql+asyncpg://{user}@{host}/app?ssl={mode}"` still
names its driver and the key `ssl`.  A URL lintkit cannot read (a variable bound to
a computed value, `os.environ[...]`, `URL.create(...)`) gives no driver: the call is
left alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..analysis.values import literal_value

#: Stands for a computed part of an f-string.
_HOLE = "\x00"


@dataclass(frozen=True)
class DatabaseUrl:
    driver: str  # "postgresql+psycopg2", lower case as SQLAlchemy compares it
    #: (key, node spelling it) for each readable query key.
    query: tuple[tuple[str, ast.expr], ...]
    #: The host: "" when the URL names none (the driver's default), None when lintkit cannot
    #: read it (computed, several hosts); a literal `?host=` wins, as it does for libpq.
    host: str | None = None
    #: The expression holding the URL.
    node: ast.expr | None = None


def read_url(expr: ast.expr | None, resolver=None) -> DatabaseUrl | None:
    text, node = _text(expr, resolver)
    if text is None:
        return None
    scheme, sep, rest = text.partition("://")
    if not sep or _HOLE in scheme or not scheme:
        return None
    query = rest.partition("?")[2] if "?" in rest else ""
    keys, values = [], {}
    for item in query.split("&"):
        key, _, value = item.partition("=")
        if key and _HOLE not in key and "%" not in key:
            keys.append((key, node))
            values[key] = value
    return DatabaseUrl(scheme.strip().lower(), tuple(keys), _host(rest, values), node)


def _host(rest: str, query: dict[str, str]) -> str | None:
    if "host" in query:
        value = query["host"]
        return None if _HOLE in value or "%" in value or "," in value else value
    netloc = rest.split("?", 1)[0].split("/", 1)[0].rpartition("@")[2]
    if _HOLE in netloc or "," in netloc:
        return None
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0]
    return netloc.partition(":")[0]


def _text(expr: ast.expr | None, resolver) -> tuple[str | None, ast.expr | None]:
    if isinstance(expr, ast.JoinedStr):
        parts = [value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else _HOLE
                 for value in expr.values]
        return "".join(parts), expr
    value = literal_value(expr, resolver) if expr is not None else None
    return (value, expr) if isinstance(value, str) else (None, None)
