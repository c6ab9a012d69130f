"""Semantic events the analyzer emits and the checks consume."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Protocol

from .bindings import Instance
from ..schemas.registry import CallTarget


class Resolver(Protocol):
    """Names as the checked file binds them at the event's position (from its imports)."""

    def qualname(self, expr: ast.expr) -> str | None:
        """`socket.SOL_SOCKET` for `socket.SOL_SOCKET`, `s.SOL_SOCKET` (`import socket as s`)
        or `SOL_SOCKET` (`from socket import SOL_SOCKET`); None when not an imported name."""

    def spelling(self, qualname: str) -> str | None:
        """How code at this position can name `qualname` without a new import: a bare
        name bound to it, else `<module alias>.<attr>`; None when neither is bound."""

    def constant(self, name: str) -> object:
        """The literal value of a module-level constant `name` as seen at this position
        (assigned once, never rebound), else `values.NO_VALUE`."""


@dataclass(frozen=True)
class AttributeStore:
    """`obj.name = value` (also `+=`, annotated, tuple targets, `setattr(obj, "name", v)`)."""

    instance: Instance
    name: str
    #: The node whose position is reported: the attribute name or the string literal.
    line: int
    col: int
    end_line: int
    end_col: int
    value: ast.expr | None
    form: str  # "assign", "augassign", "annassign", "setattr"
    #: The object expression (`conn` in `conn.heartbeat = 30`).
    receiver: ast.expr | None = field(default=None, compare=False, repr=False)
    #: Libraries whose version an enclosing `if` tests (as for `KnownCall`).
    version_guards: frozenset[str] = frozenset()


@dataclass(frozen=True)
class KnownCall:
    """A call to a schema constructor or factory."""

    target: CallTarget
    call: ast.Call
    #: The local subclass being constructed, if any.
    instance: Instance
    subclass_defines_init: bool = False
    resolver: Resolver | None = field(default=None, compare=False, repr=False)
    #: Libraries whose version an enclosing `if` tests: version-dependent defaults are
    #: then the code's own business.
    version_guards: frozenset[str] = frozenset()
    #: For an instance-method factory (`session.ws_connect()`): the object it is called on.
    receiver: Instance | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class MethodCall:
    """`receiver.method(...)`: a call through an attribute.

    `instance` is set when the receiver is a known client object (paramiko's
    `transport.set_keepalive(0)`): every such call is an event.  Otherwise it is
    None, and only calls of the methods some rule watches (`Check.watched_methods`)
    are events (`sock.setsockopt(...)` on a socket lintkit cannot see: a wrong
    socket-option level is wrong on any socket)."""

    instance: Instance | None
    receiver: ast.expr
    method: str
    call: ast.Call
    resolver: Resolver = field(compare=False, repr=False)
    #: Libraries whose version an enclosing `if` tests (as for `KnownCall`).
    version_guards: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CallSite:
    """A call passing a keyword some rule watches (`Check.watched_keywords`), whatever it
    calls (`KafkaConsumer(socket_options=[...])` of a library with no schema): for rules
    that judge arguments by their own meaning."""

    call: ast.Call
    resolver: Resolver = field(compare=False, repr=False)
