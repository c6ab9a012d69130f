"""Keep the bundled schemas honest: compare every `importable` schema with the real library.

CI installs the pinned versions (`pip install -e .[libraries]`).  A missing
library skips its tests (tests/conftest.py), or fails them with
LINTKIT_REQUIRE_LIBRARIES=1.  Every instance is built without a network
connection: a client that would connect in its constructor gets a stand-in
(pika's BlockingConnection), psycopg2 and psycopg get a Unix socket in a
temporary directory that accepts and never answers, and the only TCP traffic is
socket.create_connection() to a listener on 127.0.0.1 made by the test itself.

What is compared, per class (each class and factory is its own test id):
* the distribution version with the schema's `version`;
* the qualified name and every alias resolve to the same object; `bases` are
  real base classes;
* `kwargs` with the schema generator's view (lintkit.generators.schema_draft.keywords_of:
  inspect.signature, where `**kwargs` go read from the source, the library's
  own name lists), plus FORWARDS below for what the source cannot tell;
* `attributes`/`methods` with a real instance, both ways (a name the new
  version adds fails the test), plus every name any method of the class or a
  base assigns on `self` (PyMySQL's `connect()` sets `server_version`):
  lintkit.generators.library_view.class_members, the generator's view given an instance;
* `option_keys` with the library's list in lintkit.generators.library_names.NAME_LISTS;
* `unknown_attributes` and `unknown_kwargs` by trying a misspelt name;
* knobs: their kwarg/attribute/method exist, and their default matches the
  installed version's where the `versions` specifier covers it; a method knob's
  `argument` is that method's parameter at `position`, with the knob's default;
  a `key` names a real entry (a socket constant, a key the library knows, a
  channel argument compiled into grpc's C core);
* knobs on the socket: for the classes in SOCKET_PROBES the library's own code
  opens (or configures) a socket, to a listener on 127.0.0.1 made by the test,
  and getsockopt() must show the knob's default, its `default_idle`, and the
  value of a `key` entry set to a probe value;
* fixed knobs (no setter): FIXED_KNOB_PROBES shows the behaviour on a socket;
* `connect_deferred_by`: DEFERRED_CONNECT_PROBES shows no connection at the
  constructor and one at the later connect().
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import importlib
import importlib.metadata
import inspect
import os
import re
import socket
import ssl
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path
from typing import Any, Callable
from unittest import mock

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from lintkit.generators.library_names import name_list_for, psycopg2_libpq, psycopg_libpq
from lintkit.generators.library_view import (class_members, keys_read_in_source, resolve, same_object, signature_default,
                                  signature_keywords)
import drift_services
import drift_web
import drift_libsa
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import ClassSchema, FactorySchema, LibrarySchema
from lintkit.generators.schema_draft import keywords_of

import async_libraries_support as asyncio_clients
import confluent_kafka_support as confluent
import stomp_support

SCHEMAS = load_schema_set()
LIBRARIES = [lib for lib in SCHEMAS.libraries if lib.importable and (lib.classes or lib.factories)]
CLASSES = [cls for lib in LIBRARIES for cls in lib.classes]
FACTORIES = [fac for lib in LIBRARIES for fac in lib.factories]
LIBRARY_OF = {item.name: lib for lib in LIBRARIES for item in (*lib.classes, *lib.factories)}

BOGUS = "lintkit_bogus_name"


def where(item: ClassSchema | FactorySchema | LibrarySchema) -> str:
    return f"{Path(item.origin).name}: {item.name}"


# --------------------------------------------------------------------------- resolving names


# --------------------------------------------------------------------------- keywords


def read_from_kwargs(*qualnames: str) -> Callable[[], set[str]]:
    """Keys a function or module reads out of its **kwargs dict (`kwargs.pop("async")`)."""

    def provider() -> set[str]:
        return set().union(*(keys_read_in_source(resolve(qualname)) for qualname in qualnames))

    provider.__name__ = f"read_from_kwargs{qualnames}"
    return provider


#: Callables whose **kwargs reach another callable in a way the schema generator's reading of the
#: source does not follow (expected_keywords adds these to lintkit.generators.schema_draft.keywords_of): the
#: keywords that one accepts are valid too.  Entries are qualified names (their own closure is
#: followed) or providers returning names.  The generator already follows `super().__init__(**kw)`,
#: `cls(**kw)`, `self.__class__(**dict(info, **kw))` (kombu's clone), `self.ConnectionCls(**self.conn_kw)`
#: and a copy of it in another method, a parameter whose default is a class (`connection_class`), names
#: imported inside the function, keys read from `**kwargs`, and the name lists of lintkit.generators.library_names
#: (libpq's keywords, urllib3's PoolKey).
FORWARDS: dict[str, list[str | Callable[[], set[str]]]] = {
    # redis: a pool makes connection_class(**connection_kwargs), and from_url() sets connection_class
    # from the URL's scheme (rediss://: SSLConnection, unix://: UnixDomainSocketConnection), which no
    # reading of the source can tell; the entries below reach those pools through their callers.
    "redis.connection.BlockingConnectionPool": ["redis.connection.ConnectionPool"],
    "redis.connection.ConnectionPool.from_url": ["redis.connection.ConnectionPool"],
    "redis.client.Redis.from_url": ["redis.connection.ConnectionPool.from_url"],
    "redis.utils.from_url": ["redis.client.Redis.from_url"],
    "redis.asyncio.connection.ConnectionPool": [
        "redis.asyncio.connection.SSLConnection", "redis.asyncio.connection.UnixDomainSocketConnection",
    ],
    "redis.connection.ConnectionPool": [
        "redis.connection.SSLConnection", "redis.connection.UnixDomainSocketConnection",
    ],
    "redis.asyncio.connection.ConnectionPool.from_url": ["redis.asyncio.connection.ConnectionPool"],
    "redis.asyncio.connection.BlockingConnectionPool": ["redis.asyncio.connection.ConnectionPool"],
    "redis.asyncio.connection.BlockingConnectionPool.from_url": ["redis.asyncio.connection.BlockingConnectionPool"],
    "redis.connection.BlockingConnectionPool.from_url": ["redis.connection.BlockingConnectionPool"],
    "redis.asyncio.client.Redis.from_url": ["redis.asyncio.connection.ConnectionPool.from_url"],
    "redis.asyncio.utils.from_url": ["redis.asyncio.client.Redis.from_url"],
    # websocket-client: create_connection(**options) -> WebSocket(**options) and connect(url, **options),
    # which read their options with options.get()/pop() (unknown ones are ignored).
    "websocket._core.create_connection": [
        read_from_kwargs("websocket._core", "websocket._http", "websocket._handshake"),
    ],
    # aio-pika: Connection(**kwargs) keeps only its PARAMETERS; connect(**kwargs) puts every other
    # keyword into the URL query, of which aiormq reads a fixed set of keys.
    "aio_pika.connection.Connection": [asyncio_clients.aio_pika_parameters("aio_pika.connection.Connection")],
    "aio_pika.robust_connection.RobustConnection": [
        "aio_pika.connection.Connection",
        asyncio_clients.aio_pika_parameters("aio_pika.robust_connection.RobustConnection")],
    "aio_pika.connection.connect": ["aio_pika.connection.Connection", asyncio_clients.aiormq_url_keys],
    "aio_pika.robust_connection.connect_robust": [
        "aio_pika.robust_connection.RobustConnection", asyncio_clients.aiormq_url_keys],
    # RedisCluster(**kwargs) keeps REDIS_ALLOWED_KEYS for its node clients and drops the rest.
    "redis.cluster.RedisCluster": [asyncio_clients.redis_allowed_keys],
    "redis.cluster.RedisCluster.from_url": ["redis.cluster.RedisCluster"],
    # Settings tables: **configs / **kwargs accept exactly their keys.
    "botocore.config.Config": [asyncio_clients.config_keys("botocore.config.Config", "OPTION_DEFAULTS")],
    # A C type: keywords are merged into the config dict (librdkafka's properties, the binding's keys).
    "confluent_kafka.cimpl.Producer": [lambda: confluent.keyword_properties("confluent_kafka.cimpl.Producer")],
    "confluent_kafka.cimpl.Consumer": [lambda: confluent.keyword_properties("confluent_kafka.cimpl.Consumer")],
    "kafka.producer.kafka.KafkaProducer": [asyncio_clients.config_keys(
        "kafka.producer.kafka.KafkaProducer", "DEFAULT_CONFIG", "DEPRECATED_CONFIGS")],
    "kafka.consumer.group.KafkaConsumer": [asyncio_clients.config_keys(
        "kafka.consumer.group.KafkaConsumer", "DEFAULT_CONFIG")],
    # asyncpg: a pool calls connect(*connect_args, **connect_kwargs) for each connection it makes
    # (pool.py _get_new_connection), through self._connect, which the source reading cannot follow.
    "asyncpg.pool.Pool": ["asyncpg.connection.connect"],
    "asyncpg.pool.create_pool": ["asyncpg.pool.Pool"],
}
FORWARDS.update(drift_libsa.FORWARDS)

FORWARDS.update(drift_services.FORWARDS)

#: C types without a signature: each schema keyword is tried on a real call instead.
#: Judged by their signature and FORWARDS only: psycopg2's C type has none; RedisCluster.from_url
#: hands `**kwargs` to the class, whose name list (kept_kwargs) the follow would not apply.
NO_SIGNATURE = {"psycopg2.extensions.connection", "redis.cluster.RedisCluster.from_url"}


def expected_keywords(qualname: str) -> set[str]:
    """The schema generator's view (lintkit.generators.schema_draft.keywords_of: the signature, `**kwargs` followed
    through the source, the library's name list), plus what FORWARDS adds where the source cannot say."""
    if qualname in confluent.BINDING_KEYS:  # C types without a signature: FORWARDS says it all
        return set().union(*(target() for target in FORWARDS[qualname]))
    names = set(keywords_of(qualname).names) if qualname not in NO_SIGNATURE else set()
    names |= signature_keywords(resolve(qualname))
    for target in FORWARDS.get(qualname, []):
        names |= target() if callable(target) else expected_keywords(target)
    return names


def keyword_default(qualname: str, name: str) -> Any:
    """The default of keyword `name` in `qualname` or the first callable it forwards to."""
    default = signature_default(resolve(qualname), name)
    if default is not inspect.Parameter.empty:
        return default
    for target in FORWARDS.get(qualname, []):
        if isinstance(target, str):
            default = keyword_default(target, name)
            if default is not inspect.Parameter.empty:
                return default
    return inspect.Parameter.empty


# --------------------------------------------------------------------------- real members

def real_members(cls: type, instance: Any) -> tuple[set[str], set[str]]:
    """Public names that may be assigned on a real instance, and public methods
    (lintkit.generators.library_view.class_members, with the instance: its __dict__, writable C descriptors)."""
    return class_members(cls, instance)


# --------------------------------------------------------------------------- building instances offline


