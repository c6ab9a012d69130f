"""Where a library call connects to: which transport it selects, and whether it stays local.

A liveness finding is about a TCP connection that crosses a network.  Two facts
decide whether a call makes one, both read from the schemas (nothing here names
a library):

- the **transport** a call selects (`[[class]]` `transport_aliases`,
  `transport_keyword`, `default_transport`): kombu talks AMQP over `amqp://`
  but redis, SQS or an in-memory queue over `redis://`, `sqs://`, `memory://`.
  Knobs that exist on some transports only (`[[class.knob]]` `transports`) are
  judged only on those; an unknown transport (a computed URL, a transport
  class lintkit does not know, `**kwargs`) judges none of them;
- the **address** (`host_argument`, `default_host`, `local_schemes`,
  `local_values`, `host_hidden_by`): a loopback host or a UNIX socket has no
  middlebox to forget an idle flow.

Policy for what cannot be read: a computed *host* is assumed to be a remote
TCP host (the keyword only ever names one); a computed *URL* or connection
string, `**kwargs`, or a keyword that reads the host from a file may select a
UNIX socket or a local host, so lintkit does not claim TCP and the call is not
judged.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

from ..analysis.events import KnownCall
from ..schemas.schema import Address, Knob

#: Places a call connects to.
LOCAL, DEFAULT_LOCAL, HIDDEN, REMOTE = "local", "default-local", "hidden", "remote"

_HIDDEN = object()  # an argument behind *args
_CONNINFO_HOST = re.compile(r"(?:^|\s)host(?:addr)?\s*=\s*'?([^\s']*)")
_QUERY_HOST = re.compile(r"[?&]host=([^&#]*)")


# --------------------------------------------------------------------------- transports


def on_transport(event: KnownCall, knobs: Iterable[Knob]) -> tuple[Knob, ...]:
    """The knobs that exist on the transport the call selects (all, for knobs without `transports`)."""
    knobs = tuple(knobs)
    if not any(k.transports for k in knobs):
        return knobs
    transport = selected_transport(event)
    return tuple(k for k in knobs if not k.transports or transport in k.transports)


def selected_transport(event: KnownCall) -> str | None:
    """The transport (a value of `transport_aliases`) the call selects; None when unknown.

    As kombu reads it: a `prefix+` before `://` names the transport (`sqla+mysql://`);
    else the transport keyword (an alias, a dotted path or a class); else the URL scheme;
    else the default. `;`-separated alternates must all select the same transport."""
    target, call = event.target, event.call
    table = target.transports
    if not table.aliases or any(k.arg is None for k in call.keywords):
        return None
    texts: list[str] | None = [""]
    node = _argument(call, target.address.host_argument, target.address.host_position)
    if node is _HIDDEN:
        return None
    if node is not None:
        texts = literal_texts(node)
        if texts is None:
            return None
    chosen = {_transport_of(text, event) for text in _alternates(texts)}
    return chosen.pop() if len(chosen) == 1 else None


def _transport_of(text: str, event: KnownCall) -> str | None:
    table = event.target.transports
    scheme = text.split("://", 1)[0] if "://" in text else None
    if scheme is not None and "+" in scheme:
        return table.aliases.get(scheme.split("+", 1)[0])
    keyword = next((k.value for k in event.call.keywords if k.arg == table.keyword), None)
    if keyword is not None and not (isinstance(keyword, ast.Constant) and keyword.value is None):
        return _named_transport(keyword, event)
    if scheme is not None:
        return table.aliases.get(scheme.lower())
    return table.aliases.get(table.default) if table.default is not None else None


def _named_transport(node: ast.expr, event: KnownCall) -> str | None:
    """`transport="redis"`, `transport="kombu.transport.redis:Transport"` or `transport=Transport`."""
    aliases = event.target.transports.aliases
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value in aliases:
            return aliases[node.value]
        path = node.value.replace(":", ".")
    elif event.resolver is not None and isinstance(node, (ast.Name, ast.Attribute)):
        path = event.resolver.qualname(node)
    else:
        return None
    return next((t for t in aliases.values() if t.replace(":", ".") == path), None)


# --------------------------------------------------------------------------- addresses


def place(event: KnownCall) -> str:
    """LOCAL, DEFAULT_LOCAL (no host given, the library's default is local), HIDDEN or REMOTE."""
    target, call = event.target, event.call
    if _receiver_hides_host(event):
        return HIDDEN
    address = target.address
    if not address:
        return REMOTE
    for keyword in call.keywords:
        if keyword.arg in address.local_values and _names_one_of(keyword.value, address.local_values[keyword.arg],
                                                                 event):
            return LOCAL
        if keyword.arg in address.host_hidden_by or (keyword.arg is None and not splat_hides_only_host(target)):
            return HIDDEN  # a splat of a call with no other keyword that matters holds a computed host
    node = _argument(call, address.host_argument, address.host_position)
    may_be_url = bool(address.local_schemes or target.transports.aliases
                      or address.host_argument == target.settings_argument)
    if node is None and target.settings_argument and target.settings_argument != address.host_argument:
        node, may_be_url = _argument(call, target.settings_argument, 0), True  # a conninfo or URL naming the host
    if node is _HIDDEN:
        return HIDDEN
    if node is not None and address.host_key is not None:
        node = host_entry(node, address.host_key)
        if node is _HIDDEN:
            return REMOTE  # a computed collection: assumed remote, as a computed host is
    if node is None:
        return DEFAULT_LOCAL if _is_local(address.default_host) else REMOTE
    texts = literal_texts(node)
    if texts is None:
        return HIDDEN if may_be_url else REMOTE
    hosts = [host for text in _alternates(texts) for host in _hosts(text, address)]
    if all(host is LOCAL or _is_local(address.default_host if host is None else host) for host in hosts):
        return LOCAL if any(host is not None for host in hosts) else DEFAULT_LOCAL
    return REMOTE


def splat_hides_only_host(target) -> bool:
    """Whether a `*`/`**` splat into a call of `target` (a CallTarget) can hide nothing the LK2xx
    rules judge but the host: the keywords are known, none sets liveness, makes the connection
    local, defers it, picks a transport, takes over from others, hands unknown ones on or hides
    the host, and there is no connection string (pysftp's `Connection(**conn_params)`: its
    keepalive is a method of the paramiko Transport it keeps).  Such a host is judged as
    remote, as a computed one is."""
    address, cls = target.address, target.returns
    return (target.kwargs is not None and target.knob_kwargs == frozenset() and address.host_argument is not None
            and not target.local_kwargs and not target.overrides and target.kwargs_receiver is None
            and not target.settings_argument and target.transports.keyword is None and not cls.connect_deferred_by
            and not address.local_values and not address.host_hidden_by and not address.local_schemes)


def _receiver_hides_host(event: KnownCall) -> bool:
    """An instance-method factory connects through its receiver (aiohttp `session.ws_connect()`):
    a receiver built with one of its class's `host_hidden_by` keywords (`ClientSession(connector=
    UnixConnector(...))`) or a `**` splat may connect anywhere, a UNIX socket included."""
    receiver = event.receiver
    origin = receiver.origin if receiver is not None else None
    if origin is None:
        return False
    hidden_by = receiver.cls.address.host_hidden_by
    return bool(hidden_by) and any(k.arg is None or k.arg in hidden_by for k in origin.keywords)


def _hosts(text: str, address: Address) -> list[str | None]:
    """The hosts a URL, conninfo or `host[:port]` names; None for "not given" (the default host),
    LOCAL for a local scheme."""
    if ":" in text and text.split(":", 1)[0].lower() in address.local_schemes:
        return [LOCAL]  # also without // (grpc's unix:path, unix-abstract:name)
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if any(part.lower() in address.local_schemes for part in scheme.split("+")):
            return [LOCAL]
        netloc = re.split(r"[/?#]", rest, 1)[0].rpartition("@")[2]
        query = _QUERY_HOST.search(rest)
        if query:
            netloc = _unquote(query.group(1))
        hosts = [_strip_port(_unquote(h)) for h in netloc.split(",")] if netloc else []
    elif "=" in text:
        found = _CONNINFO_HOST.findall(text)
        hosts = [h for value in found[-1:] for h in value.split(",")]
    else:
        hosts = [_strip_port(h) for h in text.split(",")] if text.strip() else []
    return [h or None for h in hosts] or [None]


def _strip_port(host: str) -> str:
    host = host.strip()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host  # a bare IPv6 address, a socket path or no port


def _is_local(host: str | None) -> bool:
    """Loopback (`localhost`, 127.0.0.0/8, `::1`) or a UNIX socket (a path, libpq's `@abstract`)."""
    if not host:
        return False
    host = host.strip().lower()
    return host == "localhost" or host.startswith(("127.", "/", "@")) or host in ("::1", "0:0:0:0:0:0:0:1")


# --------------------------------------------------------------------------- arguments


def _argument(call: ast.Call, name: str | None, position: int | None):
    """The argument given for a parameter (by keyword, or at its position); _HIDDEN behind *args."""
    if name is None:
        return None
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is None:
        return None
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return _HIDDEN
        if index == position:
            return arg
    return None


def host_entry(collection: ast.expr, key: str):
    """The value of the string `key` in a literal dict (`{"bootstrap.servers": "k:9092"}`): None
    when the dict has no such key, _HIDDEN when the collection or one of its keys is computed."""
    if not isinstance(collection, ast.Dict):
        return _HIDDEN
    for entry, value in zip(collection.keys, collection.values):
        if entry is None or not (isinstance(entry, ast.Constant) and isinstance(entry.value, str)):
            return _HIDDEN  # {**defaults, ...} or a computed key may hold the host
        if entry.value == key:
            return value
    return None


def literal_texts(node: ast.expr) -> list[str] | None:
    """A string literal, or a list/tuple of them (kombu's alternates), or the hosts of a list of
    `(host, port)` tuples (stomp.py's host_and_ports); None when computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts and \
            all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts and all(  # stomp.py [("broker", 61613), ...]
            isinstance(e, ast.Tuple) and e.elts and isinstance(e.elts[0], ast.Constant)
            and isinstance(e.elts[0].value, str) for e in node.elts):
        return [e.elts[0].value for e in node.elts]
    return None


def _alternates(texts: list[str]) -> list[str]:
    """`amqp://a;amqp://b`: each URL a connection may use."""
    return [part for text in texts for part in text.split(";")] or [""]


def _names_one_of(node: ast.expr, names: frozenset[str], event: KnownCall) -> bool:
    if event.resolver is None or not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    return event.resolver.qualname(node) in names


# --------------------------------------------------------------------------- exemptions (liveness_scope)


def connects_locally(event: KnownCall, context) -> bool:
    """The host is loopback (`localhost`, `127.x.x.x`, `::1`) or a UNIX socket (a libpq host starting with `/`, a `unix://` URL, `connection_class=UnixDomainSocketConnection`): no middlebox sits on the path."""
    return place(event) == LOCAL


def default_host_is_local(event: KnownCall, context) -> bool:
    """No host is given and the library's default is local: redis-py, PyMySQL, pika, py-amqp and kombu connect to `localhost`, libpq (psycopg2, psycopg) to its UNIX socket."""
    return place(event) == DEFAULT_LOCAL


def _unquote(text: str) -> str:
    if "%" not in text:
        return text
    from urllib.parse import unquote  # urllib.parse imports ipaddress: kept off the start-up path

    return unquote(text)
