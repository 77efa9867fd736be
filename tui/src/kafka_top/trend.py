"""Lag over time: recent samples per consumer group, a trend, a sparkline and a time-to-clear estimate.

The admin API reports lag at one instant; whether a group keeps up only shows across samples. Each
refresh records ``(time, total lag, sum of committed offsets)`` per group; committed offsets that do not
move while lag stays above zero mean nothing is consuming (stalled), whatever the lag does.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LagHistory", "LagSample", "Trend", "sparkline"]

_BLOCKS = "▁▂▃▄▅▆▇█"


class Trend(enum.StrEnum):
    """Where a group's lag is heading, judged from its recent samples."""

    NEW = "new"  # one sample: nothing to compare yet
    CAUGHT_UP = "caught up"
    GROWING = "growing"
    DRAINING = "draining"
    STEADY = "steady"  # consuming as fast as producers write
    STALLED = "stalled"  # lag and no committed offset moved for a while


@dataclass(frozen=True, slots=True)
class LagSample:
    """One sample of a group: when (seconds, session clock), its total lag, its committed offsets' sum."""

    at: float
    total_lag: int
    committed: int


def sparkline(values: Iterable[int], width: int = 12) -> str:
    """The last ``width`` values as block characters scaled between their minimum and maximum."""
    recent = list(values)[-width:]
    if not recent:
        return ""
    low, high = min(recent), max(recent)
    if high == low:
        return (_BLOCKS[0] if high == 0 else _BLOCKS[3]) * len(recent)
    span = high - low
    return "".join(_BLOCKS[round((v - low) * (len(_BLOCKS) - 1) / span)] for v in recent)


class LagHistory:
    """Recent lag samples of every group seen, bounded per group.

    ``window_s`` is how far back the trend looks; a group is called stalled only once its samples span
    ``stall_after_s`` (longer than a consumer's commit interval, so a healthy group that commits every
    few seconds is not called stalled between two commits).
    """

    def __init__(self, *, max_samples: int = 60, window_s: float = 30.0, stall_after_s: float = 10.0) -> None:
        self.max_samples = max_samples
        self.window_s = window_s
        self.stall_after_s = stall_after_s
        self._samples: dict[str, deque[LagSample]] = {}

    def record(self, group_id: str, sample: LagSample) -> None:
        self._samples.setdefault(group_id, deque(maxlen=self.max_samples)).append(sample)

    def forget_except(self, group_ids: Iterable[str]) -> None:
        """Drop the history of groups that no longer exist."""
        keep = set(group_ids)
        for group in [g for g in self._samples if g not in keep]:
            del self._samples[group]

    def clear(self) -> None:
        self._samples.clear()

    def samples(self, group_id: str) -> list[LagSample]:
        return list(self._samples.get(group_id, ()))

    def lags(self, group_id: str) -> list[int]:
        return [s.total_lag for s in self._samples.get(group_id, ())]

    def _window(self, group_id: str) -> list[LagSample]:
        samples = self._samples.get(group_id)
        if not samples:
            return []
        last = samples[-1]
        recent = [s for s in samples if s.at >= last.at - self.window_s]
        if len(recent) < 2 and len(samples) >= 2:
            recent = [samples[-2], last]
        return recent

    def trend(self, group_id: str) -> Trend:
        window = self._window(group_id)
        if not window:
            return Trend.NEW
        first, last = window[0], window[-1]
        if last.total_lag == 0:
            return Trend.CAUGHT_UP
        if len(window) < 2:
            return Trend.NEW
        consumed = last.committed - first.committed
        if consumed <= 0 and last.at - first.at >= self.stall_after_s:
            return Trend.STALLED
        change = last.total_lag - first.total_lag
        if change > 0:
            return Trend.GROWING
        if change < 0:
            return Trend.DRAINING
        return Trend.STEADY

    def seconds_to_clear(self, group_id: str) -> float | None:
        """At the rate lag fell over the window, how long until it reaches zero (None: not falling)."""
        window = self._window(group_id)
        if not window:
            return None
        first, last = window[0], window[-1]
        if last.total_lag == 0:
            return 0.0
        elapsed = last.at - first.at
        drained = first.total_lag - last.total_lag
        if elapsed <= 0 or drained <= 0:
            return None
        return last.total_lag / (drained / elapsed)

    def sparkline(self, group_id: str, width: int = 12) -> str:
        return sparkline(self.lags(group_id), width)
