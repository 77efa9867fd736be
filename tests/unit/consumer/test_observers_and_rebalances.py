"""The consumer core's contract with observers and rebalance hooks, on the in-memory cluster.

An observer is somebody else's code running inside the poll loop: when one raises, consuming and
committing must go on, and the failure must be logged (not swallowed silently).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from kafka_client import TopicPartition, TopicPartitionOffset
from kafka_client.consumer import Consumer
from kafka_client.errors import (
    CommitError,
    ConfigError,
    ConsumerError,
    DeserializationError,
    KafkaClientError,
)
from kafka_client.testing.memory import MemoryCluster

TOPIC = "orders"


class Recorder:
    """An observer recording every hook call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def on_consume(self, messages: Sequence[Any]) -> None:
        self.calls.append(("consume", [m.offset for m in messages]))

    def on_commit(self, offsets: Sequence[TopicPartitionOffset], error: Any, seconds: float) -> None:
        self.calls.append(("commit", [(o.partition, o.offset) for o in offsets], type(error).__name__))

    def on_rebalance(self, kind: str, partitions: list[TopicPartition]) -> None:
        self.calls.append(("rebalance", kind, sorted(p.partition for p in partitions)))

    def on_error(self, error: KafkaClientError) -> None:
        self.calls.append(("error", type(error).__name__, str(error)))


class Raising:
    """An observer whose every hook raises."""

    def on_consume(self, messages: Sequence[Any]) -> None:
        raise RuntimeError("on_consume broke")

    def on_commit(self, offsets: Any, error: Any, seconds: float) -> None:
        raise RuntimeError("on_commit broke")

    def on_rebalance(self, kind: str, partitions: Any) -> None:
        raise RuntimeError("on_rebalance broke")

    def on_error(self, error: Any) -> None:
        raise RuntimeError("on_error broke")


def _cluster(messages: int, partitions: int = 1) -> MemoryCluster:
    cluster = MemoryCluster()
    cluster.create_topic(TOPIC, partitions=partitions)
    for i in range(messages):
        cluster.inject_record(TOPIC, i % partitions, None, str(i).encode())
    return cluster


def _consumer(cluster: MemoryCluster, group: str = "billing", **kwargs: Any) -> Consumer[Any, Any]:
    kwargs.setdefault("observers", [])
    return Consumer(
        bootstrap_servers="memory:9092",
        group_id=group,
        topics=[TOPIC],
        transport=cluster.consumer_backend(group),
        **kwargs,
    )


def _poll_values(consumer: Consumer[Any, Any], n: int) -> list[Any]:
    values = []
    while len(values) < n and (message := consumer.poll(2.0)) is not None:
        values.append(message.value)
    return values


def test_observers_see_assign_fetch_and_commit_in_order() -> None:
    cluster = _cluster(3)
    recorder = Recorder()
    with _consumer(cluster, observers=[recorder]) as consumer:
        assert _poll_values(consumer, 3) == [b"0", b"1", b"2"]
    # One on_consume per fetch; on close the processed offsets are committed before the partition goes.
    assert recorder.calls == [
        ("rebalance", "assign", [0]),
        ("consume", [0]),
        ("consume", [1]),
        ("consume", [2]),
        ("commit", [(0, 3)], "NoneType"),
        ("rebalance", "revoke", [0]),
    ]
    assert cluster.committed("billing", TOPIC, 0) == 3


def test_a_raising_observer_is_logged_and_consuming_and_committing_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cluster = _cluster(2)
    recorder = Recorder()
    with (
        caplog.at_level(logging.ERROR, logger="kafka_client"),
        _consumer(cluster, observers=[Raising(), recorder]) as consumer,
    ):
        assert _poll_values(consumer, 2) == [b"0", b"1"]
    assert cluster.committed("billing", TOPIC, 0) == 2
    assert ("commit", [(0, 2)], "NoneType") in recorder.calls  # the next observer still ran
    logged = [r.getMessage() for r in caplog.records]
    for hook in ("on_rebalance", "on_consume", "on_commit"):
        assert f"an observer's {hook} hook raised" in logged
    assert all(r.exc_info is not None for r in caplog.records)


