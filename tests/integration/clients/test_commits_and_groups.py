"""Commit strategies, resume positions, rebalances and transactions on both backends, on the real broker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import Consumer, Message, Producer, TopicPartition


def _fill(settings: dict[str, Any], topic: str, count: int) -> None:
    with Producer(settings) as producer:
        for i in range(count):
            producer.send(topic, str(i).encode(), key=str(i).encode())
        assert producer.flush(30) == 0


def _committed(settings: dict[str, Any], group: str, tp: TopicPartition) -> int | None:
    with Consumer(settings, group_id=group, commit_strategy="manual") as probe:
        return probe.committed([tp])[tp]


def _failing_transaction(producer: Producer[Any, Any], body: Callable[[], object]) -> None:
    with producer.transaction():
        body()
        raise RuntimeError("the batch failed half-way")


def test_iteration_commits_exactly_what_was_processed(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(), group_id()
    _fill(settings, topic, 100)
    seen: list[int] = []
    with Consumer(settings, group_id=group, topics=[topic]) as consumer:
        for message in consumer:
            seen.append(int(message.value))
            if len(seen) == 40:
                consumer.stop()  # a clean stop: this message finishes, nothing after it starts
    assert seen == list(range(40))
    assert _committed(settings, group, TopicPartition(topic, 0)) == 40
    with Consumer(settings, group_id=group, topics=[topic]) as again:
        first = None
        while first is None:
            first = again.poll(1.0)
    assert first.offset == 40  # resumes after the last processed message: nothing twice, nothing skipped


def test_manual_commit_of_one_message_sets_the_resume_point(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(), group_id()
    _fill(settings, topic, 50)
    with Consumer(settings, group_id=group, topics=[topic], commit_strategy="manual") as consumer:
        batch: list[Message[Any, Any]] = []
        while len(batch) < 50:
            batch.extend(consumer.consume_batch(100, 1.0))
        assert consumer.commit(batch[29]) == [batch[29].next_position()]
    assert _committed(settings, group, TopicPartition(topic, 0)) == 30  # the other 20 were not committed


def test_periodic_commits_without_being_asked(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(), group_id()
    _fill(settings, topic, 20)
    tp = TopicPartition(topic, 0)
    with Consumer(
        settings, group_id=group, topics=[topic], commit_strategy="periodic", commit_interval_s=0.3
    ) as consumer:
        got = 0
        deadline = time.monotonic() + 30
        while got < 20 and time.monotonic() < deadline:
            got += 1 if consumer.poll(0.5) is not None else 0
        committed = None
        while committed != 20 and time.monotonic() < deadline:
            consumer.poll(0.2)  # polling keeps the commit timer going
            committed = consumer.committed([tp])[tp]
    assert got == 20
    assert committed == 20


def test_run_commits_up_to_the_failing_message_and_raises(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(), group_id()
    _fill(settings, topic, 40)

    def handler(message: Message[Any, Any]) -> None:
        if message.offset == 25:
            raise RuntimeError("downstream is down")

    with Consumer(settings, group_id=group, topics=[topic]) as consumer, pytest.raises(RuntimeError):
        consumer.run(handler)
    assert _committed(settings, group, TopicPartition(topic, 0)) == 25


def test_two_consumers_share_partitions_without_loss_or_duplicates(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(partitions=4), group_id()
    total = 400
    _fill(settings, topic, total)
    processed: list[tuple[str, int, int]] = []
    lock = threading.Lock()
    consumers: list[Consumer[Any, Any]] = []

    def work(name: str, started: threading.Event) -> None:
        # Small fetches: kafka-python takes part in a rebalance only between the batches it fetches.
        with Consumer(
            settings, group_id=group, topics=[topic], consumer={"max_poll_records": 10}
        ) as consumer:
            consumers.append(consumer)
            started.set()

            def handle(message: Message[Any, Any]) -> None:
                with lock:
                    processed.append((name, message.partition, message.offset))
                time.sleep(0.02)  # slow enough that the second member joins mid-stream

            consumer.run(handle)

    first_started, second_started = threading.Event(), threading.Event()
    a = threading.Thread(target=work, args=("a", first_started))
    a.start()
    first_started.wait(30)
    deadline = time.monotonic() + 60
    while len(processed) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    b = threading.Thread(target=work, args=("b", second_started))
    b.start()
    second_started.wait(30)
    while len(processed) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # anything processed twice would show up now
    for consumer in consumers:
        consumer.stop()
    a.join(30)
    b.join(30)
    positions = [(p, o) for _, p, o in processed]
    assert len(positions) == total, f"{len(positions) - len(set(positions))} duplicates"
    assert sorted(positions) == sorted({(p, o) for p, o in positions})
    assert {name for name, _, _ in processed} == {"a", "b"}  # the rebalance really moved partitions


def test_transactions_commit_or_abort_for_read_committed_consumers(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic = kafka_topic()
    txn = {"transactional_id": f"txn-{topic}"}
    with Producer(settings, producer=txn) as producer:
        with producer.transaction():
            for i in range(5):
                producer.send(topic, f"committed-{i}".encode())
        with pytest.raises(RuntimeError, match="failed half-way"):
            _failing_transaction(
                producer, lambda: [producer.send(topic, f"aborted-{i}".encode()) for i in range(5)]
            )
        with producer.transaction():
            producer.send(topic, b"after")
    values: list[bytes] = []
    with Consumer(settings, group_id=group_id(), topics=[topic]) as consumer:  # read_committed by default
        deadline = time.monotonic() + 30
        while len(values) < 6 and time.monotonic() < deadline:
            values.extend(m.value for m in consumer.consume_batch(100, 0.5))
        values.extend(m.value for m in consumer.consume_batch(100, 1.0))
    assert values == [f"committed-{i}".encode() for i in range(5)] + [b"after"]


def test_consume_transform_produce_commits_input_offsets_with_the_transaction(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    source, sink, group = kafka_topic(), kafka_topic(), group_id()
    _fill(settings, source, 10)
    tp = TopicPartition(source, 0)
    with (
        Consumer(settings, group_id=group, topics=[source], commit_strategy="manual") as consumer,
        Producer(settings, producer={"transactional_id": f"etl-{source}"}) as producer,
    ):
        batch: list[Message[Any, Any]] = []
        while len(batch) < 10:
            batch.extend(consumer.consume_batch(10, 1.0))

        def send_and_commit_half() -> None:
            producer.send(sink, b"lost")
            producer.send_offsets_to_transaction([batch[4].next_position()], consumer.group_metadata())

        with pytest.raises(RuntimeError, match="failed half-way"):
            _failing_transaction(producer, send_and_commit_half)
        assert consumer.committed([tp])[tp] is None  # aborted: the input offsets were not committed
        with producer.transaction():
            for message in batch:
                producer.send(sink, message.value.upper() if message.value else None)
            producer.send_offsets_to_transaction([batch[-1].next_position()], consumer.group_metadata())
        assert consumer.committed([tp])[tp] == 10
    with Consumer(settings, group_id=group_id(), topics=[sink]) as reader:
        out: list[bytes] = []
        deadline = time.monotonic() + 30
        while len(out) < 10 and time.monotonic() < deadline:
            out.extend(m.value for m in reader.consume_batch(100, 0.5))
    assert out == [str(i).encode() for i in range(10)]
