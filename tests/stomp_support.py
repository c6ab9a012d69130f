"""Probes of stomp.py for the drift tests: what a connection really does on its socket and with
its heart-beats, run offline (a loopback listener, simulated time).  Imports stomp lazily: the
tests that use these skip when it is absent."""

from __future__ import annotations

from typing import Any, Callable
from unittest import mock

from lintkit.generators.library_view import resolve

CLASSES = ("stomp.connect.StompConnection10", "stomp.connect.StompConnection11", "stomp.connect.StompConnection12")


def socket_probe(qualname: str, socket_state: Callable[[Any], dict[str, int]]):
    """SO_KEEPALIVE and the TCP options of the socket the transport opens (attempt_connection()
    connects and applies `keepalive=`, as Connection.connect() does before the STOMP CONNECT)."""
    def probe(env: Any, settings: dict[str, Any]) -> dict[str, int]:
        conn = resolve(qualname)([env.loopback], **settings)
        transport = conn.transport
        transport.running = True
        transport.attempt_connection()
        env.close_later(transport.socket)
        return socket_state(transport.socket)
    return probe


def default_host(qualname: str) -> Callable[[Any], str]:
    """Where a connection built without host_and_ports connects: the transport's last entry (the
    ones before it are the 127.0.0.1 loopback twins try_loopback_connect adds)."""
    return lambda env: resolve(qualname)().transport._Transport__host_and_ports[-1][0]


def heartbeat_silence(qualname: str, clock_type: type) -> Callable[[Any, float], float]:
    """The longest silence (in the knob's unit, ms) of an idle connected client sending
    heart-beats every `value` ms: the heartbeat loop run in simulated time, after a CONNECTED
    frame whose heart-beat header accepts the client's offer ("0,value": the broker sends none,
    so no receive timeout ends the loop)."""
    def probe(env: Any, value: float) -> float:
        listener_module = resolve("stomp.listener")
        clock = clock_type()
        start = clock.now
        conn = resolve(qualname)(heartbeats=(int(value), 0))
        listener = next(item for item in conn.transport.listeners.values()
                        if isinstance(item, listener_module.HeartbeatListener))

        def transmit(frame: Any) -> None:  # Transport.transmit(): on_send() books the next heart-beat
            clock.send()
            listener.on_send(frame)

        def wait(timeout: float) -> bool:
            clock.now += timeout + 1e-6  # a real clock has moved on when the wait returns
            return clock.now > start + 10 * value / 1000

        with mock.patch.object(listener_module, "monotonic", clock), \
                mock.patch.object(listener_module.utils, "default_create_thread", lambda target: mock.Mock()):
            listener.on_connected(resolve("stomp.utils.Frame")("CONNECTED", {"heart-beat": f"0,{int(value)}"}))
            listener.heartbeat_terminate_event = mock.Mock(
                wait=wait, is_set=lambda: clock.now > start + 10 * value / 1000)
            with mock.patch.object(conn.transport, "is_connected", lambda: True), \
                    mock.patch.object(conn.transport, "transmit", transmit):
                listener._HeartbeatListener__heartbeat_loop()
        return clock.longest_silence(start) * 1000
    return probe
