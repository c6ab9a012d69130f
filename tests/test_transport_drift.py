"""The schemas' transport and address facts, checked against the installed libraries.

Transports (`transport_aliases`, `default_transport`, `transport_keyword`, knob `transports`):
kombu's own alias table, which transports really implement heartbeats, and what kombu itself
selects for a call.  Addresses (`host_argument`, `default_host`, `local_schemes`,
`local_values`, `host_hidden_by`): the parameter exists, the default host is the one the
library connects to, and a local scheme or value really makes a UNIX-domain connection.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import importlib.util
import inspect
import os
import re
import socket
import tempfile
from typing import Any, Callable
from unittest import mock

import pytest

import drift_services
import drift_web
from lintkit.analysis.bindings import Instance
from lintkit.analysis.events import KnownCall
from lintkit.schemas.schema import ClassSchema, FactorySchema
from lintkit.liveness.transports import selected_transport
import async_libraries_support as asyncio_clients
import confluent_kafka_support as confluent
import stomp_support
from test_schema_drift import (CLASSES, FACTORIES, SCHEMAS, Env, call_parameters, env, ids, resolve,  # noqa: F401
                               same_object, where)

# --------------------------------------------------------------------------- transports

TRANSPORT_CLASSES = [c for c in CLASSES if c.transports.aliases]

#: The library's own alias table, per class with `transport_aliases`.
ALIAS_TABLES: dict[str, Callable[[], dict[str, str]]] = {
    "kombu.connection.Connection": lambda: dict(resolve("kombu.transport.TRANSPORT_ALIASES")),
}


def test_transport_classes_exist() -> None:
    assert [c.name for c in TRANSPORT_CLASSES] == ["kombu.connection.Connection"]


@pytest.mark.parametrize("cls", TRANSPORT_CLASSES, ids=ids(TRANSPORT_CLASSES))
def test_transport_aliases_are_the_librarys(cls: ClassSchema) -> None:
    assert cls.name in ALIAS_TABLES, f"{where(cls)}: add an ALIAS_TABLES entry"
    assert dict(cls.transports.aliases) == ALIAS_TABLES[cls.name](), (
        f"{where(cls)}: transport_aliases differ from the library's table")


@pytest.mark.parametrize("cls", TRANSPORT_CLASSES, ids=ids(TRANSPORT_CLASSES))
def test_default_transport_and_keyword(cls: ClassSchema) -> None:
    conn = resolve(cls.name)()
    assert conn.transport_cls == cls.transports.default, (
        f"{where(cls)}: a call without URL or transport= selects {conn.transport_cls!r}")
    assert cls.transports.keyword in cls.kwargs


def _transport_module_source(path: str) -> str:
    module = re.split(r"[:]", path)[0] if ":" in path else path.rsplit(".", 1)[0]
    return importlib.util.find_spec(module).loader.get_source(module)


def _implements(path: str, feature: str) -> bool:
    """`Transport.implements.<feature>` of a kombu transport; read from its source (an
    `implements = ....extend(<feature>=True)` in its module) when its dependencies are not
    installed (boto3, azure, sqlalchemy...)."""
    try:
        return bool(getattr(resolve("kombu.transport.resolve_transport")(path).implements, feature))
    except (ImportError, NameError):
        tree = ast.parse(_transport_module_source(path))
        return any(isinstance(node, ast.keyword) and node.arg == feature and
                   isinstance(node.value, ast.Constant) and node.value.value is True for node in ast.walk(tree))


#: Which transports a knob exists on, per (class, concept): the library's own word for it.
KNOB_TRANSPORTS: dict[tuple[str, str], Callable[[str], bool]] = {
    ("kombu.connection.Connection", "heartbeat"): lambda path: _implements(path, "heartbeats"),
    # py-amqp's DEFAULT_SOCKET_SETTINGS apply where the transport's connection is an amqp.Connection.
    ("kombu.connection.Connection", "keepalive_options"): lambda path: _connects_with_py_amqp(path),
}


def _connects_with_py_amqp(path: str) -> bool:
    try:
        connection = getattr(resolve("kombu.transport.resolve_transport")(path), "Connection", None)
    except (ImportError, NameError):
        # Not installable here (boto3, azure, librabbitmq...): py-amqp only if its module imports it.
        return re.search(r"^(import amqp|from amqp\b)", _transport_module_source(path), re.MULTILINE) is not None
    return isinstance(connection, type) and issubclass(connection, resolve("amqp.connection.Connection"))

TRANSPORT_KNOBS = [(c, k) for c in CLASSES for k in c.knobs if k.transports]


@pytest.mark.parametrize("cls,knob", TRANSPORT_KNOBS, ids=[f"{c.name}-{k.concept}" for c, k in TRANSPORT_KNOBS])
def test_knob_transports_are_where_the_knob_exists(cls: ClassSchema, knob) -> None:
    exists = KNOB_TRANSPORTS.get((cls.name, knob.concept))
    assert exists is not None, f"{where(cls)}: add a KNOB_TRANSPORTS entry for {knob.concept}"
    real = {path for path in set(cls.transports.aliases.values()) if exists(path)}
    assert set(knob.transports) == real, f"{where(cls)}: knob {knob.concept} exists on {sorted(real)}"


def test_heartbeats_are_py_amqps_only() -> None:
    """The table above is not vacuous: kombu's other transports really lack heartbeats."""
    assert _implements("kombu.transport.pyamqp:Transport", "heartbeats")
    for path in ("kombu.transport.redis:Transport", "kombu.transport.memory:Transport",
                 "kombu.transport.SQS:Transport", "kombu.transport.sqlalchemy:Transport",
                 "kombu.transport.librabbitmq:Transport"):
        assert not _implements(path, "heartbeats"), path