class Env:
    """Per-test resources: an ExitStack, and a Unix socket that plays a PostgreSQL server."""

    def __init__(self, stack: contextlib.ExitStack):
        self.stack = stack
        self._pg_dir: str | None = None
        self._loopback: tuple[str, int] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def close_later(self, obj: Any, method: str = "close") -> Any:
        self.stack.callback(lambda: getattr(obj, method)())
        return obj

    @property
    def pg_dir(self) -> str:
        """A directory holding `.s.PGSQL.5432`: libpq connects, nothing ever answers."""
        if self._pg_dir is None:
            directory = self.stack.enter_context(tempfile.TemporaryDirectory())
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.close_later(server)
            server.bind(os.path.join(directory, ".s.PGSQL.5432"))
            server.listen(8)
            self._pg_dir = directory
        return self._pg_dir

    @property
    def pg_dsn(self) -> str:
        return f"host={self.pg_dir} dbname=lintkit user=lintkit connect_timeout=2"

    @property
    def loopback(self) -> tuple[str, int]:
        """A TCP listener on 127.0.0.1 that never accepts: connections wait in its backlog."""
        if self._loopback is None:
            server = self.close_later(socket.create_server(("127.0.0.1", 0), backlog=16))
            self._loopback = server.getsockname()[:2]
        return self._loopback

    @property
    def event_loop(self) -> asyncio.AbstractEventLoop:
        """The current event loop for asyncio clients built outside a coroutine (grpc.aio)."""
        if self._loop is None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            def close() -> None:
                asyncio.set_event_loop(None)
                loop.close()

            self.stack.callback(close)
            self._loop = loop
        return self._loop


def _pika_blocking(env: Env, **kw: Any) -> Any:
    blocking = resolve("pika.adapters.blocking_connection.BlockingConnection")
    select = resolve("pika.adapters.select_connection.SelectConnection")
    # __init__ runs the connection workflow in _create_connection(); hand it an unopened connection.
    offline = lambda self, parameters=None, impl_class=None: select(internal_connection_workflow=False)  # noqa: E731
    with mock.patch.object(blocking, "_create_connection", offline):
        return blocking(**kw)


def _psycopg2_connection(env: Env, **kw: Any) -> Any:
    kw = {"async_": 1, **kw} if "async" not in kw else kw
    return env.close_later(resolve("psycopg2.extensions.connection")(kw.pop("dsn", env.pg_dsn), **kw))


def _psycopg_connection(qualname: str) -> Callable[..., Any]:
    def build(env: Env, **kw: Any) -> Any:
        pgconn = resolve("psycopg.pq.PGconn").connect_start(env.pg_dsn.encode())
        env.close_later(pgconn, "finish")
        return resolve(qualname)(pgconn, **kw)
    return build


def _ssl_socket(env: Env, **kw: Any) -> Any:
    if kw:
        return ssl.SSLSocket(**kw)  # no public constructor: always TypeError
    context = ssl.create_default_context()
    return env.close_later(context.wrap_socket(env.close_later(socket.socket()), server_hostname="localhost",
                                               do_handshake_on_connect=False))


def _paramiko_transport(env: Env, **kw: Any) -> Any:
    ours, theirs = socket.socketpair()
    env.close_later(theirs)
    env.close_later(ours)
    return env.close_later(resolve("paramiko.transport.Transport")(ours, **kw))


def _paho_client(env: Env, **kw: Any) -> Any:
    client = resolve("paho.mqtt.client.Client")
    version = resolve("paho.mqtt.client.CallbackAPIVersion").VERSION2  # VERSION1 warns (deprecated)
    # A refused keyword leaves an instance without __init__'s state, whose __del__ then fails noisily.
    with mock.patch.object(client, "__del__", lambda self: None):
        return client(version, **kw)


def _grpc_channel(env: Env, **kw: Any) -> Any:
    # The private constructor Channel(target, options, credentials, compression).
    return env.close_later(resolve("grpc._channel.Channel")("localhost:1", (), None, None, **kw))


def _grpc_aio_channel(qualname: str, *args: Callable[[], Any]) -> Callable[..., Any]:
    """An asyncio channel: made with a current event loop, closed on it at the end of the test."""
    def build(env: Env, **kw: Any) -> Any:
        loop = env.event_loop
        channel = resolve(qualname)(*(make() for make in args), **kw)
        env.stack.callback(lambda: loop.run_until_complete(channel.close()))
        return channel
    return build


def _simple(qualname: str, *args: Any, close: str | None = None) -> Callable[..., Any]:
    def build(env: Env, **kw: Any) -> Any:
        obj = resolve(qualname)(*args, **kw)
        return env.close_later(obj, close) if close else obj
    return build


#: How to build an instance of each schema class without a network connection.
#: Keyword arguments go to the constructor (used to try a misspelt keyword).
BUILDERS: dict[str, Callable[..., Any]] = {
    "elasticsearch._sync.client.Elasticsearch": _simple("elasticsearch._sync.client.Elasticsearch",
                                                        "http://es.example:9200", close="close"),
    "pymongo.synchronous.mongo_client.MongoClient": lambda env, **kw: env.close_later(
        resolve("pymongo.synchronous.mongo_client.MongoClient")("mongodb://db.example/", connect=False, **kw), "close"),
    # The asyncio client opens nothing before it is awaited; its close() is a coroutine.
    "pymongo.asynchronous.mongo_client.AsyncMongoClient": _simple("pymongo.asynchronous.mongo_client.AsyncMongoClient",
                                                                  "mongodb://db.example/"),
    "kombu.connection.Connection": _simple("kombu.connection.Connection", "amqp://"),
    "amqp.connection.Connection": _simple("amqp.connection.Connection"),
    "pika.connection.ConnectionParameters": _simple("pika.connection.ConnectionParameters"),
    "pika.connection.URLParameters": _simple("pika.connection.URLParameters", "amqp://localhost/%2F"),
    "pika.adapters.blocking_connection.BlockingConnection": _pika_blocking,
    "pika.adapters.select_connection.SelectConnection":
        lambda env, **kw: resolve("pika.adapters.select_connection.SelectConnection")(
            internal_connection_workflow=False, **kw),
    "redis.client.Redis": _simple("redis.client.Redis"),
    "redis.connection.ConnectionPool": _simple("redis.connection.ConnectionPool"),
    "redis.connection.BlockingConnectionPool": _simple("redis.connection.BlockingConnectionPool"),
    "redis.connection.Connection": _simple("redis.connection.Connection"),
    "redis.connection.SSLConnection": _simple("redis.connection.SSLConnection"),
    "redis.connection.UnixDomainSocketConnection": _simple("redis.connection.UnixDomainSocketConnection"),
    "redis.asyncio.client.Redis": _simple("redis.asyncio.client.Redis"),
    "redis.asyncio.connection.Connection": _simple("redis.asyncio.connection.Connection"),
    "redis.asyncio.connection.ConnectionPool": _simple("redis.asyncio.connection.ConnectionPool"),
    "redis.asyncio.connection.BlockingConnectionPool": _simple("redis.asyncio.connection.BlockingConnectionPool"),
    "paramiko.client.SSHClient": _simple("paramiko.client.SSHClient", close="close"),
    "paramiko.transport.Transport": _paramiko_transport,
    "psycopg2.extensions.connection": _psycopg2_connection,
    "psycopg.connection.Connection": _psycopg_connection("psycopg.connection.Connection"),
    "psycopg.connection_async.AsyncConnection": _psycopg_connection("psycopg.connection_async.AsyncConnection"),
    "pymysql.connections.Connection":
        lambda env, **kw: resolve("pymysql.connections.Connection")(defer_connect=True, **kw),
    "socket.socket": _simple("socket.socket", close="close"),
    "ssl.SSLSocket": _ssl_socket,
    "ssl.SSLContext": _simple("ssl.SSLContext", ssl.PROTOCOL_TLS_CLIENT),
    "http.client.HTTPConnection": _simple("http.client.HTTPConnection", "localhost"),
    "http.client.HTTPSConnection": _simple("http.client.HTTPSConnection", "localhost"),
    "smtplib.SMTP": _simple("smtplib.SMTP"),  # no host: no connection
    "smtplib.SMTP_SSL": _simple("smtplib.SMTP_SSL"),
    "ftplib.FTP": _simple("ftplib.FTP"),
    "ftplib.FTP_TLS": _simple("ftplib.FTP_TLS"),
    "requests.sessions.Session": _simple("requests.sessions.Session", close="close"),
    "urllib3.poolmanager.PoolManager": _simple("urllib3.poolmanager.PoolManager"),
    "urllib3.connectionpool.HTTPConnectionPool": _simple("urllib3.connectionpool.HTTPConnectionPool", "localhost"),
    "urllib3.connectionpool.HTTPSConnectionPool": _simple("urllib3.connectionpool.HTTPSConnectionPool", "localhost"),
    "websocket._core.WebSocket": _simple("websocket._core.WebSocket"),
    "websocket._app.WebSocketApp": _simple("websocket._app.WebSocketApp", "ws://localhost/"),
    "paho.mqtt.client.Client": _paho_client,
    "grpc._channel.Channel": _grpc_channel,
    # The private constructor Channel(target, options, credentials, compression, interceptors).
    "grpc.aio._channel.Channel": _grpc_aio_channel(
        "grpc.aio._channel.Channel", lambda: "localhost:1", tuple, lambda: None, lambda: None, lambda: None),
    "aio_pika.connection.Connection": asyncio_clients.aio_pika_connection("aio_pika.connection.Connection"),
    "aio_pika.robust_connection.RobustConnection":
        asyncio_clients.aio_pika_connection("aio_pika.robust_connection.RobustConnection"),
    "redis.cluster.RedisCluster": asyncio_clients.redis_cluster(
        lambda **kw: resolve("redis.cluster.RedisCluster")(host="cache.example.com", port=6379, **kw)),
    "botocore.config.Config": _simple("botocore.config.Config"),
    "kafka.producer.kafka.KafkaProducer": asyncio_clients.kafka_client("kafka.producer.kafka.KafkaProducer"),
    "kafka.consumer.group.KafkaConsumer": asyncio_clients.kafka_client("kafka.consumer.group.KafkaConsumer"),
    "aiokafka.producer.producer.AIOKafkaProducer":
        asyncio_clients.aiokafka_client("aiokafka.producer.producer.AIOKafkaProducer"),
    "aiokafka.consumer.consumer.AIOKafkaConsumer":
        asyncio_clients.aiokafka_client("aiokafka.consumer.consumer.AIOKafkaConsumer"),
    "sqlalchemy.engine.base.Engine": lambda env, **kw: resolve("sqlalchemy.create_engine")("sqlite://", **kw),
    "sqlalchemy.ext.asyncio.engine.AsyncEngine":
        lambda env, **kw: resolve("sqlalchemy.ext.asyncio.create_async_engine")("postgresql+asyncpg://h/db", **kw),
    "confluent_kafka.cimpl.Producer": confluent.builder("confluent_kafka.cimpl.Producer"),
    "confluent_kafka.cimpl.Consumer": confluent.builder("confluent_kafka.cimpl.Consumer"),
    "confluent_kafka.serializing_producer.SerializingProducer":
        confluent.builder("confluent_kafka.serializing_producer.SerializingProducer"),
    "confluent_kafka.deserializing_consumer.DeserializingConsumer":
        confluent.builder("confluent_kafka.deserializing_consumer.DeserializingConsumer"),
    # stomp.py connects only in connect(): the constructor builds the transport and listeners.
    "stomp.connect.StompConnection10": _simple("stomp.connect.StompConnection10"),
    "stomp.connect.StompConnection11": _simple("stomp.connect.StompConnection11"),
    "stomp.connect.StompConnection12": _simple("stomp.connect.StompConnection12"),
}

BUILDERS.update(drift_web.BUILDERS)
BUILDERS.update(drift_services.BUILDERS)
BUILDERS.update(drift_libsa.BUILDERS)


def _loopback_server(env: Env, **kw: Any) -> socket.socket:
    return env.close_later(socket.create_server(("127.0.0.1", 0), **kw))


