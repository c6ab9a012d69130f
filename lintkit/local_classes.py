"""Connections made local by the class a keyword names (schema `local_values`).

`redis.ConnectionPool(connection_class=UnixDomainSocketConnection, path=...)` makes
UNIX-domain connections: no middlebox sits on them, and `socket_keepalive=` there
raises TypeError when the first connection is made.
"""

from __future__ import annotations

import ast

from .events import Resolver
from .registry import CallTarget


def names_local_class(call: ast.Call, target: CallTarget, resolver: Resolver | None) -> bool:
    """Whether a keyword of `call` names one of the classes that make the connection local."""
    if not target.local_values or resolver is None:
        return False
    for keyword in call.keywords:
        classes = target.local_values.get(keyword.arg)
        if classes and resolver.qualname(keyword.value) in classes:
            return True
    return False
