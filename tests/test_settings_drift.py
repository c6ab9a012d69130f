"""The celery `[[settings]]` schema against the installed celery, kombu and py-amqp (skipped without them).

Every list is compared with the library's own table or signature, and the behaviours the
rules rely on are run for real: an unknown key stored and never read, a namespaced Django
name read, an upper-case new name not read, heartbeat 0 and None off in py-amqp."""

from __future__ import annotations

import inspect
import re
import warnings
from pathlib import Path

import pytest

from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.settings_schema import all_settings

celery = pytest.importorskip("celery")
defaults = pytest.importorskip("celery.app.defaults")
kombu_redis = pytest.importorskip("kombu.transport.redis")
amqp = pytest.importorskip("amqp")

SCHEMAS = load_schema_set()
CELERY = next(s for s in all_settings(SCHEMAS) if s.name == "celery")
UNDECLARED = {"CELERY_DB_REUSE_MAX", "cassandra_secure_bundle_path", "dynamodb_endpoint_url", "firestore_project",
              "gcs_threadpool_maxsize", "override_backends", "redis_backend_credential_provider",
              "redis_backend_health_check_interval", "redis_client_name", "result_backend_thread_safe"}
FAILOVER = re.compile(r"'(\w+)' in transport_opts")


def _source(module) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")


def test_keys_are_celerys_setting_keys_plus_the_undeclared_ones_it_reads() -> None:
    assert CELERY.keys == frozenset(defaults.SETTING_KEYS) | UNDECLARED
    sources = "".join(path.read_text(encoding="utf-8") for path in Path(celery.__file__).parent.rglob("*.py"))
    for key in UNDECLARED:
        assert f"'{key}'" in sources, key


def test_legacy_keys_are_celerys_old_names() -> None:
    assert dict(CELERY.legacy_keys) == defaults._TO_NEW_KEY


def test_constructor_params_are_the_signature_and_the_others_are_settings() -> None:
    params = set(inspect.signature(celery.Celery.__init__).parameters) - {"self", "kwargs"}
    assert CELERY.constructor_params == params
    app = celery.Celery("t", broker="amqp://b//", backend="redis://r/0", include=["m"], set_as_current=False)
    for param, key in CELERY.constructor_keys.items():
        assert app.conf[key] == {"broker": "amqp://b//", "backend": "redis://r/0", "include": ["m"]}[param]


def test_an_unknown_key_is_stored_and_never_read_with_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app = celery.Celery("t", brokr_heartbeat=5, set_as_current=False)
        app.conf.update(broker_hearbeat=10)
        assert app.conf.broker_heartbeat == defaults.DEFAULTS["broker_heartbeat"]
        assert app.conf["broker_hearbeat"] == 10 and app.conf["brokr_heartbeat"] == 5


def test_an_upper_case_new_name_is_not_read_and_an_old_name_is() -> None:
    app = celery.Celery("t", set_as_current=False)
    app.conf.TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is False
    app = celery.Celery("t", set_as_current=False)
    app.conf.CELERY_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True


def test_mixing_old_and_new_names_raises() -> None:
    app = celery.Celery("t", set_as_current=False)
    app.conf.update(BROKER_URL="amqp://b//", task_always_eager=True)
    with pytest.raises(celery.exceptions.ImproperlyConfigured):
        app.conf.task_always_eager


def test_a_namespace_reads_the_prefixed_upper_case_names_only() -> None:
    class DjangoSettings:
        CELERY_BROKER_HEARTBEAT = 7
        CELERY_ALWAYS_EAGER = True
        CELERY_broker_pool_limit = 3  # the prefixed name is upper-cased before the lookup
        TASK_ACKS_LATE = True

    app = celery.Celery("t", set_as_current=False)
    app.config_from_object(DjangoSettings, namespace="CELERY")
    assert app.conf.broker_heartbeat == 7
    assert app.conf.task_always_eager is True
    assert app.conf.broker_pool_limit == defaults.DEFAULTS["broker_pool_limit"]
    assert app.conf.task_acks_late is False
    assert next(m for m in CELERY.modules if m.prefix).prefix == "CELERY_"


def test_the_configuration_module_name_is_celerys() -> None:
    from celery.loaders.default import DEFAULT_CONFIG_MODULE

    assert {name for m in CELERY.modules if not m.prefix for name in m.file_names} == {DEFAULT_CONFIG_MODULE}


def test_transport_option_keys_are_what_each_transport_reads() -> None:
    from kombu import connection

    failover = set(FAILOVER.findall(_source(connection)))
    assert failover >= {"max_retries", "interval_start", "connect_retries_timeout"}
    redis_source = _source(kombu_redis)
    read_by_redis = set(re.findall(r"transport_options\.get\(\s*'(\w+)'", redis_source))
    read_by_redis |= set(re.findall(r"connection_kwargs\.get\('(\w+)'", redis_source))
    virtual = set(re.findall(r"transport_options\.get\('(\w+)'", _source(kombu_redis.virtual.base)))
    table = CELERY.option_keys["broker_transport_options"]
    redis = set(kombu_redis.Channel.from_transport_options) | read_by_redis | virtual | failover
    assert table["kombu.transport.redis:Transport"] == redis
    assert table["kombu.transport.redis:SentinelTransport"] == redis | set(kombu_redis.SentinelChannel.from_transport_options)
    amqp_params = set(inspect.signature(amqp.Connection.__init__).parameters) - {"self", "kwargs"}
    assert table["kombu.transport.pyamqp:Transport"] == amqp_params | failover
    assert table["kombu.transport.pyamqp:SSLTransport"] == amqp_params | failover
    amqp.Connection("rabbit:5672", visibility_timeout=30)  # py-amqp drops a key it does not know


