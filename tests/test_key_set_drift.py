"""Keep the bundled key sets (`[[key_set]]`, lintkit/schemas/key_sets.py) honest against the real libraries.

Each test skips cleanly when its library is not installed (`pip install -e '.[libraries]'`)."""

from __future__ import annotations

import ast
import asyncio
import importlib.metadata
import importlib.util
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lintkit.schemas.key_sets import KeySet, known_keys
from lintkit.schemas.registry import load_schema_set

SCHEMAS = load_schema_set()
BOGUS = "lintkit_bogus_key"
#: A closed local port: a driver that tried to connect would fail with "connection refused".
CLOSED = "127.0.0.1:9"


def key_set(name: str) -> KeySet:
    return next(ks for ks in SCHEMAS.key_sets if ks.name == name)


def source_of(module: str) -> str:
    return Path(importlib.util.find_spec(module).origin).read_text(encoding="utf-8")


CALL_SETS = [ks for ks in SCHEMAS.key_sets if ks.call]
SETTING_SETS = [ks for ks in SCHEMAS.key_sets if ks.setting]


@pytest.mark.parametrize("lib", sorted({(ks.distribution, Path(ks.origin).name) for ks in SCHEMAS.key_sets}))
def test_key_set_libraries_are_the_recorded_versions(lib: tuple[str, str]) -> None:
    distribution, origin = lib
    recorded = next(lib.version for lib in SCHEMAS.libraries if Path(lib.origin).name == origin)
    try:
        installed = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{distribution} is not installed")
    assert installed == recorded, f"{origin}: installed {distribution} {installed}, the schema records {recorded}"


# --------------------------------------------------------------------------- Django


def test_databases_entry_keys_are_what_django_reads() -> None:
    pytest.importorskip("django")
    from django.db.utils import ConnectionHandler

    filled = set(ConnectionHandler().configure_settings({"default": {}})["default"])
    assert "DISABLE_SERVER_SIDE_CURSORS" in source_of("django.db.models.query")
    assert key_set("a DATABASES entry").keys == filled | {"DISABLE_SERVER_SIDE_CURSORS"}


def test_ignored_as_settings_are_no_django_settings() -> None:
    pytest.importorskip("django")
    from django.conf import global_settings

    entry = key_set("a DATABASES entry")
    assert entry.ignored_as_settings
    assert not entry.ignored_as_settings & set(dir(global_settings)), "a real setting would be read"


def test_caches_entry_keys_are_read_by_django_or_django_redis() -> None:
    pytest.importorskip("django_redis")
    sources = "".join(source_of(m) for m in ("django.core.cache", "django.core.cache.backends.base",
                                             "django_redis.client.default"))
    unread = sorted(k for k in key_set("a CACHES entry").keys if f'"{k}"' not in sources)
    assert not unread, f"keys nothing reads: {unread}"


