"""The web libraries' entries in the drift tests' tables (httpx, aiohttp, websockets):
offline builders, factory calls, deferred-keyword probes, override states and heartbeat
probes in simulated time. test_schema_drift.py merges them into its own tables.

Each library is imported only when an entry runs, so a missing library fails only its own
schema's tests.
"""

from __future__ import annotations

import asyncio
import importlib
import socket
from typing import Any, Callable
from unittest import mock


def _resolve(qualname: str) -> Any:
    module, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _in_loop(env: Any, make: Callable[[], Any]) -> Any:
    """Build inside a running event loop (websockets' connections ask for it in __init__)."""
    async def inside() -> Any:
        return make()
    return env.event_loop.run_until_complete(inside())


# --------------------------------------------------------------------------- builders


def _closed(qualname: str, *args: Any) -> Callable[..., Any]:
    def build(env: Any, **kw: Any) -> Any:
        return env.close_later(_resolve(qualname)(*args, **kw))
    return build


def _plain(qualname: str, *args: Any) -> Callable[..., Any]:
    return lambda env, **kw: _resolve(qualname)(*args, **kw)


def aiohttp_session(env: Any, **kw: Any) -> Any:
    session = _in_loop(env, lambda: _resolve("aiohttp.client.ClientSession")(**kw))
    env.stack.callback(lambda: env.event_loop.run_until_complete(session.close()))
    return session


def _aiohttp_client_ws(env: Any, **kw: Any) -> Any:
    """The object ws_connect() returns, with no connection behind it (no response connection)."""
    from aiohttp import ClientWSTimeout
    from aiohttp.client_ws import ClientWebSocketResponse
    return ClientWebSocketResponse(None, None, None, mock.Mock(connection=None), ClientWSTimeout(), True, True,
                                   env.event_loop, **kw)


def _websockets_client(env: Any, **kw: Any) -> Any:
    from websockets.asyncio.client import ClientConnection
    from websockets.client import ClientProtocol
    from websockets.uri import parse_uri
    return _in_loop(env, lambda: ClientConnection(ClientProtocol(parse_uri("ws://localhost/")), **kw))


def _websockets_server(env: Any, **kw: Any) -> Any:
    from websockets.asyncio.server import Server, ServerConnection
    from websockets.server import ServerProtocol
    return _in_loop(env, lambda: ServerConnection(ServerProtocol(), Server(None, None), **kw))


def _websockets_sync_client(env: Any, **kw: Any) -> Any:
    """A connection over one end of a socket pair; closing both ends stops its reading thread."""
    from websockets.client import ClientProtocol
    from websockets.sync.client import ClientConnection
    from websockets.uri import parse_uri
    ours, theirs = socket.socketpair()
    env.close_later(theirs)
    env.close_later(ours)
    return ClientConnection(ours, ClientProtocol(parse_uri("ws://localhost/")), **kw)


BUILDERS: dict[str, Callable[..., Any]] = {
    "httpx._client.Client": _closed("httpx._client.Client"),
    "httpx._client.AsyncClient": _plain("httpx._client.AsyncClient"),
    "httpx._transports.default.HTTPTransport": _closed("httpx._transports.default.HTTPTransport"),
    "httpx._transports.default.AsyncHTTPTransport": _plain("httpx._transports.default.AsyncHTTPTransport"),
    "httpx._transports.mock.MockTransport": _plain("httpx._transports.mock.MockTransport", lambda request: None),
    "httpx._transports.asgi.ASGITransport": _plain("httpx._transports.asgi.ASGITransport", object()),
    "httpx._transports.wsgi.WSGITransport": _plain("httpx._transports.wsgi.WSGITransport", object()),
    "aiohttp.client.ClientSession": aiohttp_session,
    "aiohttp.client_ws.ClientWebSocketResponse": _aiohttp_client_ws,
    "aiohttp.web_ws.WebSocketResponse": _plain("aiohttp.web_ws.WebSocketResponse"),
    "websockets.asyncio.client.ClientConnection": _websockets_client,
    "websockets.asyncio.server.ServerConnection": _websockets_server,
    "websockets.sync.client.ClientConnection": _websockets_sync_client,
}


# --------------------------------------------------------------------------- factories


def _ws_connect(env: Any, **kw: Any) -> Any:
    """session.ws_connect(): the request context manager, closed before its coroutine runs."""
    manager = aiohttp_session(env).ws_connect("ws://localhost/", **kw)
    manager._coro.close()
    return manager