def test_processed_offsets_are_committed_before_a_rebalance_revokes_the_partitions() -> None:
    cluster = _cluster(4, partitions=2)
    recorder = Recorder()
    revoked: list[list[TopicPartition]] = []
    consumer = _consumer(cluster, observers=[recorder], on_revoke=revoked.append)
    try:
        assert sorted(_poll_values(consumer, 4)) == [b"0", b"1", b"2", b"3"]
        consumer.poll(0.1)  # asks for the next message: the fourth counts as processed
        cluster.trigger_rebalance("billing")
        assert consumer.poll(0.5) is None  # the poll that runs the rebalance
        assert consumer.rebalances == 3  # assign, revoke, assign
    finally:
        consumer.close()
    # Revoked by the rebalance, then again on close; the user's hook ran both times.
    assert [sorted(p.partition for p in parts) for parts in revoked] == [[0, 1], [0, 1]]
    assert [c for c in recorder.calls if c[0] != "consume"] == [
        ("rebalance", "assign", [0, 1]),
        ("rebalance", "revoke", [0, 1]),
        ("commit", [(0, 2), (1, 2)], "NoneType"),  # synchronously, before another member can take over
        ("rebalance", "assign", [0, 1]),
        ("rebalance", "revoke", [0, 1]),
    ]
    assert (cluster.committed("billing", TOPIC, 0), cluster.committed("billing", TOPIC, 1)) == (2, 2)


def test_lost_partitions_are_forgotten_not_committed(caplog: pytest.LogCaptureFixture) -> None:
    cluster = _cluster(2)
    lost: list[list[TopicPartition]] = []
    consumer = _consumer(cluster, commit_strategy="periodic", commit_interval_s=3600, on_lost=lost.append)
    assert _poll_values(consumer, 2) == [b"0", b"1"]
    consumer.poll(0.1)  # both count as processed now, but periodic commits have not run yet
    partition = TopicPartition(TOPIC, 0)
    with caplog.at_level(logging.WARNING, logger="kafka_client"):
        consumer._core.on_lost([partition])  # what a backend calls when the group moved on without us
    consumer.close()
    assert lost == [[partition]]
    assert cluster.committed("billing", TOPIC, 0) is None  # another member owns it: nothing committed
    assert any("partitions lost" in r.getMessage() and "orders" in r.getMessage() for r in caplog.records)


def test_a_failed_commit_on_close_is_reported_to_observers_and_the_error_callback() -> None:
    cluster = _cluster(1)
    recorder = Recorder()
    errors: list[KafkaClientError] = []
    consumer = _consumer(cluster, observers=[recorder], on_error=errors.append)
    assert _poll_values(consumer, 1) == [b"0"]
    cluster.fail_next_commits(1)
    consumer.close()  # does not raise: close must always leave the group
    assert [type(e) for e in errors] == [CommitError]
    assert recorder.calls == [
        ("rebalance", "assign", [0]),
        ("consume", [0]),
        ("commit", [(0, 1)], "CommitError"),
        ("error", "CommitError", "commit failed: injected by MemoryCluster.fail_next_commits"),
        ("rebalance", "revoke", [0]),
        ("commit", [(0, 1)], "NoneType"),  # leaving the group revokes the partition: committed again
    ]
    assert cluster.committed("billing", TOPIC, 0) == 1


def test_a_raising_error_callback_and_error_observer_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    cluster = _cluster(1)

    def on_error(error: KafkaClientError) -> None:
        raise RuntimeError("callback broke")

    consumer = _consumer(cluster, observers=[Raising()], on_error=on_error)
    assert _poll_values(consumer, 1) == [b"0"]
    cluster.fail_next_commits(1)
    with caplog.at_level(logging.ERROR, logger="kafka_client"):
        consumer.close()
    logged = [r.getMessage() for r in caplog.records]
    assert "an observer's on_error hook raised" in logged
    assert "the consumer's on_error callback raised" in logged


def test_an_error_without_observers_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    cluster = _cluster(1)
    consumer = _consumer(cluster)
    assert _poll_values(consumer, 1) == [b"0"]
    cluster.fail_next_commits(1)
    with caplog.at_level(logging.WARNING, logger="kafka_client"):
        consumer.close()
    assert [r.levelname for r in caplog.records if "commit failed" in r.getMessage()] == ["WARNING"]


