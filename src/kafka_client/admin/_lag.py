"""Consumer group lag: THE implementation, shared by the CLI, health checks, the exporter and kafka-top.

The numbers follow ``kafka-consumer-groups --describe``: one row per partition the group has committed
to or has assigned to a member; lag = log end offset - committed offset, never negative; a partition
without a committed offset has ``committed_offset=None`` and ``lag=None`` (its own state, not -1).
This module is pure: :class:`~kafka_client.admin.KafkaAdmin` gathers the inputs in batched calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kafka_client._records import TopicPartition
from kafka_client.admin._models import CommittedOffset, ConsumerGroupDescription, GroupState, Watermarks
from kafka_client.errors import KafkaClientError

__all__ = ["ConsumerGroupLag", "PartitionLag", "TopicLag", "compute_group_lag"]


@dataclass(frozen=True, slots=True)
class PartitionLag:
    """One (group, topic, partition): where the group is, where the log ends, and who owns it.

    ``log_end_offset``/``earliest_offset`` are None when the partition's offsets could not be read (a
    deleted topic), ``member_id``/``client_id``/``host`` when no member owns the partition.
    ``metadata`` is the commit's metadata string (this library's consumers may put a timestamp there).
    """

    group_id: str
    topic: str
    partition: int
    committed_offset: int | None
    log_end_offset: int | None
    earliest_offset: int | None
    lag: int | None
    member_id: str | None = None
    client_id: str | None = None
    host: str | None = None
    metadata: str | None = None

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)

    @property
    def committed_below_earliest(self) -> bool:
        """The committed offset fell off the log (retention deleted unread records)."""
        return (
            self.committed_offset is not None
            and self.earliest_offset is not None
            and self.committed_offset < self.earliest_offset
        )


@dataclass(frozen=True, slots=True)
class TopicLag:
    """A group's lag summed and maximised over one topic's partitions (unknown lags count as 0)."""

    topic: str
    total_lag: int
    max_lag: int
    partitions: int


@dataclass(frozen=True)
class ConsumerGroupLag:
    """A consumer group's lag: one :class:`PartitionLag` per partition, plus sums and maxima.

    ``error`` is set when part of the group could not be read (only with ``partial=True``): then
    ``partitions`` holds what could be read, possibly nothing.
    """

    group_id: str
    state: GroupState
    members: int
    partitions: tuple[PartitionLag, ...]
    error: KafkaClientError | None = field(default=None, compare=False)
    total_lag: int = field(init=False)
    max_lag: int = field(init=False)

    def __post_init__(self) -> None:
        known = [p.lag for p in self.partitions if p.lag is not None]
        object.__setattr__(self, "total_lag", sum(known))
        object.__setattr__(self, "max_lag", max(known, default=0))

    @property
    def by_topic(self) -> dict[str, TopicLag]:
        """Per-topic sums and maxima, by topic name."""
        grouped: dict[str, list[int]] = {}
        for p in self.partitions:
            grouped.setdefault(p.topic, []).append(p.lag or 0)
        return {
            topic: TopicLag(topic, sum(lags), max(lags), len(lags)) for topic, lags in sorted(grouped.items())
        }

    @property
    def partitions_without_commit(self) -> tuple[TopicPartition, ...]:
        """Partitions the group owns but has never committed an offset for."""
        return tuple(p.topic_partition for p in self.partitions if p.committed_offset is None)

    def partition(self, topic: str, partition: int) -> PartitionLag | None:
        """The row of one partition, or None when the group neither owns nor committed it."""
        return next((p for p in self.partitions if p.topic == topic and p.partition == partition), None)


def compute_group_lag(
    group_id: str,
    description: ConsumerGroupDescription | None,
    committed: Mapping[TopicPartition, CommittedOffset],
    watermarks: Mapping[TopicPartition, Watermarks],
    error: KafkaClientError | None = None,
) -> ConsumerGroupLag:
    """Combine a group's description, committed offsets and the partitions' watermarks into its lag.

    Rows cover the committed partitions and the partitions assigned to members; a partition missing
    from ``watermarks`` gets ``log_end_offset=None`` and ``lag=None``.
    """
    owners = description.owners() if description is not None else {}
    rows: list[PartitionLag] = []
    for tp in sorted(set(committed) | set(owners)):
        commit = committed.get(tp)
        marks = watermarks.get(tp)
        owner = owners.get(tp)
        end = marks.latest if marks is not None else None
        lag = max(0, end - commit.offset) if commit is not None and end is not None else None
        rows.append(
            PartitionLag(
                group_id=group_id,
                topic=tp.topic,
                partition=tp.partition,
                committed_offset=commit.offset if commit is not None else None,
                log_end_offset=end,
                earliest_offset=marks.earliest if marks is not None else None,
                lag=lag,
                member_id=owner.member_id if owner is not None else None,
                client_id=owner.client_id if owner is not None else None,
                host=owner.host if owner is not None else None,
                metadata=commit.metadata if commit is not None else None,
            )
        )
    return ConsumerGroupLag(
        group_id=group_id,
        state=description.state if description is not None else GroupState.UNKNOWN,
        members=len(description.members) if description is not None else 0,
        partitions=tuple(rows),
        error=error,
    )
