"""Lag in seconds: the age of the oldest message a consumer group has not consumed.

One implementation, shared by the exporter, kafka-top and the health checks. Pure functions and
values, no I/O. The methods (the ``method`` of a :class:`LagTime`):

* ``metadata`` (exact): consumers of this library can put the timestamp of the last record they
  processed in the offset commit's metadata string, as ``kc:ts=<epoch ms>`` (see
  :func:`format_commit_metadata`) or as JSON ``{"ts": <epoch ms>}``. It is read with the committed
  offsets, so no extra request is made. Lag seconds = sample time - that timestamp (0 when the offset
  lag is 0). It over-states the true age by at most the gap between the last processed record and the
  next one.
* ``interpolation`` / ``extrapolation`` (estimated): an :class:`OffsetTimeTable` per partition of
  sampled ``(log end offset, time)`` points. The record at committed offset ``c`` was appended when
  the log end offset reached ``c + 1``; the table finds the two samples around that moment and
  interpolates linearly between them, so the error is at most the time between those two samples (one
  sampling interval). When ``c`` is older than the whole table, the produce rate over the table is
  extrapolated back, at most one table span before the oldest point; the oldest point's age is then a
  guaranteed lower bound. Results are clamped at 0.
* ``timestamp`` (exact, costs a fetch): the real timestamp of the record at the committed offset, read
  by the caller; :func:`lag_seconds_from_record` turns it into a :class:`LagTime`.
"""

from __future__ import annotations

import bisect
import json
from array import array
from typing import Literal, NamedTuple

__all__ = [
    "LagTime",
    "LagTimeMethod",
    "OffsetTimeTable",
    "format_commit_metadata",
    "lag_seconds_from_metadata",
    "lag_seconds_from_record",
    "parse_commit_timestamp",
]

LagTimeMethod = Literal["metadata", "interpolation", "extrapolation", "timestamp"]

_PREFIX = "kc:ts="


class LagTime(NamedTuple):
    """Lag in seconds and the method that produced it."""

    seconds: float
    method: LagTimeMethod


def format_commit_metadata(timestamp_ms: int) -> str:
    """The commit metadata a consumer writes so the exporter reports exact lag seconds.

    ``timestamp_ms`` is the timestamp (ms since the epoch) of the last record processed in the
    partition: ``consumer.commit(offsets=[TopicPartitionOffset(t, p, o, format_commit_metadata(ts))])``.
    """
    return f"{_PREFIX}{int(timestamp_ms)}"


def parse_commit_timestamp(metadata: str | None) -> float | None:
    """The last-processed record time (seconds since the epoch) carried by commit metadata, if any.

    Accepts ``kc:ts=<ms>`` (optionally followed by ``;`` and other fields) and a JSON object with an
    integer ``"ts"`` in ms. Anything else (including an empty string) gives None.
    """
    if not metadata:
        return None
    if metadata.startswith(_PREFIX):
        digits = metadata[len(_PREFIX) :].split(";", 1)[0].strip()
        return int(digits) / 1000.0 if digits.isdigit() else None
    if metadata.startswith("{"):
        try:
            data = json.loads(metadata)
        except ValueError:
            return None
        ts = data.get("ts") if isinstance(data, dict) else None
        if isinstance(ts, int) and not isinstance(ts, bool) and ts >= 0:
            return ts / 1000.0
    return None


def lag_seconds_from_metadata(metadata: str | None, lag: int, now: float) -> LagTime | None:
    """Exact lag seconds from commit metadata at sample time ``now`` (None without a timestamp)."""
    ts = parse_commit_timestamp(metadata)
    if ts is None:
        return None
    return LagTime(0.0 if lag <= 0 else max(0.0, now - ts), "metadata")


def lag_seconds_from_record(record_timestamp_ms: int | None, lag: int, now: float) -> LagTime | None:
    """Exact lag seconds from the timestamp of the record at the committed offset, at time ``now``.

    ``record_timestamp_ms`` is the record's timestamp (ms since the epoch; CreateTime or
    LogAppendTime, whichever the topic keeps) as read by a fetch at the committed offset. None or a
    negative timestamp (no timestamp) gives None; a lag of 0 gives 0 whatever the timestamp.
    """
    if lag <= 0:
        return LagTime(0.0, "timestamp")
    if record_timestamp_ms is None or record_timestamp_ms < 0:
        return None
    return LagTime(max(0.0, now - record_timestamp_ms / 1000.0), "timestamp")


class OffsetTimeTable:
    """Sampled ``(log end offset, time)`` points of one partition, oldest first, at most ``capacity``.

    Add the partition's log end offset every time it is read (:meth:`add`), then :meth:`estimate`
    the lag seconds of any committed offset::

        table = OffsetTimeTable(capacity=60)
        table.add(watermarks.high, time.time())          # every cycle
        lag_time = table.estimate(committed_offset, now=time.time())

    Insertion rules: a point not newer than the newest is dropped; an offset below the newest resets
    the table (the topic was recreated); a flat stretch keeps only its first and latest sample.
    """

    __slots__ = ("capacity", "offsets", "times")

    def __init__(self, capacity: int = 60) -> None:
        if capacity < 2:
            raise ValueError("a lookup table needs room for at least 2 points")
        self.capacity = capacity
        self.offsets: array[int] = array("q")
        self.times: array[float] = array("d")

    def __len__(self) -> int:
        return len(self.offsets)

    def add(self, offset: int, time: float) -> None:
        """Add the log end offset sampled at ``time`` (seconds)."""
        offsets, times = self.offsets, self.times
        if offsets:
            if time <= times[-1]:
                return
            if offset < offsets[-1]:
                del offsets[:], times[:]
            elif len(offsets) >= 2 and offset == offsets[-1] == offsets[-2]:
                times[-1] = time
                return
        offsets.append(offset)
        times.append(time)
        if len(offsets) > self.capacity:
            del offsets[0], times[0]

    def estimate(self, committed: int, now: float) -> LagTime | None:
        """Lag seconds at ``now`` of a group committed at ``committed`` (None with too few points)."""
        offsets, times = self.offsets, self.times
        if not offsets:
            return None
        if committed >= offsets[-1]:
            return LagTime(0.0, "interpolation")
        if len(offsets) < 2:
            return None
        target = committed + 1  # the log end offset at the moment the record at `committed` was appended
        left = bisect.bisect_right(offsets, committed) - 1
        if left >= 0:
            right = left + 1
            span = offsets[right] - offsets[left]
            fraction = min(1.0, max(0.0, (target - offsets[left]) / span))
            produced = times[left] + fraction * (times[right] - times[left])
            return LagTime(max(0.0, now - produced), "interpolation")
        span_s = times[-1] - times[0]
        grown = offsets[-1] - offsets[0]
        back = span_s
        if grown > 0 and span_s > 0:
            back = min(span_s, (offsets[0] - target) * span_s / grown)
        return LagTime(max(0.0, now - (times[0] - max(0.0, back))), "extrapolation")

    def points(self) -> list[tuple[int, float]]:
        """The points, oldest first (for persistence)."""
        return list(zip(self.offsets, self.times, strict=True))

    @classmethod
    def from_points(cls, points: list[tuple[int, float]], capacity: int) -> OffsetTimeTable:
        """A table rebuilt from :meth:`points` (for example read back from a state file)."""
        table = cls(capacity)
        for offset, time in points:
            table.add(int(offset), float(time))
        return table
