"""DeadLetterQueue on the in-memory cluster: exact headers, untouched bytes, acknowledged writes, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kafka_client import AsyncProducer, AuthorizationError, Consumer, Message, Producer
from kafka_client.errors import ConfigError, DeserializationError
from kafka_client.resilience import DeadLetterQueue, DeadLetterQueueError
from kafka_client.testing.memory import MemoryCluster

FAILED_AT = dt.datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)


def _message(**overrides: Any) -> Message[Any, Any]:
    fields: dict[str, Any] = {
        "topic": "orders",
        "partition": 2,
        "offset": 41,
        "key": {"decoded": "key"},
        "value": {"decoded": "value"},
        "headers": [("traceparent", b"00-abc-def-01"), ("empty", None)],
        "timestamp_ms": 1_700_000_000_123,
        "raw_key": b"customer-7",
        "raw_value": b'{"amount": "12.5x"}',
    }
    fields.update(overrides)
    return Message(**fields)


def _failure() -> ValueError:
    try:
        raise ValueError("bad amount: '12.5x'")
    except ValueError as exc:
        return exc


def test_the_dead_letter_is_the_original_bytes_with_every_error_header(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    dlq = DeadLetterQueue(dlq_producer, clock=lambda: FAILED_AT)
    meta = dlq.send(_message(), _failure(), attempts=3, group_id="billing")

    assert (meta.topic, meta.partition, meta.offset) == ("orders.dlq", 0, 0)
    [letter] = memory_cluster.records("orders.dlq")
    assert (letter.key, letter.value) == (b"customer-7", b'{"amount": "12.5x"}')
    headers = letter.headers
    traceback = dict(headers)["kafka-client-dlq-exception-traceback"]
    assert traceback is not None
    assert traceback.decode().splitlines()[-1] == "ValueError: bad amount: '12.5x'"
    assert [(k, v) for k, v in headers if k != "kafka-client-dlq-exception-traceback"] == [
        ("traceparent", b"00-abc-def-01"),
        ("empty", None),
        ("kafka-client-dlq-original-topic", b"orders"),
        ("kafka-client-dlq-original-partition", b"2"),
        ("kafka-client-dlq-original-offset", b"41"),
        ("kafka-client-dlq-original-timestamp", b"1700000000123"),
        ("kafka-client-dlq-exception-type", b"ValueError"),
        ("kafka-client-dlq-exception-message", b"bad amount: '12.5x'"),
        ("kafka-client-dlq-attempts", b"3"),
        ("kafka-client-dlq-consumer-group", b"billing"),
        ("kafka-client-dlq-failed-at", b"2025-01-02T03:04:05.678+00:00"),
        ("kafka-client-dlq-stage", b"handler"),
    ]
    assert dlq.sent == 1


def test_long_messages_and_tracebacks_are_cut_and_optional_headers_left_out(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    def deep(n: int) -> None:
        if n == 0:
            raise RuntimeError("x" * 5000)
        deep(n - 1)

    try:
        deep(30)
    except RuntimeError as exc:
        error = exc
    dlq = DeadLetterQueue(dlq_producer, include_traceback_lines=5)
    dlq.send(_message(timestamp_ms=None, headers=[]), error, attempts=1, group_id=None)
    headers = dict(memory_cluster.records("orders.dlq")[0].headers)
    message = headers["kafka-client-dlq-exception-message"]
    assert message is not None
    assert len(message) == 1000
    assert message.endswith(b"...")
    traceback = headers["kafka-client-dlq-exception-traceback"]
    assert traceback is not None
    assert len(traceback.decode().splitlines()) == 5
    assert "kafka-client-dlq-consumer-group" not in headers
    assert "kafka-client-dlq-original-timestamp" not in headers


def test_no_traceback_header_when_asked_for_none(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    DeadLetterQueue(dlq_producer, include_traceback_lines=0).send(_message(), _failure(), 1, "g")
    assert "kafka-client-dlq-exception-traceback" not in dict(memory_cluster.records("orders.dlq")[0].headers)


def test_a_poison_pill_says_which_field_failed(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    error = DeserializationError("cannot decode", topic="orders", partition=2, offset=41, field="value")
    DeadLetterQueue(dlq_producer).send(_message(), error, 0, "g", stage="deserialization")
    headers = dict(memory_cluster.records("orders.dlq")[0].headers)
    assert headers["kafka-client-dlq-stage"] == b"deserialization"
    assert headers["kafka-client-dlq-error-field"] == b"value"
    assert headers["kafka-client-dlq-exception-type"] == b"kafka_client.errors.DeserializationError"
    assert headers["kafka-client-dlq-attempts"] == b"0"


def test_the_topic_template_can_name_one_shared_topic_or_use_the_partition(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    assert DeadLetterQueue(dlq_producer, "dead-letters").topic_for(_message()) == "dead-letters"
    assert DeadLetterQueue(dlq_producer, "{topic}-p{partition}.dlq").topic_for(_message()) == "orders-p2.dlq"


def test_bad_construction_is_a_config_error_listing_every_problem(settings: dict[str, Any]) -> None:
    with Producer(settings, value_serializer="json") as serializing, pytest.raises(ConfigError) as raised:
        DeadLetterQueue(serializing, "{nope}", include_traceback_lines=-1)
    assert [p.path for p in raised.value.problems] == [
        "producer",
        "topic_template",
        "include_traceback_lines",
    ]
    with pytest.raises(ConfigError, match="must be a kafka_client Producer"):
        DeadLetterQueue(object())  # type: ignore[arg-type]


def test_a_failed_write_raises_with_the_cause_and_where_the_message_was(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    memory_cluster.fail_next_deliveries(
        1, AuthorizationError("TOPIC_AUTHORIZATION_FAILED"), topic="orders.dlq"
    )
    with pytest.raises(DeadLetterQueueError, match=r"orders\[2\]@41 .* 'orders.dlq'") as raised:
        DeadLetterQueue(dlq_producer).send(_message(), _failure(), 1, "g")
    assert isinstance(raised.value.__cause__, AuthorizationError)
    assert (raised.value.topic, raised.value.partition, raised.value.offset) == ("orders", 2, 41)
    assert not raised.value.retriable
    assert memory_cluster.records("orders.dlq") == []


def test_the_write_itself_can_be_retried(
    memory_cluster: MemoryCluster, dlq_producer: Producer[Any, Any]
) -> None:
    from kafka_client.resilience import RetryPolicy

    memory_cluster.fail_next_deliveries(2, topic="orders.dlq")  # retriable timeouts
    dlq = DeadLetterQueue(dlq_producer, retry=RetryPolicy(max_attempts=3, initial_backoff_s=0.001))
    assert dlq.send(_message(), _failure(), 1, "g").offset == 0
    assert len(memory_cluster.records("orders.dlq")) == 1


async def test_send_async_with_an_async_producer_and_with_a_sync_one(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    async with AsyncProducer(settings) as producer:
        dlq = DeadLetterQueue(producer)
        meta = await dlq.send_async(_message(), _failure(), 2, "g")
        with pytest.raises(ConfigError, match="send_async"):
            dlq.send(_message(), _failure(), 2, "g")
    assert meta.offset == 0
    await DeadLetterQueue(dlq_producer).send_async(_message(offset=42), _failure(), 2, "g")
    offsets = [
        dict(r.headers)["kafka-client-dlq-original-offset"] for r in memory_cluster.records("orders.dlq")
    ]
    assert offsets == [b"41", b"42"]


async def test_send_async_failure_raises_the_dlq_error(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.fail_next_deliveries(1, AuthorizationError("denied"), topic="orders.dlq")
    async with AsyncProducer(settings) as producer:
        with pytest.raises(DeadLetterQueueError):
            await DeadLetterQueue(producer).send_async(_message(), _failure(), 1, "g")


def test_consumed_messages_keep_raw_bytes_for_the_dlq(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.inject_record("orders", 0, b"k", b'{"a": 1}')
    with Consumer(settings, group_id="g", topics=["orders"], value_deserializer="json") as consumer:
        message = None
        while message is None:
            message = consumer.poll(1.0)
    assert (message.value, message.raw_value) == ({"a": 1}, b'{"a": 1}')
