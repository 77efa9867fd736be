"""Each health check in its ok and its failed (or degraded) state, on the real broker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kafka_client import Consumer, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin
from kafka_client.health import (
    HealthStatus,
    check_brokers,
    check_consumer_group,
    check_end_to_end,
    check_topic,
    health_asgi_app,
    run_health_checks,
    standard_checks,
)
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.admin.conftest import commit_offsets, produce, wait_for_assignment
from tests.unit.health._http_driver import call_asgi

OK, DEGRADED, FAILED = HealthStatus.OK, HealthStatus.DEGRADED, HealthStatus.FAILED


def test_brokers_ok(admin: KafkaAdmin) -> None:
    result = check_brokers(admin)
    assert result.status is OK
    assert (result.data["broker_count"], result.data["controller_id"], result.data["brokers"]) == (1, 1, [1])
    assert result.detail.startswith("1 broker (1), controller 1, cluster ")


def test_fewer_brokers_than_expected_is_degraded(admin: KafkaAdmin) -> None:
    result = check_brokers(admin, min_brokers=3)
    assert (result.status, result.detail) == (DEGRADED, "only 1 of the 3 expected brokers are up ([1])")


def test_topic_ok_then_failed_once_deleted(admin: KafkaAdmin, group_id: Callable[[], str]) -> None:
    name = f"health-topic-{group_id()}"
    admin.create_topics([name])
    ok = check_topic(admin, name)
    admin.delete_topics([name])
    assert (ok.name, ok.status) == (f"topic:{name}", OK)
    assert ok.detail == "1 partition, all with a leader, in-sync replicas >= min.insync.replicas=1"
    deadline = time.monotonic() + 10
    while (gone := check_topic(admin, name)).status is OK and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (gone.status, gone.detail, gone.data) == (
        FAILED,
        f"topic {name!r} does not exist",
        {"exists": False},
    )


def test_missing_topic_is_failed(admin: KafkaAdmin) -> None:
    result = check_topic(admin, "health-no-such-topic")
    assert (result.status, result.detail) == (FAILED, "topic 'health-no-such-topic' does not exist")


def test_isr_below_min_insync_replicas_is_degraded(
    admin: KafkaAdmin, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(2, config={"min.insync.replicas": "2"})  # one broker: ISR is 1
    result = check_topic(admin, topic)
    assert result.status is DEGRADED
    assert result.detail.startswith(
        "partitions [0, 1] have fewer in-sync replicas than min.insync.replicas=2"
    )
    assert result.data["under_min_isr_partitions"] == [0, 1]


@pytest.fixture
def lagging_topic(kafka_topic: Callable[..., str], kafka_broker: KafkaBroker) -> str:
    topic = kafka_topic(1)
    produce(kafka_broker.bootstrap_servers, topic, 30, 1)
    return topic


def _commit(bootstrap: str, group: str, topic: str, offset: int) -> None:
    commit_offsets(bootstrap, group, [TopicPartitionOffset(topic, 0, offset)])


def test_caught_up_group_is_ok(
    admin: KafkaAdmin, kafka_broker: KafkaBroker, lagging_topic: str, group_id: Callable[[], str]
) -> None:
    group = group_id()
    _commit(kafka_broker.bootstrap_servers, group, lagging_topic, 30)
    result = check_consumer_group(admin, group, sample_interval_s=0.5)
    assert (result.name, result.status, result.detail) == (f"group:{group}", OK, "Empty, 0 members, lag 0")


def test_stalled_group_is_degraded(
    admin: KafkaAdmin, kafka_broker: KafkaBroker, lagging_topic: str, group_id: Callable[[], str]
) -> None:
    group = group_id()
    with Consumer(
        bootstrap_servers=kafka_broker.bootstrap_servers,
        group_id=group,
        topics=[lagging_topic],
        commit_strategy="manual",
    ) as consumer:
        wait_for_assignment(consumer, 1)
        consumer.commit(offsets=[TopicPartitionOffset(lagging_topic, 0, 5)])
        result = check_consumer_group(admin, group, sample_interval_s=1.0)
    assert (result.status, result.detail) == (
        DEGRADED,
        "stalled: lag is 25 and no committed offset moved in 1 s (1 member)",
    )
    assert (result.data["state"], result.data["members"], result.data["moving"]) == ("Stable", 1, False)
    assert result.duration_s >= 1.0


def test_group_without_members_but_with_lag_is_degraded_and_failed_over_max_lag(
    admin: KafkaAdmin, kafka_broker: KafkaBroker, lagging_topic: str, group_id: Callable[[], str]
) -> None:
    group = group_id()
    _commit(kafka_broker.bootstrap_servers, group, lagging_topic, 12)
    result = check_consumer_group(admin, group, sample_interval_s=0.2)
    assert (result.status, result.detail) == (
        DEGRADED,
        "no active members while lag is 18: nothing is consuming it",
    )
    over = check_consumer_group(admin, group, sample_interval_s=0.2, max_lag=10)
    assert over.status is FAILED
    assert over.detail.endswith("lag 18 exceeds max_lag 10")


@pytest.fixture
def slow_consumer(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> Iterator[str]:
    """A member committing after every message, 50 messages a second, over a backlog of 1000."""
    topic = kafka_topic(1)
    produce(kafka_broker.bootstrap_servers, topic, 1000, 1)
    group = group_id()
    stop = threading.Event()
    started = threading.Event()

    def consume() -> None:
        with Consumer(
            bootstrap_servers=kafka_broker.bootstrap_servers,
            group_id=group,
            topics=[topic],
            commit_strategy="manual",
        ) as consumer:
            while not stop.is_set():
                message = consumer.poll(0.1)
                if message is not None:
                    consumer.commit(message)
                    started.set()
                    time.sleep(0.02)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    assert started.wait(30)
    yield group
    stop.set()
    thread.join(30)


def test_moving_group_is_ok(admin: KafkaAdmin, slow_consumer: str) -> None:
    result = check_consumer_group(admin, slow_consumer, sample_interval_s=1.0)
    assert result.status is OK, result.detail
    assert result.data["moving"] is True
    assert result.data["committed_progress"] > 0
    assert result.detail.startswith("Stable, 1 member, lag ")


def test_missing_group_is_failed(admin: KafkaAdmin) -> None:
    result = check_consumer_group(admin, "health-no-such-group")
    assert (result.status, result.detail) == (
        FAILED,
        "group 'health-no-such-group' does not exist (no members, no committed offsets)",
    )


def test_end_to_end_canary_creates_its_topic_and_measures_latency(
    admin: KafkaAdmin, group_id: Callable[[], str]
) -> None:
    topic = f"__kafka_client_canary_{group_id()}"
    try:
        first = check_end_to_end(admin, topic, timeout=30)
        second = check_end_to_end(admin, topic, timeout=30)
    finally:
        admin.delete_topics([topic])
    assert (first.name, first.status) == (f"end_to_end:{topic}", OK), first.detail
    assert (first.data["topic_created"], first.data["offset"]) == (True, 0)
    assert (second.data["topic_created"], second.data["offset"]) == (False, 1)
    for result in (first, second):
        assert 0 < result.data["produce_latency_s"] <= result.data["end_to_end_latency_s"] < result.duration_s
    assert second.detail.startswith(f"canary consumed back from {topic}[0]@1 in ")
    assert check_end_to_end(admin, topic, timeout=30, max_latency_s=0.0).status is DEGRADED


def test_report_and_probe_app_on_the_real_broker(
    admin: KafkaAdmin, kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(1)
    healthy = run_health_checks(
        {"bootstrap_servers": kafka_broker.bootstrap_servers}, standard_checks(topics=[topic])
    )
    assert ([r.name for r in healthy.results], healthy.status) == (["brokers", f"topic:{topic}"], OK)
    broken = run_health_checks(admin=admin, checks=standard_checks(topics=[topic, "health-missing-topic"]))
    assert [r.status for r in broken.results] == [OK, OK, FAILED]
    assert broken.to_dict()["status"] == "failed"

    ready = health_asgi_app(
        bootstrap_servers=kafka_broker.bootstrap_servers, checks=standard_checks(topics=[topic])
    )
    assert call_asgi(ready, "/readyz")[0] == 200
    unready = health_asgi_app(admin=admin, checks=standard_checks(topics=["health-missing-topic"]))
    code, _, _ = call_asgi(unready, "/readyz")
    assert (code, call_asgi(unready, "/livez")[0]) == (503, 200)
