"""`recovers_dropped_idle`: the schema fact that a library replaces a dropped idle connection
by itself, its validation, and a drift test of the fact against the installed urllib3."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from lintkit.schemas.registry import SchemaSet
from lintkit.schemas.schema import SchemaError, bundled_schema_files, load_schema_file
from schema_support import ACME_LIBRARY, write_schema

LIBRARY = ACME_LIBRARY + """
[[class]]
name = "acme.client.Client"
kwargs = ["host"]
"""


def _load(tmp_path: Path, extra: str) -> SchemaSet:
    return SchemaSet([load_schema_file(write_schema(tmp_path, LIBRARY + extra))])


def test_the_fact_is_read(tmp_path: Path) -> None:
    schemas = _load(tmp_path, 'recovers_dropped_idle = "reconnects before reuse"\n')
    assert schemas.lookup("acme.client.Client").recovers_dropped_idle == "reconnects before reuse"


@pytest.mark.parametrize("value, problem", [('""', "must say how the library does it"),
                                            ("true", "must be a string")])
def test_the_fact_must_say_how(tmp_path: Path, value: str, problem: str) -> None:
    with pytest.raises(SchemaError) as info:
        _load(tmp_path, f"recovers_dropped_idle = {value}\n")
    assert "class 'acme.client.Client'.recovers_dropped_idle: " + problem in str(info.value)


def _recovering_classes():
    found = []
    for path in bundled_schema_files():
        library = load_schema_file(path)
        found += [cls for cls in library.classes if cls.recovers_dropped_idle]
    return found


def test_urllib3_pools_carry_the_fact() -> None:
    names = {cls.name for cls in _recovering_classes()}
    assert names >= {"urllib3.poolmanager.PoolManager", "urllib3.connectionpool.HTTPConnectionPool",
                     "urllib3.connectionpool.HTTPSConnectionPool"}


def test_urllib3_checks_pooled_connections_and_retries_by_default() -> None:
    """Drift: the installed urllib3 still checks a pooled connection before reuse, turns a
    reset during a request into a retry, and retries by default."""
    urllib3 = pytest.importorskip("urllib3")
    from urllib3.connectionpool import HTTPConnectionPool
    from urllib3.util.retry import Retry

    assert "is_connection_dropped(conn)" in inspect.getsource(HTTPConnectionPool._get_conn)
    urlopen = inspect.getsource(HTTPConnectionPool.urlopen)
    assert "retries.increment(" in urlopen and "ProtocolError" in urlopen
    assert Retry.DEFAULT.total and Retry.DEFAULT.total > 0
    assert HTTPConnectionPool("example.com").retries is Retry.DEFAULT
    assert urllib3.PoolManager().connection_from_host("example.com").retries is Retry.DEFAULT
