"""Transactions on the in-memory cluster: read_committed vs read_uncommitted visibility, markers that
take offsets, the last stable offset, offsets committed only with the transaction, and fencing."""

from __future__ import annotations

import threading
import time

import pytest

from kafka_client._records import TopicPartition, TopicPartitionOffset
from kafka_client.errors import DeliveryError, TransactionError
from kafka_client.testing.memory import MemoryCluster, MemoryProducer

from .memory_helpers import Recorder, Reports, drain, send, tp


def transactional(cluster: MemoryCluster, tid: str = "tx") -> MemoryProducer:
    producer = cluster.producer_backend(transactional_id=tid)
    producer.init_transactions(5)
    return producer


def values(cluster: MemoryCluster, isolation: str) -> list[tuple[int, bytes | None]]:
    consumer = cluster.consumer_backend(isolation_level=isolation)  # type: ignore[arg-type]
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    return [(offset, value) for _, offset, value in drain(consumer)]


def test_visibility_of_open_committed_and_aborted_transactions() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("t")
    plain, tx = cluster.producer_backend(), transactional(cluster)

    send(plain, "t", [b"a"])  # offset 0
    tx.begin_transaction()
    send(tx, "t", [b"t1"])  # 1, in an open transaction
    send(plain, "t", [b"b"])  # 2, behind the open transaction
    assert values(cluster, "read_uncommitted") == [(0, b"a"), (1, b"t1"), (2, b"b")]
    assert values(cluster, "read_committed") == [(0, b"a")]  # stops at the last stable offset, 1
    tx.commit_transaction(5)  # commit marker at 3
    assert values(cluster, "read_committed") == [(0, b"a"), (1, b"t1"), (2, b"b")]

    tx.begin_transaction()
    send(tx, "t", [b"t2"])  # 4
    tx.abort_transaction(5)  # abort marker at 5
    send(plain, "t", [b"c"])  # 6
    assert values(cluster, "read_committed") == [(0, b"a"), (1, b"t1"), (2, b"b"), (6, b"c")]
    assert values(cluster, "read_uncommitted") == [(0, b"a"), (1, b"t1"), (2, b"b"), (4, b"t2"), (6, b"c")]
    assert cluster.end_offsets("t") == {0: 7}
    assert [r.offset for r in cluster.records("t")] == [0, 1, 2, 4, 6]
    assert [r.offset for r in cluster.records("t", isolation_level="read_committed")] == [0, 1, 2, 6]


def test_watermarks_and_seek_to_end_stop_at_the_last_stable_offset() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("t")
    tx = transactional(cluster)
    send(cluster.producer_backend(), "t", [b"a"])
    tx.begin_transaction()
    send(tx, "t", [b"t1", b"t2"])
    committed = cluster.consumer_backend(isolation_level="read_committed")
    uncommitted = cluster.consumer_backend(isolation_level="read_uncommitted")
    for consumer in (committed, uncommitted):
        consumer.assign([TopicPartitionOffset("t", 0, -2)])
        consumer.seek_to_end(tp("t", 0))
    assert committed.watermarks(TopicPartition("t", 0), 1) == (0, 1)
    assert uncommitted.watermarks(TopicPartition("t", 0), 1) == (0, 3)
    assert committed.position(tp("t", 0)) == {TopicPartition("t", 0): 1}
    tx.commit_transaction(5)
    assert [r.value for r in committed.consume(10, 0)] == [b"t1", b"t2"]
    assert committed.position(tp("t", 0)) == {TopicPartition("t", 0): 4}  # past the marker


def test_a_read_committed_poll_returns_when_another_thread_commits() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("t")
    tx = transactional(cluster)
    tx.begin_transaction()
    send(tx, "t", [b"x"])
    consumer = cluster.consumer_backend()
    consumer.assign([TopicPartitionOffset("t", 0, -2)])
    assert consumer.poll(0) is None
    go = threading.Event()

    def commit() -> None:
        go.wait(5)
        tx.commit_transaction(5)

    thread = threading.Thread(target=commit)
    thread.start()
    start = time.monotonic()
    go.set()
    record = consumer.poll(10)
    thread.join(5)
    assert record is not None
    assert record.value == b"x"
    assert time.monotonic() - start < 5


def test_offsets_sent_to_a_transaction_are_committed_only_when_it_commits() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("in", partitions=2)
    send(cluster.producer_backend(), "in", [b"1", b"2"], partition=0)
    consumer = cluster.consumer_backend("g")
    consumer.subscribe(["in"], None, Recorder())
    assert len(consumer.consume(10, 0)) == 2
    tx = transactional(cluster)

    tx.begin_transaction()
    send(tx, "out", [b"1'"])
    tx.send_offsets_to_transaction([TopicPartitionOffset("in", 0, 1)], consumer.group_metadata(), 5)
    tx.abort_transaction(5)
    assert cluster.committed("g", "in", 0) is None

    tx.begin_transaction()
    send(tx, "out", [b"1'", b"2'"])
    tx.send_offsets_to_transaction([TopicPartitionOffset("in", 0, 2, "meta")], consumer.group_metadata(), 5)
    assert cluster.committed("g", "in", 0) is None
    tx.commit_transaction(5)
    assert (cluster.committed("g", "in", 0), cluster.commit_metadata("g", "in", 0)) == (2, "meta")
    assert [r.value for r in cluster.records("out", isolation_level="read_committed")] == [b"1'", b"2'"]


