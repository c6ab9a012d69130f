"""Settings in a literal URL or conninfo: lintkit reads what the real library parses.

Each sample is parsed twice: by the installed library (no connection is opened) and by
`knobs.read` on the call `X("<text>")`.  They must agree for every knob the text sets.
"""

from __future__ import annotations

import ast
import importlib
from typing import Any, Callable

import pytest

from lintkit.liveness import knobs as K
from lintkit.schemas.registry import load_schema_set

SCHEMAS = load_schema_set()


def _attribute(qualname: str, name: str) -> Callable[[str], Any]:
    return lambda text: getattr(_resolve(qualname)(text), name)


def _mapping(qualname: str) -> Callable[[str], dict]:
    return lambda text: _resolve(qualname)(text)


def _redis(qualname: str) -> Callable[[str], dict]:
    def parse(url: str) -> dict:
        made = _resolve(qualname)(url)
        return getattr(made, "connection_pool", made).connection_kwargs
    return parse


def _resolve(qualname: str) -> Any:
    module, _, name = qualname.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        owner, _, attr = module.rpartition(".")
        return getattr(getattr(importlib.import_module(owner), attr), name)


#: (schema call, settings text, the library's parse of it, the knob names the text sets)
SAMPLES = [
    ("kombu.connection.Connection", "amqp://h//?heartbeat=30",
     lambda text: {"heartbeat": _resolve("kombu.connection.Connection")(text).heartbeat}, ["heartbeat"]),
    ("pika.connection.URLParameters", "amqp://h/%2F?heartbeat=30",
     lambda text: {"heartbeat": _resolve("pika.connection.URLParameters")(text).heartbeat}, ["heartbeat"]),
    ("psycopg2.connect", "host=db keepalives=1 keepalives_idle=30",
     _mapping("psycopg2.extensions.parse_dsn"), ["keepalives", "keepalives_idle"]),
    ("psycopg2.connect", "postgresql://db/app?keepalives=0&keepalives_idle=45",
     _mapping("psycopg2.extensions.parse_dsn"), ["keepalives", "keepalives_idle"]),
    ("psycopg.connection.Connection.connect", "postgresql://db/app?keepalives=1&keepalives_idle=30",
     _mapping("psycopg.conninfo.conninfo_to_dict"), ["keepalives", "keepalives_idle"]),
    ("psycopg.connection.Connection.connect", "host=db keepalives=0 keepalives_idle=45",
     _mapping("psycopg.conninfo.conninfo_to_dict"), ["keepalives", "keepalives_idle"]),
    *[(name, url, _redis(name), ["socket_keepalive", "health_check_interval"])
      for name in ("redis.utils.from_url", "redis.client.Redis.from_url", "redis.connection.ConnectionPool.from_url",
                   "redis.asyncio.utils.from_url")
      for url in ("redis://h:6379/0?socket_keepalive=true&health_check_interval=30",
                  "redis://h/0?socket_keepalive=no&health_check_interval=5",
                  "redis://h/0?health_check_interval=15&socket_keepalive=0",
                  "rediss://h/0?socket_keepalive=Yes&health_check_interval=60")],
]


def _same(ours: Any, theirs: Any) -> bool:
    """libpq keeps the text ("30"), which it reads as a number when it connects."""
    if isinstance(theirs, str):
        try:
            theirs = int(theirs)
        except ValueError:
            return False
    return ours == theirs and (isinstance(ours, bool) == isinstance(theirs, bool) or isinstance(theirs, int))


@pytest.mark.parametrize("name, text, parse, names", SAMPLES, ids=[f"{s[0]}:{s[1]}" for s in SAMPLES])
def test_lintkit_reads_what_the_library_parses(name: str, text: str, parse, names: list[str]) -> None:
    item = SCHEMAS.lookup(name)
    target = SCHEMAS.call_target(item)
    call = ast.parse(f"connect({text!r})", mode="eval").body
    parsed = parse(text)
    for knob_name in names:
        knobs = [k for owner in SCHEMAS.mro(target.returns) for k in owner.knobs
                 if (k.kwarg or k.attribute) == knob_name and k.key is None and k.versions is None]
        knobs = knobs or [k for owner in SCHEMAS.mro(target.returns) for k in owner.knobs
                          if (k.kwarg or k.attribute) == knob_name and k.key is None]
        assert knobs, f"{name}: no knob {knob_name}"
        for knob in knobs:
            reading = K.read(call, target, knob, None)
            assert reading.state == K.SET, f"{name}: {knob_name} not read from {text!r}"
            assert _same(reading.value, parsed[knob_name]), (
                f"{name}: lintkit reads {knob_name}={reading.value!r} from {text!r}, the library {parsed[knob_name]!r}")
