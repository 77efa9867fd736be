"""kafka-top on the real (embedded) broker: an app wired to it, and a group with a known lag."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import Consumer, KafkaClientError, Producer, TopicError, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin
from kafka_client.config import load_settings
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_top.app import KafkaTopApp
from kafka_top.contexts import ContextSet
from kafka_top.service import ClusterService


@pytest.fixture
def admin(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers, timeout=30) as client:
        yield client


@pytest.fixture
def kafka_topic(kafka_topic: Callable[..., str], admin: KafkaAdmin) -> Callable[..., str]:
    """The plugin's topic factory, returning once every broker's metadata shows the topic."""

    def create(*args: Any, **kwargs: Any) -> str:
        name = kafka_topic(*args, **kwargs)
        deadline = time.monotonic() + 10
        while True:
            try:
                admin.describe_topics([name])
                return name
            except TopicError:
                assert time.monotonic() < deadline, f"{name} never became visible"
                time.sleep(0.05)

    return create


class FrozenClock:
    """The wall clock kafka-top reads, standing still until a test moves it (lag seconds become exact
    numbers)."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(
    settings: dict[str, Any],
    *,
    read_only: bool = False,
    timeout: float = 10.0,
    clock: Callable[[], float] | None = None,
) -> KafkaTopApp:
    """kafka-top on the broker, refreshing only when asked, its clock frozen unless ``clock`` is given."""
    return KafkaTopApp(
        ContextSet.single(load_settings(**settings), "it"),
        read_only=read_only,
        refresh_s=0,
        service_factory=lambda context: ClusterService(context.settings, timeout=timeout),
        clock=clock or FrozenClock(),
    )


def commit(bootstrap: str, group: str, topic: str, offset: int, metadata: str | None = None) -> None:
    """Commit ``offset`` of ``topic``[0] for ``group`` (no member joins), retrying while the coordinator
    loads."""
    with Consumer(bootstrap_servers=bootstrap, group_id=group, commit_strategy="manual") as consumer:
        deadline = time.monotonic() + 30
        while True:
            try:
                consumer.commit(offsets=[TopicPartitionOffset(topic, 0, offset, metadata)])
                return
            except KafkaClientError as exc:
                if not exc.retriable or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def produce(bootstrap: str, topic: str, count: int, partitions: int) -> None:
    """``count`` messages spread round-robin over ``partitions``, all acknowledged."""
    with Producer(bootstrap_servers=bootstrap) as producer:
        futures = [producer.send(topic, f"m{i}".encode(), partition=i % partitions) for i in range(count)]
        for future in futures:
            future.result(timeout=30)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def lagging_group(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> Iterator[tuple[str, str, Consumer[Any, Any]]]:
    """30 messages over 3 partitions (10 each) and a live member that committed 4 + 8 + 0 = 12: lag 18."""
    topic = kafka_topic(3)
    group = unique("top-lag")
    produce(kafka_broker.bootstrap_servers, topic, 30, 3)
    with Consumer(
        bootstrap_servers=kafka_broker.bootstrap_servers,
        client_id="top-client",
        group_id=group,
        topics=[topic],
        commit_strategy="manual",
    ) as consumer:
        deadline = time.monotonic() + 30
        while len(consumer.assignment()) < 3:
            assert time.monotonic() < deadline, "the member was never assigned all 3 partitions"
            consumer.poll(0.2)
        offsets = [
            TopicPartitionOffset(topic, 0, 4),
            TopicPartitionOffset(topic, 1, 8),
            TopicPartitionOffset(topic, 2, 0),
        ]
        while True:
            try:
                consumer.commit(offsets=offsets)
                break
            except KafkaClientError as exc:
                if not exc.retriable or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield topic, group, consumer
