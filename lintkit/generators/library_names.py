"""Libraries' own machine-readable lists of the names they accept.

A list a library keeps of its settings or option keys is more complete than anything read
from signatures: celery's `SETTING_KEYS`, botocore's `Config.OPTION_DEFAULTS`, pyzmq's
`zmq.SocketOption`, redis's cluster `REDIS_ALLOWED_KEYS`, aio-pika's `Connection.PARAMETERS`,
libpq's keywords (`psycopg.pq.Conninfo.get_defaults()`).  `NAME_LISTS` says where each one
lives; `names_of()` reads any of them.  Like lintkit.generators.library_view, this imports the library:
only the schema generator and the drift tests use it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import functools
import importlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .library_view import resolve


@dataclass(frozen=True)
class NameList:
    """Where a distribution keeps a list of names, and what the names are in a schema."""

    distribution: str
    #: A dotted path to the list; a trailing `()` calls it (`psycopg.pq.Conninfo.get_defaults()`).
    path: str
    #: What the names are: "kwargs" (keywords `item` accepts through `**kwargs`: schema_draft.keywords_of
    #: and so the drift tests add them), "kept_kwargs" (the only keywords `item`'s `**kwargs` keeps,
    #: the rest are dropped: they replace what following `**kwargs` finds), "option_keys.NAME" (the keys of `item`'s collection NAME: the
    #: drift tests compare the schema's `option_keys` with them), "transport_aliases" (the aliases of
    #: `item`'s transports), or "settings" (names of a settings namespace no schema key holds yet: a
    #: configuration object's keys, socket options, URL query parameters; the draft prints them).
    role: str
    #: The schema class or factory the names belong to (None: the library as a whole).
    item: str | None = None
    #: A prefix every name carries in the list and not in code (urllib3's PoolKey fields: `key_`).
    prefix: str = ""

    def names(self) -> frozenset[str]:
        return names_of(self.path, self.prefix)


#: Name lists per distribution.  Add an entry for a library that keeps one: the generator fills
#: the role from it and the drift tests compare the schema with it.
NAME_LISTS: tuple[NameList, ...] = (
    NameList("pika", "pika.tcp_socket_opts._SUPPORTED_TCP_OPTIONS", "option_keys.tcp_options",
             "pika.connection.ConnectionParameters"),
    NameList("pika", "pika.tcp_socket_opts._SUPPORTED_TCP_OPTIONS", "option_keys.tcp_options",
             "pika.connection.URLParameters"),
    NameList("psycopg", "psycopg.pq.Conninfo.get_defaults()", "kwargs", "psycopg.connection.Connection.connect"),
    NameList("psycopg", "psycopg.pq.Conninfo.get_defaults()", "kwargs",
             "psycopg.connection_async.AsyncConnection.connect"),
    NameList("psycopg2-binary", "lintkit.generators.library_names.psycopg2_libpq_keywords()", "kwargs", "psycopg2.connect"),
    NameList("urllib3", "urllib3.poolmanager.PoolKey", "kwargs", "urllib3.poolmanager.PoolManager", prefix="key_"),
    NameList("kombu", "kombu.transport.TRANSPORT_ALIASES", "transport_aliases", "kombu.connection.Connection"),
    NameList("redis", "redis.cluster.REDIS_ALLOWED_KEYS", "kept_kwargs", "redis.cluster.RedisCluster"),
    NameList("celery", "celery.app.defaults.SETTING_KEYS", "settings"),
    NameList("botocore", "botocore.config.Config.OPTION_DEFAULTS", "kwargs", "botocore.config.Config"),
    NameList("pyzmq", "zmq.SocketOption", "settings"),
    NameList("aio-pika", "aio_pika.connection.Connection.PARAMETERS", "settings"),
    # pymongo looks its keyword options up lowercased in VALIDATORS; the URL query's in URI_OPTIONS_VALIDATOR_MAP.
    NameList("pymongo", "pymongo.common.VALIDATORS", "kwargs", "pymongo.synchronous.mongo_client.MongoClient"),
    NameList("pymongo", "pymongo.common.VALIDATORS", "kwargs", "pymongo.asynchronous.mongo_client.AsyncMongoClient"),
    NameList("pymongo", "pymongo.common.URI_OPTIONS_VALIDATOR_MAP", "settings"),
)


def name_lists(distribution: str) -> list[NameList]:
    wanted = _normal(distribution)
    return [entry for entry in NAME_LISTS if _normal(entry.distribution) == wanted]


def name_list_for(item: str, role: str) -> NameList | None:
    return next((entry for entry in NAME_LISTS if entry.item == item and entry.role == role), None)


def _normal(distribution: str) -> str:
    return distribution.lower().replace("_", "-").replace(".", "-")


def names_of(path: str, prefix: str = "") -> frozenset[str]:
    """The names a list holds, whatever its shape: a mapping's keys, an enum's members, a named
    tuple's fields, strings (or bytes), or objects with a `name` or `keyword`; `path()` calls it."""
    called = path.endswith("()")
    value = resolve(path[:-2] if called else path)
    if called:
        value = value()
    names = frozenset(_names(value))
    if prefix:
        names = frozenset(name[len(prefix):] for name in names if name.startswith(prefix))
    return names