#: Calls of kombu.Connection: lintkit's transport must be the one kombu selects.
SELECTION_CASES = [
    '"amqp://h//"', '"pyamqp://h//"', '"amqps://h//"', '"h"', '',
    '"redis://h/0"', '"rediss://h/0"', '"sentinel://a:26379;sentinel://b:26379"', '"memory://"',
    '"filesystem://"', '"sqla+mysql://h/db"', '"sqlalchemy+sqlite:///q.db"', '"redis+socket:///run/r.sock"',
    '"h", transport="pyamqp"', '"redis://h", transport="amqp"', '"amqp://h//", transport="redis"',
    'transport="filesystem"', '"h", transport="kombu.transport.pyamqp:Transport"',
    '"h", transport=kombu.transport.memory.Transport', '["amqp://a//", "amqp://b//"]',
    '"amqp://a//;amqp://b//"', '"qpid://h"', '"zookeeper://h:2181"', '"SLMQ://"',
]


class _Resolver:
    def qualname(self, expr: ast.expr) -> str | None:
        return ast.unparse(expr)


@pytest.mark.parametrize("arguments", SELECTION_CASES)
def test_selected_transport_is_kombus(arguments: str) -> None:
    cls = SCHEMAS.lookup("kombu.connection.Connection")
    call = ast.parse(f"Connection({arguments})", mode="eval").body
    event = KnownCall(SCHEMAS.call_target(cls), call, Instance(cls), resolver=_Resolver())
    real = resolve(cls.name)(*[ast.literal_eval(a) if not isinstance(a, ast.Attribute) else resolve(ast.unparse(a))
                               for a in call.args],
                             **{k.arg: resolve(ast.unparse(k.value)) if isinstance(k.value, ast.Attribute)
                                else ast.literal_eval(k.value) for k in call.keywords})
    chosen = real.transport_cls
    if isinstance(chosen, type):
        chosen = f"{chosen.__module__}:{chosen.__name__}"
    expected = cls.transports.aliases.get(chosen, chosen)
    assert selected_transport(event) == expected
    for alternate in real.alt[1:]:  # failover switches to each: the same transport
        scheme = alternate.split("://", 1)[0]
        assert cls.transports.aliases.get(scheme, expected) == expected


# --------------------------------------------------------------------------- addresses

ADDRESS_ITEMS = [item for item in (*CLASSES, *FACTORIES) if item.address]


@pytest.mark.parametrize("item", ADDRESS_ITEMS, ids=ids(ADDRESS_ITEMS))
def test_host_argument_is_a_parameter(item: ClassSchema | FactorySchema) -> None:
    address = item.address
    if address.host_argument is None:
        return
    if item.name in confluent.BINDING_KEYS:  # a C type: the config dict is its first, unnamed argument
        assert address.host_position == 0 and confluent.first_argument_is_the_config(item.name, address.host_key)
        return
    parameters, keywords = call_parameters(item), SCHEMAS.call_target(item).kwargs
    if keywords is None:  # keywords left unchecked (websockets.connect): the real signature's
        keywords = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    assert address.host_argument in keywords, f"{where(item)}: host_argument {address.host_argument!r} is no keyword"
    if address.host_position is not None:
        positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert len(positional) > address.host_position and \
            positional[address.host_position].name == address.host_argument, (
                f"{where(item)}: parameter {address.host_position} is not {address.host_argument!r}")


