"""Offline builders and probes for the asyncio client schemas (aio-pika on aiormq) used by the
drift tests: nothing here opens a connection."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import textwrap
from typing import Any, Callable
from unittest import mock


def resolve(qualname: str) -> Any:
    module, _, rest = qualname.partition(".")
    obj = importlib.import_module(module)
    for part in rest.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            module = f"{module}.{part}"
            obj = importlib.import_module(module)
    return obj


def aio_pika_connection(qualname: str) -> Callable[..., Any]:
    """Connection(url, **kw) on the env's event loop (its __init__ makes a future on it)."""
    def build(env: Any, **kw: Any) -> Any:
        kw.setdefault("loop", env.event_loop)
        return resolve(qualname)(resolve("yarl.URL")("amqp://guest:guest@localhost/"), **kw)
    return build


def aio_pika_connect(qualname: str, url: str | None = None) -> Callable[..., Any]:
    """A coroutine running connect()/connect_robust() whose connection never touches the network:
    the connection classes' connect() is a no-op."""
    def call(env: Any, **kw: Any) -> Any:
        async def run() -> Any:
            with mock.patch.object(resolve("aio_pika.connection.Connection"), "connect", mock.AsyncMock()), \
                    mock.patch.object(resolve("aio_pika.robust_connection.RobustConnection"), "connect",
                                      mock.AsyncMock()):
                return await resolve(qualname)(*(() if "url" in kw else (url,)), **kw)
        return run()
    return call


def aio_pika_default_host(qualname: str) -> Callable[[Any], str]:
    return lambda env: asyncio.run(aio_pika_connect(qualname)(env)).url.host


def aiormq_url_keys() -> set[str]:
    """The URL query keys aiormq's Connection reads (`self.url.query.get("key")`), and the
    PARAMETERS names aio-pika's connection classes read from the query."""
    source = textwrap.dedent(inspect.getsource(resolve("aiormq.connection.Connection")))
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and ast.unparse(node.func.value) == "self.url.query" and node.args \
                and isinstance(node.args[0], ast.Constant):
            keys.add(node.args[0].value)
    return keys


def aio_pika_parameters(qualname: str) -> Callable[[], set[str]]:
    def provider() -> set[str]:
        return {parameter.name for parameter in resolve(qualname).PARAMETERS}
    provider.__name__ = f"aio_pika_parameters({qualname})"
    return provider


def aiormq_heartbeat(url: str) -> int:
    """What aiormq negotiates for the heartbeat of this URL (Connection.__init__ reads it)."""
    async def read() -> int:
        return resolve("aiormq.connection.Connection")(url).heartbeat_timeout
    return asyncio.run(read())


def aio_pika_settings(qualname: str) -> Callable[[str], Any]:
    """The heartbeat aiormq would use for the URL a connect()-made connection keeps."""
    def read(url: str) -> int:
        if inspect.iscoroutinefunction(resolve(qualname)):
            made = asyncio.run(aio_pika_connect(qualname, url)(None))
        else:
            async def build() -> Any:
                return resolve(qualname)(resolve("yarl.URL")(url))
            made = asyncio.run(build())
        return aiormq_heartbeat(str(made.url))
    return read


def aiormq_silence(clock: Any, value: float) -> float:
    """aiormq's heartbeat task on an idle connection, in simulated time, for 10 intervals."""
    class Stop(Exception):
        pass

    async def run() -> None:
        conn = resolve("aiormq.connection.Connection")(f"amqp://h/?heartbeat={int(value)}")
        start = clock.now

        async def sleep(delay: float) -> None:
            clock.now += delay
            if clock.now > start + 10 * value:
                raise Stop

        async def put(frame: Any) -> None:
            clock.send()

        conn.write_queue = mock.Mock(put=put)
        stuck = mock.PropertyMock(return_value=False)
        with mock.patch.object(type(conn), "is_connection_was_stuck", stuck), \
                mock.patch("aiormq.connection.asyncio.sleep", sleep):
            try:
                await conn._Connection__heartbeat()
            except Stop:
                pass

    start = clock.now
    asyncio.run(run())
    return clock.longest_silence(start)