def test_send_offsets_refuses_a_zombie_member_and_foreign_metadata() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("in", partitions=2)
    a, b = cluster.consumer_backend("g"), cluster.consumer_backend("g")
    for consumer in (a, b):
        consumer.subscribe(["in"], None, Recorder())
    a.poll(0)
    stale = a.group_metadata()
    b.poll(0)
    a.poll(0)  # a now holds only in[0]
    tx = transactional(cluster)
    tx.begin_transaction()
    with pytest.raises(TransactionError, match=r"no longer holds in\[1\]") as info:
        tx.send_offsets_to_transaction([TopicPartitionOffset("in", 1, 1)], stale, 5)
    assert info.value.abortable
    a.close()
    with pytest.raises(TransactionError, match="UNKNOWN_MEMBER_ID"):
        tx.send_offsets_to_transaction([TopicPartitionOffset("in", 0, 1)], stale, 5)
    with pytest.raises(TransactionError, match="group_metadata"):
        tx.send_offsets_to_transaction([TopicPartitionOffset("in", 0, 1)], object(), 5)


def test_a_failed_delivery_makes_the_commit_fail_abortably() -> None:
    cluster = MemoryCluster()
    tx = transactional(cluster)
    tx.begin_transaction()
    cluster.fail_next_deliveries(1)
    reports = Reports()
    tx.produce("t", b"lost", None, None, None, None, reports)
    tx.produce("t", b"kept", None, None, None, None, reports)
    with pytest.raises(TransactionError, match="abort the transaction") as info:
        tx.commit_transaction(5)
    assert info.value.abortable
    assert isinstance(info.value.__cause__, DeliveryError)
    tx.abort_transaction(5)
    assert [r.value for r in cluster.records("t")] == [b"kept"]
    assert cluster.records("t", isolation_level="read_committed") == []


def test_abort_purges_what_is_still_queued() -> None:
    cluster = MemoryCluster()
    tx = transactional(cluster)
    tx.begin_transaction()
    reports = Reports()
    tx.produce("t", b"queued", None, None, None, None, reports)
    tx.abort_transaction(5)
    assert [getattr(e, "code", None) for e in reports.errors] == ["_PURGE_QUEUE"]
    assert cluster.records("t") == []


def test_a_newer_producer_with_the_same_id_fences_the_older() -> None:
    cluster = MemoryCluster()
    old = transactional(cluster, "tx")
    old.begin_transaction()
    send(old, "t", [b"zombie"])
    new = transactional(cluster, "tx")  # aborts the old producer's open transaction
    assert cluster.records("t", isolation_level="read_committed") == []
    with pytest.raises(TransactionError, match="PRODUCER_FENCED") as info:
        old.commit_transaction(5)
    assert not info.value.abortable
    with pytest.raises(TransactionError, match="PRODUCER_FENCED"):
        old.produce("t", b"x", None, None, None, None, Reports())
    new.begin_transaction()
    send(new, "t", [b"fresh"])
    new.commit_transaction(5)
    assert [r.value for r in cluster.records("t", isolation_level="read_committed")] == [b"fresh"]


def test_transaction_state_errors() -> None:
    cluster = MemoryCluster()
    plain = cluster.producer_backend()
    with pytest.raises(TransactionError, match="transactional_id"):
        plain.init_transactions(1)
    tx = cluster.producer_backend(transactional_id="tx")
    with pytest.raises(TransactionError, match="init_transactions"):
        tx.begin_transaction()
    tx.init_transactions(1)
    with pytest.raises(TransactionError, match="begin_transaction"):
        tx.produce("t", b"x", None, None, None, None, Reports())
    with pytest.raises(TransactionError, match="no transaction is open"):
        tx.commit_transaction(1)
    tx.begin_transaction()
    with pytest.raises(TransactionError, match="already open"):
        tx.begin_transaction()


def test_commit_times_out_retriably_while_deliveries_are_paused() -> None:
    cluster = MemoryCluster()
    tx = transactional(cluster)
    tx.begin_transaction()
    cluster.pause_deliveries()
    tx.produce("t", b"x", None, None, None, None, Reports())
    with pytest.raises(TransactionError, match="_TIMED_OUT") as info:
        tx.commit_transaction(0.01)
    assert info.value.retriable
    cluster.resume_deliveries()
    tx.commit_transaction(5)
    assert [r.value for r in cluster.records("t", isolation_level="read_committed")] == [b"x"]


def test_closing_with_an_open_transaction_aborts_it() -> None:
    cluster = MemoryCluster()
    tx = transactional(cluster)
    tx.begin_transaction()
    send(tx, "t", [b"x"])
    tx.close(0)
    assert cluster.records("t", isolation_level="read_committed") == []
    assert cluster.end_offsets("t") == {0: 2}  # the record and the abort marker
