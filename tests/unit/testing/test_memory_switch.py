"""The ``backend: memory`` switch: unchanged client code runs on the registered in-memory cluster."""

from __future__ import annotations

from typing import Any

import pytest

from kafka_client import Consumer, Producer
from kafka_client.testing.memory import MemoryCluster


def test_clients_built_from_env_settings_land_in_the_memory_cluster(
    memory_cluster: MemoryCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_BACKEND", "memory")
    monkeypatch.setenv("KAFKA_CLIENT_BOOTSTRAP_SERVERS", "memory:9092")
    monkeypatch.setenv("KAFKA_CLIENT_CONSUMER__GROUP_ID", "billing")
    memory_cluster.create_topic("orders", partitions=2)

    with Producer(value_serializer="json") as producer:  # no code mentions the memory backend
        metas = [producer.send("orders", {"n": i}, key=str(i).encode()).result(5) for i in range(6)]
    assert producer.backend_name == "memory"
    got: list[Any] = []
    with Consumer(topics=["orders"], value_deserializer="json") as consumer:
        while len(got) < 6:
            got.extend(m.value["n"] for m in consumer.consume_batch(10, 1.0))
    assert sorted(got) == list(range(6))
    ends = memory_cluster.end_offsets("orders")
    assert sum(ends.values()) == 6
    for meta in metas:
        assert (
            memory_cluster.records("orders", meta.partition)[meta.offset].key
            == str(metas.index(meta)).encode()
        )
    assert {p: memory_cluster.committed("billing", "orders", p) for p in ends} == ends


def test_transactional_id_from_settings_reaches_the_memory_backend(memory_cluster: MemoryCluster) -> None:
    settings = {
        "bootstrap_servers": "memory:9092",
        "backend": "memory",
        "producer": {"transactional_id": "tx-1"},
    }
    with Producer(settings) as producer, producer.transaction():
        producer.send("audit", b"one")
    assert [r.value for r in memory_cluster.records("audit", isolation_level="read_committed")] == [b"one"]