def redis_cluster(make: Callable[..., Any]) -> Callable[..., Any]:
    """RedisCluster built without a cluster: no node discovery, no COMMAND call."""
    def build(env: Any, **kw: Any) -> Any:
        with mock.patch.object(resolve("redis.cluster.NodesManager"), "initialize", lambda self, *a, **k: None), \
                mock.patch("redis.cluster.CommandsParser", mock.Mock()):
            return make(**kw)
    return build


def redis_allowed_keys() -> set[str]:
    """The keywords RedisCluster hands to its node clients (the rest are dropped)."""
    return set(resolve("redis.cluster.REDIS_ALLOWED_KEYS"))


def config_keys(qualname: str, *tables: str) -> Callable[[], set[str]]:
    """The keys of a class's table of accepted settings (kafka-python's DEFAULT_CONFIG, botocore's
    Config.OPTION_DEFAULTS): what its **configs / **kwargs accept."""
    def provider() -> set[str]:
        cls = resolve(qualname)
        return {key for table in tables for key in getattr(cls, table)}
    provider.__name__ = f"config_keys({qualname}, {', '.join(tables)})"
    return provider


def kafka_client(qualname: str) -> Callable[..., Any]:
    """A producer or consumer aimed at a closed loopback port, with the broker version given (no
    version probe): construction opens no connection that waits."""
    def build(env: Any, **kw: Any) -> Any:
        client = resolve(qualname)(bootstrap_servers="127.0.0.1:1", api_version=(2, 0, 0), **kw)
        env.stack.callback(lambda: client.close(timeout=1) if "Producer" in qualname else client.close())
        return client
    return build


def kafka_idle_close_seconds(qualname: str, value: int) -> float:
    """How long the network manager of a producer or consumer lets a connection idle before it
    closes it, for connections_max_idle_ms=value (kafka/net/manager.py `_idle_check_delay`)."""
    client = resolve(qualname)(bootstrap_servers="127.0.0.1:1", api_version=(2, 0, 0),
                               connections_max_idle_ms=value)
    try:
        net_client = client._sender._client if hasattr(client, "_sender") else client._client
        return getattr(net_client, "_manager", net_client)._idle_check_delay
    finally:
        client.close(timeout=1) if hasattr(client, "_sender") else client.close()


def aiokafka_client(qualname: str) -> Callable[..., Any]:
    """An aiokafka producer or consumer made (not started) on the env's event loop: no connection."""
    def build(env: Any, **kw: Any) -> Any:
        async def make() -> Any:
            return resolve(qualname)(bootstrap_servers="127.0.0.1:1", **kw)
        return env.event_loop.run_until_complete(make())
    return build


def aiokafka_idle_close_seconds(qualname: str, value: int) -> float:
    """After how many idle seconds an aiokafka connection made with this client's settings closes
    itself: AIOKafkaConnection._idle_check run on a connection object in simulated time."""
    async def run() -> float:
        made = resolve(qualname)(bootstrap_servers="127.0.0.1:1", connections_max_idle_ms=value)
        client = getattr(made, "client", None) or made._client  # producer.client, consumer._client
        conn = resolve("aiokafka.conn.AIOKafkaConnection").__new__(resolve("aiokafka.conn.AIOKafkaConnection"))
        now = [1000.0]
        closed: list[float] = []
        conn._last_action, conn._requests, conn._max_idle_ms = now[0], [], client._connections_max_idle_ms
        conn._loop = mock.Mock(call_later=lambda delay, callback, ref: now.__setitem__(0, now[0] + delay))
        conn.close = lambda reason: closed.append(now[0])
        import weakref
        with mock.patch("aiokafka.conn.time.monotonic", lambda: now[0]):
            while not closed:
                resolve("aiokafka.conn.AIOKafkaConnection")._idle_check(weakref.ref(conn))
        return closed[0] - 1000.0
    return asyncio.run(run())
