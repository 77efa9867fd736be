"""On the real broker, both backends: the producer's correlation ID is in the consumer's logs; the Kafka
libraries' debug logs go through the pipeline, and a SASL password never appears in them."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog

from kafka_client import Consumer, Message, Producer, TopicPartition
from kafka_client.config import KafkaClientSettings
from kafka_client.observability import correlation_scope
from kafka_client.observability.logging import LIBRDKAFKA_LOGGER, LoggingObserver, configure_logging
from kafka_client.testing.pytest_plugin import KafkaBroker

BACKENDS = ["confluent", "kafka-python"]


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = ("kafka_client", LIBRDKAFKA_LOGGER, "kafka")
    levels = {name: logging.getLogger(name).level for name in names}
    config = structlog.get_config()
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
    structlog.configure(**config)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_correlation_id_set_by_the_producer_is_in_the_consumers_logs(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], backend: str, logs: io.StringIO
) -> None:
    topic = kafka_topic()
    s = KafkaClientSettings(
        bootstrap_servers=kafka_broker.bootstrap_servers,
        backend=backend,
        client_id=f"billing-{backend}",
        consumer={"group_id": f"logging-{uuid.uuid4().hex[:8]}"},
    )
    with Producer(s, observers=[LoggingObserver(s, "producer")]) as producer, correlation_scope("order-7781"):
        meta = producer.send(topic, b"order").result(30)

    def handle(message: Message[Any, Any]) -> None:
        structlog.get_logger("billing").info("invoice created")

    with Consumer(s, observers=[LoggingObserver(s, "consumer")]) as consumer:
        consumer.assign([TopicPartition(topic, meta.partition)])  # no group join to wait for
        assert consumer.run(handle, max_messages=1, idle_timeout=60) == 1
    (line,) = [line for line in _lines(logs) if line["event"] == "invoice created"]
    assert (line["correlation_id"], line["topic"], line["partition"], line["offset"], line["client_id"]) == (
        "order-7781",
        topic,
        meta.partition,
        meta.offset,
        f"billing-{backend}",
    )


@pytest.mark.embedded_only
@pytest.mark.parametrize("backend", BACKENDS)
def test_debug_logs_of_a_sasl_client_never_contain_its_password(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], backend: str, logs: io.StringIO
) -> None:
    topic = kafka_topic()
    connection = kafka_broker.client_settings("SASL_PLAINTEXT", user="admin", mechanism="SCRAM-SHA-512")
    password = connection["security"]["sasl"]["password"]
    # `native.debug` as well: librdkafka reads its debug contexts from its own configuration.
    native = {"debug": "all"} if backend == "confluent" else {}
    s = KafkaClientSettings(
        **connection,
        backend=backend,
        consumer={"group_id": f"sasl-{uuid.uuid4().hex[:8]}"},
        observability={"debug": ["all"], "log_level": "DEBUG"},
        native=native,
    )
    with Producer(s, observers=[LoggingObserver(s, "producer")]) as producer:
        producer.send(topic, b"v").result(30)
    with Consumer(s, topics=[topic], observers=[LoggingObserver(s, "consumer")]) as consumer:
        assert consumer.run(lambda m: None, max_messages=1, idle_timeout=60) == 1
    output = logs.getvalue()
    library = LIBRDKAFKA_LOGGER if backend == "confluent" else "kafka"
    debug_lines = [line for line in _lines(logs) if line["logger"].startswith(library)]
    assert len(debug_lines) > 20  # the library's debug logs did come through
    assert any("SCRAM" in line["event"] or "SASL" in line["event"] for line in debug_lines)
    assert password not in output