def _libpq_default(connect: Callable[..., Any]) -> str:
    """The socket directory libpq tries when no host is given (from its error message)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    with mock.patch.dict(os.environ, environment, clear=True):
        with pytest.raises(Exception) as raised:
            connect("dbname=lintkit port=1 connect_timeout=2")
    found = re.search(r'on socket "([^"]+)/\.s\.PGSQL\.1"', str(raised.value))
    assert found, f"libpq did not try a UNIX socket: {raised.value}"
    return found.group(1)


def _made(make: Callable[[], Any]) -> Callable[[Env], str]:
    return lambda env: make().host


def _pool_host(qualname: str, *args: Any) -> Callable[[Env], str]:
    return lambda env: resolve(qualname)(*args).make_connection().host


def _client_host(qualname: str, *args: Any) -> Callable[[Env], str]:
    return lambda env: resolve(qualname)(*args).connection_pool.make_connection().host


#: The host each item's library connects to when none is given.
DEFAULT_HOST_PROBES: dict[str, Callable[[Env], str]] = {
    "kombu.connection.Connection": lambda env: resolve("kombu.connection.Connection")().hostname,
    "amqp.connection.Connection": lambda env: resolve("amqp.connection.Connection")().host.rsplit(":", 1)[0],
    "pika.connection.ConnectionParameters": lambda env: resolve("pika.connection.ConnectionParameters")().host,
    "pika.connection.URLParameters": lambda env: resolve("pika.connection.URLParameters")("amqp://").host,
    "redis.client.Redis": _client_host("redis.client.Redis"),
    "redis.asyncio.client.Redis": _client_host("redis.asyncio.client.Redis"),
    "redis.connection.Connection": _made(lambda: resolve("redis.connection.Connection")()),
    "redis.connection.SSLConnection": _made(lambda: resolve("redis.connection.SSLConnection")()),
    "redis.asyncio.connection.Connection": _made(lambda: resolve("redis.asyncio.connection.Connection")()),
    "redis.connection.ConnectionPool": _pool_host("redis.connection.ConnectionPool"),
    "redis.connection.BlockingConnectionPool": _pool_host("redis.connection.BlockingConnectionPool"),
    "redis.asyncio.connection.ConnectionPool": _pool_host("redis.asyncio.connection.ConnectionPool"),
    "redis.utils.from_url": _client_host("redis.utils.from_url", "redis://"),
    "redis.client.Redis.from_url": _client_host("redis.client.Redis.from_url", "redis://"),
    "redis.connection.ConnectionPool.from_url": _pool_host("redis.connection.ConnectionPool.from_url", "redis://"),
    "redis.asyncio.utils.from_url": _client_host("redis.asyncio.utils.from_url", "redis://"),
    "redis.asyncio.client.Redis.from_url": _client_host("redis.asyncio.client.Redis.from_url", "redis://"),
    "redis.asyncio.connection.ConnectionPool.from_url":
        _pool_host("redis.asyncio.connection.ConnectionPool.from_url", "redis://"),
    "pymysql.connections.Connection":
        lambda env: resolve("pymysql.connections.Connection")(defer_connect=True).host,
    "psycopg2.connect": lambda env: _libpq_default(resolve("psycopg2.connect")),
    "psycopg.connection.Connection.connect": lambda env: _libpq_default(resolve("psycopg.connect")),
    "psycopg.connection_async.AsyncConnection.connect":
        lambda env: _libpq_default(lambda dsn: asyncio.run(resolve("psycopg.AsyncConnection.connect")(dsn))),
    "aio_pika.connection.connect": asyncio_clients.aio_pika_default_host("aio_pika.connection.connect"),
    "aio_pika.robust_connection.connect_robust":
        asyncio_clients.aio_pika_default_host("aio_pika.robust_connection.connect_robust"),
    "kafka.producer.kafka.KafkaProducer":
        lambda env: resolve("kafka.producer.kafka.KafkaProducer").DEFAULT_CONFIG["bootstrap_servers"],
    "kafka.consumer.group.KafkaConsumer":
        lambda env: resolve("kafka.consumer.group.KafkaConsumer").DEFAULT_CONFIG["bootstrap_servers"],
    "aiokafka.producer.producer.AIOKafkaProducer": lambda env: inspect.signature(
        resolve("aiokafka.producer.producer.AIOKafkaProducer")).parameters["bootstrap_servers"].default,
    "aiokafka.consumer.consumer.AIOKafkaConsumer": lambda env: inspect.signature(
        resolve("aiokafka.consumer.consumer.AIOKafkaConsumer")).parameters["bootstrap_servers"].default,
    **{name: stomp_support.default_host(name) for name in stomp_support.CLASSES},
}

DEFAULT_HOST_PROBES.update(drift_services.DEFAULT_HOST_PROBES)

DEFAULT_HOST_ITEMS = [item for item in ADDRESS_ITEMS if item.address.default_host is not None]


@pytest.mark.parametrize("item", DEFAULT_HOST_ITEMS, ids=ids(DEFAULT_HOST_ITEMS))
def test_default_host_is_where_the_library_connects(item: ClassSchema | FactorySchema, env: Env) -> None:
    probe = DEFAULT_HOST_PROBES.get(item.name)
    assert probe is not None, f"{where(item)}: add a DEFAULT_HOST_PROBES entry"
    assert probe(env) == item.address.default_host, f"{where(item)}: the default host is {probe(env)!r}"


def _unix_connection_classes() -> tuple[type, ...]:
    return (resolve("redis.connection.UnixDomainSocketConnection"),
            resolve("redis.asyncio.connection.UnixDomainSocketConnection"))


def _redis_url_is_local(qualname: str) -> Callable[[str], bool]:
    def probe(scheme: str) -> bool:
        made = resolve(qualname)(f"{scheme}:///run/redis.sock")
        pool = getattr(made, "connection_pool", made)
        return issubclass(pool.connection_class, _unix_connection_classes())
    return probe


def _grpc_target_is_local(qualname: str) -> Callable[[str], bool]:
    """The channel connects to a UNIX socket listening here: `<scheme>:<path>` (for unix-abstract,
    `<scheme>:<name>` in Linux's abstract namespace) reaches its accept()."""
    def connect(target: str) -> None:
        factory = resolve(qualname)
        args = (target,)
        if "credentials" in inspect.signature(factory).parameters:
            args += (resolve("grpc.local_channel_credentials")(),)
        if ".aio." not in qualname:
            with contextlib.suppress(Exception):
                resolve("grpc.channel_ready_future")(factory(*args)).result(timeout=1)
            return

        async def ready() -> None:
            channel = factory(*args)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(channel.channel_ready(), 1)
            await channel.close()
        asyncio.run(ready())

    def probe(scheme: str) -> bool:
        name = f"lintkit-{os.getpid()}-{scheme}"
        with tempfile.TemporaryDirectory() as directory, socket.socket(socket.AF_UNIX) as server:
            path = os.path.join(directory, "grpc.sock")
            server.bind("\0" + name if scheme == "unix-abstract" else path)
            server.listen(1)
            server.settimeout(2)
            connect(f"{scheme}:{name if scheme == 'unix-abstract' else path}")
            try:
                server.accept()[0].close()
            except OSError:
                return False
            return True
    return probe


#: For each `local_schemes` entry: a URL with that scheme makes a UNIX-domain connection.
LOCAL_SCHEME_PROBES: dict[str, Callable[[str], bool]] = {
    **{name: _redis_url_is_local(name) for name in (
        "redis.utils.from_url", "redis.client.Redis.from_url", "redis.connection.ConnectionPool.from_url",
        "redis.asyncio.utils.from_url", "redis.asyncio.client.Redis.from_url",
        "redis.asyncio.connection.ConnectionPool.from_url")},
    **{name: _grpc_target_is_local(name) for name in (
        "grpc.insecure_channel", "grpc.secure_channel", "grpc.aio._channel.insecure_channel",
        "grpc.aio._channel.secure_channel")},
}
#: A scheme of each item that is not local: the probe must say so (it can tell).
TCP_SCHEME = {name: "redis" if name.startswith("redis") else "dns" for name in LOCAL_SCHEME_PROBES}

LOCAL_SCHEME_ITEMS = [item for item in ADDRESS_ITEMS if item.address.local_schemes]


@pytest.mark.parametrize("item", LOCAL_SCHEME_ITEMS, ids=ids(LOCAL_SCHEME_ITEMS))
def test_local_schemes_make_unix_connections(item: ClassSchema | FactorySchema) -> None:
    probe = LOCAL_SCHEME_PROBES.get(item.name)
    assert probe is not None, f"{where(item)}: add a LOCAL_SCHEME_PROBES entry"
    for scheme in sorted(item.address.local_schemes):
        assert probe(scheme), f"{where(item)}: {scheme}:// does not make a UNIX-domain connection"
    assert not probe(TCP_SCHEME[item.name]), f"{where(item)}: the probe cannot tell ({TCP_SCHEME[item.name]} is TCP)"


def _socket_family(connection: Any) -> int:
    if asyncio.iscoroutinefunction(connection._connect):
        async def run() -> int:
            with mock.patch.object(connection, "on_connect", mock.AsyncMock()):  # no server handshake
                await connection._connect()
            try:
                return connection._writer.transport.get_extra_info("socket").family
            finally:
                connection._writer.close()
        return asyncio.run(run())
    sock = connection._connect()
    try:
        return sock.family
    finally:
        sock.close()


@pytest.mark.parametrize("item", [i for i in ADDRESS_ITEMS if i.address.local_values],
                         ids=ids([i for i in ADDRESS_ITEMS if i.address.local_values]))
def test_local_values_make_unix_connections(item: ClassSchema | FactorySchema, env: Env) -> None:
    """A pool given the value connects over AF_UNIX (to a listening socket); every name is one object."""
    path = os.path.join(env.pg_dir, ".s.PGSQL.5432")
    for keyword, names in item.address.local_values.items():
        objects = [resolve(name) for name in sorted(names)]
        assert all(same_object(o, objects[0]) for o in objects), f"{where(item)}: {sorted(names)} differ"
        pool = resolve(item.name)(**{keyword: objects[0]}, path=path)
        assert _socket_family(pool.make_connection()) == socket.AF_UNIX, (
            f"{where(item)}: {keyword}={sorted(names)[0]} does not connect over AF_UNIX")


def _pymysql_reads_host_from_file(keyword: str) -> bool:
    parser = resolve("pymysql.connections.Parser")
    read = parser.read
    with tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False) as handle:
        handle.write("[client]\nhost = db.example.com\nsocket = /run/mysqld/mysqld.sock\n")
    try:
        # read_default_group alone reads /etc/my.cnf: let it read this file instead.
        with mock.patch.object(parser, "read", lambda self, filename: read(self, handle.name)):
            value = handle.name if keyword == "read_default_file" else "client"
            conn = resolve("pymysql.connections.Connection")(defer_connect=True, **{keyword: value})
        return conn.host == "db.example.com" and conn.unix_socket == "/run/mysqld/mysqld.sock"
    finally:
        os.unlink(handle.name)


