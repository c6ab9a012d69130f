"""cassandra-driver, sshtunnel and websockets' legacy API against the real libraries: the values
the schemas call "off" really turn the liveness off, and the messages say what the knob does."""

from __future__ import annotations

import warnings
from unittest import mock

import pytest

from fixtures_support import FIXTURES
from lintkit.engine import Engine
from lintkit.liveness.knobs import is_off
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file
from test_schema_drift import env  # noqa: F401 (a fixture)

SCHEMAS = load_schema_set()


def _knob(cls: str, kwarg: str):
    return next(k for k in SCHEMAS.classes[cls].knobs if k.kwarg == kwarg)


# --------------------------------------------------------------------------- cassandra-driver


def _connected_cluster(value, *, as_attribute: bool):
    """A Cluster whose connect() runs (control connection and session stubbed out, no network),
    with idle_heartbeat_interval given to the constructor or assigned before connect()."""
    from cassandra.cluster import Cluster, ControlConnection

    cluster = Cluster(["127.0.0.1"]) if as_attribute else Cluster(["127.0.0.1"], idle_heartbeat_interval=value)
    if as_attribute:
        cluster.idle_heartbeat_interval = value
    with mock.patch.object(ControlConnection, "connect", lambda self: None), \
            mock.patch.object(Cluster, "_new_session", lambda self, keyspace: mock.Mock()), \
            mock.patch.object(Cluster, "_set_default_dbaas_consistency", lambda self, session: None), \
            mock.patch.object(type(cluster.profile_manager), "check_supported", lambda self: None):
        cluster.connect()
    return cluster


@pytest.mark.parametrize("as_attribute", [False, True], ids=["keyword", "attribute"])
@pytest.mark.parametrize("value", [0, 0.0, None, 30, 5])
def test_cassandra_heartbeat_thread_runs_unless_the_value_is_off(value, as_attribute: bool) -> None:
    pytest.importorskip("cassandra.cluster")
    knob = _knob("cassandra.cluster.Cluster", "idle_heartbeat_interval")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = _connected_cluster(value, as_attribute=as_attribute)
    try:
        running = cluster._idle_heartbeat is not None
        assert running is not is_off(value, knob), f"idle_heartbeat_interval={value!r}: heartbeat thread {running}"
    finally:
        cluster.shutdown()


def test_lk205_explains_a_gap_of_two_intervals() -> None:
    result = check_file(Engine(load_schema_set(())), str(FIXTURES / "LK205/cassandra_heartbeat.py"))
    (first, *_) = [f for f in result.findings if f.code == "LK205"]
    assert "300 s" in first.message
    assert "the first heartbeat may come only 2 intervals later" in first.explanation


# --------------------------------------------------------------------------- sshtunnel


@pytest.mark.parametrize("as_attribute", [False, True], ids=["keyword", "attribute"])
@pytest.mark.parametrize("value", [0, 0.0, None, 5.0, 30])
def test_sshtunnel_keepalive_runs_unless_the_value_is_off(value, as_attribute: bool, env) -> None:
    """start()'s _get_transport() hands the value to paramiko, whose keepalive check does nothing
    for a false interval."""
    pytest.importorskip("sshtunnel")
    import socket

    import paramiko
    import drift_services

    knob = _knob("sshtunnel.SSHTunnelForwarder", "set_keepalive")
    forwarder = drift_services.BUILDERS["sshtunnel.SSHTunnelForwarder"](
        env, **({} if as_attribute else {"set_keepalive": value}))
    if as_attribute:
        forwarder.set_keepalive = value
    ours, theirs = socket.socketpair()
    env.close_later(theirs)
    env.close_later(ours)
    real_transport = paramiko.Transport
    with mock.patch.object(paramiko, "Transport", lambda address: real_transport(ours)):
        transport = env.close_later(forwarder._get_transport())
    interval = transport.packetizer._Packetizer__keepalive_interval
    assert bool(interval) is not is_off(value, knob), f"set_keepalive={value!r}: paramiko's interval {interval!r}"


# --------------------------------------------------------------------------- websockets.legacy


