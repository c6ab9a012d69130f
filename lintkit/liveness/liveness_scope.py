"""Which library connections the LK2xx liveness rules judge at all.

A liveness finding promises that the connection can sit idle behind a NAT
gateway, load balancer or firewall.  Connections that cannot (a UNIX-domain
socket, loopback, a short-lived connection, one whose sockets another object
makes) are exempt.  Each exemption is one predicate over the constructor or
factory call; every LK2xx rule asks `exempt()` before judging a call, so the
rules cannot disagree about which connections count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .computed_settings import hides_settings
from .deferred_connect import connect_deferred
from .holder_uses import probes_only
from ..analysis.events import KnownCall
from .knobs import uses_local_socket
from .lifetime import short_lived
from .overrides import connection_settings_elsewhere
from .transports import HIDDEN, connects_locally, default_host_is_local, place

if TYPE_CHECKING:
    from ..analysis.context import FileContext


def _local_socket_keyword(event: KnownCall, context: FileContext) -> bool:
    """A keyword that makes the connection a UNIX-domain one (PyMySQL `unix_socket=`, redis
    `unix_socket_path=`; the schema's `local_kwargs`)."""
    return uses_local_socket(event.call, event.target)


def _settings_from_another_object(event: KnownCall, context: FileContext) -> bool:
    """A client given a connection pool (redis `connection_pool=`): the library ignores the client's
    own connection keywords (LK104 reports them), so the rules judge the pool where it is built."""
    return connection_settings_elsewhere(event.call, event.target)


def _unreadable_settings(event: KnownCall, context: FileContext) -> bool:
    """A connection string lintkit cannot read (a variable, an f-string), a `*args`/`**kwargs`
    splat, or a keyword that reads the host from a file (PyMySQL's `read_default_file`): it may
    carry the setting itself or name a local or non-TCP transport."""
    return hides_settings(event) or place(event) == HIDDEN


#: Predicates over a known constructor or factory call; any true one exempts the call.
EXEMPTIONS: tuple[Callable[[KnownCall, FileContext], bool], ...] = (
    _local_socket_keyword,
    connect_deferred,
    connects_locally,
    default_host_is_local,
    _unreadable_settings,
    _settings_from_another_object,
    short_lived,
    probes_only,
)


#: What the rules also leave alone, decided elsewhere (for the docs pages, after EXEMPTIONS).
EXEMPTION_NOTES = (
    "Test code: files matched by `test-code-paths` and test functions, fixtures and `TestCase` "
    "methods in any file (`test-code-ignore`, default `[\"LK2\"]`).",
    "Code inside an `if` that tests the library's version, for a version-dependent default.",
    "Code inside a block where a test expects it to fail or warn (`with pytest.raises(...)`, "
    "`pytest.warns`, `pytest.deprecated_call()`, `self.assertRaises(...)`).",
    "The construction of a local subclass that defines its own `__init__`.",
    "Vendored code, unless `strict`: a directory inside a package named `_vendor`, `vendor`, `vendored`, "
    "`_vendored`, `third_party` or `thirdparty`, or holding a licence file of its own (a copy of another "
    "project, such as netmiko's `_telnetlib/`).",
)


def exempt(event: KnownCall, context: FileContext) -> bool:
    """Whether the LK2xx rules leave the connection made by this call alone (computed once
    per call and class of a file: every LK2xx rule asks)."""
    if event.subclass_defines_init:
        return True
    verdicts = context.__dict__.setdefault("_liveness_exempt", {})
    key = (id(event.call), id(event.target))
    if key not in verdicts:
        verdicts[key] = any(predicate(event, context) for predicate in EXEMPTIONS)
    return verdicts[key]
