"""cassandra-driver, sshtunnel and websockets' legacy API against the real libraries: the values
the schemas call "off" really turn the liveness off, and the messages say what the knob does."""

from __future__ import annotations

import warnings
from unittest import mock

import pytest

from fixtures_support import FIXTURES
from lintkit.engine import Engine
from lintkit.knobs import is_off
from lintkit.registry import load_schema_set
from lintkit.runner import check_file
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