def test_a_failing_user_deserializer_becomes_a_typed_error_naming_the_record() -> None:
    cluster = _cluster(0)
    cluster.inject_record(TOPIC, 0, None, b"v1:bad")
    cause = ValueError("unknown version v1")

    def deserializer(data: bytes | None, ctx: Any) -> Any:
        raise cause

    consumer = _consumer(cluster, value_deserializer=deserializer)
    with consumer, pytest.raises(DeserializationError) as info:
        consumer.poll(2.0)
    assert info.value.__cause__ is cause
    assert str(info.value) == (
        "function could not deserialize the value of the record at topic 'orders' partition 0 offset 0: "
        "ValueError: unknown version v1 [raw 6 bytes: b'v1:bad']"
    )


@pytest.mark.parametrize("field", ["key", "value"])
def test_built_in_deserializers_in_a_batch_decode_and_a_failure_names_the_record(field: str) -> None:
    cluster = _cluster(0)
    good = {"key": b'{"k": 1}', "value": b'{"v": 1}'}
    for offset in range(3):
        record = dict(good)
        if offset == 1:
            record[field] = b"{not json"
        cluster.inject_record(TOPIC, 0, record["key"], record["value"])
    consumer = _consumer(cluster, key_deserializer="json", value_deserializer="json")
    with consumer, pytest.raises(DeserializationError) as info:
        consumer.consume_batch(10, 2.0)
    assert str(info.value).startswith(
        f"JsonDeserializer could not deserialize the {field} of the record at topic 'orders' partition 0 "
        "offset 1: "
    )
    assert info.value.raw == b"{not json"
    cluster_two = _cluster(0)
    for value in (b'{"n": 1}', b"[2]", b"null"):
        cluster_two.inject_record(TOPIC, 0, None, value)
    with _consumer(cluster_two, value_deserializer="json") as consumer_two:
        batch = consumer_two.consume_batch(10, 2.0)
    assert [(m.offset, m.value, m.raw_value) for m in batch] == [
        (0, {"n": 1}, b'{"n": 1}'),
        (1, [2], b"[2]"),
        (2, None, b"null"),
    ]


def test_a_deserializer_raising_a_library_error_is_passed_through_unchanged() -> None:
    cluster = _cluster(1)
    error = DeserializationError("schema 7 is unknown")

    def deserializer(data: bytes | None, ctx: Any) -> Any:
        raise error

    consumer = _consumer(cluster, value_deserializer=deserializer)
    with consumer, pytest.raises(DeserializationError) as info:
        consumer.poll(2.0)
    assert info.value is error


def test_an_unknown_commit_strategy_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="commit_strategy") as info:
        _consumer(_cluster(0), commit_strategy="sometimes")
    assert "after_processing" in str(info.value)
    assert "'sometimes'" in str(info.value)


def test_a_consumer_whose_subscription_fails_in_its_constructor_releases_its_client() -> None:
    cluster = _cluster(1)
    backend = cluster.consumer_backend("billing")
    closed: list[str] = []

    class CloseRecorder:
        def on_close(self) -> None:
            closed.append("closed")

    with pytest.raises(ConsumerError, match="invalid topic pattern"):
        Consumer(
            bootstrap_servers="memory:9092",
            group_id="billing",
            pattern="orders(",
            transport=backend,
            observers=[CloseRecorder()],
        )
    assert closed == ["closed"]
    with pytest.raises(ConsumerError, match="the memory consumer is closed"):
        backend.poll(0.1)


async def test_an_async_consumer_whose_subscription_fails_in_its_constructor_releases_its_client() -> None:
    from kafka_client.consumer import AsyncConsumer

    backend = _cluster(1).consumer_backend("billing")
    with pytest.raises(ConsumerError, match="invalid topic pattern"):
        AsyncConsumer(
            bootstrap_servers="memory:9092", group_id="billing", pattern="orders(", transport=backend
        )
    with pytest.raises(ConsumerError, match="the memory consumer is closed"):
        backend.poll(0.1)
