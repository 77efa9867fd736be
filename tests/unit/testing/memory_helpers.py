"""Helpers shared by the in-memory cluster tests (no tests here): a recording listener, delivery
reports, and produce-and-flush / drain shortcuts."""

from __future__ import annotations

from collections.abc import Sequence

from kafka_client import errors
from kafka_client._records import Headers, RecordMetadata, TopicPartition
from kafka_client.testing.memory import MemoryConsumer, MemoryProducer


class Recorder:
    """A RebalanceListener that records every call, in order, as (event, partitions)."""

    def __init__(
        self, name: str = "", log: list[tuple[str, str, list[TopicPartition]]] | None = None
    ) -> None:
        self.name = name
        self.events: list[tuple[str, list[TopicPartition]]] = []
        self.shared = log

    def _record(self, event: str, partitions: list[TopicPartition]) -> None:
        self.events.append((event, list(partitions)))
        if self.shared is not None:
            self.shared.append((self.name, event, list(partitions)))

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        self._record("assign", partitions)

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        self._record("revoke", partitions)

    def on_lost(self, partitions: list[TopicPartition]) -> None:
        self._record("lost", partitions)


class Reports:
    """A delivery callback collecting (error, metadata) pairs."""

    def __init__(self) -> None:
        self.items: list[tuple[errors.KafkaClientError | None, RecordMetadata | None]] = []

    def __call__(self, error: errors.KafkaClientError | None, meta: RecordMetadata | None) -> None:
        self.items.append((error, meta))

    @property
    def metadata(self) -> list[RecordMetadata]:
        return [m for _, m in self.items if m is not None]

    @property
    def errors(self) -> list[errors.KafkaClientError]:
        return [e for e, _ in self.items if e is not None]


def send(
    producer: MemoryProducer,
    topic: str,
    values: Sequence[bytes | None],
    *,
    key: bytes | None = None,
    partition: int | None = None,
    headers: Headers | None = None,
    timestamp_ms: int | None = None,
) -> list[RecordMetadata]:
    """Produce ``values`` and flush; return their metadata (raising the first delivery error)."""
    reports = Reports()
    for value in values:
        producer.produce(topic, value, key, headers, partition, timestamp_ms, reports)
    assert producer.flush(5.0) == 0
    if reports.errors:
        raise reports.errors[0]
    return reports.metadata


def tp(topic: str, *partitions: int) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in partitions]


def drain(consumer: MemoryConsumer, timeout: float = 0.0) -> list[tuple[int, int, bytes | None]]:
    """Consume until a call returns nothing; return (partition, offset, value) of every record."""
    out: list[tuple[int, int, bytes | None]] = []
    while batch := consumer.consume(100, timeout):
        out.extend((r.partition, r.offset, r.value) for r in batch)
    return out
