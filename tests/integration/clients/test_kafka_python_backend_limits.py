"""What only the kafka-python backend refuses, and its explicit positioning, on the real broker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import Consumer, Producer, TopicPartition, TopicPartitionOffset
from kafka_client.errors import FeatureNotSupportedError
from kafka_client.testing.pytest_plugin import KafkaBroker


@pytest.fixture
def settings(kafka_broker: KafkaBroker) -> dict[str, Any]:
    return {"bootstrap_servers": kafka_broker.bootstrap_servers, "backend": "kafka-python"}


def test_null_header_values_and_empty_records_are_refused_with_the_way_out(
    settings: dict[str, Any], kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic()
    with Producer(settings, observers=[]) as producer:
        with pytest.raises(FeatureNotSupportedError) as null_header:
            producer.send(topic, b"v", headers=[("trace", None)])
        with pytest.raises(FeatureNotSupportedError) as empty:
            producer.send(topic, None)
        sent = producer.send(topic, b"kept", headers=[("trace", b"")]).result(timeout=30)
    assert "null header values" in str(null_header.value)
    assert "send b'' instead of None, or use the confluent backend" in str(null_header.value)
    assert "a record with neither key nor value" in str(empty.value)
    assert "give it a key, or use the confluent backend" in str(empty.value)
    assert sent.offset == 0  # the refused ones never reached the broker


def test_assign_at_an_offset_seek_and_batches_after_a_poll(
    settings: dict[str, Any], kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic()
    with Producer(settings, observers=[]) as producer:
        for i in range(6):
            producer.send(topic, f"m{i}".encode())
        assert producer.flush(30) == 0
    partition = TopicPartition(topic, 0)
    with Consumer(settings, group_id=f"{topic}-reader", commit_strategy="manual", observers=[]) as consumer:
        consumer.assign([TopicPartitionOffset(topic, 0, 3)])
        first = consumer.poll(10.0)
        assert first is not None
        assert (first.offset, first.value) == (3, b"m3")
        rest = consumer.consume_batch(10, timeout=5.0)  # what the poll fetched along is served first
        assert [m.offset for m in rest] == [4, 5]
        consumer.seek(partition, 1)
        again = consumer.poll(10.0)
        assert again is not None
        assert (again.offset, again.value) == (1, b"m1")


def test_a_topic_created_just_before_subscribing_is_assigned_at_once(
    settings: dict[str, Any], kafka_broker: KafkaBroker
) -> None:
    """kafka-python assigns only partitions its metadata knows and refreshes it every 5 minutes: the
    backend waits for a new topic's partitions before joining (it went unassigned in CI runs before)."""
    from kafka_client.admin import KafkaAdmin, NewTopicSpec

    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers) as admin:
        for attempt in range(3):
            topic = f"fresh-{uuid.uuid4().hex[:10]}"
            admin.create_topics([NewTopicSpec(topic, partitions=3)])
            with Producer(settings, observers=[]) as producer:
                for p in range(3):
                    producer.send(topic, f"{attempt}-{p}".encode(), partition=p)
                assert producer.flush(30) == 0
            with Consumer(settings, group_id=f"g-{topic}", topics=[topic], observers=[]) as consumer:
                got: list[bytes] = []
                deadline = time.monotonic() + 30
                while len(got) < 3 and time.monotonic() < deadline:
                    got.extend(m.value for m in consumer.consume_batch(10, 0.5))
            assert sorted(got) == [f"{attempt}-{p}".encode() for p in range(3)]
