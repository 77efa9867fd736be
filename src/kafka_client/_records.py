"""The values that cross the backend seam: partitions, delivery results, and records.

They are plain slotted classes, because one of them is made per message on the hot path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = [
    "Header",
    "Headers",
    "Message",
    "RawRecord",
    "RecordMetadata",
    "TopicPartition",
    "TopicPartitionOffset",
]

Header = tuple[str, bytes | None]
Headers = list[Header]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True, order=True)
class TopicPartition:
    """A partition of a topic."""

    topic: str
    partition: int

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]"


@dataclass(frozen=True, slots=True)
class TopicPartitionOffset:
    """A position in a partition: the offset of the *next* record to read (Kafka's commit convention)."""

    topic: str
    partition: int
    offset: int
    metadata: str | None = None

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)


@dataclass(frozen=True, slots=True)
class RecordMetadata:
    """Where the broker stored a produced message: what a delivery future resolves to."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None

    @property
    def timestamp(self) -> dt.datetime | None:
        """The record timestamp as an aware UTC datetime."""
        if self.timestamp_ms is None:
            return None
        return dt.datetime.fromtimestamp(self.timestamp_ms / 1000, tz=dt.UTC)


@dataclass(slots=True)
class RawRecord:
    """A consumed record as a backend returns it: bytes, before deserialization."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp_ms: int | None
    leader_epoch: int | None = None


@dataclass(slots=True)
class Message(Generic[K, V]):
    """A consumed message with its key and value deserialized.

    ``raw_key`` and ``raw_value`` keep the original bytes (the dead-letter queue forwards them untouched).
    """

    topic: str
    partition: int
    offset: int
    key: K
    value: V
    headers: Headers
    timestamp_ms: int | None
    raw_key: bytes | None = None
    raw_value: bytes | None = None
    leader_epoch: int | None = None

    @property
    def timestamp(self) -> dt.datetime | None:
        """The record timestamp as an aware UTC datetime."""
        if self.timestamp_ms is None:
            return None
        return dt.datetime.fromtimestamp(self.timestamp_ms / 1000, tz=dt.UTC)

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)

    def header(self, name: str) -> bytes | None:
        """The value of the last header called ``name``, or None."""
        for key, value in reversed(self.headers):
            if key == name:
                return value
        return None

    def next_position(self) -> TopicPartitionOffset:
        """The offset to commit once this message is processed (its offset + 1)."""
        return TopicPartitionOffset(self.topic, self.partition, self.offset + 1)
