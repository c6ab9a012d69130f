"""The aio-pika, RedisCluster and kafka-python findings under the default rule selection, and how
they follow `max-idle-seconds`: what a user running `lintkit check` without options sees."""

from __future__ import annotations

from lintkit.checks.base import RuleOptions
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set

SCHEMAS = load_schema_set()

SOURCE = '''\
import aio_pika
from kafka import KafkaProducer
from redis.cluster import RedisCluster


async def main():
    a = await aio_pika.connect_robust("amqp://rabbit.example.com/?hearbeat=30")
    b = await aio_pika.connect_robust("amqp://rabbit.example.com/", heartbeat=30.0)
    c = await aio_pika.connect_robust("amqp://rabbit.example.com/", heartbeat=600)
    d = await aio_pika.connect_robust("amqp://rabbit.example.com/", heartbeat_interval=30)
    return a, b, c, d

producer = KafkaProducer(bootstrap_servers="broker.example.com:9092", connections_max_idle_ms=300000)
cluster = RedisCluster(host="cache.example.com", port=6379, health_check_interval=30)
'''


def codes(max_idle: int = 240, source: str = SOURCE) -> list[str]:
    engine = Engine(SCHEMAS, options=RuleOptions(max_idle_seconds=max_idle))  # the default selection
    result = engine.check_text(source, "service/worker.py")
    assert result.error is None
    return [f"{f.line}:{f.col + 1}: {f.code}" for f in result.findings]


def test_default_selection_reports_each_kind() -> None:
    assert codes() == ["7:67: LK103", "8:69: LK203", "9:79: LK205", "10:69: LK102", "13:95: LK205",
                       "14:61: LK102"]


def test_lengths_follow_max_idle_seconds() -> None:
    # 600 s heartbeat: a frame every 300 s; a 300 s idle close: both fit under 400 s. A value aiormq
    # turns into 0 stays a disable whatever the limit.
    assert codes(max_idle=400) == ["7:67: LK103", "8:69: LK203", "10:69: LK102", "14:61: LK102"]


def test_idle_close_advice_is_three_quarters_of_the_limit() -> None:
    engine = Engine(SCHEMAS, options=RuleOptions(max_idle_seconds=120))
    [finding] = [f for f in engine.check_text(SOURCE, "service/worker.py").findings if f.line == 13]
    assert finding.message.endswith("keeps idle connections 300 s (idle limit 120 s): use 90000 (milliseconds)")


def test_test_functions_are_not_judged_for_liveness() -> None:
    in_a_test = "\n".join(("    " + line if line else line) for line in SOURCE.splitlines()[5:])
    source = "import aio_pika\nfrom kafka import KafkaProducer\nfrom redis.cluster import RedisCluster\n\n" \
        "def test_worker():\n" + in_a_test.replace("async def main", "async def inner") + "\n"
    engine = Engine(SCHEMAS, options=RuleOptions())
    result = engine.check_text(source, "service/worker.py")
    assert result.error is None
    assert sorted({f.code for f in result.findings}) == ["LK102", "LK103"]
