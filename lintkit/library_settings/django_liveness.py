"""LK204 on Django settings: persistent PostgreSQL connections that can sit idle longer than the
maximum idle time, with nothing that notices a dropped one.

Django closes a persistent connection at the start or end of a request only once it is
older than `CONN_MAX_AGE` (django/db/backends/base/base.py `close_if_unusable_or_obsolete`:
`close_at` is set when the connection is made, so it counts age, not idleness).  A
connection made at t0 and idle until t0 + 400 s is reused by the next request when
`CONN_MAX_AGE` is 600 or `None`; if a NAT gateway or load balancer dropped it in between,
that request's first query fails.  Two settings prevent it: `CONN_HEALTH_CHECKS = True`
(Django 4.1+: `close_if_health_check_failed` pings a reused connection before the request's
first query and reconnects), and libpq's `keepalives_idle` in `OPTIONS` below the idle
timeout (the probes keep the idle flow alive).  `CONN_MAX_AGE` at or below the maximum
idle time is safe too: such a connection is closed before it can have been idle that long.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .settings_modules import dict_items, has_splat, is_settings_module, module_assignments, settings_path
from ..liveness.transports import _is_local
from ..analysis.values import NO_VALUE, is_number, literal_value

if TYPE_CHECKING:
    from ..checks.base import Check

#: Engines whose OPTIONS go to libpq (django/db/backends/postgresql/base.py get_connection_params).
POSTGRESQL_ENGINES = frozenset({"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"})


def check_persistent_connections(check: Check) -> None:
    assignments = settings_databases(check)
    max_idle = check.options.max_idle_seconds
    for assignment in assignments:
        for entry in dict_items(assignment.value).values():
            _check_entry(check, dict_items(entry), entry, max_idle)


def settings_databases(check: Check) -> list:
    """The module-level `DATABASES = {...}` assignments of a settings module (else none); none in
    test settings (`test_settings.py`, `settings_test.py`: the test runner's connections)."""
    name = check.context.filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not settings_path(check.context.filename) or "test" in name:
        return []
    tree = check.context.tree
    assignments = list(module_assignments(tree))
    databases = [a for a in assignments if a.name == "DATABASES" and not a.keys]
    if databases and is_settings_module(tree, check.context.filename,
                                        {a.name for a in assignments if not a.keys} - {"DATABASES"}):
        return databases
    return []


def _check_entry(check: Check, entry: dict, node, max_idle: int) -> None:
    if has_splat(node) or literal_value(entry.get("ENGINE")) not in POSTGRESQL_ENGINES:
        return
    if idle_past(entry, max_idle) is not True:
        return  # a connection per request, closed before it can idle that long, or computed
    age = literal_value(entry["CONN_MAX_AGE"])
    if "CONN_HEALTH_CHECKS" in entry and literal_value(entry["CONN_HEALTH_CHECKS"]) is not False:
        return  # on, or computed
    host = literal_value(entry.get("HOST"))
    if "HOST" not in entry or host is not NO_VALUE and (not host or _is_local(host)):
        return  # libpq's UNIX socket (no HOST), a socket directory, loopback
    options = entry.get("OPTIONS")
    if options is not None:
        items = dict_items(options)
        if has_splat(options) or not items and not _is_empty_dict(options):
            return  # computed OPTIONS may set keepalives
        if "keepalives_idle" in items or literal_value(items.get("keepalives")) == 0:
            return  # set explicitly: LK205 judges the idle, LK203 keepalive turned off
        if "service" in items or "passfile" in items:
            return  # a service file may set the host and keepalives
    value = entry["CONN_MAX_AGE"]
    how_long = "for as long as the process lives" if age is None else f"after up to {age:g} s idle"
    check.report(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset,
                 f"persistent connections are reused {how_long} and nothing notices a dropped one: "
                 f"add \"CONN_HEALTH_CHECKS\": True",
                 None,
                 f"Django closes a persistent connection only once it is older than CONN_MAX_AGE, so the next "
                 f"request reuses a connection that sat idle up to that long; a NAT gateway, load balancer or "
                 f"firewall drops idle flows after its idle timeout (here: {max_idle} s), and that request's "
                 f"first query fails. \"CONN_HEALTH_CHECKS\": True (Django 4.1+) checks a reused connection "
                 f"before the request uses it; \"keepalives_idle\" in OPTIONS below {max_idle} s keeps the idle "
                 f"connection alive (libpq's default is the OS's, Linux 7200 s); or set CONN_MAX_AGE to "
                 f"{max_idle} or less.")


def idle_past(entry: dict[str, ast.expr], max_idle: float) -> bool | None:
    """Whether the entry's persistent connections can sit idle longer than `max_idle`: Django
    closes one older than `CONN_MAX_AGE` (absent: 0, a connection per request; `None`: never)
    before a request uses it.  None when `CONN_MAX_AGE` is computed."""
    if "CONN_MAX_AGE" not in entry:
        return False
    age = literal_value(entry["CONN_MAX_AGE"])
    if age is NO_VALUE:
        return None
    return age is None or (is_number(age) and age > max_idle)


def _is_empty_dict(node: ast.expr) -> bool:
    return isinstance(node, ast.Dict) and not node.keys