#: How to call each factory offline (keyword arguments are passed on).
FACTORY_CALLS: dict[str, Callable[..., Any]] = {
    "kombu.connection.Connection.clone":
        lambda env, **kw: resolve("kombu.connection.Connection")("amqp://").clone(**kw),
    "redis.utils.from_url": lambda env, **kw: resolve("redis.utils.from_url")("redis://localhost/0", **kw),
    "redis.client.Redis.from_url":
        lambda env, **kw: resolve("redis.client.Redis").from_url("redis://localhost/0", **kw),
    "redis.client.Redis.from_pool":
        lambda env, **kw: resolve("redis.client.Redis").from_pool(
            resolve("redis.connection.ConnectionPool")(), **kw),
    "redis.asyncio.client.Redis.from_pool":
        lambda env, **kw: resolve("redis.asyncio.client.Redis").from_pool(
            resolve("redis.asyncio.connection.ConnectionPool")(), **kw),
    "redis.connection.ConnectionPool.from_url":
        lambda env, **kw: resolve("redis.connection.ConnectionPool").from_url("redis://localhost/0", **kw),
    "redis.asyncio.utils.from_url":
        lambda env, **kw: resolve("redis.asyncio.utils.from_url")("redis://localhost/0", **kw),
    "redis.asyncio.client.Redis.from_url":
        lambda env, **kw: resolve("redis.asyncio.client.Redis").from_url("redis://localhost/0", **kw),
    "redis.asyncio.connection.ConnectionPool.from_url":
        lambda env, **kw: resolve("redis.asyncio.connection.ConnectionPool").from_url("redis://localhost/0", **kw),
    "redis.connection.BlockingConnectionPool.from_url":
        lambda env, **kw: resolve("redis.connection.BlockingConnectionPool").from_url("redis://localhost/0", **kw),
    "redis.asyncio.connection.BlockingConnectionPool.from_url": lambda env, **kw: resolve(
        "redis.asyncio.connection.BlockingConnectionPool").from_url("redis://localhost/0", **kw),
    "paramiko.client.SSHClient.get_transport":
        lambda env, **kw: env.close_later(resolve("paramiko.client.SSHClient")()).get_transport(**kw),
    "psycopg2.connect":
        lambda env, **kw: env.close_later(resolve("psycopg2.connect")(env.pg_dsn, async_=1, **kw)),
    "psycopg.connection.Connection.connect":
        lambda env, **kw: resolve("psycopg.connection.Connection").connect(env.pg_dsn, **kw),
    "psycopg.connection_async.AsyncConnection.connect":
        lambda env, **kw: resolve("psycopg.connection_async.AsyncConnection").connect(env.pg_dsn, **kw),
    "socket.create_server": _loopback_server,
    "socket.create_connection":
        lambda env, **kw: env.close_later(socket.create_connection(_loopback_server(env).getsockname(), **kw)),
    "socket.fromfd":
        lambda env, **kw: env.close_later(socket.fromfd(env.close_later(socket.socket()).fileno(),
                                                        socket.AF_INET, socket.SOCK_STREAM, **kw)),
    "ssl.create_default_context": lambda env, **kw: ssl.create_default_context(**kw),
    "ssl.SSLContext.wrap_socket":
        lambda env, **kw: env.close_later(ssl.create_default_context().wrap_socket(
            env.close_later(socket.socket()), server_hostname="localhost", do_handshake_on_connect=False, **kw)),
    "ssl.wrap_socket": lambda env, **kw: env.close_later(ssl.wrap_socket(env.close_later(socket.socket()), **kw)),
    "requests.sessions.session": lambda env, **kw: env.close_later(resolve("requests.sessions.session")(**kw)),
    "urllib3.connectionpool.connection_from_url":
        lambda env, **kw: resolve("urllib3.connectionpool.connection_from_url")("http://localhost/", **kw),
    "websocket._core.create_connection":
        lambda env, **kw: resolve("websocket._core.create_connection")("ws://localhost/", **kw),
    "grpc.insecure_channel": lambda env, **kw: env.close_later(resolve("grpc.insecure_channel")("localhost:1", **kw)),
    "grpc.secure_channel":
        lambda env, **kw: env.close_later(resolve("grpc.secure_channel")(
            "localhost:1", resolve("grpc.ssl_channel_credentials")(), **kw)),
    "grpc.aio._channel.insecure_channel": _grpc_aio_channel("grpc.aio._channel.insecure_channel", lambda: "localhost:1"),
    "grpc.aio._channel.secure_channel": _grpc_aio_channel(
        "grpc.aio._channel.secure_channel", lambda: "localhost:1", lambda: resolve("grpc.ssl_channel_credentials")()),
    # Coroutines whose connection's connect() is a no-op.
    "aio_pika.connection.connect": asyncio_clients.aio_pika_connect("aio_pika.connection.connect"),
    "aio_pika.robust_connection.connect_robust":
        asyncio_clients.aio_pika_connect("aio_pika.robust_connection.connect_robust"),
    "redis.cluster.RedisCluster.from_url": asyncio_clients.redis_cluster(
        lambda **kw: resolve("redis.cluster.RedisCluster").from_url("redis://cache.example.com:6379/0", **kw)),
    "sqlalchemy.engine.create.create_engine":
        lambda env, **kw: resolve("sqlalchemy.engine.create.create_engine")("sqlite://", **kw),
    "sqlalchemy.ext.asyncio.engine.create_async_engine":
        lambda env, **kw: resolve("sqlalchemy.ext.asyncio.engine.create_async_engine")("postgresql+asyncpg://h/db", **kw),
}

FACTORY_CALLS.update(drift_web.FACTORY_CALLS)
FACTORY_CALLS.update(drift_services.FACTORY_CALLS)
FACTORY_CALLS.update(drift_libsa.FACTORY_CALLS)

#: Factories whose successful call needs a live server: only a misspelt keyword is tried
#: (it must fail, or be ignored, before any I/O).
NEEDS_SERVER = {
    "paramiko.client.SSHClient.get_transport": "returns None until SSHClient.connect() has reached an SSH server",
    "psycopg.connection.Connection.connect": "waits for the PostgreSQL handshake",
    "psycopg.connection_async.AsyncConnection.connect": "a coroutine that waits for the PostgreSQL handshake",
    "websocket._core.create_connection": "opens a TCP connection and a WebSocket handshake",
}

NEEDS_SERVER.update(drift_web.NEEDS_SERVER)
NEEDS_SERVER.update(drift_services.NEEDS_SERVER)
NEEDS_SERVER.update(drift_libsa.NEEDS_SERVER)

#: For "deferred" classes and factories: the step that makes the first connection object
#: (without connecting), where a stored misspelt keyword must finally raise TypeError.
DEFERRED_PROBES: dict[str, Callable[[Any], Any]] = {
    "redis.connection.ConnectionPool": lambda pool: pool.make_connection(),
    "redis.connection.BlockingConnectionPool": lambda pool: pool.make_connection(),
    "redis.asyncio.connection.ConnectionPool": lambda pool: pool.make_connection(),
    "redis.utils.from_url": lambda client: client.connection_pool.make_connection(),
    "redis.client.Redis.from_url": lambda client: client.connection_pool.make_connection(),
    "redis.asyncio.utils.from_url": lambda client: client.connection_pool.make_connection(),
    "redis.asyncio.client.Redis.from_url": lambda client: client.connection_pool.make_connection(),
    "redis.connection.ConnectionPool.from_url": lambda pool: pool.make_connection(),
    "redis.asyncio.connection.ConnectionPool.from_url": lambda pool: pool.make_connection(),
    "redis.asyncio.connection.BlockingConnectionPool": lambda pool: pool.make_connection(),
    "redis.connection.BlockingConnectionPool.from_url": lambda pool: pool.make_connection(),
    "redis.asyncio.connection.BlockingConnectionPool.from_url": lambda pool: pool.make_connection(),
    "urllib3.poolmanager.PoolManager": lambda manager: manager.connection_from_url("http://localhost/"),
    "urllib3.connectionpool.HTTPConnectionPool": lambda pool: pool._new_conn(),
    "urllib3.connectionpool.HTTPSConnectionPool": lambda pool: pool._new_conn(),
    "urllib3.connectionpool.connection_from_url": lambda pool: pool._new_conn(),
}
DEFERRED_PROBES.update(drift_libsa.DEFERRED_PROBES)


@pytest.fixture
def env():
    with contextlib.ExitStack() as stack, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield Env(stack)


def build(cls: ClassSchema, env: Env, **kw: Any) -> Any:
    builder = BUILDERS.get(cls.name)
    assert builder is not None, (
        f"{where(cls)}: no way to build an instance offline; add one to BUILDERS in {Path(__file__).name}")
    return builder(env, **kw)


def ids(items) -> list[str]:
    return [item.name for item in items]


# --------------------------------------------------------------------------- tests: libraries


