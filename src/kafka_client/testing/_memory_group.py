"""Consumer groups of the in-memory cluster: members, range assignor, generations, committed offsets."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from kafka_client._records import TopicPartition

__all__ = ["Cursor", "GroupState", "Membership", "MemoryGroupMetadata", "range_assign"]


@dataclass(frozen=True, slots=True)
class MemoryGroupMetadata:
    """What :meth:`MemoryConsumer.group_metadata` returns, for ``send_offsets_to_transaction``.

    ``member_id`` is None for a consumer with a manual assignment (it is in no group's membership).
    """

    group_id: str
    member_id: str | None
    generation: int


class Cursor:
    """A consumer's state in one assigned partition: the next offset to read (None: not known yet)."""

    __slots__ = ("paused", "position")

    def __init__(self, position: int | None = None) -> None:
        self.position = position
        self.paused = False


class Membership:
    """One consumer's membership of a group: its subscription and the partitions it holds.

    ``parts`` is the consumer's own assignment dict (shared, never rebound), so the group sees what each
    member still holds: a partition moves to its new owner only once the old one has let go of it.
    """

    __slots__ = ("generation", "last_poll", "lost", "member_id", "parts", "pattern", "topics")

    def __init__(
        self,
        member_id: str,
        topics: frozenset[str],
        pattern: re.Pattern[str] | None,
        parts: dict[TopicPartition, Cursor],
    ) -> None:
        self.member_id = member_id
        self.topics = topics
        self.pattern = pattern
        self.parts = parts
        self.generation = 0
        self.last_poll = time.monotonic()
        # partitions taken away when the group evicted this member; told to on_lost at its next poll
        self.lost: list[TopicPartition] | None = None

    def wants(self, topic: str) -> bool:
        """Whether this member's subscription covers ``topic`` (a pattern must match from its start)."""
        return topic in self.topics or (self.pattern is not None and self.pattern.match(topic) is not None)


def range_assign(members: list[Membership], partitions: Mapping[str, int]) -> dict[str, list[TopicPartition]]:
    """Kafka's RangeAssignor: per topic, members (sorted by id) take consecutive runs of partitions.

    With 6 partitions and members a, b: a gets 0-2, b gets 3-5; with 3 members: 0-1, 2-3, 4-5. When the
    count does not divide evenly the first members get one more each.
    """
    result: dict[str, list[TopicPartition]] = {m.member_id: [] for m in members}
    ordered = sorted(members, key=lambda m: m.member_id)
    for topic in sorted(partitions):
        takers = [m for m in ordered if m.wants(topic)]
        if not takers:
            continue
        count = partitions[topic]
        each, extra = divmod(count, len(takers))
        for i, member in enumerate(takers):
            start = each * i + min(i, extra)
            length = each + (1 if i < extra else 0)
            result[member.member_id].extend(TopicPartition(topic, p) for p in range(start, start + length))
    return {member_id: sorted(parts) for member_id, parts in result.items()}


class GroupState:
    """A consumer group: live members, the current generation's target assignment, committed offsets."""

    __slots__ = ("generation", "group_id", "members", "offsets", "target")

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self.members: dict[str, Membership] = {}
        self.generation = 0
        self.target: dict[str, list[TopicPartition]] = {}
        self.offsets: dict[TopicPartition, tuple[int, str | None]] = {}

    def rebalance(self, partitions: Mapping[str, int]) -> None:
        """Start a new generation: every member revokes all it holds and takes its new target (eager)."""
        self.generation += 1
        self.target = range_assign(list(self.members.values()), partitions)

    def holder(self, tp: TopicPartition, other_than: Membership) -> Membership | None:
        """The member other than ``other_than`` that still holds ``tp``, if any (handover not done)."""
        for member in self.members.values():
            if member is not other_than and tp in member.parts:
                return member
        return None

    def wants(self, topic: str) -> bool:
        """Whether any member's subscription covers ``topic``."""
        return any(m.wants(topic) for m in self.members.values())