FACTORY_CALLS: dict[str, Callable[..., Any]] = {
    "aiohttp.client.ClientSession.ws_connect": _ws_connect,
    "websockets.asyncio.client.connect":
        lambda env, **kw: _resolve("websockets.asyncio.client.connect")("ws://localhost/", **kw),
    "websockets.asyncio.server.serve":
        lambda env, **kw: _in_loop(env, lambda: _resolve("websockets.asyncio.server.serve")(
            lambda connection: None, "127.0.0.1", 0, **kw)),
    "websockets.sync.client.connect":
        lambda env, **kw: _resolve("websockets.sync.client.connect")(f"ws://{env.loopback[0]}:{env.loopback[1]}/",
                                                                    open_timeout=0.1, **kw),
}

NEEDS_SERVER = {
    "aiohttp.client.ClientSession.ws_connect":
        "returns a request context manager; the ClientWebSocketResponse exists once a server accepted the handshake",
    "websockets.asyncio.client.connect": "gives a ClientConnection once awaited, which opens the connection",
    "websockets.asyncio.server.serve": "its ServerConnections exist once clients connect",
    "websockets.sync.client.connect": "opens a TCP connection and a WebSocket handshake",
}


# --------------------------------------------------------------------------- overrides


def _httpx_pool(transport: Any) -> Any:
    """What a transport was built with: its pool's limits and HTTP versions, its TLS checks."""
    pool = getattr(transport, "_pool", None)
    if pool is None:
        return transport  # a transport given as it is: compared by identity
    context = getattr(pool, "_ssl_context", None)
    return (type(pool).__name__, pool._max_connections, pool._max_keepalive_connections, pool._keepalive_expiry,
            pool._http1, pool._http2, getattr(context, "verify_mode", None), getattr(context, "check_hostname", None))


def httpx_state(client: Any) -> dict[str, Any]:
    """What an httpx client keeps: its plain settings (`_trust_env`...), its transport and each
    mount's transport."""
    plain = {name: value for name, value in vars(client).items() if isinstance(value, (bool, int, float, str))}
    return {**plain, "transport": _httpx_pool(client._transport),
            "mounts": {pattern.pattern: _httpx_pool(mounted) if mounted is not None else None
                       for pattern, mounted in client._mounts.items()}}


OVERRIDE_VALUES: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("httpx._client.Client", "transport"):
        lambda env: env.close_later(_resolve("httpx._transports.default.HTTPTransport")(retries=2)),
    ("httpx._client.AsyncClient", "transport"):
        lambda env: _resolve("httpx._transports.default.AsyncHTTPTransport")(retries=2),
}

#: A client's state for the override tests, per library (what the ignored keywords would change).
OVERRIDE_STATES: dict[str, Callable[[Any], dict[str, Any]]] = {"httpx": httpx_state}

#: For overrides with `unless`: a value of each `unless` keyword, and one of each ignored keyword
#: that must then have an effect (the control).
UNLESS_VALUES: dict[tuple[str, str], dict[str, Callable[[], Any]]] = {
    ("httpx._client.Client", "transport"): {
        "proxy": lambda: "http://proxy.example.com:3128",
        "limits": lambda: _resolve("httpx._config.Limits")(max_connections=3),
        "verify": lambda: False,
        "http2": lambda: True,
        "http1": lambda: False,
        "cert": None,  # needs a certificate file; the others show the proxy transport reads them
    },
}
UNLESS_VALUES[("httpx._client.AsyncClient", "transport")] = UNLESS_VALUES[("httpx._client.Client", "transport")]


# --------------------------------------------------------------------------- heartbeats


def _websockets_asyncio_silence(build: Callable[..., Any]) -> Callable[[Any, float], float]:
    """Connection.keepalive() on an idle connection whose Pongs come at once: asyncio.sleep
    advances the simulated clock, each ping() is a frame sent."""
    def probe(env: Any, value: float) -> float:
        from test_schema_drift import FakeClock
        clock = FakeClock()
        connection = build(env, ping_interval=value, ping_timeout=None)
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
            with mock.patch("websockets.asyncio.connection.asyncio.sleep", sleep), \
                    mock.patch.object(connection, "ping", ping):
                try:
                    await connection.keepalive()
                except asyncio.CancelledError:
                    pass

        env.event_loop.run_until_complete(run())
        return clock.longest_silence(start)
    return probe


def _websockets_sync_silence(env: Any, value: float) -> float:
    """The keepalive thread's loop, run in this thread: waiting on the reading thread advances
    the simulated clock, each ping() is a frame sent."""
    from test_schema_drift import FakeClock
    clock = FakeClock()
    connection = _websockets_sync_client(env, ping_interval=value, ping_timeout=None)
    start = clock.now

    def join(timeout: float) -> None:
        clock.now += timeout

    reader = mock.Mock(join=join, is_alive=lambda: clock.now <= start + 10 * value)
    with mock.patch.object(connection, "recv_events_thread", reader), \
            mock.patch.object(connection, "ping", lambda *a, **k: clock.send()):
        connection.keepalive()
    return clock.longest_silence(start)


