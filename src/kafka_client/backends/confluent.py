"""The confluent-kafka backend.

This module and ``kafka_python.py`` are the only ones that import a Kafka client library.

For now it offers the topic administration the test fixtures need; the producer and consumer seams
build on it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kafka_client.errors import (
    AuthorizationError,
    BrokerUnavailableError,
    KafkaClientError,
    KafkaTimeoutError,
    MissingDependencyError,
    TopicError,
)


def _confluent() -> Any:
    try:
        import confluent_kafka
        import confluent_kafka.admin
    except ImportError as exc:
        raise MissingDependencyError("confluent-kafka", "confluent", "The confluent-kafka backend") from exc
    return confluent_kafka


@dataclass(frozen=True)
class NewTopicSpec:
    """A topic to create: name, partition count, replication factor and topic configuration."""

    name: str
    partitions: int = 1
    replication_factor: int = 1
    config: Mapping[str, str] = field(default_factory=dict)


def translate_kafka_error(error: Any, what: str) -> KafkaClientError:
    """Map a ``confluent_kafka.KafkaError`` to the kafka_client exception that says what went wrong."""
    ck = _confluent()
    code = error.code()
    text = f"{what}: {error.str()}"
    err = ck.KafkaError
    if code in (
        err.TOPIC_AUTHORIZATION_FAILED,
        err.GROUP_AUTHORIZATION_FAILED,
        err.CLUSTER_AUTHORIZATION_FAILED,
        err.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    ):
        return AuthorizationError(text)
    if code in (err._TIMED_OUT, err.REQUEST_TIMED_OUT):
        return KafkaTimeoutError(text)
    if code in (err._TRANSPORT, err._ALL_BROKERS_DOWN, err._RESOLVE):
        return BrokerUnavailableError(text)
    return TopicError(text)


def create_topics(config: Mapping[str, Any], topics: Sequence[NewTopicSpec], timeout: float = 30.0) -> None:
    """Create topics and wait until the controller confirms each; raise a typed error on the first failure."""
    ck = _confluent()
    admin = ck.admin.AdminClient(dict(config))
    new = [
        ck.admin.NewTopic(
            t.name,
            num_partitions=t.partitions,
            replication_factor=t.replication_factor,
            config=dict(t.config),
        )
        for t in topics
    ]
    futures = admin.create_topics(new, operation_timeout=timeout, request_timeout=timeout)
    for name, future in futures.items():
        try:
            future.result(timeout=timeout)
        except ck.KafkaException as exc:
            raise translate_kafka_error(exc.args[0], f"creating topic {name!r}") from exc


def delete_topics(config: Mapping[str, Any], names: Sequence[str], timeout: float = 30.0) -> None:
    """Delete topics and wait for the controller to confirm."""
    ck = _confluent()
    admin = ck.admin.AdminClient(dict(config))
    for name, future in admin.delete_topics(list(names), operation_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except ck.KafkaException as exc:
            raise translate_kafka_error(exc.args[0], f"deleting topic {name!r}") from exc


def produce_values(
    config: Mapping[str, Any], topic: str, values: Sequence[bytes], timeout: float = 30.0
) -> list[tuple[int, int]]:
    """Produce ``values`` in order and wait for every delivery report; return each (partition, offset).

    Raises the translated error of the first failed delivery, so nothing fails unnoticed.
    """
    ck = _confluent()
    producer = ck.Producer(dict(config))
    results: list[tuple[int, int]] = []
    failures: list[Any] = []

    def on_delivery(err: Any, msg: Any) -> None:
        if err is not None:
            failures.append(err)
        else:
            results.append((msg.partition(), msg.offset()))

    for value in values:
        producer.produce(topic, value, on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(timeout)
    if failures:
        raise translate_kafka_error(failures[0], f"producing to {topic!r}")
    if remaining:
        raise KafkaTimeoutError(f"{remaining} messages to {topic!r} were not delivered within {timeout} s")
    return results


def consume_values(config: Mapping[str, Any], topic: str, count: int, timeout: float = 30.0) -> list[bytes]:
    """Read ``count`` values from the start of ``topic`` in a consumer group, committing after reading."""
    ck = _confluent()
    consumer = ck.Consumer({"auto.offset.reset": "earliest", "enable.auto.commit": False, **config})
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        consumer.subscribe([topic])
        while len(values) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error() is not None:
                raise translate_kafka_error(msg.error(), f"consuming from {topic!r}")
            values.append(msg.value())
        if values:
            consumer.commit(asynchronous=False)
    finally:
        consumer.close()
    if len(values) < count:
        raise KafkaTimeoutError(f"read {len(values)} of {count} messages from {topic!r} within {timeout} s")
    return values
