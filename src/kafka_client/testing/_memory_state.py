"""The shared state of one in-memory cluster, guarded by one condition variable.

Producers, consumers and the :class:`~kafka_client.testing.memory.MemoryCluster` facade all change it
while holding ``cond``; whoever changes something another thread may wait for calls ``notify_all``.
Nothing here calls user code: callbacks always run after the lock is released.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kafka_client._records import TopicPartition
from kafka_client.errors import KafkaClientError, TopicError
from kafka_client.testing._memory_group import Cursor, GroupState, Membership
from kafka_client.testing._memory_log import PartitionLog, Transaction

__all__ = ["ClusterState", "Fault", "deadline_after", "seconds_left"]

_LEGAL_TOPIC = re.compile(r"[a-zA-Z0-9._-]{1,249}")


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(slots=True)
class Fault:
    """One armed failure: the error to raise (a copy per use) and the topic or group it is limited to."""

    error: KafkaClientError
    scope: str | None

    def fire(self) -> KafkaClientError:
        """A fresh copy of the error, so each failure gets its own traceback (the original if uncopyable)."""
        try:
            return copy.copy(self.error)
        except Exception:  # an exception whose __init__ does not take its own args back
            return self.error


class ClusterState:
    """Topics, groups, transactions' fencing and armed faults of one in-memory cluster."""

    def __init__(
        self,
        *,
        auto_create_topics: bool,
        default_partitions: int,
        max_poll_interval_s: float,
        clock_ms: Callable[[], int] | None,
    ) -> None:
        self.cond = threading.Condition()
        self.topics: dict[str, list[PartitionLog]] = {}
        self.groups: dict[str, GroupState] = {}
        self.auto_create_topics = auto_create_topics
        self.default_partitions = default_partitions
        self.max_poll_interval_s = max_poll_interval_s
        self._clock = clock_ms or _wall_clock_ms
        self.deliveries_paused = False
        self.delivery_faults: deque[Fault] = deque()
        self.commit_faults: deque[Fault] = deque()
        self.poll_errors: deque[Fault] = deque()
        # transactional id -> the producer that initialised it last (older ones are fenced)
        self.txn_owners: dict[str, object] = {}
        self._member_ids = itertools.count(1)

    def now_ms(self) -> int:
        """The cluster's clock, in ms since the epoch (injectable, for deterministic timestamps)."""
        return self._clock()

    # --- topics (call with cond held) ---------------------------------------------------------------

    def create_topic(self, name: str, partitions: int) -> list[PartitionLog]:
        """Create a topic; groups whose subscription covers it rebalance, as on a metadata refresh."""
        if name in self.topics:
            raise TopicError(f"topic {name!r} already exists [TOPIC_ALREADY_EXISTS]")
        if not _LEGAL_TOPIC.fullmatch(name) or name in (".", ".."):
            raise TopicError(
                f"{name!r} is not a legal topic name: use 1-249 of a-z, A-Z, 0-9, '.', '_', '-' "
                "[INVALID_TOPIC_EXCEPTION]"
            )
        if partitions < 1:
            raise TopicError(f"topic {name!r} needs at least one partition, got {partitions}")
        logs = [PartitionLog(TopicPartition(name, p)) for p in range(partitions)]
        self.topics[name] = logs
        counts = self.partition_counts()
        for group in self.groups.values():
            if group.wants(name):
                group.rebalance(counts)
        self.cond.notify_all()
        return logs

    def logs(self, topic: str) -> list[PartitionLog]:
        """The partitions of ``topic``; TopicError when it does not exist."""
        logs = self.topics.get(topic)
        if logs is None:
            raise TopicError(f"topic {topic!r} does not exist [UNKNOWN_TOPIC_OR_PART]")
        return logs

    def log(self, topic: str, partition: int) -> PartitionLog:
        """One partition; TopicError when the topic or the partition does not exist."""
        logs = self.logs(topic)
        if not 0 <= partition < len(logs):
            raise TopicError(
                f"partition {partition} of topic {topic!r} does not exist (it has {len(logs)}) "
                "[UNKNOWN_PARTITION]"
            )
        return logs[partition]

    def logs_for_write(self, topic: str) -> list[PartitionLog]:
        """The partitions of ``topic``, creating it first when topics are auto-created."""
        logs = self.topics.get(topic)
        if logs is None and self.auto_create_topics:
            logs = self.create_topic(topic, self.default_partitions)
        if logs is None:
            raise TopicError(
                f"topic {topic!r} does not exist and the cluster does not auto-create topics "
                "[UNKNOWN_TOPIC_OR_PART]"
            )
        return logs

    def partition_counts(self) -> dict[str, int]:
        """Topic name -> number of partitions."""
        return {name: len(logs) for name, logs in self.topics.items()}

    # --- groups (call with cond held) ---------------------------------------------------------------

    def group(self, group_id: str) -> GroupState:
        """The group called ``group_id``, created on first use (as a broker's coordinator does)."""
        group = self.groups.get(group_id)
        if group is None:
            group = self.groups[group_id] = GroupState(group_id)
        return group

    def join(
        self,
        group_id: str,
        topics: frozenset[str],
        pattern: re.Pattern[str] | None,
        parts: dict[TopicPartition, Cursor],
    ) -> Membership:
        """Add a member (ids sort in join order) and start a new generation."""
        member = Membership(f"{group_id}-member-{next(self._member_ids):06d}", topics, pattern, parts)
        group = self.group(group_id)
        group.members[member.member_id] = member
        group.rebalance(self.partition_counts())
        self.cond.notify_all()
        return member

    def rebalance(self, group_id: str) -> None:
        """Start a new generation of ``group_id`` (its members revoke and reassign at their next poll)."""
        self.group(group_id).rebalance(self.partition_counts())
        self.cond.notify_all()

    def leave(self, group_id: str, member: Membership) -> None:
        """Remove a member that let go of its partitions; the others rebalance."""
        group = self.group(group_id)
        if group.members.pop(member.member_id, None) is not None:
            group.rebalance(self.partition_counts())
        self.cond.notify_all()

    def evict(self, group: GroupState, member: Membership) -> None:
        """Throw out a member that stopped polling: its partitions are lost, the others rebalance."""
        member.lost = sorted(member.parts)
        member.parts.clear()
        group.members.pop(member.member_id, None)
        group.rebalance(self.partition_counts())
        self.cond.notify_all()

    # --- transactions and faults (call with cond held) ----------------------------------------------

    def end_transaction(self, txn: Transaction, commit: bool) -> None:
        """Write the markers of ``txn``; on commit, its offsets become the groups' committed offsets."""
        now = self.now_ms()
        txn.state = "committed" if commit else "aborted"
        for tp in sorted(txn.partitions):
            self.topics[tp.topic][tp.partition].end_transaction(txn, now)
        if commit:
            for group_id, offsets in txn.offsets.items():
                self.group(group_id).offsets.update(offsets)
        self.cond.notify_all()

    @staticmethod
    def take_fault(faults: deque[Fault], scope: str | None) -> KafkaClientError | None:
        """Use up the first armed fault that applies to ``scope`` (a topic or group); None if none."""
        for i, fault in enumerate(faults):
            if fault.scope is None or fault.scope == scope:
                del faults[i]
                return fault.fire()
        return None


def deadline_after(timeout: float) -> float | None:
    """The monotonic time ``timeout`` seconds from now; None (wait forever) for a negative timeout."""
    return None if timeout < 0 else time.monotonic() + timeout


def seconds_left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (never negative); None when there is no deadline."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())