def _names(value: Any) -> Iterable[str]:
    if isinstance(value, type) and issubclass(value, enum.Enum):
        return [member.name for member in value]
    if isinstance(value, type) and hasattr(value, "_fields"):  # a named tuple
        return list(value._fields)
    if isinstance(value, Mapping):
        return [_name(key) for key in value]
    return [_name(item) for item in value]


def _name(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, bytes):
        return item.decode()
    for attribute in ("name", "keyword"):
        named = getattr(item, attribute, None)
        if isinstance(named, (str, bytes)):
            return _name(named)
    raise TypeError(f"cannot read a name from {item!r}")


# --------------------------------------------------------------------------- libpq


class _ConninfoOption(ctypes.Structure):
    _fields_ = [("keyword", ctypes.c_char_p), ("envvar", ctypes.c_char_p), ("compiled", ctypes.c_char_p),
                ("val", ctypes.c_char_p), ("label", ctypes.c_char_p), ("dispchar", ctypes.c_char_p),
                ("dispsize", ctypes.c_int)]


@functools.lru_cache(maxsize=None)
def psycopg2_libpq() -> tuple[int, frozenset[str]]:
    """The libpq psycopg2 runs on (psycopg2-binary bundles its own): version and keywords."""
    psycopg2 = importlib.import_module("psycopg2")
    importlib.import_module("psycopg2._psycopg")
    with open("/proc/self/maps", encoding="utf-8") as maps:
        loaded = {line.split()[-1] for line in maps if "/libpq" in line}
    bundled = [p for p in loaded if "psycopg2" in p] or sorted(loaded) or [ctypes.util.find_library("pq")]
    lib = ctypes.CDLL(bundled[0])
    lib.PQlibVersion.restype = ctypes.c_int
    lib.PQconndefaults.restype = ctypes.POINTER(_ConninfoOption)
    version = lib.PQlibVersion()
    assert version == psycopg2.extensions.libpq_version(), f"loaded {bundled[0]}, not psycopg2's libpq"
    options = lib.PQconndefaults()
    keywords, i = set(), 0
    while options[i].keyword:
        keywords.add(options[i].keyword.decode())
        i += 1
    return version, frozenset(keywords)


def psycopg2_libpq_keywords() -> frozenset[str]:
    return psycopg2_libpq()[1]


def psycopg_libpq() -> tuple[int, frozenset[str]]:
    pq = importlib.import_module("psycopg.pq")
    return pq.version(), names_of("psycopg.pq.Conninfo.get_defaults()")
