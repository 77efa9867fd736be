"""MemoryProducer: offsets, ordering, headers and timestamps, callbacks served in poll/flush, queue
bounds, purge, close, delivery faults, and a poll that returns as soon as a message is produced."""

from __future__ import annotations

import threading
import time

import pytest

from kafka_client._records import RawRecord
from kafka_client.errors import (
    DeliveryError,
    KafkaClientError,
    ProducerError,
    QueueFullError,
    TopicError,
)
from kafka_client.testing.memory import MemoryCluster

from .memory_helpers import Reports, send


def test_offsets_count_up_per_partition_and_order_is_kept() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=2)
    producer = cluster.producer_backend()
    meta = send(producer, "orders", [b"a", b"b", b"c"], partition=1)
    meta += send(producer, "orders", [b"d"], partition=0)
    meta += send(producer, "orders", [b"e"], partition=1)
    assert [(m.topic, m.partition, m.offset) for m in meta] == [
        ("orders", 1, 0),
        ("orders", 1, 1),
        ("orders", 1, 2),
        ("orders", 0, 0),
        ("orders", 1, 3),
    ]
    assert [(r.partition, r.offset, r.value) for r in cluster.records("orders")] == [
        (0, 0, b"d"),
        (1, 0, b"a"),
        (1, 1, b"b"),
        (1, 2, b"c"),
        (1, 3, b"e"),
    ]
    assert [r.value for r in cluster.records("orders", 1)] == [b"a", b"b", b"c", b"e"]


def test_headers_keys_and_timestamps_round_trip() -> None:
    cluster = MemoryCluster(clock_ms=lambda: 1_700_000_000_123)
    producer = cluster.producer_backend()
    headers = [("traceparent", b"00-abc-01"), ("empty", None), ("traceparent", b"dup")]
    given = send(producer, "t", [b"v1"], key=b"k", headers=headers, timestamp_ms=1_600_000_000_000)
    now = send(producer, "t", [None])
    assert [m.timestamp_ms for m in given + now] == [1_600_000_000_000, 1_700_000_000_123]
    assert cluster.records("t") == [
        RawRecord("t", 0, 0, b"k", b"v1", headers, 1_600_000_000_000, 0),
        RawRecord("t", 0, 1, None, None, [], 1_700_000_000_123, 0),
    ]
    headers.append(("late", b"x"))  # the stored copy is not the caller's list
    assert len(cluster.records("t")[0].headers) == 3


def test_wall_clock_timestamps_are_now_in_ms() -> None:
    before = time.time_ns() // 1_000_000
    meta = send(MemoryCluster().producer_backend(), "t", [b"x"])
    assert before <= meta[0].timestamp_ms <= time.time_ns() // 1_000_000  # type: ignore[operator]


def test_callbacks_run_only_inside_poll_or_flush_on_the_callers_thread() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    threads: list[str] = []
    reports = Reports()

    def on_delivery(err: KafkaClientError | None, meta: object) -> None:
        threads.append(threading.current_thread().name)
        reports(err, meta)  # type: ignore[arg-type]

    producer.produce("t", b"1", None, None, None, None, on_delivery)
    producer.produce("t", b"2", None, None, None, None, on_delivery)
    assert (producer.queued(), reports.items, cluster.records("t")) == (2, [], [])
    assert producer.poll(0) == 2
    assert [m.offset for m in reports.metadata] == [0, 1]
    assert threads == [threading.current_thread().name] * 2
    assert producer.queued() == 0
    assert producer.poll(0) == 0


def test_an_unknown_topic_fails_in_the_report_when_topics_are_not_auto_created() -> None:
    cluster = MemoryCluster(auto_create_topics=False)
    producer = cluster.producer_backend()
    reports = Reports()
    producer.produce("missing", b"x", None, None, None, None, reports)
    assert producer.flush(1) == 0
    assert [type(e) for e in reports.errors] == [TopicError]
    assert "UNKNOWN_TOPIC_OR_PART" in str(reports.errors[0])
    assert cluster.topics() == []


def test_auto_created_topics_get_the_default_partition_count() -> None:
    cluster = MemoryCluster(default_partitions=4)
    send(cluster.producer_backend(), "new", [b"x"])
    assert (cluster.topics(), cluster.partitions("new")) == (["new"], 4)


def test_queue_full_is_raised_and_nothing_is_queued() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend(max_queued=3)
    reports = Reports()
    for value in (b"1", b"2", b"3"):
        producer.produce("t", value, None, None, None, None, reports)
    with pytest.raises(QueueFullError, match="max_queued=3") as info:
        producer.produce("t", b"4", None, None, None, None, reports)
    assert info.value.retriable
    assert producer.queued() == 3
    assert producer.flush(1) == 0
    producer.produce("t", b"4", None, None, None, None, reports)  # room again once reported
    assert producer.flush(1) == 0
    assert [r.value for r in cluster.records("t")] == [b"1", b"2", b"3", b"4"]


def test_purge_fails_queued_messages_as_purged() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    reports = Reports()
    producer.produce("t", b"1", None, None, None, None, reports)
    producer.produce("t", b"2", None, None, None, None, reports)
    producer.purge()
    assert [(type(e), e.code) for e in reports.errors] == [(DeliveryError, "_PURGE_QUEUE")] * 2  # type: ignore[attr-defined]
    assert all("purged" in str(e) for e in reports.errors)
    assert producer.queued() == 0
    assert cluster.records("t") == []


def test_paused_deliveries_make_flush_time_out_and_resume_delivers() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    reports = Reports()
    cluster.pause_deliveries()
    producer.produce("t", b"1", None, None, None, None, reports)
    start = time.monotonic()
    assert producer.flush(0.05) == 1
    assert time.monotonic() - start >= 0.05
    assert producer.poll(0) == 0
    cluster.resume_deliveries()
    assert producer.flush(1) == 0
    assert [m.offset for m in reports.metadata] == [0]


def test_close_fails_what_is_queued_and_refuses_further_use() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    reports = Reports()
    cluster.pause_deliveries()
    producer.produce("t", b"1", None, None, None, None, reports)
    producer.close(0)
    producer.close(0)
    assert [type(e) for e in reports.errors] == [DeliveryError]
    with pytest.raises(ProducerError, match="closed"):
        producer.produce("t", b"2", None, None, None, None, reports)


def test_fail_next_deliveries_default_is_a_retriable_delivery_error() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    cluster.fail_next_deliveries(2)
    reports = Reports()
    for value in (b"1", b"2", b"3"):
        producer.produce("t", value, None, None, None, None, reports)
    assert producer.flush(1) == 0
    first, second = reports.errors
    assert type(first) is DeliveryError
    assert first.retriable
    assert first is not second
    assert [(m.offset) for m in reports.metadata] == [0]
    assert [r.value for r in cluster.records("t")] == [b"3"]


def test_fail_next_deliveries_with_an_error_and_a_topic() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    cluster.fail_next_deliveries(1, TopicError("denied"), topic="b")
    reports = Reports()
    producer.produce("a", b"1", None, None, None, None, reports)
    producer.produce("b", b"2", None, None, None, None, reports)
    producer.produce("b", b"3", None, None, None, None, reports)
    producer.flush(1)
    assert [(type(e), str(e)) for e in reports.errors] == [(TopicError, "denied")]
    assert [(m.topic, m.offset) for m in reports.metadata] == [("a", 0), ("b", 0)]


def test_a_raising_callback_does_not_lose_the_other_reports() -> None:
    producer = MemoryCluster().producer_backend()
    reports = Reports()

    def boom(err: KafkaClientError | None, meta: object) -> None:
        raise RuntimeError("user bug")

    producer.produce("t", b"1", None, None, None, None, boom)
    producer.produce("t", b"2", None, None, None, None, reports)
    with pytest.raises(RuntimeError, match="user bug"):
        producer.poll(0)
    assert [m.offset for m in reports.metadata] == [1]
    assert producer.queued() == 0


def test_poll_returns_as_soon_as_another_thread_produces() -> None:
    producer = MemoryCluster().producer_backend()
    waiting = threading.Event()
    reports = Reports()

    def produce_later() -> None:
        waiting.wait(5)
        threading.Event().wait(0.05)  # not synchronization: makes it likely poll is already waiting
        producer.produce("t", b"x", None, None, None, None, reports)

    thread = threading.Thread(target=produce_later)
    thread.start()
    start = time.monotonic()
    waiting.set()
    served = producer.poll(10)
    elapsed = time.monotonic() - start
    thread.join(5)
    assert served == 1
    assert elapsed < 5
    assert [m.offset for m in reports.metadata] == [0]
