"""The aio-pika/aiormq facts the schema encodes beyond signatures, checked against the installed
libraries: the URL query keys they read (LK103), the heartbeat values aiormq silently turns into 0
(LK203), and that a keyword connect() does not know is accepted and never read (LK102)."""

from __future__ import annotations

import asyncio

import pytest

from lintkit.liveness.coerced_values import coerced_off
from lintkit.schemas.registry import load_schema_set

import async_libraries_support as support

pytest.importorskip("aio_pika")
pytest.importorskip("aiormq")

SCHEMAS = load_schema_set()
CONNECTION = SCHEMAS.lookup("aio_pika.connection.Connection")
ROBUST = SCHEMAS.lookup("aio_pika.robust_connection.RobustConnection")
HEARTBEAT = next(knob for knob in CONNECTION.knobs if knob.concept == "heartbeat")


@pytest.mark.parametrize("cls", [CONNECTION, ROBUST], ids=lambda c: c.name)
def test_settings_keys_are_the_query_keys_read(cls) -> None:
    real = support.aiormq_url_keys() | support.aio_pika_parameters(cls.name)()
    assert cls.settings_keys == real, (
        f"{cls.name}: settings_keys differ; not listed: {sorted(real - cls.settings_keys)}, "
        f"listed but never read: {sorted(cls.settings_keys - real)}")


#: Keyword values as code writes them: aio-pika puts them into the URL query, aiormq parses that.
HEARTBEAT_VALUES = [0, 1, 30, "30", 30.0, 30.5, "30s", "thirty", 65534, 65535, 70000, -5, "-1", True]


@pytest.mark.parametrize("value", HEARTBEAT_VALUES, ids=repr)
def test_heartbeat_values_turned_off_are_what_lintkit_says(value) -> None:
    url = str(support.resolve("aio_pika.connection.make_url")("amqp://h/", heartbeat=value))
    negotiated = support.aiormq_heartbeat(url)
    predicted_off = bool(coerced_off(value, HEARTBEAT)) or value in HEARTBEAT.off
    assert (negotiated == 0) == predicted_off, (value, url, negotiated)
    if not predicted_off:
        assert negotiated == int(value)


def test_heartbeat_default_is_the_schemas() -> None:
    assert support.aiormq_heartbeat("amqp://h/") == HEARTBEAT.default == 60


@pytest.mark.parametrize("qualname", ["aio_pika.connection.connect", "aio_pika.robust_connection.connect_robust"])
def test_unknown_keyword_is_accepted_and_never_read(qualname) -> None:
    """The misspelt keyword lands in the URL query, and the connection uses the default heartbeat."""
    conn = asyncio.run(support.aio_pika_connect(qualname, "amqp://h/")(None, hearbeat=5))
    assert conn.url.query.get("hearbeat") == "5"
    assert support.aiormq_heartbeat(str(conn.url)) == 60
    assert "hearbeat" not in conn.kwargs


KAFKA_CLASSES = ["kafka.producer.kafka.KafkaProducer", "kafka.consumer.group.KafkaConsumer"]


@pytest.mark.parametrize("qualname", KAFKA_CLASSES)
def test_kafka_idle_close_knob_is_the_managers(qualname) -> None:
    """connections_max_idle_ms (ms) is how long the network manager lets a connection idle before
    closing it, and the schema's default is the class's."""
    pytest.importorskip("kafka")
    cls = SCHEMAS.lookup(qualname)
    knob = next(k for k in cls.knobs if k.concept == "idle_close")
    assert knob.default == support.resolve(qualname).DEFAULT_CONFIG[knob.kwarg]
    assert knob.unit == "ms" and support.kafka_idle_close_seconds(qualname, 180000) == 180.0


def test_kafka_consumer_rejects_an_idle_close_below_the_request_timeout() -> None:
    """The consumer knob's caveat: connections_max_idle_ms must stay above request_timeout_ms."""
    pytest.importorskip("kafka")
    consumer = SCHEMAS.lookup("kafka.consumer.group.KafkaConsumer")
    assert "request_timeout_ms" in next(k for k in consumer.knobs if k.concept == "idle_close").caveat
    with pytest.raises(support.resolve("kafka.errors.KafkaConfigurationError")):
        support.resolve("kafka.consumer.group.KafkaConsumer")(
            bootstrap_servers="127.0.0.1:1", api_version=(2, 0, 0), connections_max_idle_ms=20000)
    assert support.kafka_idle_close_seconds("kafka.consumer.group.KafkaConsumer", 180000) == 180.0


URL_OVERRIDE_VALUES = {"host": "other.example.com", "port": 5999, "login": "someone", "password": "secret",
                       "virtualhost": "elsewhere", "ssl": True}


@pytest.mark.parametrize("qualname", ["aio_pika.connection.connect", "aio_pika.robust_connection.connect_robust"])
def test_url_override_keywords_have_an_effect_without_a_url(qualname) -> None:
    """The control of the drift test for the `url` override: without a URL each ignored keyword does
    shape the URL the connection uses, so ignoring it with a URL is a real loss."""
    fac = SCHEMAS.factories[qualname]
    [override] = fac.overrides
    assert override.ignored(SCHEMAS.call_target(fac).kwargs) == set(URL_OVERRIDE_VALUES)
    baseline = str(asyncio.run(support.aio_pika_connect(qualname)(None)).url)
    for keyword, value in URL_OVERRIDE_VALUES.items():
        made = str(asyncio.run(support.aio_pika_connect(qualname)(None, **{keyword: value})).url)
        assert made != baseline, keyword


AIOKAFKA_CLASSES = ["aiokafka.producer.producer.AIOKafkaProducer", "aiokafka.consumer.consumer.AIOKafkaConsumer"]


@pytest.mark.parametrize("qualname", AIOKAFKA_CLASSES)
def test_aiokafka_idle_close_knob_is_when_a_connection_closes_itself(qualname) -> None:
    pytest.importorskip("aiokafka")
    knob = next(k for k in SCHEMAS.lookup(qualname).knobs if k.concept == "idle_close")
    assert knob.unit == "ms" and support.aiokafka_idle_close_seconds(qualname, 180000) == 180.0
