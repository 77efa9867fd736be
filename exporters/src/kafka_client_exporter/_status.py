"""Consumer status without thresholds: Burrow's evaluation over a sliding window of commit samples.

Each collection cycle adds one :class:`CommitSample` per (group, topic, partition) that has a committed
offset: the committed offset, the lag, and whether a live member owns the partition. The window holds
the last ``window`` samples (so it spans about ``(window - 1) x interval`` seconds). :func:`evaluate`
applies these rules, the first that matches wins:

1. fewer than 2 samples: **OK** (nothing to compare yet);
2. the current lag is 0: **OK**;
3. a committed offset in the window is lower than the one before it: **REWIND**;
4. the window is not full yet: **OK**;
5. the lag was 0 somewhere in the window: **OK** (caught up recently);
6. the committed offset did not change across the whole window: **STALL** if a live member owns the
   partition (a consumer is there but commits nothing new), **STOP** if none does (nobody commits);
7. the lag never decreased across the window (each sample >= the one before): **WARN**;
8. otherwise **OK**.

A group's status is the worst of its partitions', by :class:`Status` code. Offsets are sampled, not
streamed, so "commits the same offset" and "does not commit" are told apart by membership.
"""

from __future__ import annotations

import enum
import itertools
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["CommitSample", "Status", "StatusTracker", "evaluate", "worst"]


class Status(enum.IntEnum):
    """A partition's or group's status; the value is the severity (and the exported code)."""

    OK = 0
    WARN = 1
    REWIND = 2
    STALL = 3
    STOP = 4


@dataclass(frozen=True, slots=True)
class CommitSample:
    """One cycle's view of a group's partition."""

    time: float
    offset: int
    lag: int
    owned: bool


def evaluate(samples: Sequence[CommitSample], window: int) -> Status:
    """The status of one partition from its samples, oldest first (see the module's rules)."""
    if len(samples) < 2:
        return Status.OK
    if samples[-1].lag == 0:
        return Status.OK
    pairs = list(itertools.pairwise(samples))
    if any(later.offset < earlier.offset for earlier, later in pairs):
        return Status.REWIND
    if len(samples) < window:
        return Status.OK
    if any(sample.lag == 0 for sample in samples):
        return Status.OK
    if all(sample.offset == samples[0].offset for sample in samples):
        return Status.STALL if samples[-1].owned else Status.STOP
    if all(later.lag >= earlier.lag for earlier, later in pairs):
        return Status.WARN
    return Status.OK


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status (OK for none)."""
    return max(statuses, default=Status.OK)


Key = tuple[str, str, int]


class StatusTracker:
    """Commit-sample windows of every (group, topic, partition), and when each offset last changed."""

    def __init__(self, window: int) -> None:
        if window < 2:
            raise ValueError("the status window needs at least 2 samples")
        self.window = window
        self._samples: dict[Key, deque[CommitSample]] = {}
        self._changed: dict[Key, float] = {}

    def observe(self, key: Key, sample: CommitSample) -> Status:
        """Add this cycle's sample of ``key`` and return its status."""
        samples = self._samples.get(key)
        if samples is None:
            samples = self._samples[key] = deque(maxlen=self.window)
        if not samples or samples[-1].offset != sample.offset:
            self._changed[key] = sample.time
        samples.append(sample)
        return evaluate(samples, self.window)

    def last_change(self, key: Key) -> float | None:
        """When the current committed offset of ``key`` was first seen."""
        return self._changed.get(key)

    def retain(self, keys: set[Key]) -> None:
        """Forget every partition not in ``keys`` (deleted groups and topics leave no state behind)."""
        for key in [k for k in self._samples if k not in keys]:
            del self._samples[key]
            self._changed.pop(key, None)

    def __len__(self) -> int:
        return len(self._samples)
