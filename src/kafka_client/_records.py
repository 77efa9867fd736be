"""The values that cross the backend seam: partitions, delivery results, and records.

One of these is made per message on the hot path, so they are as cheap as Python allows: named tuples
for the immutable ones (built in C), and one plain slotted class for a consumed message, which backends
create directly (no intermediate "raw record" object).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeAlias, TypeVar

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


def _utc(timestamp_ms: int | None) -> dt.datetime | None:
    if timestamp_ms is None:
        return None
    return dt.datetime.fromtimestamp(timestamp_ms / 1000, tz=dt.UTC)


class TopicPartition(NamedTuple):
    """A partition of a topic (a named tuple: hashable, ordered, equal to ``(topic, partition)``)."""

    topic: str
    partition: int

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]"


class TopicPartitionOffset(NamedTuple):
    """A position in a partition: the offset of the *next* record to read (Kafka's commit convention)."""

    topic: str
    partition: int
    offset: int
    metadata: str | None = None

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)


class RecordMetadata(NamedTuple):
    """Where the broker stored a produced message: what a delivery future resolves to."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None

    @property
    def timestamp(self) -> dt.datetime | None:
        """The record timestamp as an aware UTC datetime."""
        return _utc(self.timestamp_ms)


_SAME: Any = object()


class Message(Generic[K, V]):
    """A consumed message; ``key`` and ``value`` are deserialized when deserializers are configured.

    ``raw_key`` and ``raw_value`` keep the original bytes (the dead-letter queue forwards them untouched).
    Backends build messages directly with the raw bytes as key and value (see :data:`RawRecord`).
    """

    __slots__ = (
        "headers",
        "key",
        "leader_epoch",
        "offset",
        "partition",
        "raw_key",
        "raw_value",
        "timestamp_ms",
        "topic",
        "value",
    )

    def __init__(
        self,
        topic: str,
        partition: int,
        offset: int,
        key: K,
        value: V,
        headers: Headers,
        timestamp_ms: int | None,
        leader_epoch: int | None = None,
        raw_key: bytes | None = _SAME,
        raw_value: bytes | None = _SAME,
    ) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp_ms = timestamp_ms
        self.leader_epoch = leader_epoch
        self.raw_key: bytes | None = key if raw_key is _SAME else raw_key  # type: ignore[assignment]
        self.raw_value: bytes | None = value if raw_value is _SAME else raw_value  # type: ignore[assignment]

    @property
    def timestamp(self) -> dt.datetime | None:
        """The record timestamp as an aware UTC datetime."""
        return _utc(self.timestamp_ms)

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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in Message.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Message(topic={self.topic!r}, partition={self.partition}, offset={self.offset}, "
            f"key={self.key!r}, value={_short(self.value)}, headers={self.headers!r}, "
            f"timestamp_ms={self.timestamp_ms})"
        )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# What a backend returns before deserialization: a Message whose key and value are the raw bytes, built as
# RawRecord(topic, partition, offset, key, value, headers, timestamp_ms, leader_epoch).
if TYPE_CHECKING:
    RawRecord: TypeAlias = Message[bytes | None, bytes | None]
    """A :class:`Message` before deserialization: key and value are the raw bytes the backend fetched."""
else:
    RawRecord = Message