def installed_version(lib: LibrarySchema) -> str:
    if lib.distribution == "cpython":
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        return importlib.metadata.version(lib.distribution)
    except importlib.metadata.PackageNotFoundError:
        message = (f"{Path(lib.origin).name}: distribution {lib.distribution} is not installed "
                   f"(pip install -e '.[libraries]' installs {lib.distribution}=={lib.version})")
        if os.environ.get("LINTKIT_REQUIRE_LIBRARIES"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize("lib", LIBRARIES, ids=[Path(lib.origin).name for lib in LIBRARIES])
def test_installed_version_is_the_recorded_one(lib: LibrarySchema) -> None:
    installed = installed_version(lib)
    assert installed == lib.version, (
        f"installed {lib.distribution} {installed}, {Path(lib.origin).name} records {lib.version}; "
        f"update the schema (and the pin in pyproject.toml)")


def test_libraries_extra_pins_every_recorded_version() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {}
    for requirement in pyproject["project"]["optional-dependencies"]["libraries"]:
        name, _, version = requirement.partition("==")
        pins[re.sub(r"\[.*\]", "", name).strip().lower()] = version.strip()
    for lib in LIBRARIES:
        if lib.distribution == "cpython":
            continue
        assert pins.get(lib.distribution.lower()) == lib.version, (
            f"pyproject.toml [libraries] must pin {lib.distribution}=={lib.version} ({Path(lib.origin).name})")


@pytest.mark.parametrize("lib", [lib for lib in LIBRARIES if lib.name in ("psycopg2", "psycopg")],
                         ids=lambda lib: Path(lib.origin).name)
def test_bundled_libpq_version_is_recorded(lib: LibrarySchema) -> None:
    version = psycopg2_libpq()[0] if lib.name == "psycopg2" else psycopg_libpq()[0]
    text = f"libpq {version // 10000}.{version % 10000}"
    assert text in lib.source, f"{Path(lib.origin).name}: the installed library runs on {text}; record it in source"


# --------------------------------------------------------------------------- tests: classes


@pytest.mark.parametrize("cls", CLASSES, ids=ids(CLASSES))
def test_class_and_aliases_resolve(cls: ClassSchema) -> None:
    real = resolve(cls.name)
    assert isinstance(real, type), f"{where(cls)} is not a class"
    for alias in cls.aliases:
        assert same_object(resolve(alias), real), f"{where(cls)}: alias {alias} is another object"
    for base in cls.bases:
        base_cls = resolve(SCHEMAS.lookup(base).name)
        assert issubclass(real, base_cls), f"{where(cls)}: bases lists {base}, not a base class"


@pytest.mark.parametrize("cls", [c for c in CLASSES if c.kwargs is not None],
                         ids=ids([c for c in CLASSES if c.kwargs is not None]))
def test_class_kwargs_match_the_signature(cls: ClassSchema, env: Env) -> None:
    if cls.name in NO_SIGNATURE:
        for name in sorted(cls.kwargs):
            build(cls, env, **{name: env.pg_dsn if name == "dsn" else 1})  # TypeError if not a keyword
        with pytest.raises(TypeError):
            build(cls, env, **{BOGUS: 1})
        return
    compare_kwargs(cls, set(cls.kwargs), expected_keywords(cls.name))


def compare_kwargs(item: ClassSchema | FactorySchema, listed: set[str], real: set[str]) -> None:
    if getattr(item, "names_case_insensitive", False):  # pymongo: the names are looked up lowercased
        listed, real = {name.lower() for name in listed}, {name.lower() for name in real}
    missing, extra = sorted(real - listed), sorted(listed - real)
    assert not missing and not extra, (
        f"{where(item)}: kwargs differ from the installed signature; "
        f"not in the schema: {missing}; in the schema but not accepted: {extra}")


@pytest.mark.parametrize("cls", CLASSES, ids=ids(CLASSES))
def test_listed_attributes_and_methods_exist(cls: ClassSchema, env: Env) -> None:
    real_cls = resolve(cls.name)
    real_attributes, real_methods = real_members(real_cls, build(cls, env))
    attributes, methods = SCHEMAS.attributes(cls) or frozenset(), SCHEMAS.methods(cls)
    missing = sorted(attributes - real_attributes)
    assert not missing, f"{where(cls)}: listed attributes that a real instance cannot take: {missing}"
    not_callable = sorted(m for m in methods if not callable(getattr(real_cls, m, None)))
    assert not not_callable, f"{where(cls)}: listed methods that are not callable on the class: {not_callable}"
    wrong_kind = sorted(methods - real_methods)
    assert not wrong_kind, f"{where(cls)}: listed as methods but not methods of the class: {wrong_kind}"


class _SetsNamesLater:
    """Every form of assignment on self, in methods other than __init__."""

    label = "class"

    def __init__(self):
        self.plain = 1

    def connect(me, other):  # noqa: N805 - the first parameter is what counts, whatever its name
        me.later = 1
        me.annotated: int = 2
        me.augmented += 3
        me.first, (me.second, *me.rest) = 4, (5, 6)
        setattr(me, "by_setattr", 7)
        for me.looped in ():
            pass
        other.not_mine = 8
        me._private = 9
        me.label = "shadows the class value"

        def nested():
            me.in_closure = 10
        nested()

    @staticmethod
    def helper(obj):
        obj.static_target = 11


def test_names_set_outside_init_are_real_members() -> None:
    attributes, _ = real_members(_SetsNamesLater, _SetsNamesLater())
    assert attributes == {"label", "plain", "later", "annotated", "augmented", "first", "second", "rest",
                          "by_setattr", "looped", "in_closure"}


@pytest.mark.parametrize("cls", [c for c in CLASSES if c.attributes is not None],
                         ids=ids([c for c in CLASSES if c.attributes is not None]))
def test_every_real_name_is_listed(cls: ClassSchema, env: Env) -> None:
    real_attributes, real_methods = real_members(resolve(cls.name), build(cls, env))
    attributes, methods = SCHEMAS.attributes(cls), SCHEMAS.methods(cls)
    unlisted_attributes = sorted(real_attributes - attributes - methods)
    unlisted_methods = sorted(real_methods - methods - attributes)
    assert not unlisted_attributes and not unlisted_methods, (
        f"{where(cls)}: the installed version has names the schema does not list; "
        f"attributes: {unlisted_attributes}; methods: {unlisted_methods}")


@pytest.mark.parametrize("cls", CLASSES, ids=ids(CLASSES))
def test_unknown_attribute_policy(cls: ClassSchema, env: Env) -> None:
    instance = build(cls, env)
    try:
        setattr(instance, BOGUS, 1)
    except AttributeError:
        assert cls.unknown_attributes == "raises", (
            f"{where(cls)}: assigning an unknown attribute raises AttributeError; "
            f"unknown_attributes must be \"raises\"")
    else:
        assert cls.unknown_attributes == "silent", (
            f"{where(cls)}: assigning an unknown attribute is accepted; unknown_attributes must be \"silent\"")


def check_kwarg_policy(item: ClassSchema | FactorySchema, call: Callable[..., Any]) -> None:
    try:
        result = call(**{BOGUS: 1})
    except Exception as exc:  # TypeError, psycopg's ProgrammingError...
        assert item.unknown_kwargs == "raises", (
            f"{where(item)}: a misspelt keyword fails at the call ({type(exc).__name__}); "
            f"unknown_kwargs must be \"raises\", not {item.unknown_kwargs!r}")
        return
    assert item.unknown_kwargs in ("swallows", "deferred"), (
        f"{where(item)}: a misspelt keyword is accepted at the call; unknown_kwargs must be "
        f"\"swallows\" or \"deferred\", not \"raises\"")
    probe = DEFERRED_PROBES.get(item.name)
    if item.unknown_kwargs == "deferred":
        assert probe is not None, f"{where(item)}: add a DEFERRED_PROBES entry that makes the first connection"
        with pytest.raises(TypeError, match=BOGUS):
            probe(result)
    else:
        assert probe is None, f"{where(item)}: has a DEFERRED_PROBES entry but is \"swallows\""


@pytest.mark.parametrize("cls", [c for c in CLASSES if c.kwargs is not None],
                         ids=ids([c for c in CLASSES if c.kwargs is not None]))
def test_unknown_kwarg_policy(cls: ClassSchema, env: Env) -> None:
    check_kwarg_policy(cls, functools.partial(build, cls, env))


def effective_attributes(cls: ClassSchema) -> frozenset[str]:
    return SCHEMAS.attributes(cls) or frozenset()


def kwargs_reaching(cls: ClassSchema) -> set[str]:
    """The class's keywords, and those of the factories returning it (libpq keywords)."""
    names = set(cls.kwargs or ())
    for fac in SCHEMAS.factories.values():
        if SCHEMAS.lookup(fac.returns) is cls:
            names |= SCHEMAS.call_target(fac).kwargs or set()
    return names


KNOB_CLASSES = [c for c in CLASSES if c.knobs]


def knob_label(cls: ClassSchema, knob) -> str:
    setter = knob.kwarg or knob.attribute or knob.method or "fixed"
    return f"{where(cls)}: knob {knob.concept} ({setter}{f' {knob.key!r}' if knob.key else ''})"


def knob_applies(cls: ClassSchema, knob) -> bool:
    """The knob's `versions` range covers the installed version (no range: always)."""
    installed = Version(installed_version(LIBRARY_OF[cls.name]))
    return knob.versions is None or installed in SpecifierSet(knob.versions)


def method_parameters(cls: ClassSchema, method: str) -> list[inspect.Parameter]:
    """The parameters of an instance method, without `self`."""
    parameters = list(inspect.signature(getattr(resolve(cls.name), method)).parameters.values())
    return parameters[1:] if parameters and parameters[0].name == "self" else parameters


def check_method_knob(cls: ClassSchema, knob, label: str) -> list[tuple[str, Any]]:
    """The method has the knob's parameter (by keyword and at its position); returns its default."""
    parameters = method_parameters(cls, knob.method)
    by_name = {p.name: p for p in parameters}
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    position = knob.position_of()
    if knob.argument is not None:
        parameter = by_name.get(knob.argument)
        assert parameter is not None and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY), (
            f"{label}: {knob.method}() has no keyword parameter {knob.argument!r}")
    if position is not None:
        assert position < len(positional), f"{label}: {knob.method}() has no positional parameter {position}"
        if knob.argument is not None:
            assert positional[position].name == knob.argument, (
                f"{label}: {knob.method}()'s positional parameter {position} is {positional[position].name!r}, "
                f"not {knob.argument!r}")
    parameter = by_name.get(knob.argument) if knob.argument is not None else \
        (positional[position] if position is not None else None)
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return []
    return [(f"the default of {knob.method}({parameter.name}=)", parameter.default)]


@pytest.mark.parametrize("cls", KNOB_CLASSES, ids=ids(KNOB_CLASSES))
def test_knobs_name_real_settings(cls: ClassSchema, env: Env) -> None:
    instance = build(cls, env)
    for knob in cls.knobs:
        label = knob_label(cls, knob)
        if knob.kwarg and knob.position is not None and not knob.method:
            # The collection passed positionally (confluent-kafka's config dict; a C type has no signature).
            assert confluent.first_argument_is_the_config(cls.name, knob.key), (
                f"{label}: the argument at position {knob.position} is not read as the config")
        elif knob.kwarg:
            assert knob.kwarg in kwargs_reaching(cls), f"{label}: {knob.kwarg} is not a keyword"
        if knob.attribute:
            assert knob.attribute in effective_attributes(cls), f"{label}: {knob.attribute} is not an attribute"
        observed = []  # (where the value was read, value)
        if knob.method:
            assert knob.method in SCHEMAS.methods(cls), f"{label}: {knob.method} is not a method"
            observed += check_method_knob(cls, knob, label)
        if knob.fixed:
            assert (cls.name, knob.concept) in FIXED_KNOB_PROBES, (
                f"{label}: a fixed knob needs a FIXED_KNOB_PROBES entry that shows the behaviour")
        if not knob_applies(cls, knob):
            continue  # a default of other versions: read from their source, cannot be checked here
        # A key knob is one entry of its collection: the collection's own default says nothing about
        # it (test_knob_keys_are_real and test_knobs_reach_the_socket check the entry).
        if knob.key is None:
            if knob.kwarg and cls.kwargs is not None and knob.kwarg in cls.kwargs and cls.name not in NO_SIGNATURE:
                observed.append(("the keyword's default", keyword_default(cls.name, knob.kwarg)))
            if knob.attribute and hasattr(instance, knob.attribute):
                observed.append(("the attribute on a new instance", getattr(instance, knob.attribute)))
            if knob.kwarg and (cls.kwargs is None or knob.kwarg not in cls.kwargs):  # a factory's keyword
                observed += [(f"the default of {fac.name}({knob.kwarg}=)", keyword_default(fac.name, knob.kwarg))
                             for fac in FACTORIES if SCHEMAS.lookup(fac.returns) is cls
                             and knob.kwarg in (SCHEMAS.call_target(fac).kwargs or ())]
        for what, value in observed:
            if not isinstance(value, (type(None), bool, int, float)):
                continue  # a sentinel or a computed default (redis keepalive options): the knob's note explains it
            assert value == knob.default and type(value) is type(knob.default), (
                f"{label}: {what} is {value!r}, the schema says {knob.default!r}")


# --------------------------------------------------------------------------- knob keys


class _StringsIn:
    """NUL-terminated strings compiled into a shared library (grpc's channel-argument names)."""

    def __init__(self, module: str):
        self.module = module

    @functools.cached_property
    def data(self) -> bytes:
        return Path(resolve(self.module).__file__).read_bytes()

    def __contains__(self, key: object) -> bool:
        # NUL-terminated, and not the tail of a longer name (the linker may pack a string
        # right after other data: "...0000grpc.http2.min_ping_interval_without_data_ms\0").
        return isinstance(key, str) and re.search(rb"(?<![A-Za-z_.])" + re.escape(key.encode()) + rb"\0",
                                                  self.data) is not None


#: Libraries whose knob keys are strings: what the library knows. Other keys are dotted names of
#: constants (`socket.TCP_KEEPIDLE`), which must resolve to an int.
STRING_KEYS: dict[str, Callable[[], Any]] = {
    # set_sock_opts() looks each tcp_options key up here; an unknown one is only logged.
    "pika": lambda: dict(resolve(name_list_for("pika.connection.ConnectionParameters", "option_keys.tcp_options").path)),
    # Channel arguments are read by name in C core; a misspelt one is silently ignored.
    "grpc": lambda: _StringsIn("grpc._cython.cygrpc"),
    # librdkafka's own property table (rd_kafka_conf_get); an unknown property raises at construction.
    "confluent_kafka": confluent.Properties,
}


