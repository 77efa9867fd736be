"""``Producer.produce()`` and ``AsyncProducer.produce()``, the fire-and-forget path, on every backend:
nothing lost, failures reported, metrics counting exactly what was delivered, correlation IDs still
travelling."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import AsyncProducer, Consumer, KafkaClientError, Message, Producer, TopicError
from kafka_client.config import KafkaClientSettings
from kafka_client.errors import ConfigError, QueueFullError
from kafka_client.observability import MetricsObserver
from kafka_client.observability.correlation import correlation_scope
from kafka_client.observability.metrics import names

COUNT = 2000


def _drain(consumer: Consumer[Any, Any], expected: int, timeout: float = 60.0) -> list[Message[Any, Any]]:
    got: list[Message[Any, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        got.extend(consumer.consume_batch(1000, 0.5))
    return got


def _settings(base: dict[str, Any], **extra: Any) -> KafkaClientSettings:
    return KafkaClientSettings(**base, client_id=f"ff-{uuid.uuid4().hex[:8]}", **extra)


@pytest.mark.parametrize("reports", ["all", "errors"])
def test_every_fired_message_arrives_once_and_is_counted(
    settings: dict[str, Any],
    kafka_topic: Callable[..., str],
    group_id: Callable[[], str],
    reports: str,
) -> None:
    topic = kafka_topic(partitions=3)
    client = _settings(
        settings,
        producer={"delivery_reports": reports},
        observability={"statistics_interval_ms": 100},
    )
    metrics = MetricsObserver(client, "producer")
    errors: list[KafkaClientError] = []
    with Producer(client, observers=[metrics], on_error=errors.append) as producer:
        for i in range(COUNT):
            # the fastest path (bytes, nothing else) and the general one (a key, a header) interleaved
            if i % 2:
                producer.produce(topic, f"v{i}".encode())
            else:
                producer.produce(topic, f"v{i}".encode(), key=b"k", headers={"seq": str(i)})
        assert producer.flush(30) == 0
        client_id = client.client_id
        deadline = time.monotonic() + 20
        delivered = None
        while time.monotonic() < deadline:  # with error-only reports, "delivered" comes from statistics
            delivered = metrics.snapshot().value(names.PRODUCER_MESSAGES_DELIVERED, (client_id, topic))
            if delivered == COUNT:
                break
            time.sleep(0.1)
        assert delivered == COUNT
    assert errors == []
    with Consumer(settings, group_id=group_id(), topics=[topic]) as consumer:
        messages = _drain(consumer, COUNT)
    assert sorted(m.value for m in messages) == sorted(f"v{i}".encode() for i in range(COUNT))
    headed = [m for m in messages if m.headers]
    assert len(headed) == COUNT // 2
    assert all(m.key == b"k" and m.value == b"v" + dict(m.headers)["seq"] for m in headed)


def test_a_fired_message_that_cannot_be_delivered_reaches_on_error_and_the_metrics(
    settings: dict[str, Any], kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(partitions=1)
    client = _settings(
        settings,
        producer={"delivery_timeout_ms": 5000, "request_timeout_ms": 4000, "delivery_reports": "errors"},
    )
    metrics = MetricsObserver(client, "producer")
    errors: list[KafkaClientError] = []
    with Producer(client, observers=[metrics], on_error=errors.append) as producer:
        try:
            producer.produce(topic, b"lost?", partition=7)
        except TopicError:
            return  # refused at once (kafka-python checks partitions): also explicit and typed
        producer.produce(topic, b"fine")
        assert producer.flush(30) == 0
    assert len(errors) == 1
    assert topic in str(errors[0])
    failed = metrics.snapshot().values.get(names.PRODUCER_MESSAGES_FAILED, {})
    assert sum(failed.values()) == 1
    assert {labels[1] for labels in failed} == {topic}


def test_send_refuses_when_only_errors_are_reported(settings: dict[str, Any], kafka_topic: Any) -> None:
    if settings["backend"] != "confluent":
        # kafka-python and the memory backend report every delivery whatever the setting: send() works
        with Producer(settings, producer={"delivery_reports": "errors"}) as producer:
            assert producer.send(kafka_topic(), b"x").result(30).offset == 0
        return
    with Producer(settings, producer={"delivery_reports": "errors"}) as producer:
        with pytest.raises(ConfigError, match=r"producer\.delivery_reports") as caught:
            producer.send(kafka_topic(), b"x")
        assert "produce()" in str(caught.value)


def test_the_correlation_id_of_the_scope_travels_with_fired_messages(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic = kafka_topic()
    with Producer(settings) as producer:
        producer.produce(topic, b"outside")
        with correlation_scope("order-42"):
            producer.produce(topic, b"inside")
        assert producer.flush(30) == 0
    with Consumer(settings, group_id=group_id(), topics=[topic]) as consumer:
        messages = _drain(consumer, 2)
    headers = {m.value: dict(m.headers or []) for m in messages}
    assert headers[b"inside"] == {"correlation-id": b"order-42"}
    assert headers[b"outside"] == {}


def test_a_closed_producer_refuses_fired_messages(settings: dict[str, Any], kafka_topic: Any) -> None:
    producer: Producer[Any, Any] = Producer(settings)
    producer.close()
    with pytest.raises(KafkaClientError, match="closed"):
        producer.produce(kafka_topic(), b"late")


@pytest.mark.parametrize("reports", ["all", "errors"])
async def test_async_fired_messages_arrive_once_in_order_through_a_full_queue(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str], reports: str
) -> None:
    """AsyncProducer.produce(): a queue of 50 messages overflows at once, so most of the 2,000 wait in the
    backlog (``block`` policy) without blocking the loop, and still arrive once, in the order produced."""
    topic = kafka_topic(partitions=1)
    client = _settings(
        settings,
        producer={"delivery_reports": reports, "queue_buffering_max_messages": 50},
        observability={"statistics_interval_ms": 100},
    )
    metrics = MetricsObserver(client, "producer")
    errors: list[KafkaClientError] = []
    ticks = 0

    async def ticker() -> None:  # proves the loop keeps running while messages wait for room
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async with AsyncProducer(client, observers=[metrics], on_error=errors.append) as producer:
        task = asyncio.create_task(ticker())
        for i in range(COUNT):
            if i % 2:
                producer.produce(topic, f"v{i}".encode())
            else:
                producer.produce(topic, f"v{i}".encode(), key=b"k", headers={"seq": str(i)})
        assert await producer.flush(60) == 0
        task.cancel()
        deadline = time.monotonic() + 20
        delivered = None
        while time.monotonic() < deadline:
            delivered = metrics.snapshot().value(names.PRODUCER_MESSAGES_DELIVERED, (client.client_id, topic))
            if delivered == COUNT:
                break
            await asyncio.sleep(0.1)
        assert delivered == COUNT
    assert errors == []
    assert ticks > 0
    with Consumer(settings, group_id=group_id(), topics=[topic]) as consumer:
        messages = _drain(consumer, COUNT)
    assert [m.value for m in messages] == [f"v{i}".encode() for i in range(COUNT)]


async def test_async_fired_messages_fail_fast_with_the_raise_policy_and_after_close(
    settings: dict[str, Any], kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic()
    client = _settings(settings, producer={"queue_buffering_max_messages": 5, "queue_full_policy": "raise"})
    producer: AsyncProducer[Any, Any] = AsyncProducer(client)
    for _ in range(5):
        producer.produce(topic, b"x")
    if settings["backend"] != "kafka-python":
        # the sixth finds the queue full; kafka-python bounds its buffer in bytes (buffer_memory) instead
        with pytest.raises(QueueFullError):
            producer.produce(topic, b"x")
    assert await producer.flush(30) == 0
    await producer.close()
    with pytest.raises(KafkaClientError, match="closed"):
        producer.produce(topic, b"late")