@pytest.mark.parametrize("factory,call", [
    ("websockets.legacy.client.connect", lambda made: made._create_connection()),
    ("websockets.legacy.server.serve", lambda made: made._create_server()),
])
def test_legacy_factories_fail_on_an_unknown_keyword_only_when_the_connection_opens(factory, call, env) -> None:
    """"deferred": the call stores the keyword; the event loop refuses it when awaiting opens the
    connection (or starts the server), before any socket is made."""
    pytest.importorskip("websockets.legacy")
    import drift_services

    assert SCHEMAS.factories[factory].unknown_kwargs == "deferred"
    made = drift_services.FACTORY_CALLS[factory](env, lintkit_bogus_name=1)
    with pytest.raises(TypeError, match="lintkit_bogus_name"):
        call(made)


@pytest.mark.parametrize("value", [None, 20, 0.5])
def test_legacy_keepalive_pings_unless_the_interval_is_off(value, env) -> None:
    pytest.importorskip("websockets.legacy")
    import asyncio

    import drift_services

    name = "websockets.legacy.client.WebSocketClientProtocol"
    protocol = drift_services.BUILDERS[name](env, ping_interval=value)
    pinged = []

    async def sleep(delay: float) -> None:
        return None

    async def ping(*args, **kwargs):
        pinged.append(True)
        raise asyncio.CancelledError  # one ping shows the loop runs

    async def run() -> None:
        with mock.patch("websockets.legacy.protocol.asyncio.sleep", sleep), mock.patch.object(protocol, "ping", ping):
            try:
                await protocol.keepalive_ping()
            except asyncio.CancelledError:
                pass

    env.event_loop.run_until_complete(run())
    assert bool(pinged) is not is_off(value, _knob(name, "ping_interval"))


# --------------------------------------------------------------------------- thrift


@pytest.mark.parametrize("value", [True, False, None])
def test_thrift_socket_keepalive_sets_so_keepalive_and_no_idle(value, env) -> None:
    """What LK202 says of TSocket(socket_keepalive=True): SO_KEEPALIVE on, the idle time the OS
    default (nothing in thrift sets TCP_KEEPIDLE)."""
    pytest.importorskip("thrift.transport.TSocket")
    import socket

    from thrift.transport.TSocket import TSocket

    knob = _knob("thrift.transport.TSocket.TSocket", "socket_keepalive")
    host, port = env.loopback
    transport = TSocket(host, port, **({} if value is None else {"socket_keepalive": value}))
    transport.open()
    env.close_later(transport)
    with socket.socket() as fresh:
        os_idle = fresh.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
    handle = transport.handle
    expected_on = bool(knob.default) if value is None else value
    assert bool(handle.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)) is expected_on
    assert handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == os_idle
    assert knob.remedy and "handle" in knob.remedy and "handle" in SCHEMAS.classes[
        "thrift.transport.TSocket.TSocket"].attributes


def test_cassandra_heartbeat_turned_off_is_reported_only_under_strict() -> None:
    from lintkit.checks.base import RuleOptions

    path = str(FIXTURES / "LK203/cassandra_heartbeat.py")
    default = check_file(Engine(load_schema_set(())), path)
    strict = check_file(Engine(load_schema_set(()), options=RuleOptions(strict=True)), path)
    assert [f for f in default.findings if f.code == "LK203"] == []
    reported = [f for f in strict.findings if f.code == "LK203"]
    assert [(f.line, f.col) for f in reported] == [(11, 47), (18, 21)]  # 0-based columns
    assert all("Reported because strict is on" in f.explanation for f in reported)


@pytest.mark.parametrize("extra,problem", [
    ('deliberate_off = "workers"\n', "deliberate_off: must say why, and needs an off list"),
    ('off = [0]\ndeliberate_off = " "\n', "deliberate_off: must say why, and needs an off list"),
])
def test_deliberate_off_is_validated(tmp_path, extra: str, problem: str) -> None:
    from test_coerced_values import ACME_LIBRARY, CLASS, KNOB, schema_load_error

    assert problem in schema_load_error(tmp_path, ACME_LIBRARY + CLASS + KNOB + extra)


def test_cassandra_sockopts_reach_the_driver_socket(env) -> None:
    """The sockopts knob (LK206 judges its levels): the driver applies each tuple to its socket."""
    pytest.importorskip("cassandra.cluster")
    import socket

    import drift_services
    from test_schema_drift import socket_state

    probe = drift_services.socket_probes(socket_state)["cassandra.cluster.Cluster"]
    state = probe(env, {"sockopts": [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
                                     (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)]})
    assert state["SO_KEEPALIVE"] and state["TCP_KEEPIDLE"] == 77
