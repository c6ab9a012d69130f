"""The facts behind LK207, run on the installed pyzmq/libzmq: every option rules/zmq.toml lists in
`options_copied_by` reaches a connection when set before connect()/bind() and does not when set
after it, and a context's default socket options reach only the sockets made after them.

TCP options are read with getsockopt() on libzmq's own TCP socket (found in /proc/self/fd by its
peer address); ZMTP heartbeats are seen by a peer that speaks just enough ZMTP 3.1 (a NULL greeting
and a READY command) to receive the PING commands libzmq sends.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Callable

import pytest

from lintkit.schemas.registry import load_schema_set

zmq = pytest.importorskip("zmq")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads libzmq's socket in /proc")

SCHEMAS = load_schema_set()
SOCKET = SCHEMAS.lookup("zmq.Socket").options_copied_by
CONTEXT = SCHEMAS.lookup("zmq.Context").options_copied_by

GREETING = b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x01" + b"NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31


def _ready(socket_type: bytes) -> bytes:
    body = b"\x05READY" + b"\x0bSocket-Type" + len(socket_type).to_bytes(4, "big") + socket_type
    return b"\x04" + bytes([len(body)]) + body


class Peer:
    """A TCP listener on 127.0.0.1 that completes the ZMTP handshake and records what it receives."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.server.settimeout(5)
        self.conn, _ = self.server.accept()
        self.conn.sendall(GREETING + _ready(b"ROUTER"))

    def receive(self, seconds: float) -> tuple[bytes, float | None]:
        """What arrives within `seconds`, and when the connection closed (None: still open)."""
        assert self.conn is not None
        self.conn.settimeout(0.05)
        data, start, closed = b"", time.monotonic(), None
        while time.monotonic() - start < seconds:
            try:
                chunk = self.conn.recv(4096)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed = time.monotonic() - start
                break
            data += chunk
        return data, closed

    def close(self) -> None:
        for sock in (self.conn, self.server):
            if sock is not None:
                sock.close()


