"""Fixtures of single-rule directories that must give the same findings with the default rules."""

from __future__ import annotations

import pytest

from fixtures_support import FIXTURES, Fixture
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file

DEFAULT_SELECTION_FIXTURES = ["LK102/redis_pool_forwarding.py", "LK102/amqp_vocabulary_hint.py",
                              "LK105/new_pins/names.py", "LK105/websocket_1_9/reconnect.py",
                              "LK103/pika_url_new/url_keys.py", "LK103/celery_old_pins/celery_versions.py"]
# cassandra-driver, sshtunnel, thrift, websockets legacy.
DEFAULT_SELECTION_FIXTURES += [
    "LK101/cassandra_attributes.py", "LK102/cassandra_keywords.py", "LK203/cassandra_heartbeat.py",
    "LK205/cassandra_heartbeat.py", "LK101/sshtunnel_attributes.py", "LK102/sshtunnel_keywords.py",
    "LK203/sshtunnel_keepalive.py", "LK205/sshtunnel_keepalive.py", "LK102/websockets_legacy_keywords.py",
    "LK203/websockets_legacy_pings.py", "LK205/websockets_legacy_pings.py", "LK101/thrift_attributes.py",
    "LK102/thrift_keywords.py", "LK202/thrift_keepalive.py", "LK202/thrift_keepalive_tuned.py",
]
DEFAULT_SELECTION_FIXTURES += ["LK102/asyncpg_keywords.py", "LK102/nats_keywords.py",
                               "LK101/nats_attributes.py", "LK207/zmq_after_connect.py"]
# What the holder does with a client (holder_uses.py), clients lent for one call (lifetime.py).
DEFAULT_SELECTION_FIXTURES += ["LK204/held_objects.py", "LK204/probing_loops.py"]
# pysftp: the paramiko Transport in Connection._transport (the schema's `parts`).
DEFAULT_SELECTION_FIXTURES += ["LK204/pysftp_connections.py", "LK204/pysftp_pool.py", "LK203/pysftp_keepalive_off.py",
                               "LK101/pysftp_attributes.py", "LK102/pysftp_keywords.py",
                               "LK203/method_arguments.py"]


@pytest.mark.parametrize("name", DEFAULT_SELECTION_FIXTURES)
def test_default_selection_reports_the_marked_findings(name: str) -> None:
    fixture = Fixture(FIXTURES / name)
    result = check_file(Engine(load_schema_set(())), str(fixture.path))
    assert result.error is None, result.error
    assert {(f.line, f.code) for f in result.findings} == fixture.markers()
