"""``MemoryCluster``: an in-process Kafka-like cluster handing out producer and consumer backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kafka_client._records import Headers, RawRecord, RecordMetadata, TopicPartition
from kafka_client.errors import (
    CommitError,
    ConfigError,
    ConfigProblem,
    ConsumerError,
    DeliveryError,
    KafkaClientError,
)
from kafka_client.testing._memory_consumer import MemoryConsumer
from kafka_client.testing._memory_log import PartitionLog
from kafka_client.testing._memory_producer import MemoryProducer
from kafka_client.testing._memory_state import ClusterState, Fault

__all__ = ["MemoryCluster"]


class MemoryCluster:
    """An in-process Kafka-like cluster your real producer and consumer code runs against, unchanged.

    Hand its backends to the facades as ``transport=``; nothing else changes::

        cluster = MemoryCluster()
        cluster.create_topic("orders", partitions=3)
        with Producer(bootstrap_servers="memory:9092", transport=cluster.producer_backend()) as producer:
            producer.send("orders", b"paid", key=b"customer-7").result(timeout=5)
        assert [r.value for r in cluster.records("orders")] == [b"paid"]

    It keeps Kafka's semantics where tests depend on them: offsets per partition, Java-compatible murmur2
    key partitioning, consumer groups with (eager, range) rebalances, committed offsets, transactions with
    read_committed visibility and markers that take an offset, and fencing. Faults are injected with the
    ``fail_next_*``/``inject_*`` methods. Thread-safe: one condition variable guards all state, and
    waiting ``poll``/``consume``/``flush`` calls wake as soon as what they wait for happens.

    ``max_poll_interval_s``: a member that holds a partition another member was assigned, and has not
    polled for this long, is evicted (its partitions are lost) so the group can move on. ``clock_ms``
    replaces the wall clock for timestamps given to records produced without one.
    """

    def __init__(
        self,
        *,
        auto_create_topics: bool = True,
        default_partitions: int = 1,
        max_poll_interval_s: float = 30.0,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        if default_partitions < 1:
            raise ConfigError(
                [ConfigProblem("default_partitions", "must be at least 1", repr(default_partitions))],
                source="MemoryCluster",
            )
        self._state = ClusterState(
            auto_create_topics=auto_create_topics,
            default_partitions=default_partitions,
            max_poll_interval_s=max_poll_interval_s,
            clock_ms=clock_ms,
        )
        self._cond = self._state.cond

    # --- backends -----------------------------------------------------------------------------------

    def producer_backend(
        self, *, transactional_id: str | None = None, max_queued: int = 100_000
    ) -> MemoryProducer:
        """A new producer backend (a ``ProducerBackend``) writing to this cluster.

        Give the Producer facade the same ``transactional_id`` in its settings, so it allows transactions.
        """
        return MemoryProducer(self._state, transactional_id=transactional_id, max_queued=max_queued)

    def consumer_backend(
        self,
        group_id: str | None = None,
        *,
        isolation_level: Literal["read_committed", "read_uncommitted"] = "read_committed",
        auto_offset_reset: Literal["earliest", "latest", "none"] = "earliest",
        max_poll_records: int = 500,
    ) -> MemoryConsumer:
        """A new consumer backend (a ``ConsumerBackend``) reading from this cluster as ``group_id``.

        The backend's ``group_id`` is the one that counts (the facade's settings do not reach it).
        """
        return MemoryConsumer(
            self._state,
            group_id,
            isolation_level=isolation_level,
            auto_offset_reset=auto_offset_reset,
            max_poll_records=max_poll_records,
        )

    # --- administration -----------------------------------------------------------------------------

    def create_topic(self, name: str, partitions: int = 1) -> None:
        """Create a topic; TopicError if it exists or the name is illegal. Subscribed groups rebalance."""
        with self._cond:
            self._state.create_topic(name, partitions)

    def topics(self) -> list[str]:
        """The topic names, sorted."""
        with self._cond:
            return sorted(self._state.topics)

    def partitions(self, topic: str) -> int:
        """How many partitions ``topic`` has; TopicError when it does not exist."""
        with self._cond:
            return len(self._state.logs(topic))

    def records(
        self,
        topic: str,
        partition: int | None = None,
        *,
        isolation_level: Literal["read_committed", "read_uncommitted"] = "read_uncommitted",
    ) -> list[RawRecord]:
        """The records stored in ``topic`` (or one partition), by partition then offset.

        By default every record written, including those of open or aborted transactions; with
        ``isolation_level="read_committed"``, what a read_committed consumer would read. Transaction
        markers are never included (their offsets are skipped).
        """
        read_committed = isolation_level == "read_committed"
        with self._cond:
            logs = self._logs(topic, partition)
            return [
                entry.raw(log.tp.topic, log.tp.partition)
                for log in logs
                for entry in log.visible(read_committed)
            ]

    def _logs(self, topic: str, partition: int | None) -> list[PartitionLog]:
        if partition is None:
            return self._state.logs(topic)
        return [self._state.log(topic, partition)]

    def end_offsets(self, topic: str) -> dict[int, int]:
        """Partition -> log end offset (high watermark, counting transaction markers)."""
        with self._cond:
            return {log.tp.partition: log.end for log in self._state.logs(topic)}

    def committed(self, group_id: str, topic: str, partition: int) -> int | None:
        """The offset ``group_id`` committed for the partition; None if none."""
        with self._cond:
            group = self._state.groups.get(group_id)
            stored = group.offsets.get(TopicPartition(topic, partition)) if group is not None else None
            return stored[0] if stored is not None else None

    def commit_metadata(self, group_id: str, topic: str, partition: int) -> str | None:
        """The metadata string committed with the group's offset for the partition; None if none."""
        with self._cond:
            group = self._state.groups.get(group_id)
            stored = group.offsets.get(TopicPartition(topic, partition)) if group is not None else None
            return stored[1] if stored is not None else None

    def lag(self, group_id: str, topic: str) -> dict[int, int | None]:
        """Partition -> log end offset minus the committed offset; None where nothing is committed.

        As ``kafka-consumer-groups --describe`` shows it ('-' there), and like it, transaction markers
        count: a group that read everything of a committed transaction may show a lag of 1 until more
        records follow the marker.
        """
        with self._cond:
            group = self._state.groups.get(group_id)
            result: dict[int, int | None] = {}
            for log in self._state.logs(topic):
                stored = group.offsets.get(log.tp) if group is not None else None
                result[log.tp.partition] = max(0, log.end - stored[0]) if stored is not None else None
            return result

    def members(self, group_id: str) -> dict[str, list[TopicPartition]]:
        """Member id -> its assignment as of its last poll (ids sort in join order).

        During a handover a moving partition shows under both the old and the new owner.
        """
        with self._cond:
            group = self._state.groups.get(group_id)
            if group is None:
                return {}
            return {member_id: sorted(m.parts) for member_id, m in group.members.items()}

    # --- fault injection ----------------------------------------------------------------------------

    def fail_next_deliveries(
        self, n: int = 1, error: KafkaClientError | None = None, *, topic: str | None = None
    ) -> None:
        """Fail the next ``n`` deliveries (of ``topic``, or any): the record is not stored and its
        delivery report carries ``error`` (a copy each time). The default is a retriable
        ``DeliveryError``, like a broker timing out (librdkafka's ``_MSG_TIMED_OUT``). Inside a
        transaction the failure also makes ``commit_transaction`` raise an abortable TransactionError.
        """
        if error is None:
            error = DeliveryError("delivery failed: injected by MemoryCluster.fail_next_deliveries")
            error.retriable = True
        with self._cond:
            self._state.delivery_faults.extend(Fault(error, topic) for _ in range(n))

    def fail_next_commits(
        self, n: int = 1, error: KafkaClientError | None = None, *, group_id: str | None = None
    ) -> None:
        """Fail the next ``n`` offset commits (of ``group_id``, or any) with ``error``; nothing is stored.

        Synchronous commits raise it; asynchronous ones fail silently, as with a real client. The default
        is a retriable ``CommitError`` (a commit during a rebalance: REBALANCE_IN_PROGRESS).
        """
        if error is None:
            error = CommitError("commit failed: injected by MemoryCluster.fail_next_commits")
            error.retriable = True
        with self._cond:
            self._state.commit_faults.extend(Fault(error, group_id) for _ in range(n))

    def inject_poll_error(
        self, error: KafkaClientError | None = None, *, group_id: str | None = None
    ) -> None:
        """Raise ``error`` from the next ``poll``/``consume`` of any consumer (or of ``group_id``'s), once.

        A consumer already waiting in ``poll`` wakes and raises it. The default is a ``ConsumerError``.
        """
        if error is None:
            error = ConsumerError("consume failed: injected by MemoryCluster.inject_poll_error")
        with self._cond:
            self._state.poll_errors.append(Fault(error, group_id))
            self._cond.notify_all()

    def trigger_rebalance(self, group_id: str) -> None:
        """Make every member of ``group_id`` revoke all it holds and take its share again at its next poll."""
        with self._cond:
            if group_id not in self._state.groups:
                raise ConsumerError(f"trigger_rebalance: there is no group {group_id!r}")
            self._state.rebalance(group_id)

    def inject_record(
        self,
        topic: str,
        partition: int,
        key: bytes | None,
        value: bytes | None,
        headers: Headers | None = None,
        timestamp_ms: int | None = None,
    ) -> RecordMetadata:
        """Store raw bytes straight into a partition (a poison pill, say), bypassing every producer."""
        with self._cond:
            self._state.logs_for_write(topic)
            log = self._state.log(topic, partition)
            stamp = timestamp_ms if timestamp_ms is not None else self._state.now_ms()
            entry = log.append(key, value, list(headers or []), stamp)
            self._cond.notify_all()
            return RecordMetadata(topic, partition, entry.offset, stamp)

    def pause_deliveries(self) -> None:
        """Keep produced messages queued, as while the broker is unreachable: ``flush`` then times out,
        returning how many wait, and the queue fills up to ``QueueFullError``."""
        with self._cond:
            self._state.deliveries_paused = True

    def resume_deliveries(self) -> None:
        """Deliver again; producers waiting in ``poll``/``flush`` deliver what queued meanwhile."""
        with self._cond:
            self._state.deliveries_paused = False
            self._cond.notify_all()

    def __repr__(self) -> str:
        with self._cond:
            return f"<MemoryCluster topics={len(self._state.topics)} groups={len(self._state.groups)}>"
