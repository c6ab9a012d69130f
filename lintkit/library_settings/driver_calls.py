"""Driver keywords given through configuration, judged like a direct call to the driver.

Django's `OPTIONS` of a PostgreSQL `DATABASES` entry and SQLAlchemy's `connect_args` for a
libpq driver end up as keywords of `psycopg.connect()` / `psycopg2.connect()`.  The LK203
and LK205 rules judge explicit settings there (`"keepalives": 0`, `"keepalives_idle": 7200`)
as they judge a direct call: this module builds that call (an `ast.Call` whose keywords
are the dict's own key and value nodes, so findings and fixes land on the user's text) with
the host the configuration names, and hands it to the rule as a `KnownCall`.  The shared
LK2xx exemptions then apply as for any call: no host (libpq's UNIX socket), a socket
directory or a loopback host is not judged, nor a Django entry whose connections cannot sit idle past
the maximum idle time (`CONN_MAX_AGE` absent, 0 or at most that time) or an engine with `poolclass=NullPool`.  Only explicit settings
are judged this way:
whether the connection lives long enough to need keepalive is Django's `CONN_MAX_AGE`
business (lintkit/library_settings/django_liveness.py), so LK202 and LK204 do not see these calls.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from ..analysis.bindings import Instance
from ..analysis.events import KnownCall
from .settings_modules import dict_items, has_splat
from .django_liveness import POSTGRESQL_ENGINES, idle_past, settings_databases
from ..analysis.values import literal_value

if TYPE_CHECKING:
    from ..checks.base import Check

#: The driver factory whose keywords a libpq configuration dict holds (psycopg's knobs are the same).
LIBPQ_FACTORY = "psycopg2.connect"
#: SQLAlchemy drivers whose connect_args go to libpq.
LIBPQ_DRIVERS = ("psycopg2.connect()", "psycopg.connect()")


def _call(items: list[tuple[str, ast.AST, ast.expr]], host: ast.expr | None) -> ast.Call:
    keywords = [ast.keyword(arg=key, value=value, lineno=node.lineno, col_offset=node.col_offset,
                            end_lineno=value.end_lineno, end_col_offset=value.end_col_offset)
                for key, node, value in items]
    if host is not None:
        keywords.append(ast.keyword(arg="host", value=host, lineno=host.lineno, col_offset=host.col_offset,
                                    end_lineno=host.end_lineno, end_col_offset=host.end_col_offset))
    anchor = items[0][1]
    return ast.Call(func=ast.Name("connect", ast.Load()), args=[], keywords=keywords, lineno=anchor.lineno,
                    col_offset=anchor.col_offset, end_lineno=anchor.end_lineno, end_col_offset=anchor.end_col_offset)


def _event(check: Check, call: ast.Call, owner: str, resolver=None) -> KnownCall | None:
    item = check.schemas.lookup(LIBPQ_FACTORY)
    if item is None:
        return None
    target = replace(check.schemas.call_target(item), display_name=owner)
    # Kept for the file's lifetime: the LK2xx exemptions cache their verdicts by id(call), id(target).
    check.context.__dict__.setdefault("_driver_calls", []).append((call, target))
    return KnownCall(target, call, Instance(target.returns, origin=call), resolver=resolver)


def _keyed_items(value: ast.expr) -> list[tuple[str, ast.AST, ast.expr]]:
    """(key, node spelling the key, value) of a dict display with string keys or a `dict(...)` call."""
    if value is None or has_splat(value):
        return []
    if isinstance(value, ast.Call):
        return [(k.arg, k, k.value) for k in value.keywords] if dict_items(value) else []
    if not isinstance(value, ast.Dict):
        return []
    return [(key.value, key, item) for key, item in zip(value.keys, value.values)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)]


def settings_calls(check: Check) -> Iterator[KnownCall]:
    """A driver call for each PostgreSQL `DATABASES` entry of a settings module with literal OPTIONS."""
    for assignment in settings_databases(check):
        for alias, entry in dict_items(assignment.value).items():
            fields = dict_items(entry)
            if has_splat(entry) or literal_value(fields.get("ENGINE")) not in POSTGRESQL_ENGINES:
                continue
            if idle_past(fields, check.options.max_idle_seconds) is False:
                continue
            items = _keyed_items(fields.get("OPTIONS"))
            if items:
                event = _event(check, _call(items, fields.get("HOST")), f"the OPTIONS of DATABASES[{alias!r}]")
                if event is not None:
                    yield event


def connect_args_calls(check: Check, event: KnownCall) -> Iterator[KnownCall]:
    """The driver call of `create_engine(url, connect_args={...})` for a libpq driver, with the URL's host."""
    from .config_keys import selected_key_set

    found = selected_key_set(check, event)
    if found is None or found[0].name not in LIBPQ_DRIVERS or not found[0].argument:
        return
    key_set, url = found
    items = _keyed_items(_keyword(event.call, key_set.argument))
    if not items or url.host is None:
        return  # no host readable: computed, or hidden
    pool = _keyword(event.call, "poolclass")
    if isinstance(pool, (ast.Name, ast.Attribute)) and (getattr(pool, "id", None) or pool.attr) == "NullPool":
        return  # a new connection per checkout: nothing stays idle in a pool
    host_node = None
    if url.host:
        host_node = ast.Constant(url.host)
        ast.copy_location(host_node, url.node)
        host_node.end_lineno, host_node.end_col_offset = url.node.end_lineno, url.node.end_col_offset
    driver_event = _event(check, _call(items, host_node), f"{event.target.display_name}(connect_args=...)",
                          event.resolver)
    if driver_event is not None:
        yield driver_event


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)
