"""Schema keys first needed by the web libraries: a knob's `replaced_by` and a factory whose own
keywords configure the connection it makes (aiohttp's `ws_connect()`)."""

from __future__ import annotations

from pathlib import Path

from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.schemas.schema import load_schema_file
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

SOCKET = ACME_LIBRARY + """
[[class]]
name = "acme.ws.Socket"
attributes = []
methods = ["ping", "recv"]
kwargs = ["heartbeat"]

[[class.knob]]
concept = "heartbeat"
kwarg = "heartbeat"
unit = "s"
default = "none"
off = ["none"]
replaced_by = ["ping"]
"""


def test_replaced_by_loads(tmp_path: Path) -> None:
    schemas = SchemaSet([load_schema_file(write_schema(tmp_path, SOCKET))])
    (knob,) = schemas.lookup("acme.ws.Socket").knobs
    assert knob.replaced_by == ("ping",)


def test_replaced_by_must_name_a_method(tmp_path: Path) -> None:
    message = schema_load_error(tmp_path, SOCKET.replace('replaced_by = ["ping"]', 'replaced_by = ["pong"]'))
    assert "acme.toml" in message and "replaced_by: 'pong' not among the methods" in message, message


def test_a_factory_setting_its_own_knob_makes_its_own_connection() -> None:
    """aiohttp's ws_connect(heartbeat=) is judged at its call; paramiko's get_transport() is a
    part of its client's connection (the client is judged)."""
    schemas = load_schema_set()
    ws_connect = schemas.call_target(schemas.lookup("aiohttp.client.ClientSession.ws_connect"))
    get_transport = schemas.call_target(schemas.lookup("paramiko.client.SSHClient.get_transport"))
    assert ws_connect.own_connection and not get_transport.own_connection
    assert schemas.routes(schemas.lookup("aiohttp.ClientSession")) == []
    assert [(r.returns.name, r.step, r.ready_after) for r in schemas.routes(schemas.lookup("paramiko.SSHClient"))] == \
        [("paramiko.transport.Transport", "get_transport()", ("connect",))]
