"""Key partitioning of the in-memory cluster matches the Java client's default partitioner exactly."""

from __future__ import annotations

import pytest

from kafka_client.errors import TopicError
from kafka_client.testing.memory import MemoryCluster, murmur2, partition_for_key

from .memory_helpers import Reports, send

# Computed with kafka-clients 4.4.0: Utils.murmur2(key) and Utils.toPositive(..) % 3 / % 6.
JAVA_VECTORS = [
    (b"21", -973932308, 0, 0),
    (b"foobar", -790332482, 0, 0),
    (b"", 275646681, 0, 3),
    (b"a", -1563381124, 1, 4),
    (b"ab", 316155434, 2, 2),
    (b"abc", 479470107, 0, 3),
    (b"abcd", -1323649548, 2, 2),
    (b"abcde", 461995741, 1, 1),
    (b"customer-7", -1283830537, 1, 1),
    (b"key-3", -1839136101, 2, 5),
    (b"hello world", 1221641059, 1, 1),
    (bytes([0x00, 0xFF, 0x80, 0x7F, 0xFE]), 1617215701, 1617215701 % 3, 1617215701 % 6),
]


@pytest.mark.parametrize(("key", "hashed", "p3", "p6"), JAVA_VECTORS)
def test_murmur2_matches_the_java_client(key: bytes, hashed: int, p3: int, p6: int) -> None:
    assert murmur2(key) == hashed
    assert partition_for_key(key, 3) == p3
    assert partition_for_key(key, 6) == p6


def test_keyed_records_land_in_the_java_partition_with_consecutive_offsets() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=6)
    producer = cluster.producer_backend()
    placed = [(m.partition, m.offset) for m in send(producer, "orders", [b"1", b"2", b"3"], key=b"key-3")]
    placed += [(m.partition, m.offset) for m in send(producer, "orders", [b"4"], key=b"a")]
    placed += [(m.partition, m.offset) for m in send(producer, "orders", [b"5"], key=b"key-3")]
    assert placed == [(5, 0), (5, 1), (5, 2), (4, 0), (5, 3)]
    assert cluster.end_offsets("orders") == {0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 4}


def test_records_without_a_key_go_round_robin_per_producer_and_topic() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("events", partitions=3)
    first, second = cluster.producer_backend(), cluster.producer_backend()
    a = send(first, "events", [b"a0", b"a1", b"a2", b"a3"])
    b = send(second, "events", [b"b0"])
    assert [(m.partition, m.offset) for m in a] == [(0, 0), (1, 0), (2, 0), (0, 1)]
    assert [(m.partition, m.offset) for m in b] == [(0, 2)]


def test_an_explicit_partition_wins_over_the_key() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=3)
    meta = send(cluster.producer_backend(), "orders", [b"x"], key=b"21", partition=2)
    assert [(m.partition, m.offset) for m in meta] == [(2, 0)]


def test_a_partition_the_topic_lacks_is_refused_at_produce_time() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=2)
    producer = cluster.producer_backend()
    with pytest.raises(TopicError, match=r"partition 2 .*has 2"):
        producer.produce("orders", b"x", None, None, 2, None, Reports())
    assert producer.queued() == 0
