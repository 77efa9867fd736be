"""Consumer's positioning, lag, flow control, manual commits and signal handling, on the in-memory cluster."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kafka_client import Consumer, TopicPartitionOffset
from kafka_client.testing.memory import MemoryCluster
from tests.unit.consumer._orders import P0, P1, TOPIC
from tests.unit.consumer._orders import orders_cluster as _cluster


def _consumer(cluster: MemoryCluster, **kwargs: Any) -> Consumer[Any, Any]:
    return Consumer(
        bootstrap_servers="memory:9092",
        group_id="billing",
        transport=cluster.consumer_backend("billing"),
        observers=[],
        **kwargs,
    )


def test_lag_is_the_latest_offset_minus_the_position_per_assigned_partition() -> None:
    cluster = _cluster(4)
    with _consumer(cluster, commit_strategy="manual") as consumer:
        assert consumer.backend_name == "memory"
        assert repr(consumer) == "<Consumer backend=memory group='billing'>"
        consumer.assign([TopicPartitionOffset(TOPIC, 0, 1), P1])
        first = consumer.poll(2.0)
        assert first is not None
        assert (first.partition, first.offset) == (0, 1)
        assert consumer.lag() == {P0: 2, P1: 4}
        consumer.seek_to_end([P1])
        assert consumer.lag() == {P0: 2, P1: 0}
        consumer.seek_to_beginning()
        assert consumer.lag() == {P0: 4, P1: 4}


def test_a_paused_partition_is_not_fetched_until_resumed() -> None:
    cluster = _cluster(2)
    with _consumer(cluster, commit_strategy="manual") as consumer:
        consumer.assign([P0, P1])
        consumer.pause([P1])
        batch = consumer.consume_batch(10, timeout=0.5)
        assert [(m.partition, m.offset) for m in batch] == [(0, 0), (0, 1)]
        assert consumer.consume_batch(10, timeout=0.2) == []
        consumer.resume()
        batch = consumer.consume_batch(10, timeout=0.5)
        assert [(m.partition, m.offset) for m in batch] == [(1, 0), (1, 1)]


def test_manual_commits_of_marked_messages_and_of_explicit_offsets() -> None:
    cluster = _cluster(3, partitions=1)
    with _consumer(cluster, topics=[TOPIC], commit_strategy="manual") as consumer:
        messages = [consumer.poll(2.0) for _ in range(3)]
        assert [m.offset for m in messages if m is not None] == [0, 1, 2]
        assert consumer.commit() == []  # manual: nothing counts as processed until marked
        consumer.mark_processed(messages[1])  # type: ignore[arg-type]
        assert consumer.commit() == [TopicPartitionOffset(TOPIC, 0, 2)]
        assert consumer.committed() == {P0: 2}
        assert consumer.commit(offsets=[TopicPartitionOffset(TOPIC, 0, 1)]) == [
            TopicPartitionOffset(TOPIC, 0, 1)
        ]
        assert consumer.committed([P0]) == {P0: 1}
        consumer.unsubscribe()
        assert consumer.assignment() == []
    assert cluster.committed("billing", TOPIC, 0) == 1


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.usefixtures("restore_signal_handlers")
def test_a_signal_ends_iteration_after_the_message_in_hand_and_it_is_committed() -> None:
    cluster = _cluster(5, partitions=1)
    seen: list[int] = []
    with _consumer(cluster, topics=[TOPIC]) as consumer:
        consumer.stop_on_signals(signal.SIGUSR1)
        assert signal.getsignal(signal.SIGTERM) is not signal.getsignal(signal.SIGUSR1)
        for message in consumer:
            seen.append(message.offset)
            if message.offset == 1:
                os.kill(os.getpid(), signal.SIGUSR1)  # delivered to this (main) thread right away
    assert seen == [0, 1]
    assert cluster.committed("billing", TOPIC, 0) == 2


@pytest.mark.usefixtures("restore_signal_handlers")
def test_stop_on_signals_defaults_to_sigterm_and_sigint() -> None:
    with _consumer(_cluster(0)) as consumer:
        consumer.stop_on_signals()
        assert signal.getsignal(signal.SIGTERM) == signal.getsignal(signal.SIGINT)
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        stopper = threading.Thread(target=handler, args=(signal.SIGTERM, None))
        stopper.start()
        stopper.join()
        assert list(consumer) == []  # stopped before the first poll


def test_processed_positions_are_kept_per_partition_as_topic_partitions() -> None:
    from kafka_client import TopicPartition

    cluster = _cluster(3)
    with _consumer(cluster, topics=[TOPIC], commit_strategy="manual") as consumer:
        seen = []
        for message in consumer:
            consumer.mark_processed(message)
            seen.append((message.partition, message.offset))
            if len(seen) == 6:
                consumer.stop()
        assert sorted(seen) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
        pending = consumer._core._processed
        assert pending == {P0: 3, P1: 3}
        assert all(type(key) is TopicPartition for key in pending)
        assert sorted(consumer.commit()) == [
            TopicPartitionOffset(TOPIC, 0, 3),
            TopicPartitionOffset(TOPIC, 1, 3),
        ]
