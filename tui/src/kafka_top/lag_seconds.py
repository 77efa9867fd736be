"""Lag in seconds for kafka-top, with the library's one implementation (``kafka_client.admin``).

Every refresh that reads group lag feeds :meth:`LagClock.observe`: each partition's log end offset goes
into its :class:`~kafka_client.admin.OffsetTimeTable` (sampled ``(offset, time)`` points), and each
(group, partition)'s committed offset is compared with the previous one to learn when it last moved.
Then, per partition:

* **exact** when the commit's metadata carries the last processed record's timestamp
  (``kc:ts=<ms>``, :func:`~kafka_client.admin.format_commit_metadata`): lag seconds = now - that time;
* **estimated** otherwise: the time the record at the committed offset was appended, interpolated
  between the two sampled points around it (error at most one refresh interval), or extrapolated
  when it is older than every point. It needs two samples, so the first refresh shows ``-``.

A group's lag seconds is its worst partition's: the age of the oldest message it has not consumed.
The tables are kept per session (one cluster), so the groups and partitions screens share them.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kafka_client.admin import (
    ConsumerGroupLag,
    LagTime,
    OffsetTimeTable,
    PartitionLag,
    lag_seconds_from_metadata,
)

__all__ = ["CommitSeen", "GroupLagTime", "LagClock", "LagMethod", "method_of"]

PartitionKey = tuple[str, int]
GroupPartitionKey = tuple[str, str, int]


class LagMethod(enum.StrEnum):
    """How a lag in seconds was obtained, as the UI labels it."""

    EXACT = "exact"  # from the commit metadata's record timestamp
    ESTIMATED = "est."  # from sampled (log end offset, time) points


def method_of(lag_time: LagTime) -> LagMethod:
    """``metadata``/``timestamp`` are exact; ``interpolation``/``extrapolation`` are estimates."""
    return LagMethod.EXACT if lag_time.method in ("metadata", "timestamp") else LagMethod.ESTIMATED


@dataclass(frozen=True, slots=True)
class GroupLagTime:
    """A group's lag in seconds (its worst partition), how it was obtained, and how many partitions
    are still without an estimate (their table has too few points)."""

    seconds: float | None
    method: LagMethod | None
    unknown: int


@dataclass(frozen=True, slots=True)
class CommitSeen:
    """When kafka-top last saw a partition's committed offset change (``changed_at``, None: it has not
    moved since ``watching_since``). Kafka does not return commit times, so this is as precise as the
    refresh interval."""

    changed_at: float | None
    watching_since: float

    def age(self, now: float) -> tuple[float, bool]:
        """Seconds since the last commit seen, and whether that is a lower bound (never seen moving)."""
        if self.changed_at is None:
            return now - self.watching_since, True
        return now - self.changed_at, False


class LagClock:
    """Offset/time tables per partition and commit changes per (group, partition), for one cluster."""

    def __init__(self, *, capacity: int = 120, clock: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self.clock = clock
        self._tables: dict[PartitionKey, OffsetTimeTable] = {}
        self._commits: dict[GroupPartitionKey, tuple[int, CommitSeen]] = {}

    def observe(self, lags: Iterable[ConsumerGroupLag], now: float) -> None:
        """Record one reading of these groups' lag, taken at ``now`` (seconds since the epoch)."""
        for group in lags:
            for p in group.partitions:
                if p.log_end_offset is not None:
                    key = (p.topic, p.partition)
                    table = self._tables.get(key)
                    if table is None:
                        table = self._tables[key] = OffsetTimeTable(self.capacity)
                    table.add(p.log_end_offset, now)
                if p.committed_offset is not None:
                    self._see_commit(group.group_id, p, now)

    def _see_commit(self, group_id: str, p: PartitionLag, now: float) -> None:
        assert p.committed_offset is not None
        key = (group_id, p.topic, p.partition)
        previous = self._commits.get(key)
        if previous is None:
            self._commits[key] = (p.committed_offset, CommitSeen(None, now))
        elif previous[0] != p.committed_offset:
            self._commits[key] = (p.committed_offset, CommitSeen(now, previous[1].watching_since))

    def forget_groups_except(self, group_ids: Iterable[str]) -> None:
        """Drop the commit history of groups that are gone (the offset tables stay: they are topics')."""
        keep = set(group_ids)
        self._commits = {k: v for k, v in self._commits.items() if k[0] in keep}

    def partition_lag_time(self, p: PartitionLag, now: float) -> LagTime | None:
        """Lag seconds of one partition row at ``now``: exact from its commit metadata, else estimated."""
        if p.committed_offset is None or p.lag is None:
            return None
        exact = lag_seconds_from_metadata(p.metadata, p.lag, now)
        if exact is not None:
            return exact
        if p.lag == 0:
            return LagTime(0.0, "interpolation")
        table = self._tables.get((p.topic, p.partition))
        return table.estimate(p.committed_offset, now) if table is not None else None

    def group_lag_time(self, lag: ConsumerGroupLag, now: float) -> GroupLagTime:
        """The group's worst partition lag seconds; exact only when every partition's is exact.

        Unknown (None) while a partition that lags has no value yet: the worst could be that one.
        """
        rows = [
            (p, self.partition_lag_time(p, now)) for p in lag.partitions if p.committed_offset is not None
        ]
        known = [t for _, t in rows if t is not None]
        unknown = len(rows) - len(known)
        if not known or any(t is None and (p.lag or 0) > 0 for p, t in rows):
            return GroupLagTime(None, None, unknown)
        methods = {method_of(t) for t in known}
        method = LagMethod.EXACT if methods == {LagMethod.EXACT} else LagMethod.ESTIMATED
        return GroupLagTime(max(t.seconds for t in known), method, unknown)

    def commit_seen(self, group_id: str, topic: str, partition: int) -> CommitSeen | None:
        entry = self._commits.get((group_id, topic, partition))
        return entry[1] if entry is not None else None