def key_object(cls: ClassSchema, key: str) -> Any:
    """The key as code writes it: the string itself, or the constant a dotted name stands for."""
    return key if LIBRARY_OF[cls.name].name in STRING_KEYS else resolve(key)


KEY_KNOB_CLASSES = [c for c in CLASSES if any(k.key for k in c.knobs)]


@pytest.mark.parametrize("cls", KEY_KNOB_CLASSES, ids=ids(KEY_KNOB_CLASSES))
def test_knob_keys_are_real(cls: ClassSchema) -> None:
    known = STRING_KEYS.get(LIBRARY_OF[cls.name].name)
    for knob in cls.knobs:
        if knob.key is None:
            continue
        label = knob_label(cls, knob)
        if known is not None:
            assert knob.key in known(), f"{label}: the installed library does not know the key {knob.key!r}"
        else:
            value = resolve(knob.key)
            assert isinstance(value, int), f"{label}: {knob.key} is {value!r}, not an int socket constant"
        for required, _ in knob.requires:
            if known is not None:
                assert required in known(), f"{label}: the installed library does not know the key {required!r}"
            else:
                assert isinstance(resolve(required), int), f"{label}: requires {required}, not a socket constant"
        if known is not None and isinstance(known(), _StringsIn):
            # Names the note and the caveat tell users to set are real too (a misspelt channel
            # argument is silently ignored: the very bug class lintkit reports).
            for named in re.findall(r"\bgrpc\.[a-z0-9_.]*[a-z0-9_]", knob.note + " " + knob.caveat):
                assert named in known(), f"{label}: its note or caveat names {named!r}, unknown to the library"
        if knob.concept in TCP_OPTION_OF and known is not None:
            # A string key of a TCP option maps to that option (pika: 'TCP_KEEPIDLE' -> TCP_KEEPIDLE).
            assert known()[knob.key] == getattr(socket, TCP_OPTION_OF[knob.concept]), (
                f"{label}: the library maps {knob.key!r} to another socket option")
        elif knob.concept in TCP_OPTION_OF:
            assert resolve(knob.key) == getattr(socket, TCP_OPTION_OF[knob.concept]), (
                f"{label}: {knob.key} is not the socket option of concept {knob.concept}")


OPTION_KEY_CLASSES = [c for c in CLASSES if c.option_keys]


def test_option_key_classes_exist() -> None:
    assert "pika.connection.ConnectionParameters" in {c.name for c in OPTION_KEY_CLASSES}


@pytest.mark.parametrize("cls", OPTION_KEY_CLASSES, ids=ids(OPTION_KEY_CLASSES))
def test_option_keys_are_what_the_library_knows(cls: ClassSchema) -> None:
    """LK103 reports every key outside `option_keys`: the list must be the library's own, whole
    (its entry in lintkit.generators.library_names.NAME_LISTS, which the schema generator drafts from)."""
    for collection, keys in cls.option_keys.items():
        entry = name_list_for(cls.name, f"option_keys.{collection}")
        assert entry is not None, (f"{cls.name}: no NAME_LISTS entry (lintkit/generators/library_names.py) names the "
                                   f"library's list of the keys of {collection}")
        known = entry.names()
        assert keys == known, (f"{cls.name}: option_keys.{collection} lists {sorted(keys)}, the library "
                               f"knows {sorted(known)} ({entry.path})")


# --------------------------------------------------------------------------- knobs on the socket

#: Knob concepts that are one TCP socket option.
TCP_OPTION_OF = {
    "keepalive_idle": "TCP_KEEPIDLE", "keepalive_interval": "TCP_KEEPINTVL",
    "keepalive_count": "TCP_KEEPCNT", "user_timeout": "TCP_USER_TIMEOUT",
}


def socket_state(sock: Any) -> dict[str, int]:
    """SO_KEEPALIVE and the TCP keepalive options of a socket."""
    state = {"SO_KEEPALIVE": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)}
    for option in TCP_OPTION_OF.values():
        state[option] = sock.getsockopt(socket.IPPROTO_TCP, getattr(socket, option))
    return state


@functools.lru_cache(maxsize=None)
def os_socket_state() -> dict[str, int]:
    """What a TCP socket gets when nobody sets anything (Linux: no keepalive, 7200/75/9, 0)."""
    with socket.socket() as sock:
        return socket_state(sock)


def _amqp_socket(env: Env, settings: dict[str, Any]) -> dict[str, int]:
    host, port = env.loopback
    conn = resolve("amqp.connection.Connection")(host=f"{host}:{port}", connect_timeout=5, **settings)
    # What Connection.connect() does first: open the transport (TCP connect, socket options, AMQP header).
    transport = conn.Transport(conn.host, conn.connect_timeout, conn.ssl, conn.read_timeout, conn.write_timeout,
                               socket_settings=conn.socket_settings)
    env.close_later(transport)
    transport.connect()
    return socket_state(transport.sock)


def _pika_socket(qualname: str, *args: Any) -> Callable[[Env, dict[str, Any]], dict[str, int]]:
    def probe(env: Env, settings: dict[str, Any]) -> dict[str, int]:
        params = resolve(qualname)(*args)
        for name, value in settings.items():
            setattr(params, name, value)
        # What pika's connection workflow does with the parameters' tcp_options on its new socket.
        sock = env.close_later(socket.socket())
        resolve("pika.tcp_socket_opts.set_sock_opts")(params.tcp_options, sock)
        return socket_state(sock)
    return probe


def _redis_socket(make: Callable[[Env, dict[str, Any]], Any], connect: str | None = None):
    """make() returns a connection object; its _connect() opens the TCP socket (to the loopback)."""
    def probe(env: Env, settings: dict[str, Any]) -> dict[str, int]:
        conn = make(env, {"host": env.loopback[0], "port": env.loopback[1], **settings})
        sock = (resolve(connect) if connect else type(conn)._connect)(conn)
        env.close_later(sock)
        return socket_state(sock)
    return probe


def _redis_async_socket(make: Callable[[Env, dict[str, Any]], Any]):
    def probe(env: Env, settings: dict[str, Any]) -> dict[str, int]:
        async def run() -> dict[str, int]:
            conn = make(env, {"host": env.loopback[0], "port": env.loopback[1], **settings})
            await conn._connect()
            try:
                return socket_state(conn._writer.transport.get_extra_info("socket"))
            finally:
                conn._writer.close()
        return asyncio.run(run())
    return probe


def _websocket_socket(qualname: str, *args: Any):
    def probe(env: Env, settings: dict[str, Any]) -> dict[str, int]:
        # WebSocket(sockopt=...) and run_forever(sockopt=...) reach _open_socket() through sock_opt.
        ws = resolve("websocket._core.WebSocket")(sockopt=settings.get("sockopt"))
        addresses = socket.getaddrinfo(*env.loopback, 0, socket.SOCK_STREAM, socket.SOL_TCP)
        sock = env.close_later(resolve("websocket._http._open_socket")(addresses, ws.sock_opt.sockopt, 5))
        return socket_state(sock)
    return probe


def _urllib3_socket(make: Callable[[Env, dict[str, Any]], Any]):
    def probe(env: Env, settings: dict[str, Any]) -> dict[str, int]:
        connection = make(env, settings)._new_conn()  # the pool's HTTPConnection, not connected yet
        sock = env.close_later(connection._new_conn())  # its TCP socket, with socket_options applied
        return socket_state(sock)
    return probe


def _pymysql_socket(env: Env, settings: dict[str, Any]) -> dict[str, int]:
    """Connection.connect() up to the server greeting, which the loopback never sends."""
    captured: dict[str, int] = {}

    class Stop(Exception):
        pass

    def greeting(self: Any) -> None:
        captured.update(socket_state(self._sock))
        raise Stop

    host, port = env.loopback
    conn = resolve("pymysql.connections.Connection")(host=host, port=port, defer_connect=True, **settings)
    with mock.patch.object(resolve("pymysql.connections.Connection"), "_get_server_information", greeting):
        with pytest.raises(Stop):
            conn.connect()
    return captured


def _kombu_socket(env: Env, settings: dict[str, Any]) -> dict[str, int]:
    """The py-amqp transport's establish_connection(), up to the socket amqp.Connection opens."""
    captured: dict[str, int] = {}

    class Stop(Exception):
        pass

    def connect(self: Any, callback: Any = None) -> None:
        transport = self.Transport(self.host, self.connect_timeout, self.ssl, self.read_timeout, self.write_timeout,
                                   socket_settings=self.socket_settings)
        env.close_later(transport)
        transport.connect()
        captured.update(socket_state(transport.sock))
        raise Stop

    host, port = env.loopback
    conn = resolve("kombu.connection.Connection")(f"pyamqp://{host}:{port}//", **settings)
    with mock.patch.object(resolve("amqp.connection.Connection"), "connect", connect), pytest.raises(Stop):
        conn.transport.establish_connection()
    return captured


#: How each class's own code sets up a socket, given the knob settings (keyword, attribute or method
#: argument -> value): returns the socket's state (socket_state).
SOCKET_PROBES: dict[str, Callable[[Env, dict[str, Any]], dict[str, int]]] = {
    "amqp.connection.Connection": _amqp_socket,
    "pika.connection.ConnectionParameters": _pika_socket("pika.connection.ConnectionParameters"),
    "pika.connection.URLParameters": _pika_socket("pika.connection.URLParameters", "amqp://localhost/%2F"),
    "redis.client.Redis": _redis_socket(
        lambda env, kw: env.close_later(resolve("redis.client.Redis")(**kw)).connection_pool.make_connection()),
    "redis.connection.ConnectionPool": _redis_socket(
        lambda env, kw: resolve("redis.connection.ConnectionPool")(**kw).make_connection()),
    "redis.connection.BlockingConnectionPool": _redis_socket(
        lambda env, kw: resolve("redis.connection.BlockingConnectionPool")(**kw).make_connection()),
    "redis.connection.Connection": _redis_socket(lambda env, kw: resolve("redis.connection.Connection")(**kw)),
    # SSLConnection._connect() wraps Connection._connect()'s socket in TLS: probe the TCP part.
    "redis.connection.SSLConnection": _redis_socket(
        lambda env, kw: resolve("redis.connection.SSLConnection")(**kw), connect="redis.connection.Connection._connect"),
    "redis.asyncio.client.Redis": _redis_async_socket(
        lambda env, kw: resolve("redis.asyncio.client.Redis")(**kw).connection_pool.make_connection()),
    "redis.asyncio.connection.ConnectionPool": _redis_async_socket(
        lambda env, kw: resolve("redis.asyncio.connection.ConnectionPool")(**kw).make_connection()),
    "redis.asyncio.connection.Connection": _redis_async_socket(
        lambda env, kw: resolve("redis.asyncio.connection.Connection")(**kw)),
    "websocket._core.WebSocket": _websocket_socket("websocket._core.WebSocket"),
    "websocket._app.WebSocketApp": _websocket_socket("websocket._app.WebSocketApp"),
    "urllib3.poolmanager.PoolManager": _urllib3_socket(
        lambda env, kw: resolve("urllib3.poolmanager.PoolManager")(**kw).connection_from_host(*env.loopback)),
    "urllib3.connectionpool.HTTPConnectionPool": _urllib3_socket(
        lambda env, kw: resolve("urllib3.connectionpool.HTTPConnectionPool")(*env.loopback, **kw)),
    "urllib3.connectionpool.HTTPSConnectionPool": _urllib3_socket(
        lambda env, kw: resolve("urllib3.connectionpool.HTTPSConnectionPool")(*env.loopback, **kw)),
    "pymysql.connections.Connection": _pymysql_socket,
    "kombu.connection.Connection": _kombu_socket,
    "confluent_kafka.cimpl.Producer": confluent.socket_probe("confluent_kafka.cimpl.Producer", socket_state),
    "confluent_kafka.cimpl.Consumer": confluent.socket_probe("confluent_kafka.cimpl.Consumer", socket_state),
    "botocore.config.Config": confluent.botocore_probe(socket_state),
    **{name: stomp_support.socket_probe(name, socket_state) for name in stomp_support.CLASSES},
}

