"""The resilience tests run on the session broker with each real backend (and the memory one where the
point is that the test double behaves the same)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import Consumer, Producer, TopicPartition
from kafka_client.testing.memory import memory_cluster, reset_memory_clusters
from kafka_client.testing.pytest_plugin import KafkaBroker


@pytest.fixture(params=["confluent", "kafka-python", "memory"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(kafka_broker: KafkaBroker, backend: str) -> Iterator[dict[str, Any]]:
    if backend != "memory":
        yield {"bootstrap_servers": kafka_broker.bootstrap_servers, "backend": backend}
        return
    reset_memory_clusters()
    yield {"bootstrap_servers": "memory:9092", "backend": "memory"}
    reset_memory_clusters()


@pytest.fixture
def topics(kafka_topic: Callable[..., str], settings: dict[str, Any]) -> Callable[..., tuple[str, str]]:
    """A factory: ``topics(partitions)`` creates a topic and its ``<topic>.dlq``, returns both names."""

    def create(partitions: int = 1, dlq_partitions: int = 1) -> tuple[str, str]:
        topic = kafka_topic(partitions)
        dlq = kafka_topic(dlq_partitions, name=f"{topic}.dlq")
        if settings["backend"] == "memory":
            cluster = memory_cluster(settings["bootstrap_servers"])
            cluster.create_topic(topic, partitions)
            cluster.create_topic(dlq, dlq_partitions)
        return topic, dlq

    return create


@pytest.fixture
def group_id() -> str:
    return f"resilience-{uuid.uuid4().hex[:10]}"


def produce(
    settings: dict[str, Any], topic: str, items: list[tuple[bytes | None, bytes | None]], **kw: Any
) -> None:
    """Send (key, value) pairs in order, each acknowledged."""
    with Producer(settings) as producer:
        futures = [producer.send(topic, value, key=key, **kw) for key, value in items]
        for future in futures:
            future.result(timeout=30)


def read_all(settings: dict[str, Any], topic: str, count: int, timeout: float = 30.0) -> list[Any]:
    """``count`` records of ``topic`` (raw), read from the start with a throwaway group, never committed."""
    import time

    got: list[Any] = []
    with Consumer(
        settings, group_id=f"reader-{uuid.uuid4().hex[:8]}", topics=[topic], commit_strategy="manual"
    ) as c:
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            got.extend(c.consume_batch(500, 0.5))
        time.sleep(0.2)
        got.extend(c.consume_batch(500, 0.2))  # anything beyond count would show up here
    return sorted(got, key=lambda r: (r.partition, r.offset))


def subscribed(
    settings: dict[str, Any], group: str, topic: str, partitions: int = 1, **kwargs: Any
) -> Consumer[Any, Any]:
    """A consumer in ``group`` subscribed to ``topic``, whose client already knows the topic's partitions.

    kafka-python may join a group before its first metadata response for a just-created topic and then
    hold an empty assignment until its next metadata refresh (minutes); asking for the watermarks first
    loads the topic's metadata, so the first join sees every partition.
    """
    consumer: Consumer[Any, Any] = Consumer(settings, group_id=group, **kwargs)
    for p in range(partitions):
        consumer.watermarks(TopicPartition(topic, p))
    consumer.subscribe([topic])
    return consumer


def committed(settings: dict[str, Any], group: str, tp: TopicPartition) -> int | None:
    with Consumer(settings, group_id=group, commit_strategy="manual") as probe:
        return probe.committed([tp])[tp]
