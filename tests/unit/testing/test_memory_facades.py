"""The documented usage: the real Producer and Consumer facades running on MemoryCluster backends."""

from __future__ import annotations

import pytest

from kafka_client.consumer import Consumer
from kafka_client.errors import DeliveryError
from kafka_client.producer import Producer
from kafka_client.testing.memory import MemoryCluster


def test_producer_and_consumer_facades_run_unchanged_on_the_memory_cluster() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=3)
    with Producer(
        bootstrap_servers="memory:9092", value_serializer="json", transport=cluster.producer_backend()
    ) as producer:
        metas = [producer.send("orders", {"id": i}, key=b"customer-7").result(timeout=5) for i in range(3)]
    assert [(m.partition, m.offset) for m in metas] == [(1, 0), (1, 1), (1, 2)]  # murmur2("customer-7") % 3

    with Consumer(
        bootstrap_servers="memory:9092",
        group_id="billing",
        topics=["orders"],
        value_deserializer="json",
        transport=cluster.consumer_backend("billing"),
    ) as consumer:
        received = []
        while len(received) < 3 and (message := consumer.poll(1.0)) is not None:
            received.append(message.value)
    assert received == [{"id": 0}, {"id": 1}, {"id": 2}]
    assert cluster.committed("billing", "orders", 1) == 3  # committed on close


def test_an_injected_delivery_failure_reaches_the_future() -> None:
    cluster = MemoryCluster()
    cluster.fail_next_deliveries(1)
    with Producer(bootstrap_servers="memory:9092", transport=cluster.producer_backend()) as producer:
        future = producer.send("orders", b"x")
        with pytest.raises(DeliveryError, match="injected"):
            future.result(timeout=5)
        assert producer.send("orders", b"y").result(timeout=5).offset == 0


def test_a_transaction_through_the_producer_facade() -> None:
    cluster = MemoryCluster()
    with Producer(
        bootstrap_servers="memory:9092",
        producer={"transactional_id": "tx-1"},
        transport=cluster.producer_backend(transactional_id="tx-1"),
    ) as producer:
        with producer.transaction():
            producer.send("out", b"a")
            producer.send("out", b"b")

        def failing_handler() -> None:
            with producer.transaction():
                producer.send("out", b"never")
                raise RuntimeError("handler failed")

        with pytest.raises(RuntimeError, match="handler failed"):
            failing_handler()
    assert [r.value for r in cluster.records("out", isolation_level="read_committed")] == [b"a", b"b"]
    # "never" was either still queued (purged by the abort) or written and then marked aborted
    assert [r.value for r in cluster.records("out")][:2] == [b"a", b"b"]
