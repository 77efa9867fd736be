"""Shared helpers for the admin tests on the session broker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import Consumer, KafkaClientError, Producer, TopicError, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker


@pytest.fixture
def admin(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers, timeout=30) as client:
        yield client


@pytest.fixture
def group_id() -> Callable[[], str]:
    return lambda: f"admin-test-{uuid.uuid4().hex[:10]}"


def produce(bootstrap: str, topic: str, count: int, partitions: int) -> None:
    """``count`` messages spread round-robin over ``partitions``, all acknowledged."""
    with Producer(bootstrap_servers=bootstrap) as producer:
        futures = [producer.send(topic, f"m{i}".encode(), partition=i % partitions) for i in range(count)]
        for future in futures:
            future.result(timeout=30)


def wait_for_assignment(consumer: Consumer[bytes, bytes], partitions: int, timeout: float = 30.0) -> None:
    """Poll (reading, never committing) until the member owns ``partitions`` partitions."""
    deadline = time.monotonic() + timeout
    while len(consumer.assignment()) < partitions:
        assert time.monotonic() < deadline, f"assigned {consumer.assignment()} after {timeout} s"
        consumer.poll(0.2)


def wait_until_described(admin: KafkaAdmin, topic: str, timeout: float = 10.0) -> None:
    """The controller confirms a topic before every broker's metadata shows it: wait for the latter."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin.describe_topics([topic], timeout=timeout)
            return
        except TopicError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def kafka_topic(kafka_topic: Callable[..., str], admin: KafkaAdmin) -> Callable[..., str]:
    """The plugin's topic factory, returning once the new topic is visible in the metadata."""

    def create(*args: Any, **kwargs: Any) -> str:
        name = kafka_topic(*args, **kwargs)
        wait_until_described(admin, name)
        return name

    return create


def commit_offsets(
    bootstrap: str, group: str, offsets: list[TopicPartitionOffset], timeout: float = 30.0
) -> None:
    """Commit ``offsets`` for ``group`` without joining it, retrying while the broker's group coordinator
    is still loading (a fresh broker answers the first commits with NOT_COORDINATOR)."""
    deadline = time.monotonic() + timeout
    with Consumer(bootstrap_servers=bootstrap, group_id=group, commit_strategy="manual") as consumer:
        while True:
            try:
                consumer.commit(offsets=offsets)
                return
            except KafkaClientError as exc:
                if not exc.retriable or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
