"""Transport and address schema keys: the loader checks them, a user schema can use them, and the
rules follow them (the bundled libraries' cases are in tests/fixtures/transports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import load_schema_file
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

SCHEMA = ACME_LIBRARY + """
[[class]]
name = "acme.Client"
kwargs = ["url", "transport", "heartbeat", "socket_path", "options_file"]
unknown_kwargs = "raises"
host_argument = "url"
host_position = 0
default_host = "localhost"
local_schemes = ["ipc"]
local_values = { transport = ["acme.transports.Pipe"] }
host_hidden_by = ["options_file"]
transport_keyword = "transport"
default_transport = "tcp"
local_kwargs = ["socket_path"]

[class.transport_aliases]
tcp = "acme.transports.Tcp"
tls = "acme.transports.Tcp"
ipc = "acme.transports.Pipe"
mq = "acme.transports.Queue"

[[class.knob]]
concept = "heartbeat"
kwarg = "heartbeat"
unit = "s"
default = 0
off = [0]
transports = ["acme.transports.Tcp"]
"""


write = write_schema
load_error = schema_load_error


def test_the_keys_load(tmp_path: Path) -> None:
    [cls] = load_schema_file(write(tmp_path, SCHEMA)).classes
    assert cls.transports.aliases["mq"] == "acme.transports.Queue"
    assert (cls.transports.keyword, cls.transports.default) == ("transport", "tcp")
    assert cls.knobs[0].transports == ("acme.transports.Tcp",)
    assert (cls.address.host_argument, cls.address.host_position, cls.address.default_host) == ("url", 0, "localhost")
    assert cls.address.local_schemes == {"ipc"} and cls.address.host_hidden_by == {"options_file"}
    assert cls.address.local_values == {"transport": frozenset({"acme.transports.Pipe"})}


@pytest.mark.parametrize(("old", "new", "error"), [
    ('transports = ["acme.transports.Tcp"]', 'transports = ["acme.transports.Udp"]',
     "knob[0].transports: names no transport of the class's transport_aliases: acme.transports.Udp"),
    ('default_transport = "tcp"', 'default_transport = "udp"',
     "default_transport: must be one of the transport_aliases, not 'udp'"),
    ('host_argument = "url"\n', '', "host_position: needs a host_argument"),
    ('local_values = { transport = ["acme.transports.Pipe"] }', 'local_values = { transport = [] }',
     "local_values.transport: must be a non-empty list of qualified names"),
    ('tcp = "acme.transports.Tcp"', 'tcp = 1', "transport_aliases: must be a table of strings"),
    ('default_host = "localhost"', 'default_host = 1', "default_host: must be a string"),
])
def test_bad_values_are_named(tmp_path: Path, old: str, new: str, error: str) -> None:
    assert old in SCHEMA
    message = load_error(tmp_path, SCHEMA.replace(old, new))
    assert message.startswith(f"{tmp_path / 'acme.toml'}: class 'acme.Client'.") and error in message, message


def test_transport_keyword_needs_aliases(tmp_path: Path) -> None:
    text = SCHEMA.split("[class.transport_aliases]")[0].replace('default_transport = "tcp"\n', "")
    assert "transport_keyword: needs transport_aliases" in load_error(tmp_path, text)


# --------------------------------------------------------------------------- a user schema at work

CASES = [
    # (call, reported by LK203): the heartbeat knob exists on the tcp transport only.
    ('acme.Client("tcp://broker.example.com", heartbeat=0)', True),
    ('acme.Client("broker.example.com", heartbeat=0)', True),  # default transport
    ('acme.Client("broker.example.com", transport="tls", heartbeat=0)', True),
    ('acme.Client("broker.example.com", transport=acme.transports.Tcp, heartbeat=0)', True),
    ('acme.Client("mq://broker.example.com", heartbeat=0)', False),  # another transport
    ('acme.Client("broker.example.com", transport=Fake, heartbeat=0)', False),  # unknown transport
    ('acme.Client("tcp://a.example.com;mq://b.example.com", heartbeat=0)', False),  # alternates disagree
    ('acme.Client("tcp://a.example.com;tcp://b.example.com", heartbeat=0)', True),
    ('acme.Client(URL, heartbeat=0)', False),  # computed URL: transport and host unknown
    ('acme.Client("tcp://broker.example.com", heartbeat=0, **extra)', False),
    ('acme.Client(*args, heartbeat=0)', False),
    ('acme.Client(heartbeat=0)', False),  # default host: localhost
    ('acme.Client("tcp://localhost:9000", heartbeat=0)', False),
    ('acme.Client("tcp://127.1.2.3:9000", heartbeat=0)', False),
    ('acme.Client("tcp://[::1]:9000", heartbeat=0)', False),
    ('acme.Client("tcp://user@[2001:db8::1]:9000", heartbeat=0)', True),
    ('acme.Client("tcp://localhost.example.com", heartbeat=0)', True),
    ('acme.Client("tcp://broker.example.com", socket_path="/run/acme.sock", heartbeat=0)', False),
    ('acme.Client("tcp://broker.example.com", options_file="acme.ini", heartbeat=0)', False),
    ('acme.Client("broker.example.com", transport=acme.transports.Pipe, heartbeat=0)', False),
    ('acme.Client("tcp+ipc:///run/acme.sock", heartbeat=0)', False),
    ('acme.Client("ipc:acme", heartbeat=0)', False),  # a local scheme without //
    ('acme.Client("tcp://localhost;tcp://b.example.com", heartbeat=0)', True),  # one alternate is remote
    ('acme.Client("localhost,b.example.com:9000", heartbeat=0)', True),  # one of several hosts is remote
    ('acme.Client("tcp://user:p%40ss@localhost:9000/x", heartbeat=0)', False),
    ('acme.Client(url="tcp://broker.example.com", heartbeat=0)', True),
    ('acme.Client(host_of(config), heartbeat=0)', False),  # computed URL
]


@pytest.mark.parametrize(("call", "reported"), CASES, ids=[c for c, _ in CASES])
def test_user_schema_transports_and_addresses(tmp_path: Path, call: str, reported: bool) -> None:
    schemas = load_schema_set([write(tmp_path, SCHEMA)])
    result = Engine(schemas, select=["LK203"]).check_text(f"import acme\nimport acme.transports\n\nc = {call}\n",
                                                           "client.py")
    assert result.error is None
    assert bool(result.findings) is reported, [f.message for f in result.findings]


def test_default_selection_reports_no_heartbeat_on_other_transports() -> None:
    """Under the default rule selection: kombu over redis gets no AMQP advice; over py-amqp it does."""
    engine = Engine(load_schema_set())
    text = ("import kombu\n\nremote = kombu.Connection('redis://cache.example.com/0', heartbeat=0)\n"
            "broker = kombu.Connection('amqp://broker.example.com//', heartbeat=0)\n")
    findings = engine.check_text(text, "app.py").findings
    assert [(f.line, f.code) for f in findings] == [(4, "LK203")]


def test_libpq_hosts() -> None:
    """A conninfo's host list, a URL's percent-encoded socket directory and its ?host= query."""
    engine = Engine(load_schema_set(), select=["LK203"])
    calls = {
        'psycopg2.connect("host=localhost,db.example.com dbname=app", keepalives=0)': True,
        'psycopg2.connect("host=localhost,/run/pg dbname=app", keepalives=0)': False,
        "psycopg2.connect(\"host='/run/pg' dbname=app\", keepalives=0)": False,
        'psycopg2.connect("postgresql://%2Frun%2Fpg/app", keepalives=0)': False,
        'psycopg2.connect("postgresql://db.example.com/app?host=/run/pg", keepalives=0)': False,
        'psycopg2.connect("postgresql://localhost,db.example.com/app", keepalives=0)': True,
        'psycopg2.connect(host=PGHOST, keepalives=0)': True,  # a computed host is assumed remote
    }
    for call, reported in calls.items():
        findings = engine.check_text(f"import psycopg2\n\nc = {call}\n", "db.py").findings
        assert bool(findings) is reported, call