def _redis_pool_chooses_the_host(qualname: str, pool: str) -> Callable[[str], bool]:
    def probe(keyword: str) -> bool:
        client = resolve(qualname)(**{keyword: resolve(pool)(host="db.example.com")})
        return client.connection_pool.make_connection().host == "db.example.com"
    return probe


#: For each `host_hidden_by` keyword: passing it lets something else choose the host.
HOST_HIDDEN_PROBES: dict[str, Callable[[str], bool]] = {
    "pymysql.connections.Connection": _pymysql_reads_host_from_file,
    "redis.client.Redis": _redis_pool_chooses_the_host("redis.client.Redis", "redis.connection.ConnectionPool"),
    "redis.asyncio.client.Redis":
        _redis_pool_chooses_the_host("redis.asyncio.client.Redis", "redis.asyncio.connection.ConnectionPool"),
}
HOST_HIDDEN_PROBES.update(drift_web.HOST_HIDDEN_PROBES)


@pytest.mark.parametrize("item", [i for i in ADDRESS_ITEMS if i.address.host_hidden_by],
                         ids=ids([i for i in ADDRESS_ITEMS if i.address.host_hidden_by]))
def test_host_hidden_by_keywords_choose_the_host(item: ClassSchema | FactorySchema) -> None:
    probe = HOST_HIDDEN_PROBES.get(item.name)
    assert probe is not None, f"{where(item)}: add a HOST_HIDDEN_PROBES entry"
    for keyword in sorted(item.address.host_hidden_by):
        assert probe(keyword), f"{where(item)}: {keyword}= does not set the host"
