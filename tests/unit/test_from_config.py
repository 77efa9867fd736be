"""Every client's ``from_config``: settings from YAML, the client's own options to its constructor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kafka_client import AsyncConsumer, AsyncProducer, Consumer, Producer
from kafka_client.testing.memory import MemoryCluster


@pytest.fixture
def app_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text("bootstrap_servers: memory:9092\nbackend: memory\nclient_id: from-yaml\n")
    return path


def test_producer_and_consumer_from_config(app_yaml: Path, memory_cluster: MemoryCluster) -> None:
    with Producer.from_config(
        app_yaml, value_serializer="json", observers=[], producer={"linger_ms": 7}
    ) as producer:
        assert (producer.settings.client_id, producer.settings.producer.linger_ms) == ("from-yaml", 7)
        producer.send("orders", {"n": 1}).result(5)
    got: list[Any] = []
    with Consumer.from_config(
        app_yaml, group_id="g", topics=["orders"], value_deserializer="json", commit_strategy="manual"
    ) as consumer:
        while not got:
            got.extend(m.value for m in consumer.consume_batch(10, 1.0))
    assert got == [{"n": 1}]
    assert consumer.settings.consumer.group_id == "g"


async def test_async_clients_from_config(app_yaml: Path, memory_cluster: MemoryCluster) -> None:
    async with AsyncProducer.from_config(app_yaml, key_serializer="str") as producer:
        meta = await producer.send("events", b"v", key="k")
    assert meta.offset == 0
    async with AsyncConsumer.from_config(
        app_yaml, group_id="g2", topics=["events"], fetch_batch=5
    ) as consumer:
        batch = await consumer.consume_batch(5, 2.0)
    assert [(m.key, m.value) for m in batch] == [(b"k", b"v")]
