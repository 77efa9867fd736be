"""Interop with Kafka's own tools from the broker jars: what we write, they read intact, and vice versa."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import Consumer, Message, Producer
from kafka_client.testing import EmbeddedKafka

REAL_BACKENDS = ["confluent", "kafka-python"]


@pytest.mark.parametrize("backend", REAL_BACKENDS)
def test_console_consumer_reads_our_keys_values_and_headers(
    kafka_broker: EmbeddedKafka, kafka_topic: Callable[..., str], backend: str
) -> None:
    topic = kafka_topic()
    settings = {"bootstrap_servers": kafka_broker.bootstrap_servers, "backend": backend}
    with Producer(settings, key_serializer="str", value_serializer="str") as producer:
        producer.send(topic, "välue-1", key="k1", headers=[("h1", b"x"), ("h2", b"y")]).result(30)
        producer.send(topic, "value-2", key="k2").result(30)
    result = kafka_broker.run_tool(
        "kafka-console-consumer",
        "--topic",
        topic,
        "--from-beginning",
        "--max-messages",
        "2",
        "--formatter-property",
        "print.key=true",
        "--formatter-property",
        "print.headers=true",
        "--formatter-property",
        "key.separator=|",
        "--timeout-ms",
        "30000",
    )
    assert result.stdout.splitlines() == ["h1:x,h2:y|k1|välue-1", "NO_HEADERS|k2|value-2"]


@pytest.mark.parametrize("backend", REAL_BACKENDS)
def test_we_read_what_the_console_producer_wrote(
    kafka_broker: EmbeddedKafka, kafka_topic: Callable[..., str], backend: str
) -> None:
    topic = kafka_topic()
    kafka_broker.run_tool(
        "kafka-console-producer",
        "--topic",
        topic,
        "--reader-property",
        "parse.key=true",
        "--reader-property",
        "key.separator=|",
        "--reader-property",
        "parse.headers=true",
        input="h1:x,h2:y\tk1|hello\nh3:z\tk2|wörld\n",
    )
    settings = {"bootstrap_servers": kafka_broker.bootstrap_servers, "backend": backend}
    got: list[Message[Any, Any]] = []
    with Consumer(
        settings,
        group_id=f"interop-{uuid.uuid4().hex[:6]}",
        topics=[topic],
        key_deserializer="str",
        value_deserializer="str",
    ) as consumer:
        deadline = time.monotonic() + 30
        while len(got) < 2 and time.monotonic() < deadline:
            got.extend(consumer.consume_batch(10, 0.5))
    assert [(m.key, m.value, m.headers) for m in got] == [
        ("k1", "hello", [("h1", b"x"), ("h2", b"y")]),
        ("k2", "wörld", [("h3", b"z")]),
    ]
