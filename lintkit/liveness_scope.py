"""Which library connections the LK2xx liveness rules judge at all.

A liveness finding promises that the connection can sit idle behind a NAT
gateway, load balancer or firewall.  Connections that cannot (a UNIX-domain
socket, loopback, a short-lived connection, one whose sockets another object
makes) are exempt.  Each exemption is one predicate over the constructor or
factory call; every LK2xx rule asks `exempt()` before judging a call, so the
rules cannot disagree about which connections count.
"""

from __future__ import annotations

from typing import Callable

from .checks.base import FileContext
from .events import KnownCall
from .knobs import uses_local_socket
from .lifetime import short_lived


def _local_socket_keyword(event: KnownCall, context: FileContext) -> bool:
    """`unix_socket=`-style keywords of the schema (`local_kwargs`)."""
    return uses_local_socket(event.call, event.target)


#: Predicates over a known constructor or factory call; any true one exempts the call.
EXEMPTIONS: tuple[Callable[[KnownCall, FileContext], bool], ...] = (
    _local_socket_keyword,
    short_lived,
)


def exempt(event: KnownCall, context: FileContext) -> bool:
    """Whether the LK2xx rules leave the connection made by this call alone."""
    return event.subclass_defines_init or any(predicate(event, context) for predicate in EXEMPTIONS)
