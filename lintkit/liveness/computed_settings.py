"""One policy for settings lintkit cannot read: a computed URL or DSN, a `**kwargs` splat.

A connection string the code computes (`redis.from_url(url)`, `kombu.Connection(
settings.BROKER_URL)`, `psycopg2.connect(dsn)`) may carry the liveness settings
itself (`?heartbeat=30`, `?socket_keepalive=true`, `keepalives_idle=30`), and in
kombu and redis-py its query wins over keyword arguments; it may also name a
transport that has no TCP connection to a remote host (`memory://`, `unix://`, a
libpq socket directory).  A `*args`/`**kwargs` splat may hide the same.  lintkit
cannot tell, so the LK2xx rules say nothing about such a call rather than guess.

Unless the call takes no keyword that could change the verdict: pysftp's
`Connection(**conn_params)` has no liveness keyword (its keepalive is a method of the
paramiko Transport it keeps), no UNIX-socket, deferred-connect, transport or
override keyword, and no connection string, so a splat can hide only the host, and a
host lintkit cannot read is judged as remote, as a computed one is.
"""

from __future__ import annotations

import ast

from ..analysis.events import KnownCall
from .transports import literal_texts, splat_hides_only_host
from ..analysis.values import literal_value


def hides_settings(event: KnownCall) -> bool:
    """Whether the call passes settings lintkit cannot read: a `*`/`**` splat, or a
    connection string (the schema's `settings_argument`) that is not a literal string."""
    call = event.call
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return not splat_hides_only_host(event.target)
    node = settings_string(call, event.target.settings_argument)
    if node is None or literal_texts(node) is not None:  # a literal, or literal alternates (kombu)
        return False
    return not isinstance(literal_value(node, event.resolver), str)  # a module constant is read


def settings_string(call: ast.Call, name: str | None) -> ast.expr | None:
    """The connection-string argument of `call`: the keyword `name`, else the first positional."""
    if name is None:
        return None
    node = next((k.value for k in call.keywords if k.arg == name), None)
    if node is None and call.args:
        node = call.args[0]
    return node