class _FakeLoop:
    """The calls aiohttp's heartbeat makes on its loop, in simulated time."""

    def __init__(self, clock: Any):
        self.clock, self.timers = clock, []

    def time(self) -> float:
        return self.clock.now

    def call_at(self, when: float, callback: Callable[[], Any]) -> Any:
        handle = mock.Mock(cancelled=False)
        handle.cancel = lambda: setattr(handle, "cancelled", True)
        self.timers.append((when, callback, handle))
        return handle

    def call_soon(self, callback: Callable[[], Any]) -> Any:
        return self.call_at(self.clock.now, callback)

    def run_until(self, end: float) -> None:
        while self.timers and self.clock.now <= end:
            self.timers.sort(key=lambda timer: timer[0])
            when, callback, handle = self.timers.pop(0)
            if not handle.cancelled:
                self.clock.now = max(self.clock.now, when)
                callback()


def _aiohttp_silence(build: Callable[[Any, Any, float, Any], Any]) -> Callable[[Any, float], float]:
    """The heartbeat of an idle aiohttp websocket whose peer answers each Ping at once: the Pong
    is data received, which resets the heartbeat (_on_data_received)."""
    def probe(env: Any, value: float) -> float:
        from test_schema_drift import FakeClock
        clock = FakeClock()
        loop = _FakeLoop(clock)
        holder: list[Any] = []

        def send_frame(*args: Any) -> None:
            clock.send()
            loop.call_soon(holder[0]._on_data_received)  # the Pong arrives

        writer = mock.Mock(send_frame=send_frame)
        done = mock.Mock(done=lambda: True, cancelled=lambda: False, exception=lambda: None)
        fake_asyncio = mock.Mock(create_task=lambda *a, **k: done, Task=lambda *a, **k: done)
        start = clock.now
        module = "aiohttp.client_ws" if "client" in build.__name__ else "aiohttp.web_ws"
        with mock.patch(f"{module}.asyncio", fake_asyncio):
            holder.append(build(env, loop, value, writer))
            loop.run_until(start + 10 * value)
        return clock.longest_silence(start)
    return probe


def _client_ws_heartbeat(env: Any, loop: Any, value: float, writer: Any) -> Any:
    from aiohttp import ClientWSTimeout
    from aiohttp.client_ws import ClientWebSocketResponse
    return ClientWebSocketResponse(None, writer, None, mock.Mock(connection=None), ClientWSTimeout(), True, True,
                                   loop, heartbeat=value)


def _server_ws_heartbeat(env: Any, loop: Any, value: float, writer: Any) -> Any:
    from aiohttp.web_ws import WebSocketResponse
    response = WebSocketResponse(heartbeat=value)
    response._loop, response._writer, response._req = loop, writer, None  # what prepare() sets
    response._reset_heartbeat()
    return response


GAP_PROBES: dict[str, Callable[[Any, float], float]] = {
    "websockets.asyncio.client.ClientConnection": _websockets_asyncio_silence(_websockets_client),
    "websockets.asyncio.server.ServerConnection": _websockets_asyncio_silence(_websockets_server),
    "websockets.sync.client.ClientConnection": _websockets_sync_silence,
    "aiohttp.client_ws.ClientWebSocketResponse": _aiohttp_silence(_client_ws_heartbeat),
    "aiohttp.web_ws.WebSocketResponse": _aiohttp_silence(_server_ws_heartbeat),
}


# --------------------------------------------------------------------------- hosts


def aiohttp_connector_chooses_the_host(keyword: str) -> bool:
    """ClientSession(connector=UnixConnector(path)): a request for a remote URL goes to the UNIX socket."""
    import contextlib
    import os
    import tempfile

    import aiohttp

    async def run() -> bool:
        accepted: list[bool] = []

        def answer(reader: Any, writer: Any) -> None:
            accepted.append(True)
            writer.close()

        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "api.sock")
            server = await asyncio.start_unix_server(answer, path)
            async with server:
                async with aiohttp.ClientSession(**{keyword: aiohttp.UnixConnector(path=path)}) as session:
                    with contextlib.suppress(aiohttp.ClientError):
                        await session.get("http://db.example.com/")
        return bool(accepted)  # (aiohttp retries once on the reset: two accepts)
    return asyncio.run(run())


HOST_HIDDEN_PROBES: dict[str, Callable[[str], bool]] = {
    "aiohttp.client.ClientSession": aiohttp_connector_chooses_the_host,
}