def _libzmq_tcp_socket(port: int) -> socket.socket:
    """A duplicate of libzmq's TCP socket connected to `port` (to read its options)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for name in os.listdir("/proc/self/fd"):
            try:
                if not os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                    continue
                candidate = socket.socket(fileno=os.dup(int(name)))
            except OSError:
                continue
            try:
                if candidate.type == socket.SOCK_STREAM and candidate.getpeername() == ("127.0.0.1", port):
                    return candidate
            except OSError:
                pass
            candidate.close()
        time.sleep(0.02)
    raise AssertionError("libzmq made no TCP connection")


def _connected(before: dict[int, int], after: dict[int, int], peer: Peer, method: str = "connect"):
    """A DEALER given `before`, connected to `peer` (or bound, with the peer's role reversed), then
    given `after`."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    for option, value in before.items():
        sock.setsockopt(option, value)
    getattr(sock, method)(f"tcp://127.0.0.1:{peer.port}")
    for option, value in after.items():
        sock.setsockopt(option, value)
    return ctx, sock


#: TCP option -> (value set, the kernel option it sets, the value read back); keepalive tuning
#: acts only with TCP_KEEPALIVE=1, which both sides of the probe set before connect().
TCP_PROBES = {
    "TCP_KEEPALIVE": (1, (socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1),
    "TCP_KEEPALIVE_IDLE": (77, (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 77),
    "TCP_KEEPALIVE_INTVL": (13, (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL), 13),
    "TCP_KEEPALIVE_CNT": (4, (socket.IPPROTO_TCP, socket.TCP_KEEPCNT), 4),
    "TCP_MAXRT": (12345, (socket.IPPROTO_TCP, getattr(socket, "TCP_USER_TIMEOUT", 18)), 12345),
}


def _tcp_reading(option: str, set_before: bool) -> int:
    value, (level, name), _ = TCP_PROBES[option]
    base = {} if option == "TCP_KEEPALIVE" else {zmq.TCP_KEEPALIVE: 1}
    chosen = {getattr(zmq, option): value}
    peer = Peer()
    ctx, sock = _connected({**base, **chosen} if set_before else base, {} if set_before else chosen, peer)
    try:
        peer.accept()
        tcp = _libzmq_tcp_socket(peer.port)
        time.sleep(0.2)  # libzmq tunes its socket when the connection completes
        reading = tcp.getsockopt(level, name)
        tcp.close()
        return reading
    finally:
        sock.close(linger=0)
        ctx.term()
        peer.close()


def _pings(before: dict[int, int], after: dict[int, int], method: str, seconds: float = 1.0):
    """The PING commands a peer receives, and when the connection closed."""
    peer = Peer()
    if method == "bind":  # the peer connects to a bound socket
        ctx = zmq.Context()
        sock = ctx.socket(zmq.ROUTER)
        for option, value in before.items():
            sock.setsockopt(option, value)
        port = sock.bind_to_random_port("tcp://127.0.0.1")
        for option, value in after.items():
            sock.setsockopt(option, value)
        peer.close()
        peer.conn = socket.create_connection(("127.0.0.1", port))
        peer.conn.sendall(GREETING + _ready(b"DEALER"))
    else:
        ctx, sock = _connected(before, after, peer)
        peer.accept()
    try:
        data, closed = peer.receive(seconds)
    finally:
        sock.close(linger=0)
        ctx.term()
        peer.close()
    return [data[at + 5:at + 7] for at in range(len(data)) if data.startswith(b"\x04PING", at)], closed


def _heartbeat_ivl(set_before: bool, method: str) -> bool:
    ivl = {zmq.HEARTBEAT_IVL: 100}
    pings, _ = _pings(ivl if set_before else {}, {} if set_before else ivl, method)
    return bool(pings)


def _heartbeat_ttl(set_before: bool, method: str) -> bool:
    ttl = {zmq.HEARTBEAT_TTL: 5000}
    pings, _ = _pings({zmq.HEARTBEAT_IVL: 100, **(ttl if set_before else {})}, {} if set_before else ttl, method)
    assert pings, "no PING at all: the probe is broken"
    return pings[0] == (50).to_bytes(2, "big")  # the TTL travels in deciseconds


def _heartbeat_timeout(set_before: bool, method: str) -> bool:
    """Without a PONG, libzmq drops the connection after HEARTBEAT_TIMEOUT (default: the interval)."""
    timeout = {zmq.HEARTBEAT_TIMEOUT: 3000}
    _, closed = _pings({zmq.HEARTBEAT_IVL: 100, **(timeout if set_before else {})}, {} if set_before else timeout,
                       method, seconds=1.5)
    return closed is None


HEARTBEAT_PROBES: dict[str, Callable[[bool, str], bool]] = {
    "HEARTBEAT_IVL": _heartbeat_ivl,
    "HEARTBEAT_TTL": _heartbeat_ttl,
    "HEARTBEAT_TIMEOUT": _heartbeat_timeout,
}


def test_every_listed_option_has_a_probe() -> None:
    assert SOCKET.options == set(TCP_PROBES) | set(HEARTBEAT_PROBES) == CONTEXT.options


@pytest.mark.parametrize("option", sorted(TCP_PROBES))
def test_tcp_option_set_after_connect_is_not_applied(option: str) -> None:
    value, _, expected = TCP_PROBES[option]
    assert _tcp_reading(option, set_before=True) == expected, "set before connect(): the probe must see it"
    assert _tcp_reading(option, set_before=False) != expected, f"{option} set after connect() reached the socket"


@pytest.mark.parametrize("method", ["connect", "bind"])
@pytest.mark.parametrize("option", sorted(HEARTBEAT_PROBES))
def test_heartbeat_option_set_after_the_call_is_not_applied(option: str, method: str) -> None:
    probe = HEARTBEAT_PROBES[option]
    assert probe(True, method), f"{option} set before {method}(): the probe must see it"
    assert not probe(False, method), f"{option} set after {method}() reached the connection"


def test_listed_calls_and_setters_are_the_sockets() -> None:
    assert SOCKET.calls == {"connect", "bind", "bind_to_random_port"}
    assert {"setsockopt", "set"} == SOCKET.setters
    assert zmq.Socket.setsockopt is zmq.Socket.set


@pytest.mark.parametrize("option", sorted(TCP_PROBES) + sorted(HEARTBEAT_PROBES))
def test_context_default_reaches_only_later_sockets(option: str) -> None:
    ctx = zmq.Context()
    made_before = ctx.socket(zmq.DEALER)
    value = {"TCP_KEEPALIVE": 1}.get(option, 4300)  # HEARTBEAT_TTL keeps deciseconds
    setattr(ctx, option.lower(), value)  # the attribute form LK207 reads, as a context default
    made_after = ctx.socket(zmq.DEALER)
    try:
        assert made_after.getsockopt(getattr(zmq, option)) == value
        assert made_before.getsockopt(getattr(zmq, option)) != value
    finally:
        made_before.close(linger=0)
        made_after.close(linger=0)
        ctx.term()