SOCKET_PROBES.update(drift_services.socket_probes(socket_state))

#: Fixed knobs (library behaviour without a setter): the probe that shows it, per (class, concept).
FIXED_KNOB_PROBES = {("pymysql.connections.Connection", "keepalive"): _pymysql_socket,
                     ("kombu.connection.Connection", "keepalive_options"): _kombu_socket}

#: Knobs whose effect is on the socket: TCP keepalive on/off, its options, and one option's entry.
SOCKET_CONCEPTS = ("keepalive", "keepalive_options", *TCP_OPTION_OF)
PROBE_VALUE = 77  # an entry set by the probe: no library or OS default is 77


def socket_knobs(cls: ClassSchema) -> list:
    return [k for k in cls.knobs if k.concept in SOCKET_CONCEPTS and (k.concept != "keepalive" or k.unit == "bool")
            and (k.concept not in TCP_OPTION_OF or k.key is not None)]


def test_every_socket_knob_class_has_a_probe() -> None:
    """Classes whose socket knobs no probe can check: libpq keywords (libpq sets the options in C)."""
    unprobed = sorted(c.name for c in CLASSES if socket_knobs(c) and c.name not in SOCKET_PROBES
                      and c.name not in LIBPQ_CLASSES)
    assert not unprobed, f"add a SOCKET_PROBES entry for {unprobed}"


#: libpq applies keepalives/keepalives_idle/... itself when it connects to a server.
LIBPQ_CLASSES = {"psycopg2.extensions.connection", "psycopg.connection.Connection",
                 "psycopg.connection_async.AsyncConnection"}

PROBED_CLASSES = [c for c in CLASSES if c.name in SOCKET_PROBES and socket_knobs(c)]


@pytest.mark.parametrize("cls", PROBED_CLASSES, ids=ids(PROBED_CLASSES))
def test_knobs_reach_the_socket(cls: ClassSchema, env: Env) -> None:
    probe, os_state = SOCKET_PROBES[cls.name], os_socket_state()
    untouched = probe(env, {})
    for knob in socket_knobs(cls):
        if not knob_applies(cls, knob):
            continue
        label = knob_label(cls, knob)
        if knob.concept == "keepalive":
            expected = bool(knob.default)
            assert bool(untouched["SO_KEEPALIVE"]) is expected, (
                f"{label}: a new connection has SO_KEEPALIVE {bool(untouched['SO_KEEPALIVE'])}, "
                f"the schema's default is {knob.default!r}")
        elif knob.concept == "keepalive_options":
            expected = knob.default_idle if knob.default_idle is not None else os_state["TCP_KEEPIDLE"]
            assert untouched["TCP_KEEPIDLE"] == expected, (
                f"{label}: without it the socket's TCP_KEEPIDLE is {untouched['TCP_KEEPIDLE']}, the schema's "
                f"default_idle says {knob.default_idle!r} (unset: the OS default {os_state['TCP_KEEPIDLE']})")
        else:
            option, setter = TCP_OPTION_OF[knob.concept], knob.kwarg or knob.attribute
            entry = probe(env, {setter: {key_object(cls, knob.key): PROBE_VALUE}})
            assert entry[option] == PROBE_VALUE, (
                f"{label}: {setter}={{{knob.key}: {PROBE_VALUE}}} leaves {option} at {entry[option]}")
            without = probe(env, {setter: {}})
            expected = knob.default if knob.default is not None else os_state[option]
            assert without[option] == expected, (
                f"{label}: {setter} without the entry leaves {option} at {without[option]}, "
                f"the schema's default is {knob.default!r} (none: the OS default {os_state[option]})")


FIXED = [(c, k) for c in CLASSES for k in c.knobs if k.fixed]


@pytest.mark.parametrize("cls,knob", FIXED, ids=[f"{c.name}-{k.concept}" for c, k in FIXED])
def test_fixed_knobs_show_on_the_socket(cls: ClassSchema, knob, env: Env) -> None:
    probe = FIXED_KNOB_PROBES.get((cls.name, knob.concept))
    assert probe is not None, f"{knob_label(cls, knob)}: add a FIXED_KNOB_PROBES entry"
    state = probe(env, {})
    if knob.concept == "keepalive":
        assert bool(state["SO_KEEPALIVE"]) is bool(knob.default), (
            f"{knob_label(cls, knob)}: the library's socket has SO_KEEPALIVE {state['SO_KEEPALIVE']}")
    elif knob.concept == "keepalive_options":
        assert state["SO_KEEPALIVE"] and state["TCP_KEEPIDLE"] == knob.default_idle, (
            f"{knob_label(cls, knob)}: the library's socket has SO_KEEPALIVE {state['SO_KEEPALIVE']}, "
            f"TCP_KEEPIDLE {state['TCP_KEEPIDLE']}; the schema's default_idle is {knob.default_idle!r}")
    else:
        option = TCP_OPTION_OF[knob.concept]
        assert state[option] == knob.default, f"{knob_label(cls, knob)}: the library's socket has {option} {state[option]}"


def test_pymysql_keepalive_remedy_sets_the_idle(env: Env) -> None:
    """The remedy the schema gives for PyMySQL's fixed keepalive (LK202 under strict) really works:
    a subclass whose connect() makes the socket keeps its TCP_KEEPIDLE through Connection.connect()."""
    (knob,) = [k for k in SCHEMAS.lookup("pymysql.connections.Connection").knobs if k.fixed]
    assert "override connect(self, sock=None)" in knob.remedy and "super().connect(sock)" in knob.remedy
    base = resolve("pymysql.connections.Connection")

    class KeepaliveConnection(base):
        def connect(self, sock=None):
            if sock is None and not self.unix_socket:
                sock = socket.create_connection((self.host, self.port), self.connect_timeout)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().connect(sock)

    captured: dict[str, int] = {}

    class Stop(Exception):
        pass

    def greeting(self: Any) -> None:
        captured.update(socket_state(self._sock))
        env.close_later(self._sock)
        raise Stop

    host, port = env.loopback
    with mock.patch.object(base, "_get_server_information", greeting), pytest.raises(Stop):
        KeepaliveConnection(host=host, port=port)
    assert captured["SO_KEEPALIVE"] and captured["TCP_KEEPIDLE"] == 30


def _pymysql_deferred(env: Env, keyword: str, value: Any) -> tuple[bool, bool]:
    """(a connection reached the listener at construction, one reached it at connect())."""
    server = env.close_later(socket.create_server(("127.0.0.1", 0)))
    server.settimeout(0.3)

    def accepted() -> bool:
        try:
            env.close_later(server.accept()[0])
        except TimeoutError:
            return False
        return True

    base = resolve("pymysql.connections.Connection")
    conn = base(host="127.0.0.1", port=server.getsockname()[1], **{keyword: value})
    at_construction = accepted()

    class Stop(Exception):
        pass

    def greeting(self: Any) -> None:
        env.close_later(self._sock)
        raise Stop

    with mock.patch.object(base, "_get_server_information", greeting), pytest.raises(Stop):
        conn.connect()
    return at_construction, accepted()


#: For each class with `connect_deferred_by`: (keyword, value) -> whether a connection reached a
#: listener at construction, and whether one did at the later connect().
DEFERRED_CONNECT_PROBES: dict[str, Callable[[Env, str, Any], tuple[bool, bool]]] = {
    "pymysql.connections.Connection": _pymysql_deferred,
}


@pytest.mark.parametrize("cls", [c for c in CLASSES if c.connect_deferred_by],
                         ids=ids([c for c in CLASSES if c.connect_deferred_by]))
def test_connect_deferred_by_opens_no_connection(cls: ClassSchema, env: Env) -> None:
    probe = DEFERRED_CONNECT_PROBES.get(cls.name)
    assert probe is not None, f"{where(cls)}: add a DEFERRED_CONNECT_PROBES entry"
    for keyword, value in sorted(cls.connect_deferred_by.items()):
        assert probe(env, keyword, value) == (False, True), (
            f"{where(cls)}: {keyword}={value!r} does not leave the connection to a later connect()")


# --------------------------------------------------------------------------- settings strings, local sockets


def call_parameters(item: ClassSchema | FactorySchema) -> list[inspect.Parameter]:
    parameters = list(inspect.signature(resolve(item.name)).parameters.values())
    return [p for p in parameters if p.name not in ("self", "cls")]


#: For each `settings_argument`: a settings string, and what the library makes of it (the value the
#: string gives a knob's keyword, as the library stores it).
REDIS_SETTINGS_URL = "redis://h:6379/0?socket_keepalive=true&health_check_interval=30"


def _redis_url_settings(qualname: str) -> Callable[[str], tuple[Any, Any]]:
    """What a redis-py from_url() makes of the URL's query (no connection is opened)."""
    def read(url: str) -> tuple[Any, Any]:
        made = resolve(qualname)(url)
        options = getattr(made, "connection_pool", made).connection_kwargs
        return options["socket_keepalive"], options["health_check_interval"]
    return read


SETTINGS_PROBES: dict[str, tuple[str, Callable[[str], Any], Any]] = {
    "kombu.connection.Connection":
        ("amqp://h//?heartbeat=30", lambda url: resolve("kombu.connection.Connection")(url).heartbeat, 30),
    "pika.connection.URLParameters":
        ("amqp://h/%2F?heartbeat=30", lambda url: resolve("pika.connection.URLParameters")(url).heartbeat, 30),
    "psycopg2.connect":
        ("host=db keepalives_idle=30", lambda dsn: resolve("psycopg2.extensions.parse_dsn")(dsn)["keepalives_idle"], "30"),
    "psycopg.connection.Connection.connect":
        ("postgresql://db/app?keepalives_idle=30",
         lambda conninfo: resolve("psycopg.conninfo.conninfo_to_dict")(conninfo)["keepalives_idle"], "30"),
    "psycopg.connection_async.AsyncConnection.connect":
        ("postgresql://db/app?keepalives_idle=30",
         lambda conninfo: resolve("psycopg.conninfo.conninfo_to_dict")(conninfo)["keepalives_idle"], "30"),
    **{name: (REDIS_SETTINGS_URL, _redis_url_settings(name), (True, 30)) for name in (
        "redis.utils.from_url", "redis.client.Redis.from_url", "redis.connection.ConnectionPool.from_url",
        "redis.asyncio.utils.from_url", "redis.asyncio.client.Redis.from_url",
        "redis.asyncio.connection.ConnectionPool.from_url")},
    "pymongo.synchronous.mongo_client.MongoClient":
        ("mongodb://db.example/?heartbeatFrequencyMS=30000", lambda url: resolve(
            "pymongo.synchronous.mongo_client.MongoClient")(url, connect=False).options.heartbeat_frequency, 30),
    "pymongo.asynchronous.mongo_client.AsyncMongoClient":
        ("mongodb://db.example/?heartbeatFrequencyMS=30000", lambda url: resolve(
            "pymongo.asynchronous.mongo_client.AsyncMongoClient")(url).options.heartbeat_frequency, 30),
    **{name: ("amqp://h/?heartbeat=30", asyncio_clients.aio_pika_settings(name), 30) for name in (
        "aio_pika.connection.Connection", "aio_pika.robust_connection.RobustConnection",
        "aio_pika.connection.connect", "aio_pika.robust_connection.connect_robust")},
}

