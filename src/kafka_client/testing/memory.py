"""An in-memory Kafka for unit tests: your real producer and consumer code, no broker.

:class:`MemoryCluster` keeps topics, consumer groups and transactions in process and hands out backends
that meet the same seam as the confluent and kafka-python ones, so the facades run on it unchanged::

    from kafka_client.producer import Producer
    from kafka_client.testing.memory import MemoryCluster

    cluster = MemoryCluster()
    with Producer(bootstrap_servers="memory:9092", transport=cluster.producer_backend()) as producer:
        producer.send("orders", b"paid", key=b"customer-7").result(timeout=5)
    assert cluster.records("orders")[0].value == b"paid"

Faults are injected through the cluster (``fail_next_deliveries``, ``fail_next_commits``,
``inject_poll_error``, ``trigger_rebalance``, ``inject_record``, ``pause_deliveries``). See
``docs/test-doubles.md`` for what differs from a real broker.
"""

from __future__ import annotations

import threading

from kafka_client.testing._memory_cluster import MemoryCluster
from kafka_client.testing._memory_consumer import MemoryConsumer
from kafka_client.testing._memory_group import MemoryGroupMetadata
from kafka_client.testing._memory_log import murmur2, partition_for_key
from kafka_client.testing._memory_producer import MemoryProducer

_REGISTRY: dict[str, MemoryCluster] = {}
_REGISTRY_LOCK = threading.Lock()


def memory_cluster(address: str = "memory:9092") -> MemoryCluster:
    """The shared cluster that clients with ``backend: memory`` and this bootstrap address run on.

    Application code needs no change to run on it: set ``KAFKA_CLIENT_BACKEND=memory`` (or
    ``backend="memory"``), and the clients it builds connect here instead of to a broker.
    """
    with _REGISTRY_LOCK:
        cluster = _REGISTRY.get(address)
        if cluster is None:
            cluster = _REGISTRY[address] = MemoryCluster()
        return cluster


def reset_memory_clusters() -> None:
    """Forget every registered cluster (the next :func:`memory_cluster` call starts empty)."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()


__all__ = [
    "MemoryCluster",
    "MemoryConsumer",
    "MemoryGroupMetadata",
    "MemoryProducer",
    "memory_cluster",
    "murmur2",
    "partition_for_key",
    "reset_memory_clusters",
]
