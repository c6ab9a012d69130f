"""The drift tests' entries for cassandra-driver, sshtunnel and websockets' legacy asyncio
implementation: offline builders, factory calls, and heartbeat probes in simulated time.
test_schema_drift.py merges them into its own tables.

Each library is imported only when an entry runs, so a missing library fails only its own
schema's tests.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from typing import Any, Callable
from unittest import mock


def _resolve(qualname: str) -> Any:
    module, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _in_loop(env: Any, make: Callable[[], Any]) -> Any:
    """Build inside a running event loop (websockets' legacy protocols ask for one)."""
    async def inside() -> Any:
        return make()
    return env.event_loop.run_until_complete(inside())


# --------------------------------------------------------------------------- builders


def _cassandra_cluster(env: Any, **kw: Any) -> Any:
    """A Cluster opens no connection before connect(); its executor and scheduler threads stop at
    shutdown(). A contact point given as an address needs no name lookup."""
    cluster = _resolve("cassandra.cluster.Cluster")(["127.0.0.1"], **kw)
    return env.close_later(cluster, "shutdown")


def _sshtunnel_forwarder(env: Any, **kw: Any) -> Any:
    """SSHTunnelForwarder() reads the SSH config and keys but connects only in start()."""
    return _resolve("sshtunnel.SSHTunnelForwarder")(
        "ssh.example.com", ssh_username="lintkit", ssh_password="x", ssh_config_file=None,
        remote_bind_address=("127.0.0.1", 5432), allow_agent=False, host_pkey_directories=[], **kw)


def _legacy_protocol(qualname: str) -> Callable[..., Any]:
    return lambda env, **kw: _in_loop(env, lambda: _resolve(qualname)(**kw))


BUILDERS: dict[str, Callable[..., Any]] = {
    "cassandra.cluster.Cluster": _cassandra_cluster,
    "sshtunnel.SSHTunnelForwarder": _sshtunnel_forwarder,
    "websockets.legacy.client.WebSocketClientProtocol":
        _legacy_protocol("websockets.legacy.client.WebSocketClientProtocol"),
    "websockets.legacy.server.WebSocketServerProtocol": lambda env, **kw: _in_loop(
        env, lambda: _resolve("websockets.legacy.server.WebSocketServerProtocol")(
            lambda ws: None, mock.Mock(), **kw)),
}


# --------------------------------------------------------------------------- factories


FACTORY_CALLS: dict[str, Callable[..., Any]] = {
    "sshtunnel.open_tunnel": lambda env, **kw: _resolve("sshtunnel.open_tunnel")(
        ("ssh.example.com", 22), ssh_username="lintkit", ssh_password="x", ssh_config_file=None,
        remote_bind_address=("127.0.0.1", 5432), allow_agent=False, host_pkey_directories=[], **kw),
    # Connect() only stores its arguments: the connection opens when it is awaited.
    "websockets.legacy.client.connect": lambda env, **kw: _in_loop(
        env, lambda: _resolve("websockets.legacy.client.connect")("ws://localhost/", **kw)),
    "websockets.legacy.server.serve": lambda env, **kw: _in_loop(
        env, lambda: _resolve("websockets.legacy.server.serve")(lambda ws: None, "127.0.0.1", 0, **kw)),
}

NEEDS_SERVER = {
    "websockets.legacy.client.connect": "gives a WebSocketClientProtocol once awaited, which opens the connection",
    "websockets.legacy.server.serve": "its WebSocketServerProtocols exist once clients connect",
}

# --------------------------------------------------------------------------- heartbeats


class _Events:
    """ConnectionHeartbeat's shutdown event in simulated time: wait() advances the clock, and the
    event is set once the probe has seen enough heartbeats."""

    def __init__(self, clock: Any, end: float):
        self.clock, self.end = clock, end

    def wait(self, timeout: float) -> bool:
        self.clock.now += timeout
        return self.is_set()

    def is_set(self) -> bool:
        return self.clock.now > self.end

    def set(self) -> None:
        self.end = self.clock.now


def cassandra_silence(env: Any, value: float) -> float:
    """ConnectionHeartbeat.run(), in this thread, over one real (unopened) driver Connection that
    received a message just before the thread started; the server answers each OPTIONS request
    at once (the answer is a message received)."""
    from test_schema_drift import FakeClock
    connection_module = importlib.import_module("cassandra.connection")
    clock = FakeClock()
    start = clock.now
    connection = object.__new__(connection_module.Connection)
    connection.lock, connection.in_flight, connection.endpoint = threading.Lock(), 0, "127.0.0.1:9042"
    connection.msg_received = True  # the application's last answer

    def heartbeat(conn: Any, owner: Any) -> Any:
        clock.send()
        conn.in_flight += 1

        def answered(timeout: float) -> None:
            conn.msg_received = True
        return mock.Mock(connection=conn, owner=owner, wait=answered)

    holder = mock.Mock(get_connections=lambda: [connection])
    with mock.patch.object(connection_module.ConnectionHeartbeat, "start", lambda self: None):
        thread = connection_module.ConnectionHeartbeat(value, lambda: [holder], timeout=30)
    thread._shutdown_event = _Events(clock, start + 10 * value)
    with mock.patch.object(connection_module, "HeartbeatFuture", heartbeat), \
            mock.patch.object(connection_module.time, "time", clock):
        thread.run()
    return clock.longest_silence(start)


def legacy_websockets_silence(build: Callable[..., Any]) -> Callable[[Any, float], float]:
    """WebSocketCommonProtocol.keepalive_ping() on an idle connection whose Pongs come at once:
    asyncio.sleep advances the simulated clock, each ping() is a frame sent."""
    def probe(env: Any, value: float) -> float:
        from test_schema_drift import FakeClock
        clock = FakeClock()
        protocol = build(env, ping_interval=value, ping_timeout=None)
        start = clock.now

        async def sleep(delay: float) -> None:
            clock.now += delay

        async def ping(*args: Any, **kwargs: Any) -> Any:
            clock.send()
            if clock.now > start + 10 * value:
                raise asyncio.CancelledError
            pong = asyncio.get_running_loop().create_future()
            pong.set_result(0.0)
            return pong

        async def run() -> None:
            with mock.patch("websockets.legacy.protocol.asyncio.sleep", sleep), \
                    mock.patch.object(protocol, "ping", ping):
                try:
                    await protocol.keepalive_ping()
                except asyncio.CancelledError:
                    pass

        env.event_loop.run_until_complete(run())
        return clock.longest_silence(start)
    return probe


def sshtunnel_silence(env: Any, value: float) -> float:
    """The forwarder's own _get_transport() (what start() runs) over one end of a socket pair, then
    paramiko's keepalive check on the idle, encrypting transport it configured, in simulated time."""
    import socket

    import paramiko
    from test_schema_drift import FakeClock
    clock = FakeClock()
    ours, theirs = socket.socketpair()
    env.close_later(theirs)
    env.close_later(ours)
    real_transport = paramiko.Transport
    forwarder = BUILDERS["sshtunnel.SSHTunnelForwarder"](env, set_keepalive=value)
    with mock.patch("paramiko.packet.time.time", clock), \
            mock.patch.object(paramiko, "Transport", lambda address: real_transport(ours)):
        start = clock.now
        transport = env.close_later(forwarder._get_transport())
        packetizer = transport.packetizer
        packetizer._Packetizer__block_engine_out = object()  # keepalives start once encryption is on
        packetizer._Packetizer__keepalive_callback = clock.send
        while clock.now < start + 10 * value:
            packetizer._check_keepalive()
            clock.now += value / 200
    return clock.longest_silence(start)


GAP_PROBES: dict[str, Callable[[Any, float], float]] = {
    "sshtunnel.SSHTunnelForwarder": sshtunnel_silence,
    "cassandra.cluster.Cluster": cassandra_silence,
    "websockets.legacy.client.WebSocketClientProtocol":
        legacy_websockets_silence(BUILDERS["websockets.legacy.client.WebSocketClientProtocol"]),
    "websockets.legacy.server.WebSocketServerProtocol":
        legacy_websockets_silence(BUILDERS["websockets.legacy.server.WebSocketServerProtocol"]),
}


# --------------------------------------------------------------------------- hosts


def _cassandra_default_host(env: Any) -> str:
    """Where a Cluster() without contact points connects: its only contact point."""
    cluster = env.close_later(_resolve("cassandra.cluster.Cluster")(), "shutdown")
    (host,) = cluster.contact_points
    return host


DEFAULT_HOST_PROBES: dict[str, Callable[[Any], str]] = {
    "cassandra.cluster.Cluster": _cassandra_default_host,
}


# --------------------------------------------------------------------------- keywords


def sshtunnel_deprecated_names() -> set[str]:
    """The old keywords SSHTunnelForwarder still takes out of **kwargs (_process_deprecated)."""
    return set(_resolve("sshtunnel._DEPRECATIONS"))


def loop_keywords(method: str) -> set[str]:
    """The keywords of asyncio's loop.create_connection() or create_server()."""
    import inspect
    parameters = inspect.signature(getattr(asyncio.BaseEventLoop, method)).parameters
    return set(parameters) - {"self", "protocol_factory"}


#: Where **kwargs go that the schema generator's reading of the source does not follow.
FORWARDS: dict[str, list[Any]] = {
    "sshtunnel.SSHTunnelForwarder": [sshtunnel_deprecated_names],
    "sshtunnel.open_tunnel": ["sshtunnel.SSHTunnelForwarder"],
    # websockets' legacy connect() and serve() bind their other keywords into the event loop's
    # create_connection() and create_server().
    "websockets.legacy.client.connect": [lambda: loop_keywords("create_connection")],
    "websockets.legacy.server.serve": [lambda: loop_keywords("create_server")],
}

BUILDERS["thrift.transport.TSocket.TSocket"] = lambda env, **kw: _resolve("thrift.transport.TSocket.TSocket")(**kw)


def thrift_is_local(env: Any, keyword: str) -> bool:
    """TSocket(unix_socket=path).open() connects an AF_UNIX socket to path (a listener the test made)."""
    import os
    import socket
    path = os.path.join(env.pg_dir, ".s.PGSQL.5432")  # any listening UNIX socket will do
    transport = _resolve("thrift.transport.TSocket.TSocket")("db.example.com", 9090, **{keyword: path})
    transport.open()
    try:
        return transport.handle.family == socket.AF_UNIX and transport.handle.getpeername() == path
    finally:
        transport.close()


LOCAL_PROBES: dict[str, Callable[[Any, str], bool]] = {
    "thrift.transport.TSocket.TSocket": thrift_is_local,
}

DEFAULT_HOST_PROBES["thrift.transport.TSocket.TSocket"] = lambda env: _resolve("thrift.transport.TSocket.TSocket")().host


# --------------------------------------------------------------------------- sockets


def cassandra_socket(socket_state: Callable[[Any], dict[str, int]]) -> Callable[[Any, dict[str, Any]], dict[str, int]]:
    """The socket a driver Connection opens for a Cluster built with `settings` (its sockopts reach the
    connection through Cluster._make_connection_kwargs), to a listener on 127.0.0.1 that never
    answers: Connection._connect_socket() alone, without the reactor and the CQL handshake."""
    def probe(env: Any, settings: dict[str, Any]) -> dict[str, int]:
        from cassandra.connection import Connection, DefaultEndPoint
        host, port = env.loopback
        cluster = env.close_later(_resolve("cassandra.cluster.Cluster")([host], port=port, **settings), "shutdown")
        endpoint = DefaultEndPoint(host, port)
        kwargs = cluster._make_connection_kwargs(endpoint, {})
        connection = object.__new__(Connection)
        connection.endpoint, connection.connect_timeout = endpoint, 5
        connection.sockopts, connection.ssl_context = kwargs["sockopts"], kwargs["ssl_context"]
        connection._connect_socket()
        env.close_later(connection._socket)
        return socket_state(connection._socket)
    return probe


def thrift_socket(socket_state: Callable[[Any], dict[str, int]]) -> Callable[[Any, dict[str, Any]], dict[str, int]]:
    """TSocket(host, port, **settings).open() to a listener on 127.0.0.1: the socket it connected."""
    def probe(env: Any, settings: dict[str, Any]) -> dict[str, int]:
        host, port = env.loopback
        transport = _resolve("thrift.transport.TSocket.TSocket")(host, port, **settings)
        transport.open()
        env.close_later(transport)
        return socket_state(transport.handle)
    return probe


def socket_probes(socket_state: Callable[[Any], dict[str, int]]) -> dict[str, Callable[..., dict[str, int]]]:
    return {
        "cassandra.cluster.Cluster": cassandra_socket(socket_state),
        "thrift.transport.TSocket.TSocket": thrift_socket(socket_state),
    }
