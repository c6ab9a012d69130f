"""Constructor calls that open no connection (schema `connect_deferred_by`).

PyMySQL's `Connection(..., defer_connect=True)` makes no socket: a later
`connect()` does, possibly with a socket the code made and configured itself.
The call is not where the connection's liveness is decided, so the LK2xx rules
leave it alone.  A computed value (`defer_connect=lazy`) or `**options` may
defer too: not guessed, also left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.events import KnownCall
from ..analysis.values import NO_VALUE, literal_value

if TYPE_CHECKING:
    from ..analysis.context import FileContext


def connect_deferred(event: KnownCall, context: FileContext) -> bool:
    """A call that opens no connection (`pymysql.connect(..., defer_connect=True)`): the later
    `connect()` makes the socket, maybe one the code configured itself."""
    deferring = event.target.returns.connect_deferred_by
    if not deferring:
        return False
    for keyword in event.call.keywords:
        if keyword.arg is None:
            return True  # **options: may hold it
        if keyword.arg in deferring:
            value, wanted = literal_value(keyword.value, event.resolver), deferring[keyword.arg]
            if value is NO_VALUE:
                return True
            return bool(value) is wanted if isinstance(wanted, bool) else value == wanted
    return False
