"""Library behaviour no argument of the call can change (fixed knobs: reported only under strict,
with the schema's remedy) and calls that open no connection (schema `connect_deferred_by`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.checks.base import RuleOptions
from lintkit.engine import Engine
from lintkit.liveness.fixed_behaviour import GENERIC_REMEDY
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import SchemaError, parse_schema

PYMYSQL = '''\
import pymysql
import pymysql.connections
import socket


class KeepaliveConnection(pymysql.connections.Connection):
    def connect(self, sock=None):
        if sock is None and not self.unix_socket:
            sock = socket.create_connection((self.host, self.port), self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30)
        super().connect(sock)


db = pymysql.connect(host="db")
eager = pymysql.Connection(host="db", defer_connect=False)
lazy = pymysql.connect(host="db", defer_connect=True)
lazy_computed = pymysql.connect(host="db", defer_connect=LAZY)
from_options = pymysql.connect(**OPTIONS)
remedied = KeepaliveConnection(host="db")
local = pymysql.connect(unix_socket="/run/mysqld/mysqld.sock")
'''


def findings(source: str, strict: bool, schemas: tuple[str, ...] = (), explained: bool = False) -> list[str]:
    engine = Engine(load_schema_set(schemas), options=RuleOptions(strict=strict))  # the default selection
    result = engine.check_text(source, "service/db.py")
    assert result.error is None
    return [f"{f.line}:{f.col + 1}: {f.code} {f.message}" + (f" | {f.explanation}" if explained else "")
            for f in result.findings]


def test_fixed_keepalive_is_silent_by_default() -> None:
    assert findings(PYMYSQL, strict=False) == []


def test_fixed_keepalive_is_reported_under_strict_with_the_remedy() -> None:
    (knob,) = [k for k in load_schema_set().lookup("pymysql.Connection").knobs if k.fixed]
    reported = findings(PYMYSQL, strict=True, explained=True)
    assert [line.split(" LK202 ")[0] for line in reported] == ["14:6:", "15:9:"]
    message, explanation = reported[0].split(" | ")
    assert message == ("14:6: LK202 pymysql.Connection keeps the OS keepalive idle time (2 h), which no argument of "
                       "this call changes: see the remedy in the explanation")
    assert explanation.startswith("pymysql.Connection turns TCP keepalive on (always, on TCP connections) but "
                                  "pymysql leaves the idle time at the OS default: ")
    assert explanation.endswith(f"Remedy (reported because strict is on): {knob.remedy}.")
    assert "subclass pymysql.connections.Connection" in knob.remedy


USER_SCHEMA = '''\
format = 1

[library]
name = "lazyclient"
distribution = "lazyclient"
version = "1.0"
source = "a test"
importable = false

[[class]]
name = "lazyclient.Client"
kwargs = ["host", "lazy", "heartbeat"]
connect_deferred_by = { lazy = true }

[[class.knob]]
concept = "heartbeat"
kwarg = "heartbeat"
unit = "s"
default = 0
off = [0]

[[class]]
name = "lazyclient.Fixed"
kwargs = ["host"]

[[class.knob]]
concept = "keepalive"
unit = "bool"
default = true
'''

USER_CODE = '''\
import lazyclient

client = lazyclient.Client(host="broker")
deferred = lazyclient.Client(host="broker", lazy=True)
deferred_truthy = lazyclient.Client(host="broker", lazy=1)
eager = lazyclient.Client(host="broker", lazy=False)
fixed = lazyclient.Fixed(host="broker")
'''


@pytest.fixture
def user_schema(tmp_path: Path) -> tuple[str, ...]:
    path = tmp_path / "lazyclient.toml"
    path.write_text(USER_SCHEMA, encoding="utf-8")
    return (str(path),)


def test_connect_deferred_by_leaves_the_call_to_the_later_connect(user_schema: tuple[str, ...]) -> None:
    reported = [line.split(" ")[:2] for line in findings(USER_CODE, strict=False, schemas=user_schema)]
    assert reported == [["3:10:", "LK204"], ["6:9:", "LK204"]]


def test_a_fixed_knob_without_remedy_gets_the_system_wide_one(user_schema: tuple[str, ...]) -> None:
    reported = [f for f in findings(USER_CODE, strict=True, schemas=user_schema) if " LK202 " in f]
    assert reported == [f"7:9: LK202 lazyclient.Fixed keeps the OS keepalive idle time (2 h), which no argument of "
                        f"this call changes: {GENERIC_REMEDY}"]


def test_remedy_needs_a_fixed_knob() -> None:
    import tomllib

    knob = 'concept = "heartbeat"\nunit = "s"\nkwarg = "heartbeat"\ndefault = 0\nremedy = "subclass it"'
    data = tomllib.loads(f"{USER_SCHEMA}\n[[class.knob]]\n{knob}\n")
    with pytest.raises(SchemaError, match="remedy: is only for a fixed knob"):
        parse_schema(data, "lazyclient.toml")


@pytest.mark.parametrize("table, problem", [
    ('{ lazzy = true }', "connect_deferred_by.lazzy: must be one of the class's kwargs"),
    ('{ lazy = [true] }', "connect_deferred_by.lazy: must be a string, number or true/false"),
])
def test_connect_deferred_by_is_checked(table: str, problem: str) -> None:
    import tomllib

    text = USER_SCHEMA.replace("connect_deferred_by = { lazy = true }", f"connect_deferred_by = {table}")
    with pytest.raises(SchemaError, match=problem):
        parse_schema(tomllib.loads(text), "lazyclient.toml")