def test_the_broker_connection_takes_the_transport_options_and_the_transport() -> None:
    app = celery.Celery("t", broker="redis://cache:6379/0", set_as_current=False)
    app.conf.broker_transport_options = {"visibility_timeout": 5}
    conn = app.connection_for_write()
    assert conn.transport_options == {"visibility_timeout": 5}
    assert conn.transport_cls == "redis"
    link = CELERY.transport_of
    assert (link.url, link.transport) == ("broker_url", "broker_transport")
    assert celery.Celery("t", broker_transport="redis", set_as_current=False).connection_for_write().transport_cls \
        == "redis"


@pytest.mark.parametrize("value", [0, None, 30])
def test_broker_heartbeat_off_values_turn_py_amqp_heartbeats_off(value) -> None:
    knob = next(k for k in CELERY.knobs if k.attribute == "broker_heartbeat")
    assert knob.default == defaults.DEFAULTS["broker_heartbeat"]
    conn = amqp.Connection("rabbit:5672", heartbeat=value)
    conn.send_method = lambda *args, **kwargs: None
    conn._on_tune(0, 131072, 60)
    assert (conn.heartbeat == 0) == (value in knob.off)


def test_broker_heartbeat_reaches_the_workers_connection_on_heartbeat_transports_only() -> None:
    from kombu.transport import pyamqp

    knob = next(k for k in CELERY.knobs if k.attribute == "broker_heartbeat")
    assert pyamqp.Transport.implements.heartbeats and not kombu_redis.Transport.implements.heartbeats
    assert set(knob.transports) == {"kombu.transport.pyamqp:Transport", "kombu.transport.pyamqp:SSLTransport"}
    source = _source(__import__("celery.worker.consumer.consumer", fromlist=["x"]))
    assert "self.app.conf.broker_heartbeat" in source
    assert "self.connection_for_read(heartbeat=self.amqheartbeat)" in source


def test_broker_heartbeat_gap_is_the_longest_silence_with_celerys_check_rate(monkeypatch) -> None:
    """celery ticks heartbeat_check(rate) every heartbeat/rate (worker/loops.py); py-amqp sends a frame once
    heartbeat/rate passed with nothing sent.  Simulated time, on an idle connection."""
    import amqp.connection as amqp_connection

    knob = next(k for k in CELERY.knobs if k.attribute == "broker_heartbeat")
    rate = defaults.DEFAULTS["broker_heartbeat_checkrate"]
    assert "timer.call_repeatedly(heartbeat / rate, tick, (rate,))" in \
        _source(__import__("celery.worker.loops", fromlist=["x"]))
    clock = [1000.0]
    monkeypatch.setattr(amqp_connection, "monotonic", lambda: clock[0])
    conn = amqp.Connection("rabbit:5672", heartbeat=60)
    conn.heartbeat, conn.bytes_sent, conn.bytes_recv = 60, 0, 0
    sent: list[float] = []

    def send_heartbeat():
        sent.append(clock[0])
        conn.bytes_sent += 8

    conn.send_heartbeat = send_heartbeat
    conn.last_heartbeat_received = 0  # never fail on missed broker heartbeats in this simulation
    for step in range(1, 60):
        clock[0] = 1000.0 + step * 60 / rate  # ticks on time: the worst case
        try:
            conn.heartbeat_tick(rate)
        except Exception:
            conn.last_heartbeat_received = clock[0]
    longest = max(b - a for a, b in zip(sent, sent[1:]))
    assert abs(longest / 60 - knob.gap) < 0.01
    assert min(b - a for a, b in zip(sent, sent[1:])) >= 60 * 2 / 3 - 0.01


def test_a_config_object_mixing_old_and_new_names_raises_unless_both_names_are_given() -> None:
    class Mixed:
        broker_url = "amqp://b//"
        task_serializer = "json"
        CELERY_ACKS_LATE = True

    class MostlyOld:
        BROKER_URL = "amqp://b//"
        CELERY_TASK_SERIALIZER = "json"
        task_acks_late = True

    class BothNamesGiven:
        broker_url = "amqp://b//"
        task_acks_late = True
        CELERY_ACKS_LATE = True

    for config, raises in ((Mixed, True), (MostlyOld, True), (BothNamesGiven, False)):
        app = celery.Celery("t", config_source=config, set_as_current=False)
        if raises:
            with pytest.raises(celery.exceptions.ImproperlyConfigured):
                app.conf.task_acks_late
        else:
            assert app.conf.task_acks_late is True