SETTINGS_ITEMS = [item for item in (*CLASSES, *FACTORIES) if item.settings_argument]


@pytest.mark.parametrize("item", SETTINGS_ITEMS, ids=ids(SETTINGS_ITEMS))
def test_settings_argument_carries_settings(item: ClassSchema | FactorySchema) -> None:
    """It is the first positional parameter (the rules read it by keyword or first argument), and a
    settings string given there sets a knob."""
    positional = [p for p in call_parameters(item) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert positional and positional[0].name == item.settings_argument, (
        f"{where(item)}: settings_argument {item.settings_argument!r} is not the first parameter "
        f"({positional[0].name if positional else 'none'})")
    assert item.name in SETTINGS_PROBES, f"{where(item)}: add a SETTINGS_PROBES entry"
    text, read, expected = SETTINGS_PROBES[item.name]
    assert read(text) == expected, f"{where(item)}: {text!r} does not set what the probe expects"


def _redis_is_local(qualname: str) -> Callable[[Env, str], bool]:
    def probe(env: Env, keyword: str) -> bool:
        pool = resolve(qualname)(**{keyword: "/run/redis.sock"}).connection_pool
        return issubclass(pool.connection_class, (resolve("redis.connection.UnixDomainSocketConnection"),
                                                  resolve("redis.asyncio.connection.UnixDomainSocketConnection")))
    return probe


def _pymysql_is_local(env: Env, keyword: str) -> bool:
    family: list[int] = []

    class Stop(Exception):
        pass

    def greeting(self: Any) -> None:
        family.append(self._sock.family)
        raise Stop

    path = os.path.join(env.pg_dir, ".s.PGSQL.5432")  # any listening UNIX socket will do
    conn = resolve("pymysql.connections.Connection")(defer_connect=True, **{keyword: path})
    with mock.patch.object(resolve("pymysql.connections.Connection"), "_get_server_information", greeting):
        with pytest.raises(Stop):
            conn.connect()
    return family == [socket.AF_UNIX]


#: For each `local_kwargs` entry: passing it makes the connection a UNIX-domain one.
LOCAL_PROBES: dict[str, Callable[[Env, str], bool]] = {
    "redis.client.Redis": _redis_is_local("redis.client.Redis"),
    "redis.asyncio.client.Redis": _redis_is_local("redis.asyncio.client.Redis"),
    "pymysql.connections.Connection": _pymysql_is_local,
}

LOCAL_PROBES.update(drift_services.LOCAL_PROBES)

LOCAL_ITEMS = [item for item in (*CLASSES, *FACTORIES) if item.local_kwargs]


@pytest.mark.parametrize("item", LOCAL_ITEMS, ids=ids(LOCAL_ITEMS))
def test_local_kwargs_make_unix_connections(item: ClassSchema | FactorySchema, env: Env) -> None:
    probe = LOCAL_PROBES.get(item.name)
    assert probe is not None, f"{where(item)}: add a LOCAL_PROBES entry"
    for keyword in sorted(item.local_kwargs):
        assert keyword in SCHEMAS.call_target(item).kwargs, f"{where(item)}: {keyword} is not a keyword"
        assert probe(env, keyword), f"{where(item)}: {keyword}= does not make a UNIX-domain connection"


def _connection_family(env: Env, connection: Any) -> int:
    """The address family of the socket a redis connection object opens (sync or asyncio), to
    any listening UNIX socket; a TCP connection class fails to reach `path` and gives -1."""
    path = os.path.join(env.pg_dir, ".s.PGSQL.5432")
    if not hasattr(connection, "path"):
        return -1
    connection.path = path
    if inspect.iscoroutinefunction(connection._connect):
        loop = env.event_loop
        with mock.patch.object(connection, "on_connect", mock.AsyncMock()):  # nothing answers the handshake
            loop.run_until_complete(connection._connect())
        family = connection._writer.get_extra_info("socket").family
        connection._writer.close()
        return family
    sock = connection._connect()
    env.close_later(sock)
    return sock.family


LOCAL_VALUE_ITEMS = [item for item in (*CLASSES, *FACTORIES) if item.address.local_values]


@pytest.mark.parametrize("item", LOCAL_VALUE_ITEMS, ids=ids(LOCAL_VALUE_ITEMS))
def test_local_values_take_no_socket_keepalive(item: ClassSchema | FactorySchema, env: Env) -> None:
    """A pool whose connection class is a `local_values` one (UNIX-domain: tests/test_transport_drift.py)
    rejects socket_keepalive at the first connection: the advice LK204 must never give there."""
    call = BUILDERS.get(item.name) or FACTORY_CALLS[item.name]
    for keyword, classes in sorted(item.address.local_values.items()):
        for name in sorted(classes):
            with pytest.raises(TypeError, match="socket_keepalive"):
                call(env, **{keyword: resolve(name), "socket_keepalive": True}).make_connection()


# --------------------------------------------------------------------------- overrides


#: Items whose overrides make keywords ignored (`Redis.from_pool(pool)` takes no other keyword).
OVERRIDE_ITEMS = [item for item in (*CLASSES, *FACTORIES)
                  if any(o.ignored(SCHEMAS.call_target(item).kwargs) for o in item.overrides)]

#: For each item with an override: the object to give as the override's argument, built offline.
OVERRIDE_VALUES: dict[tuple[str, str], Callable[[Env], Any]] = {
    ("redis.client.Redis", "connection_pool"):
        lambda env: resolve("redis.connection.ConnectionPool")(host="cache.example.com", db=3),
    ("redis.asyncio.client.Redis", "connection_pool"):
        lambda env: resolve("redis.asyncio.connection.ConnectionPool")(host="cache.example.com", db=3),
    ("aio_pika.connection.connect", "url"): lambda env: "amqp://u:p@rabbit.example.com:5673/vh",
    ("aio_pika.robust_connection.connect_robust", "url"): lambda env: "amqps://u:p@rabbit.example.com:5673/vh",
}

#: What a made object keeps, for the items not built on a redis client (default: _client_state).
OVERRIDE_STATES: dict[str, Callable[[Any], Any]] = {
    "aio_pika.connection.connect": lambda conn: (str(conn.url), conn.kwargs),
    "aio_pika.robust_connection.connect_robust": lambda conn: (str(conn.url), conn.kwargs),
}

OVERRIDE_VALUES.update(drift_web.OVERRIDE_VALUES)

#: Read in __init__ with the override given, but only to warn that it is deprecated.
READ_ONLY_TO_WARN = {("redis.asyncio.client.Redis", "auto_close_connection_pool")}


def _client_state(client: Any) -> dict[str, Any]:
    """What a client keeps: its attributes (fresh locks and dispatchers by type) and its pool's settings;
    for the libraries in `drift_web.OVERRIDE_STATES`, what their function reads."""
    library = type(client).__module__.partition(".")[0]
    if library in drift_web.OVERRIDE_STATES:
        return drift_web.OVERRIDE_STATES[library](client)
    state = {name: type(value).__name__ if "lock" in name or "dispatcher" in name else value
             for name, value in vars(client).items()}
    state["connection_pool.connection_kwargs"] = dict(client.connection_pool.connection_kwargs)
    return state


def _read_outside_branch(qualname: str, argument: str) -> set[str]:
    """Parameters that __init__ reads outside its `if not <argument>:` branch (the only code that
    runs when the argument is given)."""
    init = resolve(qualname).__init__
    tree = ast.parse(textwrap.dedent(inspect.getsource(init))).body[0]
    parameters = {a.arg for a in (*tree.args.args, *tree.args.kwonlyargs)} - {"self"}
    branch: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) \
                and isinstance(test.operand, ast.Name) and test.operand.id == argument:
            branch.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    assert branch, f"{qualname}.__init__ has no `if not {argument}:` branch"
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
            and node.id in parameters and id(node) not in branch}


@pytest.mark.parametrize("item", OVERRIDE_ITEMS, ids=ids(OVERRIDE_ITEMS))
def test_overridden_keywords_are_ignored(item: ClassSchema | FactorySchema, env: Env) -> None:
    """Every keyword an override says is ignored changes nothing when the argument is given: the
    client's state and its pool's connection_kwargs are those of a client built without it."""
    target = SCHEMAS.call_target(item)
    made = BUILDERS.get(item.name) or FACTORY_CALLS[item.name]
    state = OVERRIDE_STATES.get(item.name, _client_state)

    def call(env: Env, **kw: Any) -> Any:
        result = made(env, **kw)
        return asyncio.run(result) if inspect.iscoroutine(result) else result

    for override in item.overrides:
        make = OVERRIDE_VALUES.get((item.name, override.argument))
        assert make is not None, f"{where(item)}: add an OVERRIDE_VALUES entry for {override.argument}"
        given = make(env)
        baseline = state(call(env, **{override.argument: given}))
        ignored = override.ignored(target.kwargs)
        assert ignored, f"{where(item)}: the override ignores nothing"
        for keyword in sorted(ignored):
            marker = object()  # no real setting: any use of it would show, or raise
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                client = call(env, **{override.argument: given, keyword: marker})
            assert state(client) == baseline, f"{where(item)}: {keyword}= has an effect with " \
                                              f"{override.argument}= given"
        # With an `unless` keyword given too, each ignored keyword has an effect again.
        unless = drift_web.UNLESS_VALUES.get((item.name, override.argument), {})
        for lifting in sorted(override.unless):
            assert lifting in unless, f"{where(item)}: add UNLESS_VALUES for {lifting}"
            lifted = {override.argument: given, lifting: unless[lifting]()}
            baseline = _client_state(call(env, **lifted))
            for keyword in sorted(ignored):
                assert keyword in unless, f"{where(item)}: add UNLESS_VALUES for {keyword} (None: not tried)"
                if unless[keyword] is not None:
                    changed = _client_state(call(env, **lifted, **{keyword: unless[keyword]()}))
                    assert changed != baseline, f"{where(item)}: {keyword}= has no effect with {lifting}= given"
        # The control: without the argument, the liveness keywords do reach the connections.
        for keyword in sorted(ignored & {"socket_keepalive", "socket_timeout", "health_check_interval"}):
            client = call(env, **{keyword: 77})
            assert client.connection_pool.connection_kwargs[keyword] == 77, f"{where(item)}: {keyword} unused"


POSITIONED_OVERRIDE_ITEMS = [item for item in (*CLASSES, *FACTORIES)
                             if any(o.position is not None for o in item.overrides)]


