"""Keepalive switches of libraries with no idle setting (botocore's `tcp_keepalive`, librdkafka's
`socket.keepalive.enable`): what the libraries really do, and what LK202/LK204 say about them.

The claims the findings make are checked on real sockets: turning the switch on sets SO_KEEPALIVE
and leaves TCP_KEEPIDLE at the OS default. confluent-kafka's config keys need no LK103: an unknown
property raises at construction, shown here with the installed library.
"""

from __future__ import annotations

import contextlib
import socket
import tomllib

import pytest

from lintkit.checks.base import RuleOptions
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import SchemaError, parse_schema

import confluent_kafka_support as confluent


def os_idle() -> int:
    with socket.socket() as sock:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)


def state(sock: socket.socket) -> dict[str, int]:
    return {"SO_KEEPALIVE": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            "TCP_KEEPIDLE": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)}


class _Env:
    def __init__(self, stack: contextlib.ExitStack):
        self.stack = stack

    def close_later(self, obj, method: str = "close"):
        self.stack.callback(lambda: getattr(obj, method)())
        return obj


@pytest.fixture
def env():
    with contextlib.ExitStack() as stack:
        yield _Env(stack)


def knob(qualname: str, concept: str):
    return next(k for k in load_schema_set().lookup(qualname).knobs if k.concept == concept)


# --------------------------------------------------------------------------- the libraries


@pytest.mark.parametrize("qualname", ["confluent_kafka.cimpl.Producer", "confluent_kafka.cimpl.Consumer"])
def test_librdkafka_keepalive_sets_only_so_keepalive(qualname: str, env) -> None:
    pytest.importorskip("confluent_kafka")
    probe = confluent.socket_probe(qualname, state)
    assert probe(env, {}) == {"SO_KEEPALIVE": 0, "TCP_KEEPIDLE": os_idle()}
    assert probe(env, {"conf": {"socket.keepalive.enable": True}}) == {"SO_KEEPALIVE": 1, "TCP_KEEPIDLE": os_idle()}


def test_librdkafka_defaults_are_the_schemas() -> None:
    pytest.importorskip("confluent_kafka")
    keepalive = knob("confluent_kafka.cimpl.Producer", "keepalive")
    idle_close = knob("confluent_kafka.cimpl.Producer", "idle_close")
    assert confluent.librdkafka_default(keepalive.key) == str(keepalive.default).lower() == "false"
    assert confluent.librdkafka_default(idle_close.key) == str(idle_close.default) == "0"
    assert idle_close.off == (0,)
    assert confluent.librdkafka_default("socket.timeout.ms") == "60000"  # recovers_dropped_idle's timeout
    assert confluent.librdkafka_default("socket.keepalive.idle.ms") is None  # no idle setting


@pytest.mark.parametrize("qualname", ["confluent_kafka.cimpl.Producer", "confluent_kafka.cimpl.Consumer"])
def test_an_unknown_librdkafka_property_raises_at_construction(qualname: str) -> None:
    confluent_kafka = pytest.importorskip("confluent_kafka")
    cls = confluent.resolve(qualname)
    with pytest.raises(confluent_kafka.KafkaException, match="socket.keepalive.enabel"):
        cls({**confluent.OFFLINE, "socket.keepalive.enabel": True})
    with pytest.raises(confluent_kafka.KafkaException, match="socket_keepalive_enable"):
        cls(dict(confluent.OFFLINE), socket_keepalive_enable=True)


def test_botocore_tcp_keepalive_sets_only_so_keepalive(env) -> None:
    pytest.importorskip("botocore")
    probe = confluent.botocore_probe(state)
    assert probe(env, {}) == {"SO_KEEPALIVE": 0, "TCP_KEEPIDLE": os_idle()}
    assert probe(env, {"tcp_keepalive": True}) == {"SO_KEEPALIVE": 1, "TCP_KEEPIDLE": os_idle()}


def test_botocore_config_has_no_idle_key() -> None:
    config = pytest.importorskip("botocore.config")
    assert not [name for name in config.Config.OPTION_DEFAULTS if "idle" in name or "socket" in name]


# --------------------------------------------------------------------------- the rules


def check(source: str, strict: bool = False, schemas: tuple[str, ...] = ()) -> list[str]:
    engine = Engine(load_schema_set(schemas), options=RuleOptions(strict=strict))  # the default selection
    result = engine.check_text(source, "service/app.py")
    assert result.error is None
    return [f"{f.line}:{f.col + 1}: {f.code} {f.message}" for f in result.findings]


SOURCE = '''\
from botocore.config import Config
from confluent_kafka import Producer

config = Config(tcp_keepalive=True)
producer = Producer({"bootstrap.servers": "kafka.example.com:9092", "socket.keepalive.enable": True})
quiet = Producer({"bootstrap.servers": "kafka.example.com:9092"})
plain = Config()
'''


def test_lk204_never_suggests_a_switch_without_idle_setting() -> None:
    """Even under strict, turning on a 2-hour keepalive is no advice: LK204 stays silent."""
    assert [f for f in check(SOURCE, strict=True) if " LK204 " in f] == []


def test_lk202_advises_the_idle_close_where_the_library_has_one() -> None:
    found = [f for f in check(SOURCE) if " LK202 " in f]
    assert found == [
        "4:31: LK202 tcp_keepalive=True keeps the OS keepalive idle (2 h): lower net.ipv4.tcp_keepalive_time where "
        "the client runs (a per-container sysctl)",
        "5:96: LK202 conf 'socket.keepalive.enable' keeps the OS keepalive idle (2 h): set conf "
        "'connections.max.idle.ms' to 180000 to close idle connections first",
    ]


# --------------------------------------------------------------------------- the schema keys


SCHEMA = '''\
format = 1

[library]
name = "acme"
distribution = "acme"
version = "1.0"
source = "a test"
importable = false

[[class]]
name = "acme.Client"
host_argument = "conf"
host_position = 0
host_key = "servers"

[[class.knob]]
concept = "keepalive"
kwarg = "conf"
position = 0
key = "keepalive"
unit = "bool"
default = false
remedy = "lower net.ipv4.tcp_keepalive_time"
'''


def test_position_with_a_kwarg_and_a_keepalive_remedy_are_accepted() -> None:
    (cls,) = parse_schema(tomllib.loads(SCHEMA), "acme.toml").classes
    (only,) = cls.knobs
    assert (only.kwarg, only.position, only.key, only.remedy) == ("conf", 0, "keepalive",
                                                                  "lower net.ipv4.tcp_keepalive_time")
    assert cls.address.host_key == "servers"


@pytest.mark.parametrize("old, new, problem", [
    ('kwarg = "conf"\nposition = 0', "position = 0", "position: needs a method or a kwarg"),
    ('host_argument = "conf"\nhost_position = 0\n', "", "host_key: needs a host_argument"),
])
def test_schema_keys_are_checked(old: str, new: str, problem: str) -> None:
    with pytest.raises(SchemaError, match=problem):
        parse_schema(tomllib.loads(SCHEMA.replace(old, new)), "acme.toml")


@pytest.mark.parametrize("servers, reported", [
    ('"kafka.example.com:9092"', True), ('"localhost:9092"', False), ('"127.0.0.1:9092,localhost:9093"', False),
])
def test_host_key_finds_the_host_in_the_dict(tmp_path, servers: str, reported: bool) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(SCHEMA, encoding="utf-8")
    source = f'import acme\nacme.Client({{"servers": {servers}, "keepalive": True}})\n'
    codes = [f.split(" ")[1] for f in check(source, schemas=(str(path),))]
    assert codes == (["LK202"] if reported else [])
