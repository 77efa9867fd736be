"""The in-memory cluster the sync and async consumer tests read: topic ``orders``, records ``b"<p>-<i>"``."""

from __future__ import annotations

from kafka_client import TopicPartition
from kafka_client.testing.memory import MemoryCluster

TOPIC = "orders"
P0, P1 = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)


def orders_cluster(per_partition: int, partitions: int = 2) -> MemoryCluster:
    """``partitions`` partitions of ``per_partition`` records each, valued ``b"<partition>-<index>"``."""
    cluster = MemoryCluster()
    cluster.create_topic(TOPIC, partitions=partitions)
    for p in range(partitions):
        for i in range(per_partition):
            cluster.inject_record(TOPIC, p, None, f"{p}-{i}".encode())
    return cluster