@pytest.mark.parametrize("item", POSITIONED_OVERRIDE_ITEMS, ids=ids(POSITIONED_OVERRIDE_ITEMS))
def test_override_positions_match_the_signature(item: ClassSchema | FactorySchema) -> None:
    real = resolve(item.name)
    parameters = [p.name for p in inspect.signature(real.__init__ if isinstance(real, type) else real).parameters
                  .values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if isinstance(real, type):
        parameters = parameters[1:]  # self
    for override in item.overrides:
        if override.position is not None:
            assert parameters[override.position:override.position + 1] == [override.argument], (
                f"{where(item)}: positional parameters {parameters}, not {override.argument} at {override.position}")


@pytest.mark.parametrize("item", OVERRIDE_ITEMS, ids=ids(OVERRIDE_ITEMS))
def test_override_lists_every_keyword_still_read(item: ClassSchema | FactorySchema) -> None:
    """`ignores_all_but` is exactly what __init__ still reads with the argument given (redis:
    the code outside `if not connection_pool:`), so no keyword with an effect is reported."""
    for override in item.overrides:
        if override.ignores_all_but is None:
            continue
        read = _read_outside_branch(item.name, override.argument)
        warned = {keyword for name, keyword in READ_ONLY_TO_WARN if name == item.name}
        assert read - warned == set(override.ignores_all_but), (
            f"{where(item)}: read with {override.argument}= given: {sorted(read - warned)}; "
            f"ignores_all_but: {sorted(override.ignores_all_but)}")


# --------------------------------------------------------------------------- heartbeat gaps


class FakeClock:
    """Simulated time for a library's heartbeat code; `sent` records when a frame went out."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sent: list[float] = []

    def __call__(self) -> float:
        return self.now

    def send(self, *args: Any, **kwargs: Any) -> None:
        self.sent.append(self.now)

    def longest_silence(self, start: float) -> float:
        times = [start, *self.sent]
        assert len(times) > 2, "no heartbeat was sent"
        return max(b - a for a, b in zip(times, times[1:]))


def _amqp_ticks(conn: Any, clock: FakeClock, value: float, tick: Callable[[], Any]) -> float:
    """Tick an idle py-amqp connection often (its docs: about once a second) for 10 intervals."""
    conn.heartbeat = value  # the negotiated value, set by _on_tune()
    start = clock.now
    with mock.patch("amqp.connection.monotonic", clock), mock.patch.object(conn, "send_heartbeat", clock.send):
        while clock.now < start + 10 * value:
            conn.bytes_recv += 1  # the broker's heartbeats arrive; nothing is sent but heartbeats
            tick()
            clock.now += value / 200
    return clock.longest_silence(start)


def _amqp_silence(env: Env, value: float) -> float:
    clock = FakeClock()
    conn = resolve("amqp.connection.Connection")(heartbeat=value)
    return _amqp_ticks(conn, clock, value, conn.heartbeat_tick)


def _kombu_silence(env: Env, value: float) -> float:
    """Connection.heartbeat_check() with its default rate, on the py-amqp transport."""
    clock = FakeClock()
    kombu_conn = resolve("kombu.connection.Connection")("pyamqp://", heartbeat=value)
    amqp_conn = resolve("amqp.connection.Connection")(heartbeat=value)
    connection = mock.PropertyMock(return_value=amqp_conn)
    with mock.patch.object(resolve("kombu.connection.Connection"), "connection", connection):
        return _amqp_ticks(amqp_conn, clock, value, kombu_conn.heartbeat_check)


def _pika_silence(env: Env, value: float) -> float:
    """HeartbeatChecker, which a connection makes with its parameters' (negotiated) heartbeat."""
    clock, timers = FakeClock(), []
    connection = mock.Mock(bytes_received=0)
    connection._adapter_call_later.side_effect = lambda delay, callback: timers.append((clock.now + delay, callback))
    connection._send_frame.side_effect = clock.send
    start = clock.now
    resolve("pika.heartbeat.HeartbeatChecker")(connection, value)
    while clock.now < start + 10 * value:
        timers.sort(key=lambda timer: timer[0])
        when, callback = timers.pop(0)
        clock.now = when
        connection.bytes_received += 1  # the broker's heartbeats arrive
        callback()
    return clock.longest_silence(start)


def _paho_silence(env: Env, value: float) -> float:
    """A connected, idle client whose loop runs often; the broker answers every PINGREQ at once."""
    module = resolve("paho.mqtt.client")
    clock = FakeClock()
    client = _paho_client(env)
    client.connect_async("localhost", keepalive=int(value))
    client._sock = mock.Mock()
    client._state = module._ConnectionState.MQTT_CS_CONNECTED
    client._last_msg_out = client._last_bytes_received = start = clock.now
    with mock.patch.object(module, "time_func", clock), mock.patch.object(client, "_send_pingreq", clock.send):
        while clock.now < start + 10 * value:
            client.loop_misc()
            clock.now += value / 200
    client._sock = None
    return clock.longest_silence(start)


def _websocket_silence(env: Env, value: float) -> float:
    """The ping thread's loop (_send_ping) with the ping_interval run_forever() stores on the app."""
    clock = FakeClock()
    app = resolve("websocket._app.WebSocketApp")("ws://localhost/")
    app.ping_interval, app.keep_running, start = value, True, clock.now

    def wait(timeout: float) -> bool:
        clock.now += timeout
        return clock.now > start + 10 * value

    app.stop_ping = mock.Mock(wait=wait)
    app.sock = mock.Mock(ping=clock.send)
    app._send_ping()
    return clock.longest_silence(start)


def _paramiko_silence(env: Env, value: float) -> float:
    """Transport.set_keepalive() on an idle, encrypting transport whose reader times out often."""
    clock = FakeClock()
    transport = _paramiko_transport(env)
    with mock.patch("paramiko.packet.time.time", clock):
        start = clock.now
        transport.set_keepalive(int(value))
        packetizer = transport.packetizer
        packetizer._Packetizer__block_engine_out = object()  # keepalives start once encryption is on
        packetizer._Packetizer__keepalive_callback = clock.send
        while clock.now < start + 10 * value:
            packetizer._check_keepalive()
            clock.now += value / 200
    return clock.longest_silence(start)


#: How long an idle connection stays silent, in simulated time, for a heartbeat value: per class.
GAP_PROBES: dict[str, Callable[[Env, float], float]] = {
    "amqp.connection.Connection": _amqp_silence,
    "kombu.connection.Connection": _kombu_silence,
    "pika.connection.ConnectionParameters": _pika_silence,
    "pika.connection.URLParameters": _pika_silence,
    "paho.mqtt.client.Client": _paho_silence,
    "websocket._app.WebSocketApp": _websocket_silence,
    "paramiko.transport.Transport": _paramiko_silence,
    "aio_pika.connection.Connection": lambda env, value: asyncio_clients.aiormq_silence(FakeClock(), value),
    **{name: stomp_support.heartbeat_silence(name, FakeClock) for name in stomp_support.CLASSES[1:]},
}

GAP_PROBES.update(drift_web.GAP_PROBES)
GAP_PROBES.update(drift_services.GAP_PROBES)

#: Heartbeat knobs whose timing runs where Python cannot simulate it.
GAP_UNPROBED = {
    "grpc._channel.Channel": "keepalive pings are timed by grpc's C core (chttp2_transport.cc)",
    "grpc.aio._channel.Channel": "keepalive pings are timed by grpc's C core (chttp2_transport.cc)",
}

HEARTBEATS = [(c, k) for c in CLASSES for k in c.knobs if k.concept == "heartbeat"]


@pytest.mark.parametrize("cls,knob", HEARTBEATS,
                         ids=[f"{c.name}-{k.method or k.kwarg or k.attribute}" for c, k in HEARTBEATS])
def test_heartbeat_gap_is_the_longest_silence(cls: ClassSchema, knob, env: Env) -> None:
    probe = GAP_PROBES.get(cls.name)
    if probe is None:
        assert cls.name in GAP_UNPROBED, f"{knob_label(cls, knob)}: add a GAP_PROBES entry (or a GAP_UNPROBED reason)"
        pytest.skip(f"{cls.name}: {GAP_UNPROBED[cls.name]}")
    value = 100
    silence = probe(env, value)
    assert abs(silence / value - knob.gap) <= 0.02, (
        f"{knob_label(cls, knob)}: an idle connection stays silent {silence:g} s for a value of {value}: "
        f"gap {silence / value:.3f}, the schema says {knob.gap}")


VOCABULARY_CLASSES = [c for c in CLASSES if c.vocabulary]


@pytest.mark.parametrize("cls", VOCABULARY_CLASSES, ids=ids(VOCABULARY_CLASSES))
def test_vocabulary_names_exist(cls: ClassSchema) -> None:
    known = kwargs_reaching(cls) | effective_attributes(cls) | SCHEMAS.methods(cls)
    unknown = {concept: name for concept, name in cls.vocabulary.items() if name not in known}
    assert not unknown, f"{where(cls)}: vocabulary names no keyword, attribute or method: {unknown}"


# --------------------------------------------------------------------------- tests: factories


@pytest.mark.parametrize("fac", FACTORIES, ids=ids(FACTORIES))
def test_factory_and_aliases_resolve(fac: FactorySchema) -> None:
    real = resolve(fac.name)
    assert callable(real), f"{where(fac)} is not callable"
    for alias in fac.aliases:
        assert same_object(resolve(alias), real), f"{where(fac)}: alias {alias} is another object"
    assert isinstance(resolve(SCHEMAS.lookup(fac.returns).name), type)


@pytest.mark.parametrize("fac", [f for f in FACTORIES if SCHEMAS.call_target(f).kwargs is not None],
                         ids=ids([f for f in FACTORIES if SCHEMAS.call_target(f).kwargs is not None]))
def test_factory_kwargs_match_the_signature(fac: FactorySchema) -> None:
    compare_kwargs(fac, set(SCHEMAS.call_target(fac).kwargs), expected_keywords(fac.name))


@pytest.mark.parametrize("fac", FACTORIES, ids=ids(FACTORIES))
def test_factory_returns_its_class(fac: FactorySchema, env: Env) -> None:
    if fac.name in NEEDS_SERVER:
        pytest.skip(f"{fac.name}: {NEEDS_SERVER[fac.name]}")
    call = FACTORY_CALLS.get(fac.name)
    assert call is not None, f"{where(fac)}: add an offline call to FACTORY_CALLS (or a NEEDS_SERVER reason)"
    result = call(env)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    returns = resolve(SCHEMAS.lookup(fac.returns).name)
    assert isinstance(result, returns), f"{where(fac)} returned {type(result).__qualname__}, not {fac.returns}"


@pytest.mark.parametrize("fac", FACTORIES, ids=ids(FACTORIES))
def test_factory_unknown_kwarg_policy(fac: FactorySchema, env: Env) -> None:
    call = FACTORY_CALLS.get(fac.name)
    assert call is not None, f"{where(fac)}: add an offline call to FACTORY_CALLS"
    if fac.name in NEEDS_SERVER and fac.unknown_kwargs != "raises":
        pytest.skip(f"{fac.name}: an ignored keyword lets the call go on to connect ({NEEDS_SERVER[fac.name]})")
    result = functools.partial(call, env)
    if inspect.iscoroutinefunction(resolve(fac.name)):
        import asyncio

        result = functools.partial(lambda **kw: asyncio.run(call(env, **kw)))
    check_kwarg_policy(fac, result)


@pytest.mark.parametrize("cls", [c for c in CLASSES if c.kwargs_receiver],
                         ids=ids([c for c in CLASSES if c.kwargs_receiver]))
def test_kwargs_receiver_gets_the_unknown_keywords(cls: ClassSchema, env: Env) -> None:
    """`kwargs_receiver`: a class passed there receives the keywords the constructor does not know."""
    default = signature_default(resolve(cls.name), cls.kwargs_receiver)
    received = {}
    if default is None:  # a function instead of the library's own (asyncpg's create_pool(connect=...))
        async def Receiver(*args: Any, lintkit_probe: Any = None, **kwargs: Any):  # noqa: N807
            received["lintkit_probe"] = lintkit_probe
            raise _Received
    else:
        assert isinstance(default, type), f"{where(cls)}: {cls.kwargs_receiver} has no class default"

        class Receiver(default):
            def __init__(self, *args: Any, lintkit_probe: Any = None, **kwargs: Any):
                received["lintkit_probe"] = lintkit_probe
                super().__init__(*args, **kwargs)

    made = build(cls, env, **{cls.kwargs_receiver: Receiver, "lintkit_probe": 42})
    with contextlib.suppress(_Received):
        DEFERRED_PROBES[cls.name](made)
    assert received == {"lintkit_probe": 42}, f"{where(cls)}: the unknown keyword did not reach {cls.kwargs_receiver}"


class _Received(Exception):
    """Raised by a function receiver once it has the keywords: nothing more to run."""
