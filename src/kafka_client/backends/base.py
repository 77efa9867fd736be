"""The seam every backend meets: small Protocols for producing, consuming and administering.

Everything public in kafka_client is written once above these Protocols. A backend translates its
library's errors into :mod:`kafka_client.errors` before they cross this seam, and raises
:class:`~kafka_client.errors.FeatureNotSupportedError` (naming the alternative) for what it cannot do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from kafka_client._records import Headers, RawRecord, RecordMetadata, TopicPartition, TopicPartitionOffset
from kafka_client.errors import KafkaClientError

__all__ = ["ConsumerBackend", "DeliveryCallback", "ProducerBackend", "RebalanceListener", "StatsCallback"]

DeliveryCallback = Callable[[KafkaClientError | None, RecordMetadata | None], None]
"""Called once per message with (error, None) or (None, metadata), from the backend's poll."""

SharedReport = Callable[[str, KafkaClientError | None, RecordMetadata | None], None]
"""The report of a message queued without its own callback: (topic, error, metadata). A backend that can
queue such messages cheaply has ``fire(topic, value, key, headers, partition, timestamp_ms)`` and
``set_report(report)``; the producer core falls back to ``produce`` with a callback otherwise."""

StatsCallback = Callable[[Mapping[str, Any]], None]
"""Receives the backend's statistics snapshot (librdkafka's parsed JSON, or kafka-python's metrics)."""


class RebalanceListener(Protocol):
    """Told about partition assignment changes, on the thread that polls, before records flow again."""

    def on_assign(self, partitions: list[TopicPartition]) -> None: ...

    def on_revoke(self, partitions: list[TopicPartition]) -> None: ...

    def on_lost(self, partitions: list[TopicPartition]) -> None: ...


class ProducerBackend(Protocol):
    """What a producer needs from a Kafka client library."""

    name: ClassVar[str]
    needs_polling: ClassVar[bool]
    """True when delivery callbacks only run inside :meth:`poll` (librdkafka), so the client polls."""

    def produce(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp_ms: int | None,
        on_delivery: DeliveryCallback,
    ) -> None:
        """Queue one message. Raises QueueFullError when the local queue is full (nothing queued)."""
        ...

    def poll(self, timeout: float) -> int:
        """Serve delivery callbacks for up to ``timeout`` seconds; return how many were served."""
        ...

    def flush(self, timeout: float) -> int:
        """Wait for every queued message to be delivered or failed; return how many are still queued."""
        ...

    def queued(self) -> int:
        """Messages queued or in flight, not yet reported."""
        ...

    def init_transactions(self, timeout: float) -> None: ...

    def begin_transaction(self) -> None: ...

    def commit_transaction(self, timeout: float) -> None: ...

    def abort_transaction(self, timeout: float) -> None: ...

    def send_offsets_to_transaction(
        self, offsets: Sequence[TopicPartitionOffset], group_metadata: object, timeout: float
    ) -> None: ...

    def purge(self) -> None:
        """Fail every queued and in-flight message now; their delivery reports say they were purged."""
        ...

    def close(self, timeout: float) -> None:
        """Release the client; the caller flushes (and purges what is left) first."""
        ...


class ConsumerBackend(Protocol):
    """What a consumer needs from a Kafka client library."""

    name: ClassVar[str]

    def subscribe(self, topics: Sequence[str], pattern: str | None, listener: RebalanceListener) -> None: ...

    def assign(self, partitions: Sequence[TopicPartitionOffset]) -> None: ...

    def unsubscribe(self) -> None: ...

    def poll(self, timeout: float) -> RawRecord | None: ...

    def consume(self, max_records: int, timeout: float) -> list[RawRecord]: ...

    def commit(self, offsets: Sequence[TopicPartitionOffset], asynchronous: bool) -> None: ...

    def committed(
        self, partitions: Sequence[TopicPartition], timeout: float
    ) -> dict[TopicPartition, int | None]:
        """The group's committed offset per partition; None where the group has committed none."""
        ...

    def position(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int | None]:
        """The offset of the next record this consumer will read; None where unknown yet."""
        ...

    def seek(self, position: TopicPartitionOffset) -> None: ...

    def seek_to_beginning(self, partitions: Sequence[TopicPartition]) -> None: ...

    def seek_to_end(self, partitions: Sequence[TopicPartition]) -> None: ...

    def pause(self, partitions: Sequence[TopicPartition]) -> None: ...

    def resume(self, partitions: Sequence[TopicPartition]) -> None: ...

    def assignment(self) -> list[TopicPartition]: ...

    def offsets_for_times(
        self, timestamps_ms: Mapping[TopicPartition, int], timeout: float
    ) -> dict[TopicPartition, int | None]: ...

    def watermarks(self, partition: TopicPartition, timeout: float) -> tuple[int, int]: ...

    def group_metadata(self) -> object: ...

    def close(self) -> None: ...
