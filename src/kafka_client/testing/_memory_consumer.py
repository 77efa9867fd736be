"""``MemoryConsumer``: the consumer backend of the in-memory cluster."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import ClassVar, Literal

from kafka_client._records import RawRecord, TopicPartition, TopicPartitionOffset
from kafka_client.backends.base import RebalanceListener
from kafka_client.errors import CommitError, ConfigError, ConfigProblem, ConsumerError, KafkaClientError
from kafka_client.testing._memory_fetch import PartitionReader
from kafka_client.testing._memory_group import Cursor, GroupState, Membership, MemoryGroupMetadata
from kafka_client.testing._memory_state import ClusterState, deadline_after, seconds_left

__all__ = ["MemoryConsumer"]

_ISOLATION_LEVELS = ("read_committed", "read_uncommitted")
_RESETS = ("earliest", "latest", "none")


class MemoryConsumer:
    """A :class:`~kafka_client.backends.base.ConsumerBackend` reading from a :class:`MemoryCluster`.

    A subscribed consumer joins its group at its first ``poll``/``consume`` (as real clients do) and
    takes part in eager rebalances: on each it revokes everything it holds, then receives its share from
    the range assignor, with the listener called on its own thread inside ``poll``/``consume``. A
    partition moving between members is handed over only once the old member has revoked it (after its
    ``on_revoke`` ran, which is where offsets are committed), so members never read a partition at once.
    Get one from :meth:`MemoryCluster.consumer_backend`.
    """

    name: ClassVar[str] = "memory"

    def __init__(
        self,
        state: ClusterState,
        group_id: str | None = None,
        *,
        isolation_level: Literal["read_committed", "read_uncommitted"] = "read_committed",
        auto_offset_reset: Literal["earliest", "latest", "none"] = "earliest",
        max_poll_records: int = 500,
    ) -> None:
        problems = []
        if isolation_level not in _ISOLATION_LEVELS:
            problems.append(
                ConfigProblem("isolation_level", "unknown isolation level", repr(isolation_level))
            )
        if auto_offset_reset not in _RESETS:
            problems.append(
                ConfigProblem(
                    "auto_offset_reset", "must be earliest, latest or none", repr(auto_offset_reset)
                )
            )
        if max_poll_records < 1:
            problems.append(ConfigProblem("max_poll_records", "must be at least 1", repr(max_poll_records)))
        if problems:
            raise ConfigError(problems, source="MemoryCluster.consumer_backend")
        self._state = state
        self._cond = state.cond
        self.group_id = group_id
        self.isolation_level = isolation_level
        self.auto_offset_reset = auto_offset_reset
        self.max_poll_records = max_poll_records
        # the assignment; shared with the group membership, so it is mutated in place, never rebound
        self._parts: dict[TopicPartition, Cursor] = {}
        self._listener: RebalanceListener | None = None
        self._subscribed = False
        self._topics: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self._member: Membership | None = None
        self._closed = False
        self._reader = PartitionReader(
            state, group_id, isolation_level == "read_committed", auto_offset_reset, self._parts
        )

    # --- subscription and assignment ----------------------------------------------------------------

    def subscribe(self, topics: Sequence[str], pattern: str | None, listener: RebalanceListener) -> None:
        """Subscribe to ``topics`` and/or the topics ``pattern`` matches from their start (``re.match``).

        The group is joined at the next poll; a subscribed member changing its subscription makes the
        group rebalance. A manual assignment is dropped.
        """
        if self.group_id is None:
            raise ConsumerError(
                "subscribe needs a group: use cluster.consumer_backend(group_id=...), or assign() partitions"
            )
        try:
            compiled = re.compile(pattern) if pattern is not None else None
        except re.error as exc:
            raise ConsumerError(f"subscribe: invalid topic pattern {pattern!r}: {exc}") from exc
        with self._cond:
            self._check_open()
            if not self._subscribed:
                self._parts.clear()
            self._topics, self._pattern, self._listener = frozenset(topics), compiled, listener
            self._subscribed = True
            if self._member is not None:
                self._member.topics, self._member.pattern = self._topics, compiled
                self._state.rebalance(self.group_id)

    def assign(self, partitions: Sequence[TopicPartitionOffset]) -> None:
        """Read exactly these partitions, outside any group membership (replaces the assignment).

        Each offset is where to start: >= 0 that offset, -2 the beginning, -1 the end, anything else
        (-1001) the group's committed offset, or ``auto_offset_reset`` without one.
        """
        with self._cond:
            self._check_open()
            if self._subscribed:
                raise ConsumerError("assign: the consumer is subscribed; unsubscribe() first [_STATE]")
            chosen = {}
            for p in partitions:
                log = self._state.log(p.topic, p.partition)
                chosen[p.topic_partition] = Cursor(self._reader.start(p.offset, log))
            self._parts.clear()
            self._parts.update(chosen)

    def unsubscribe(self) -> None:
        """Leave the group (revoking what is held, listener told) or drop the manual assignment."""
        self._leave_group()
        with self._cond:
            self._subscribed = False
            self._topics, self._pattern = frozenset(), None
            self._parts.clear()

    def _leave_group(self) -> None:
        with self._cond:
            member = self._member
            if member is None:
                return
            lost = member.lost is not None
            parts = member.lost if member.lost is not None else sorted(self._parts)
            listener = self._listener
        try:
            if parts and listener is not None:
                (listener.on_lost if lost else listener.on_revoke)(parts)
        finally:
            with self._cond:
                self._parts.clear()
                assert self.group_id is not None
                self._state.leave(self.group_id, member)
                self._member = None

    # --- group membership, driven from poll --------------------------------------------------------

    def _group(self) -> GroupState:
        assert self.group_id is not None
        return self._state.group(self.group_id)

    def _needs_sync(self) -> bool:
        member = self._member
        if not self._subscribed:
            return False
        return member is None or member.lost is not None or member.generation != self._group().generation

    def _sync_group(self) -> None:
        """Join, then run pending rebalances' revoke/assign (or lost) steps; the listener runs unlocked."""
        while True:
            with self._cond:
                self._check_open()
                member = self._member
                if not self._subscribed or self.group_id is None:
                    return
                if member is None:
                    self._member = self._state.join(self.group_id, self._topics, self._pattern, self._parts)
                    continue
                member.last_poll = time.monotonic()
                group = self._group()
                if member.lost is not None:
                    kind, parts = "lost", member.lost
                elif member.generation == group.generation:
                    return
                elif self._parts:
                    kind, parts = "revoke", sorted(self._parts)
                else:
                    member.generation = group.generation
                    kind, parts = "assign", list(group.target.get(member.member_id, []))
                    self._parts.update((tp, Cursor()) for tp in parts)
                    self._cond.notify_all()
                listener = self._listener
            try:
                if listener is not None:
                    if kind == "assign":
                        listener.on_assign(parts)
                    elif kind == "revoke":
                        listener.on_revoke(parts)
                    else:
                        listener.on_lost(parts)
            finally:
                with self._cond:
                    if kind == "revoke":
                        self._parts.clear()  # handed over: the new owners may read now
                        self._cond.notify_all()
                    elif kind == "lost":
                        member.lost = None
                        if self._member is member:
                            self._member = None

    # --- fetching -----------------------------------------------------------------------------------

    def poll(self, timeout: float) -> RawRecord | None:
        """The next record, waiting up to ``timeout`` s (negative: forever) for one; None if none came."""
        records = self.consume(1, timeout)
        return records[0] if records else None

    def consume(self, max_records: int, timeout: float) -> list[RawRecord]:
        """Up to ``min(max_records, max_poll_records)`` records, waiting up to ``timeout`` s for the first.

        Records come in offset order per partition; partitions take turns to go first. Returns as soon
        as anything is readable; an injected poll error is raised instead.
        """
        limit = min(max_records, self.max_poll_records)
        deadline = deadline_after(timeout)
        try:
            while True:
                self._raise_injected()
                self._sync_group()
                with self._cond:
                    self._check_open()
                    if self._needs_sync() or self._injected_waiting():
                        continue
                    if limit < 1:
                        return []
                    records, wake = self._reader.fetch(limit, self._member)
                    if records:
                        return records
                    left = seconds_left(deadline)
                    if left == 0:
                        return []
                    if wake is not None:
                        left = wake if left is None else min(left, wake)
                    self._cond.wait(left)
        finally:
            with self._cond:
                if self._member is not None:
                    self._member.last_poll = time.monotonic()

    def _raise_injected(self) -> None:
        with self._cond:
            error = self._state.take_fault(self._state.poll_errors, self.group_id)
        if error is not None:
            raise error

    def _injected_waiting(self) -> bool:
        return any(f.scope is None or f.scope == self.group_id for f in self._state.poll_errors)

    # --- offsets ------------------------------------------------------------------------------------

    def commit(self, offsets: Sequence[TopicPartitionOffset], asynchronous: bool) -> None:
        """Store the group's offsets (with metadata). A failed asynchronous commit raises nothing and
        stores nothing, as with a real client without a commit callback.

        A group member may only commit partitions it holds (until its ``on_revoke`` returns): stricter
        than a broker, which would let a stale offset overwrite the new owner's progress.
        """
        if not offsets:
            return
        with self._cond:
            self._check_open()
            group_id = self._require_group("commit")
            error = self._state.take_fault(self._state.commit_faults, group_id) or self._ownership_error(
                offsets
            )
            if error is not None:
                if asynchronous:
                    return
                raise error
            stored = self._state.group(group_id).offsets
            for o in offsets:
                stored[o.topic_partition] = (o.offset, o.metadata)

    def _ownership_error(self, offsets: Sequence[TopicPartitionOffset]) -> KafkaClientError | None:
        if not self._subscribed:
            return None
        member = self._member
        if member is None or member.lost is not None:
            return CommitError(
                f"commit: this consumer is not a member of group {self.group_id!r} (evicted, or it has not "
                "polled since subscribing) [UNKNOWN_MEMBER_ID]"
            )
        foreign = sorted({o.topic_partition for o in offsets} - self._parts.keys())
        if foreign:
            return CommitError(
                f"commit: this member does not hold {', '.join(map(str, foreign))} (the group rebalanced) "
                "[ILLEGAL_GENERATION]"
            )
        return None

    def committed(
        self, partitions: Sequence[TopicPartition], timeout: float
    ) -> dict[TopicPartition, int | None]:
        """The group's committed offset per partition; None where it has committed none."""
        with self._cond:
            self._check_open()
            group = self._state.groups.get(self._require_group("committed"))
            offsets = group.offsets if group is not None else {}
            return {tp: (offsets[tp][0] if tp in offsets else None) for tp in partitions}

    def position(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int | None]:
        """The next offset to read per partition; None before the first fetch of it, or if not assigned."""
        with self._cond:
            return {tp: (c.position if (c := self._parts.get(tp)) is not None else None) for tp in partitions}

    def _cursor(self, tp: TopicPartition, what: str) -> Cursor:
        cursor = self._parts.get(tp)
        if cursor is None:
            raise ConsumerError(f"{what}: {tp} is not assigned to this consumer [_STATE]")
        return cursor

    def seek(self, position: TopicPartitionOffset) -> None:
        """Read ``position.topic_partition`` from ``position.offset`` next (-2 beginning, -1 end)."""
        with self._cond:
            self._check_open()
            cursor = self._cursor(position.topic_partition, "seek")
            cursor.position = self._reader.start(
                position.offset, self._state.log(position.topic, position.partition)
            )

    def seek_to_beginning(self, partitions: Sequence[TopicPartition]) -> None:
        """Read these partitions from their first offset next."""
        with self._cond:
            self._check_open()
            for tp in partitions:
                self._cursor(tp, "seek_to_beginning").position = 0

    def seek_to_end(self, partitions: Sequence[TopicPartition]) -> None:
        """Read only new records next (the end is the last stable offset under read_committed)."""
        with self._cond:
            self._check_open()
            for tp in partitions:
                end = self._reader.end(self._state.log(tp.topic, tp.partition))
                self._cursor(tp, "seek_to_end").position = end

    def pause(self, partitions: Sequence[TopicPartition]) -> None:
        """Stop returning records of these partitions (kept assigned) until resumed or reassigned."""
        with self._cond:
            self._check_open()
            for tp in partitions:
                self._cursor(tp, "pause").paused = True

    def resume(self, partitions: Sequence[TopicPartition]) -> None:
        """Return records of these paused partitions again."""
        with self._cond:
            self._check_open()
            for tp in partitions:
                self._cursor(tp, "resume").paused = False
            self._cond.notify_all()

    def assignment(self) -> list[TopicPartition]:
        """The partitions assigned to this consumer, sorted (after a rebalance, once its poll ran)."""
        with self._cond:
            return sorted(self._parts)

    def offsets_for_times(
        self, timestamps_ms: Mapping[TopicPartition, int], timeout: float
    ) -> dict[TopicPartition, int | None]:
        """Per partition, the first offset whose timestamp is >= the given one; None if there is none."""
        result: dict[TopicPartition, int | None] = {}
        with self._cond:
            for tp, ts in timestamps_ms.items():
                result[tp] = self._reader.offset_for_time(self._state.log(tp.topic, tp.partition), ts)
        return result

    def watermarks(self, partition: TopicPartition, timeout: float) -> tuple[int, int]:
        """(low, high): 0 and the log end offset; under read_committed the high one is the last stable."""
        with self._cond:
            log = self._state.log(partition.topic, partition.partition)
            return 0, self._reader.end(log)

    def group_metadata(self) -> object:
        """A :class:`MemoryGroupMetadata` (group, member, generation) for ``send_offsets_to_transaction``."""
        with self._cond:
            group_id = self._require_group("group_metadata")
            member = self._member
            if member is None:
                return MemoryGroupMetadata(group_id, None, -1)
            return MemoryGroupMetadata(group_id, member.member_id, member.generation)

    def close(self) -> None:
        """Revoke what is held (listener told), leave the group so the others rebalance. Idempotent."""
        with self._cond:
            if self._closed:
                return
        self._leave_group()
        with self._cond:
            self._closed = True
            self._subscribed = False
            self._parts.clear()
            self._cond.notify_all()

    def _check_open(self) -> None:
        if self._closed:
            raise ConsumerError("the memory consumer is closed; get a new one from the cluster")

    def _require_group(self, what: str) -> str:
        if self.group_id is None:
            raise ConsumerError(f"{what} needs a group: use cluster.consumer_backend(group_id=...)")
        return self.group_id
