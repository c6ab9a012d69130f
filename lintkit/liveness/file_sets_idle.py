"""Whether a file sets the keepalive idle time on some socket itself.

A library whose keepalive switch only sets `SO_KEEPALIVE` (thrift's `TSocket(socket_keepalive=True)`)
exposes its socket after connecting (`sock.handle`); the schema's `remedy` says to set `TCP_KEEPIDLE`
there. lintkit cannot tie that later `setsockopt()` to the object the switch was given to, so a file
that sets the idle time on any socket is taken to have followed the remedy.
"""

from __future__ import annotations

import ast

from ..analysis.events import Resolver
from .sockets import may_set_idle


def file_sets_idle(context, resolver: Resolver) -> bool:
    """A `setsockopt()` or `ioctl()` call of the file sets (or may set) the keepalive idle time."""
    return any(isinstance(call.func, ast.Attribute) and call.func.attr in ("setsockopt", "ioctl")
               and may_set_idle(call, resolver)
               for call in context.parents.tree_index.of_type(ast.Call))
