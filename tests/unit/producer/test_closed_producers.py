"""A closed producer refuses every way of sending, sync and async, with the same typed error (the in-memory
backend stands in for the broker: what is tested is the facades' refusal, not Kafka)."""

from __future__ import annotations

import pytest

from kafka_client import AsyncProducer, KafkaClientError, Producer
from kafka_client.testing.memory import MemoryCluster


def _cluster() -> MemoryCluster:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=1)
    return cluster


def test_a_closed_sync_producer_refuses_send_and_produce() -> None:
    cluster = _cluster()
    producer: Producer[bytes, bytes] = Producer(
        bootstrap_servers="memory:9092", transport=cluster.producer_backend(), observers=[]
    )
    assert producer.send("orders", b"before").result(5).offset == 0
    producer.close()
    for send in (producer.send, producer.produce):
        with pytest.raises(KafkaClientError, match="closed"):
            send("orders", b"late")
    assert [r.value for r in cluster.records("orders")] == [b"before"]


async def test_a_closed_async_producer_refuses_send_and_produce() -> None:
    cluster = _cluster()
    producer: AsyncProducer[bytes, bytes] = AsyncProducer(
        bootstrap_servers="memory:9092", transport=cluster.producer_backend(), observers=[]
    )
    assert (await producer.send("orders", b"before")).offset == 0
    await producer.close()
    for send in (producer.send, producer.produce):
        with pytest.raises(KafkaClientError, match="closed"):
            send("orders", b"late")
    assert [r.value for r in cluster.records("orders")] == [b"before"]