def _option_reads(path: Path) -> set[str]:
    """String keys read from a name ending in `options`: `options.get("KEY")`, `self._options["KEY"]`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        holder, key = None, None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant):
            holder, key = node.func.value, node.args[0].value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            holder, key = node.value, node.slice.value
        name = holder.id if isinstance(holder, ast.Name) else holder.attr if isinstance(holder, ast.Attribute) else ""
        if name.endswith("options") and isinstance(key, str):
            found.add(key)
    return found


def test_django_redis_options_are_every_key_it_reads() -> None:
    pytest.importorskip("django_redis")
    package = Path(importlib.util.find_spec("django_redis").origin).parent
    read = set().union(*(_option_reads(path) for path in package.rglob("*.py")))
    base = _option_reads(Path(importlib.util.find_spec("django.core.cache.backends.base").origin))
    assert base == {"MAX_ENTRIES", "CULL_FREQUENCY"}
    assert key_set("OPTIONS of a django-redis CACHES entry").keys == read | base


def test_selectors_name_real_backends_and_clients() -> None:
    pytest.importorskip("django_redis")
    from django.utils.module_loading import import_string

    for ks in SETTING_SETS:
        for values in (*ks.when.values(), *ks.unchecked_unless.values()):
            for value in values:
                if value.startswith("django.db.backends.") or value.startswith("django.contrib.gis."):
                    assert importlib.util.find_spec(value) is not None, value  # an ENGINE is a package
                else:
                    assert isinstance(import_string(value), type), value


def test_django_postgresql_options_reach_the_driver() -> None:
    """OPTIONS go to the driver's connect(): Django's own keys are popped, an unknown key fails only
    when the first connection is made (before any I/O), with psycopg 3 and with psycopg2."""
    pytest.importorskip("django")
    pytest.importorskip("psycopg")
    script = textwrap.dedent(f"""
        import sys
        if sys.argv[1] == "psycopg2":
            sys.modules["psycopg"] = None  # Django falls back to psycopg2
        from django.conf import settings
        settings.configure(DATABASES={{"default": {{
            "ENGINE": "django.db.backends.postgresql", "NAME": "app", "HOST": "127.0.0.1", "PORT": "9",
            "OPTIONS": {{"assume_role": "r", "server_side_binding": True, "keepalives_idle": 30,
                         "{BOGUS}": 1}}}}}}, USE_TZ=True)
        import django
        django.setup()
        from django.db import connection
        params = connection.get_connection_params()
        assert not {{"assume_role", "server_side_binding"}} & set(params), params
        assert params["keepalives_idle"] == 30, params  # libpq keywords reach the driver as given
        try:
            connection.get_new_connection(params)
        except Exception as exc:
            print(type(exc).__name__, exc)
    """)
    for driver in ("psycopg", "psycopg2"):
        out = subprocess.run([sys.executable, "-c", script, driver], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "ProgrammingError" in out.stdout and BOGUS in out.stdout, (driver, out.stdout)
    popped = source_of("django.db.backends.postgresql.base")
    for key in key_set("OPTIONS of a PostgreSQL DATABASES entry").keys:
        assert f'"{key}"' in popped, key


# --------------------------------------------------------------------------- SQLAlchemy


def _driver_of(ks: KeySet) -> str:
    return ks.name.split(".")[0]


@pytest.mark.parametrize("ks", CALL_SETS, ids=lambda ks: ks.name)
def test_drivers_select_the_dialect_of_the_driver(ks: KeySet) -> None:
    pytest.importorskip("sqlalchemy")
    from packaging.specifiers import SpecifierSet
    from sqlalchemy.engine import make_url

    for driver in ks.drivers:
        dialect = make_url(f"{driver}://h/db").get_dialect()
        assert dialect.driver.startswith(_driver_of(ks)), f"{driver}: SQLAlchemy loads {dialect.driver}"
    installed = importlib.metadata.version(ks.distribution)
    for driver, versions in ks.drivers_by_version.items():
        dialect = make_url(f"{driver}://h/db").get_dialect()
        selects = dialect.driver == _driver_of(ks)
        assert selects == (installed in SpecifierSet(versions)), (
            f"{driver} with {ks.distribution} {installed}: SQLAlchemy loads {dialect.driver}, {ks.name} says {versions}")


def test_asyncpg_keys_are_its_signature_and_the_dialect_pops() -> None:
    asyncpg = pytest.importorskip("asyncpg")
    pytest.importorskip("sqlalchemy")
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

    popped = set(_kw_pops(inspect.getsource(AsyncAdapt_asyncpg_dbapi.connect)))
    assert popped == {"async_creator_fn", "prepared_statement_cache_size", "prepared_statement_name_func"}
    ks = key_set("asyncpg.connect()")
    assert set(ks.keys) == popped and ks.keys_of == ("asyncpg.connection.connect",)  # one list: rules/asyncpg.toml
    assert known_keys(SCHEMAS, ks) == set(inspect.signature(asyncpg.connect).parameters) | popped


def test_psycopg_async_creator_is_popped() -> None:
    pytest.importorskip("sqlalchemy")
    from sqlalchemy.dialects.postgresql.psycopg import PGDialectAsync_psycopg

    module = sys.modules[PGDialectAsync_psycopg.__module__]
    assert set(_kw_pops(inspect.getsource(module))) == {"async_creator_fn"} == set(key_set("psycopg.connect()").keys)


def _kw_pops(source: str):
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "kw":
            yield node.args[0].value


def _first_connection(ks: KeySet, url: str, **kw):
    """Create the engine (must not fail), then make its first connection: the error it raises."""
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import create_async_engine

    if ks.name.startswith("asyncpg"):
        engine = create_async_engine(url, **kw)

        async def connect():
            async with engine.connect():
                pass
        run = lambda: asyncio.run(connect())  # noqa: E731
    else:
        engine = create_engine(url, **kw)
        run = lambda: engine.connect().close()  # noqa: E731
    with pytest.raises(Exception) as info:
        run()
    return info.value


@pytest.mark.parametrize("ks", CALL_SETS, ids=lambda ks: ks.name)
def test_unknown_keys_fail_at_the_first_connection(ks: KeySet) -> None:
    """Not at create_engine(): at the first connection, from the driver, before any I/O."""
    pytest.importorskip("sqlalchemy")
    pytest.importorskip(_driver_of(ks))
    assert ks.unknown_keys == "fails_at_connect"
    driver = sorted(ks.drivers)[0]
    for kw, url in (({"connect_args": {BOGUS: 1}}, f"{driver}://u:p@{CLOSED}/db"),
                    ({}, f"{driver}://u:p@{CLOSED}/db?{BOGUS}=1")):
        error = _first_connection(ks, url, **kw)
        assert BOGUS in str(error), f"{ks.name}: {type(error).__name__}: {error}"
        control = _first_connection(ks, f"{driver}://u:p@{CLOSED}/db")
        assert BOGUS not in str(control)


@pytest.mark.parametrize("ks", CALL_SETS, ids=lambda ks: ks.name)
def test_query_keys_never_reach_the_driver(ks: KeySet) -> None:
    pytest.importorskip("sqlalchemy")
    from sqlalchemy.engine import URL, make_url

    assert '"plugin"' in inspect.getsource(URL._instantiate_plugins)
    keys = sorted(ks.query_keys - {"plugin"})
    if not keys:
        return
    url = make_url(f"{sorted(ks.drivers)[0]}://h/db?" + "&".join(f"{k}=1" for k in keys))
    dialect = url.get_dialect()()
    _, params = dialect.create_connect_args(url)
    assert not set(keys) & set(params), params
    assert not known_keys(SCHEMAS, ks) & set(keys), "a query key the driver knows needs no query_keys entry"


def test_django_redis_cache_options_reach_redis_py() -> None:
    """Django's own RedisCache takes serializer, pool_class and parser_class and hands the rest to
    redis-py's pool: an unknown key fails when the first connection is made, not before."""
    pytest.importorskip("redis")
    pytest.importorskip("django")
    from django.core.cache.backends.redis import RedisCache, RedisCacheClient

    own = set(inspect.signature(RedisCacheClient).parameters) - {"servers", "options"}
    assert own == key_set("OPTIONS of a Django RedisCache entry").keys
    cache = RedisCache(f"redis://{CLOSED}/0", {"OPTIONS": {BOGUS: 1}})
    pool = cache._cache.get_client().connection_pool  # no error yet
    with pytest.raises(TypeError, match=BOGUS):
        pool.make_connection()
    known = RedisCache(f"redis://{CLOSED}/0", {"OPTIONS": {"socket_keepalive": True, "health_check_interval": 30}})
    known._cache.get_client().connection_pool.make_connection()


def test_django_persistent_connections_age_from_the_connect(tmp_path: Path) -> None:
    """What LK204 says of Django (lintkit/library_settings/django_liveness.py): CONN_MAX_AGE counts from the connect, so
    a connection used and then left idle is reused until then; with CONN_HEALTH_CHECKS a reused
    connection is checked (is_usable) before the request's first query, and a failed one replaced."""
    pytest.importorskip("django")
    script = textwrap.dedent("""
        import time
        from django.conf import settings
        import sys
        settings.configure(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1],
                                                  "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}})
        import django
        django.setup()
        from django.db import connection
        connection.ensure_connection()
        made = connection.close_at
        time.sleep(0.01)
        connection.cursor().execute("select 1")
        connection.close_if_unusable_or_obsolete()  # request_finished
        assert connection.connection is not None and connection.close_at == made, "age must not restart on use"
        checked = []
        connection.is_usable = lambda: checked.append(1) or False  # a connection dropped while idle
        old = connection.connection
        connection.cursor().execute("select 1")  # the next request's first query
        assert checked == [1] and connection.connection is not old, "health check must replace it"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "db.sqlite3")], capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr
