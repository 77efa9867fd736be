"""MemoryConsumer on its own: assignment, start positions, commits and resume, seek, pause, time
lookups, watermarks, poll faults and timeouts."""

from __future__ import annotations

import threading
import time

import pytest

from kafka_client._records import TopicPartition, TopicPartitionOffset
from kafka_client.errors import CommitError, ConfigError, ConsumerError, TopicError
from kafka_client.testing.memory import MemoryCluster, MemoryGroupMetadata

from .memory_helpers import Recorder, drain, send, tp


@pytest.fixture
def cluster() -> MemoryCluster:
    """Topic ``t`` with 2 partitions: values p0-0..p0-2 in partition 0, p1-0..p1-1 in partition 1."""
    cluster = MemoryCluster(clock_ms=lambda: 1000)
    cluster.create_topic("t", partitions=2)
    producer = cluster.producer_backend()
    send(producer, "t", [b"p0-0", b"p0-1", b"p0-2"], partition=0)
    send(producer, "t", [b"p1-0", b"p1-1"], partition=1)
    return cluster


def test_manual_assignment_reads_each_partition_in_offset_order(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, -2), TopicPartitionOffset("t", 1, 1)])
    assert consumer.assignment() == tp("t", 0, 1)
    records = drain(consumer)
    assert sorted(records) == [(0, 0, b"p0-0"), (0, 1, b"p0-1"), (0, 2, b"p0-2"), (1, 1, b"p1-1")]
    assert [r for r in records if r[0] == 0] == [(0, 0, b"p0-0"), (0, 1, b"p0-1"), (0, 2, b"p0-2")]
    assert consumer.position(tp("t", 0, 1)) == {TopicPartition("t", 0): 3, TopicPartition("t", 1): 2}


def test_poll_returns_one_record_at_a_time_and_partitions_take_turns(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, -2), TopicPartitionOffset("t", 1, -2)])
    seen = []
    while (record := consumer.poll(0)) is not None:
        seen.append((record.partition, record.offset))
    assert seen == [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)]


def test_consume_respects_max_records_and_max_poll_records(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend(max_poll_records=2)
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    assert [r.offset for r in consumer.consume(10, 0)] == [0, 1]
    assert [r.offset for r in consumer.consume(1, 0)] == [2]
    assert consumer.consume(10, 0) == []


def test_start_from_latest_reads_only_new_records(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend("g", auto_offset_reset="latest")
    consumer.assign([TopicPartitionOffset("t", 0, -1001)])
    assert consumer.poll(0) is None
    send(cluster.producer_backend(), "t", [b"new"], partition=0)
    assert [(r.offset, r.value) for r in consumer.consume(10, 0)] == [(3, b"new")]


def test_reset_none_without_a_committed_offset_raises(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend("g", auto_offset_reset="none")
    consumer.assign([TopicPartitionOffset("t", 0, -1001)])
    with pytest.raises(ConsumerError, match="auto_offset_reset is 'none'"):
        consumer.poll(0)


def test_commits_store_offset_and_metadata_and_a_new_consumer_resumes_there(cluster: MemoryCluster) -> None:
    first = cluster.consumer_backend("g")
    first.subscribe(["t"], None, Recorder())
    assert len(drain(first)) == 5
    first.commit([TopicPartitionOffset("t", 0, 2, "batch-7"), TopicPartitionOffset("t", 1, 1)], False)
    assert first.committed(tp("t", 0, 1), 1) == {TopicPartition("t", 0): 2, TopicPartition("t", 1): 1}
    assert (cluster.committed("g", "t", 0), cluster.commit_metadata("g", "t", 0)) == (2, "batch-7")
    assert cluster.lag("g", "t") == {0: 1, 1: 1}
    assert cluster.lag("other", "t") == {0: None, 1: None}
    first.close()

    second = cluster.consumer_backend("g")
    second.subscribe(["t"], None, Recorder())
    assert sorted(drain(second)) == [(0, 2, b"p0-2"), (1, 1, b"p1-1")]


def test_an_asynchronous_commit_is_stored_too(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend("g")
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    consumer.commit([TopicPartitionOffset("t", 0, 3)], True)
    assert cluster.committed("g", "t", 0) == 3


def test_seek_and_seek_to_beginning_and_end(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    consumer.seek(TopicPartitionOffset("t", 0, 2))
    assert [r.offset for r in consumer.consume(10, 0)] == [2]
    consumer.seek_to_beginning(tp("t", 0))
    assert [r.offset for r in consumer.consume(10, 0)] == [0, 1, 2]
    consumer.seek(TopicPartitionOffset("t", 0, 1))
    consumer.seek_to_end(tp("t", 0))
    assert consumer.position(tp("t", 0)) == {TopicPartition("t", 0): 3}
    assert consumer.consume(10, 0) == []
    consumer.seek(TopicPartitionOffset("t", 0, 99))  # out of range: auto_offset_reset applies
    assert [r.offset for r in consumer.consume(10, 0)] == [0, 1, 2]
    with pytest.raises(ConsumerError, match=r"t\[1\] is not assigned"):
        consumer.seek(TopicPartitionOffset("t", 1, 0))


def test_paused_partitions_return_nothing_until_resumed(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, -2), TopicPartitionOffset("t", 1, -2)])
    consumer.pause(tp("t", 0))
    assert [(r.partition, r.offset) for r in consumer.consume(10, 0)] == [(1, 0), (1, 1)]
    assert consumer.consume(10, 0) == []
    assert consumer.assignment() == tp("t", 0, 1)
    consumer.resume(tp("t", 0))
    assert [(r.partition, r.offset) for r in consumer.consume(10, 0)] == [(0, 0), (0, 1), (0, 2)]
    with pytest.raises(ConsumerError, match="not assigned"):
        consumer.pause(tp("t", 5))


def test_offsets_for_times_finds_the_first_record_at_or_after() -> None:
    cluster = MemoryCluster()
    producer = cluster.producer_backend()
    for stamp in (100, 200, 200, 300):
        send(producer, "t", [str(stamp).encode()], timestamp_ms=stamp)
    consumer = cluster.consumer_backend()
    assert consumer.offsets_for_times({TopicPartition("t", 0): 0}, 1) == {TopicPartition("t", 0): 0}
    assert consumer.offsets_for_times({TopicPartition("t", 0): 150}, 1) == {TopicPartition("t", 0): 1}
    assert consumer.offsets_for_times({TopicPartition("t", 0): 300}, 1) == {TopicPartition("t", 0): 3}
    assert consumer.offsets_for_times({TopicPartition("t", 0): 301}, 1) == {TopicPartition("t", 0): None}


def test_watermarks_and_unknown_partitions(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    assert consumer.watermarks(TopicPartition("t", 0), 1) == (0, 3)
    assert consumer.watermarks(TopicPartition("t", 1), 1) == (0, 2)
    with pytest.raises(TopicError, match="UNKNOWN_PARTITION"):
        consumer.watermarks(TopicPartition("t", 2), 1)
    with pytest.raises(TopicError, match="UNKNOWN_TOPIC"):
        consumer.assign([TopicPartitionOffset("nope", 0, 0)])


def test_group_metadata_names_the_group() -> None:
    consumer = MemoryCluster().consumer_backend("g")
    meta = consumer.group_metadata()
    assert meta == MemoryGroupMetadata("g", None, -1)
    with pytest.raises(ConsumerError, match="needs a group"):
        MemoryCluster().consumer_backend().group_metadata()


def test_inject_poll_error_is_raised_once_by_the_next_poll(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend("g")
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    cluster.inject_poll_error(ConsumerError("broker said no"))
    with pytest.raises(ConsumerError, match="broker said no"):
        consumer.poll(0)
    assert consumer.poll(0) is not None


def test_inject_poll_error_for_one_group_spares_the_others(cluster: MemoryCluster) -> None:
    mine, other = cluster.consumer_backend("mine"), cluster.consumer_backend("other")
    for consumer in (mine, other):
        consumer.assign([TopicPartitionOffset("t", 0, -2)])
    cluster.inject_poll_error(group_id="mine")
    assert other.poll(0) is not None
    with pytest.raises(ConsumerError, match="injected"):
        mine.consume(10, 0)


def test_inject_poll_error_wakes_a_waiting_poll() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("t")
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    go = threading.Event()

    def inject() -> None:
        go.wait(5)
        cluster.inject_poll_error(ConsumerError("woken"))

    thread = threading.Thread(target=inject)
    thread.start()
    start = time.monotonic()
    go.set()
    with pytest.raises(ConsumerError, match="woken"):
        consumer.poll(10)
    thread.join(5)
    assert time.monotonic() - start < 5


def test_inject_record_stores_poison_bytes_as_they_are(cluster: MemoryCluster) -> None:
    meta = cluster.inject_record("t", 1, b"\xff", b"\x00\xfe not json", headers=[("h", b"1")], timestamp_ms=7)
    assert (meta.partition, meta.offset, meta.timestamp_ms) == (1, 2, 7)
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 1, 2)])
    record = consumer.poll(0)
    assert record is not None
    assert (record.key, record.value, record.headers, record.timestamp_ms) == (
        b"\xff",
        b"\x00\xfe not json",
        [("h", b"1")],
        7,
    )
    with pytest.raises(TopicError):
        cluster.inject_record("t", 9, None, b"x")


def test_fail_next_commits_raises_on_sync_and_stores_nothing_on_async(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend("g")
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    cluster.fail_next_commits(2)
    with pytest.raises(CommitError, match="injected") as info:
        consumer.commit([TopicPartitionOffset("t", 0, 1)], False)
    assert info.value.retriable
    consumer.commit([TopicPartitionOffset("t", 0, 2)], True)  # fails silently, like a real client
    assert cluster.committed("g", "t", 0) is None
    consumer.commit([TopicPartitionOffset("t", 0, 3)], False)
    assert cluster.committed("g", "t", 0) == 3


def test_fail_next_commits_for_one_group_with_a_given_error(cluster: MemoryCluster) -> None:
    mine, other = cluster.consumer_backend("mine"), cluster.consumer_backend("other")
    cluster.fail_next_commits(1, CommitError("stale generation"), group_id="mine")
    other.commit([TopicPartitionOffset("t", 0, 1)], False)
    with pytest.raises(CommitError, match="stale generation"):
        mine.commit([TopicPartitionOffset("t", 0, 1)], False)
    assert (cluster.committed("other", "t", 0), cluster.committed("mine", "t", 0)) == (1, None)


def test_poll_times_out_after_the_timeout_without_data(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, 3)])
    start = time.monotonic()
    assert consumer.poll(0.05) is None
    assert 0.05 <= time.monotonic() - start < 5


def test_poll_returns_as_soon_as_a_record_arrives_from_another_thread(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, 3)])
    producer = cluster.producer_backend()
    go = threading.Event()

    def produce() -> None:
        go.wait(5)
        threading.Event().wait(0.05)  # not synchronization: makes it likely poll is already waiting
        send(producer, "t", [b"late"], partition=0)

    thread = threading.Thread(target=produce)
    thread.start()
    start = time.monotonic()
    go.set()
    record = consumer.poll(10)
    elapsed = time.monotonic() - start
    thread.join(5)
    assert record is not None
    assert (record.offset, record.value) == (3, b"late")
    assert elapsed < 5


def test_a_closed_consumer_refuses_use(cluster: MemoryCluster) -> None:
    consumer = cluster.consumer_backend("g")
    consumer.close()
    consumer.close()
    with pytest.raises(ConsumerError, match="closed"):
        consumer.poll(0)
    with pytest.raises(ConsumerError, match="closed"):
        consumer.commit([TopicPartitionOffset("t", 0, 1)], False)


def test_subscribe_needs_a_group_and_a_valid_pattern() -> None:
    cluster = MemoryCluster()
    with pytest.raises(ConsumerError, match="needs a group"):
        cluster.consumer_backend().subscribe(["t"], None, Recorder())
    with pytest.raises(ConsumerError, match="invalid topic pattern"):
        cluster.consumer_backend("g").subscribe([], "(", Recorder())


def test_bad_settings_and_topic_names_are_refused() -> None:
    cluster = MemoryCluster()
    with pytest.raises(ConfigError) as info:
        cluster.consumer_backend(isolation_level="dirty", max_poll_records=0)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["isolation_level", "max_poll_records"]
    with pytest.raises(ConfigError, match="default_partitions"):
        MemoryCluster(default_partitions=0)
    cluster.create_topic("ok.topic_1-x")
    with pytest.raises(TopicError, match="already exists"):
        cluster.create_topic("ok.topic_1-x")
    with pytest.raises(TopicError, match="not a legal topic name"):
        cluster.create_topic("no spaces")
    with pytest.raises(TopicError, match="at least one partition"):
        cluster.create_topic("empty", partitions=0)
