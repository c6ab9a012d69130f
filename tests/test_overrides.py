"""`[[class.override]]`: loading, LK104 through a user schema shaped like httpx's
`transport=` (an explicit `ignores` list), and the liveness advice that must never be given to a
client given a pool or to a UNIX-socket pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.engine import Engine
from lintkit.frontends.fixer import fix_source
from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.frontends.runner import check_file
from lintkit.schemas.schema import load_schema_file
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

LIBRARY = ACME_LIBRARY + """
[[class]]
name = "acme.transport.Transport"
kwargs = ["limits", "verify", "retries"]
"""

CLIENT = """
[[class]]
name = "acme.client.Client"
aliases = ["acme.Client"]
kwargs = ["base_url", "transport", "limits", "verify", "http2", "timeout", "proxy"]
"""

OVERRIDE = """
[[class.override]]
argument = "transport"
ignores = ["limits", "verify", "http2"]
target = "acme.transport.Transport"
note = "the transport makes the connections"
[class.override.instead]
http2 = "build the transport with http2=True"
"""


def write(tmp_path: Path, text: str) -> Path:
    return write_schema(tmp_path, LIBRARY + text)


def load_error(tmp_path: Path, text: str) -> str:
    return schema_load_error(tmp_path, LIBRARY + text)


def test_an_override_loads(tmp_path: Path) -> None:
    schemas = SchemaSet([load_schema_file(write(tmp_path, CLIENT + OVERRIDE))])
    (override,) = schemas.lookup("acme.Client").overrides
    assert override.ignored(schemas.lookup("acme.Client").kwargs) == {"limits", "verify", "http2"}
    assert override.advice("http2") == "build the transport with http2=True"


def test_ignores_all_but_is_taken_from_the_kwargs(tmp_path: Path) -> None:
    text = CLIENT + OVERRIDE.replace('ignores = ["limits", "verify", "http2"]',
                                     'ignores_all_but = ["base_url", "timeout", "proxy"]')
    schemas = SchemaSet([load_schema_file(write(tmp_path, text))])
    (override,) = schemas.lookup("acme.Client").overrides
    assert override.ignored(schemas.lookup("acme.Client").kwargs) == {"limits", "verify", "http2"}


@pytest.mark.parametrize(("change", "problem"), [
    (('ignores = ["limits", "verify", "http2"]', ""), "needs exactly one of ignores, ignores_all_but"),
    (('ignores = ["limits", "verify", "http2"]', 'ignores = ["limits"]\nignores_all_but = ["timeout"]'),
     "needs exactly one of ignores, ignores_all_but"),
    (('argument = "transport"', 'argument = "transprot"'), "'transprot' not among the kwargs"),
    (('"limits", "verify", "http2"]', '"limits", "verify", "http2", "socks"]'), "'socks' not among the kwargs"),
    (('target = "acme.transport.Transport"', 'target = "acme.transport.Transprot"'),
     "target: no schema class 'acme.transport.Transprot'"),
    (('http2 = "build the transport with http2=True"', 'timeout = "x"'), "'timeout' not among the ignored"),
    (('http2 = "build the transport with http2=True"', ''), "'http2' not keywords of acme.transport.Transport"),
    (('argument = "transport"', 'argument = "transport"\nignore = ["x"]'), "unknown key; did you mean 'ignores'?"),
    (('argument = "transport"', 'argument = "transport"\nposition = -1'), "position: must be between 0 and 255"),
    (('argument = "transport"', 'argument = "transport"\nunless = ["proxi"]'), "'proxi' not among the kwargs"),
])
def test_a_malformed_override_is_named(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    message = load_error(tmp_path, CLIENT + OVERRIDE.replace(*change))
    assert "acme.toml" in message and "override" in message and problem in message, message


@pytest.fixture(scope="module")
def acme_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = write(tmp_path_factory.mktemp("acme"), CLIENT + OVERRIDE)
    return Engine(load_schema_set([path]))


def test_lk104_reports_each_listed_keyword_with_where_it_goes(acme_engine: Engine) -> None:
    source = ("import acme\n"
              "transport = acme.transport.Transport(retries=3)\n"
              "client = acme.Client(transport=transport, limits=10, http2=True, timeout=5)\n")
    findings = [(f.line, f.col, f.message, f.explanation)
                for f in acme_engine.check_text(source, "app.py").findings if f.code == "LK104"]
    why = "With transport= given, the transport makes the connections."
    assert findings == [
        (3, 42, "acme.Client ignores limits= when transport= is given: pass limits=10 where `transport` is built", why),
        (3, 53, "acme.Client ignores http2= when transport= is given: build the transport with http2=True", why),
    ]


@pytest.mark.parametrize("call", [
    "acme.Client(limits=10)",  # no transport: the keyword counts
    "acme.Client(transport=None, limits=10)",  # a literal None is no transport
    "acme.Client(transport=t, timeout=5)",  # not listed as ignored
    "acme.Client(transport=t, **options)",  # hidden keywords are not guessed
])
def test_lk104_is_silent_where_nothing_is_ignored(acme_engine: Engine, call: str) -> None:
    source = f"import acme\nt = options = None\nclient = {call}\n"
    assert not [f for f in acme_engine.check_text(source, "app.py").findings if f.code == "LK104"]


@pytest.fixture(scope="module")
def unless_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    text = CLIENT + OVERRIDE.replace('argument = "transport"', 'argument = "transport"\nunless = ["proxy"]')
    return Engine(load_schema_set([write(tmp_path_factory.mktemp("acme"), text)]))


@pytest.mark.parametrize(("call", "reported"), [
    ("acme.Client(transport=t, limits=10)", True),
    ("acme.Client(transport=t, proxy=None, limits=10)", True),  # a literal None is no proxy
    ("acme.Client(transport=t, proxy='http://proxy:3128', limits=10)", False),  # the proxy's transport reads it
    ("acme.Client(transport=t, limits=10, **options)", False),  # the splat may hold a proxy
])
def test_an_unless_keyword_lifts_the_override(unless_engine: Engine, call: str, reported: bool) -> None:
    source = f"import acme\nt = options = None\nclient = {call}\n"
    codes = [f.code for f in unless_engine.check_text(source, "app.py").findings]
    assert codes == (["LK104"] if reported else [])


def test_schema_show_says_what_lifts_an_override(capsys: pytest.CaptureFixture[str]) -> None:
    from lintkit.frontends.cli import main

    assert main(["schema", "show", "httpx.Client"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  override"))
    assert line == "  override transport=: ignores cert, http1, http2, limits, verify (unless proxy= is given)"


# --------------------------------------------------------------------------- advice that was wrong


REDIS7 = "redis==7.4.1\n"


def _unsafe_fix(tmp_path: Path, source: str) -> str:
    (tmp_path / "requirements.txt").write_text(REDIS7, encoding="utf-8")
    path = tmp_path / "app.py"
    path.write_text(source, encoding="utf-8")
    engine = Engine(load_schema_set(), ("LK204",))
    assert [f.code for f in check_file(engine, str(path)).findings] == ["LK204"]
    outcome = fix_source(engine, source.encode("utf-8"), str(path), unsafe=True)
    assert outcome.error is None, outcome.error
    return outcome.new_bytes.decode("utf-8")


def test_lk204_fix_targets_the_pool_not_the_client_given_it(tmp_path: Path) -> None:
    """redis-py 7: `socket_keepalive=True` added to `Redis(connection_pool=...)` would be ignored."""
    source = ("import redis\n"
              "pool = redis.ConnectionPool(host='cache.example.com')\n"
              "client = redis.Redis(connection_pool=pool)\n")
    assert _unsafe_fix(tmp_path, source) == source.replace("host='cache.example.com')",
                                                           "host='cache.example.com', socket_keepalive=True)")


def test_lk204_never_adds_keepalive_to_a_unix_socket_pool(tmp_path: Path) -> None:
    """UnixDomainSocketConnection takes no socket_keepalive: the pool would raise TypeError."""
    source = ("import redis\n"
              "from redis.connection import UnixDomainSocketConnection\n"
              "local = redis.ConnectionPool(connection_class=UnixDomainSocketConnection, path='/run/redis.sock')\n"
              "pool = redis.ConnectionPool(host='cache.example.com')\n")
    fixed = _unsafe_fix(tmp_path, source)
    assert fixed.splitlines()[2] == source.splitlines()[2]
    assert fixed.splitlines()[3].endswith("socket_keepalive=True)")


def test_schema_show_lists_what_an_override_ignores(capsys: pytest.CaptureFixture[str]) -> None:
    from lintkit.frontends.cli import main

    assert main(["schema", "show", "redis.Redis"]) == 0
    shown = capsys.readouterr().out
    line = next(line for line in shown.splitlines() if line.startswith("  override"))
    assert line.startswith("  override connection_pool=: ignores client_name, db, decode_responses,")
    assert "socket_keepalive," in line and "single_connection_client" not in line
