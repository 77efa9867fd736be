"""What the exporter remembers about one cluster between cycles, and each cycle's series.

:class:`ClusterMonitor` turns a cycle's :class:`Readings` into a :class:`SeriesWriter`: it updates the
status windows, the lag-seconds lookup tables, the dead-letter growth history and the data-loss
counters, applies the series cap, keeps serving the last good series for a while when the cluster
does not answer, and adds the exporter's own metrics.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from kafka_client import TopicPartition
from kafka_client.admin import (
    LagTime,
    OffsetTimeTable,
    PartitionLag,
    lag_seconds_from_metadata,
    lag_seconds_from_record,
)
from kafka_client_exporter import metric_names as m
from kafka_client_exporter._collect import Readings
from kafka_client_exporter._families import (
    GROUP_PARTITION_METRICS,
    PartitionView,
    write_acls,
    write_cluster,
    write_dlq,
    write_group,
    write_group_partitions,
    write_topics,
)
from kafka_client_exporter._render import SeriesWriter
from kafka_client_exporter._settings import ExporterSettings
from kafka_client_exporter._status import CommitSample, StatusTracker
from kafka_client_exporter.metric_names import PROFILES

__all__ = ["REQUEST_BUCKETS", "ClusterMonitor"]

REQUEST_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class _Histogram:
    buckets: list[int] = field(default_factory=lambda: [0] * len(REQUEST_BUCKETS))
    count: int = 0
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        index = bisect.bisect_left(REQUEST_BUCKETS, seconds)
        if index < len(self.buckets):
            self.buckets[index] += 1
        self.count += 1
        self.total += seconds


class ClusterMonitor:
    """State of one cluster across cycles; :meth:`process` makes each cycle's series."""

    def __init__(
        self,
        name: str,
        settings: ExporterSettings,
        tables: dict[TopicPartition, OffsetTimeTable] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.stale_after_s = settings.effective_stale_after_s
        self.profile = PROFILES[settings.profile]
        self.status = StatusTracker(settings.status_window)
        self.tables: dict[TopicPartition, OffsetTimeTable] = tables if tables is not None else {}
        self._dlq_regex = settings.dlq_regex
        self._dlq_history: dict[str, deque[tuple[float, int]]] = {}
        self._below_earliest: set[tuple[str, str, int]] = set()
        self._data_loss: dict[str, Counter[str]] = {}
        self._errors: Counter[str] = Counter()
        self._cycles: Counter[str] = Counter()
        self._requests: dict[str, _Histogram] = {}
        self.last_success: float | None = None
        self.last_cycle_end: float | None = None
        self.up = False
        self.series = 0
        self.dropped = 0
        self._last_good: SeriesWriter | None = None
        self._last_good_time = 0.0
        self.last_views: dict[str, list[PartitionView]] = {}
        #: Keep the last good cycle's readings and views for the OTLP export (off unless configured).
        self.keep_snapshot = False
        self.snapshot: tuple[Readings, dict[str, list[PartitionView]]] | None = None

    # --- one cycle ----------------------------------------------------------------------------------

    def process(self, readings: Readings) -> SeriesWriter:
        """Update the state with ``readings`` and return every series of this cluster for this cycle."""
        now = time.time()
        self._errors.update(readings.errors)
        for api, seconds in readings.durations:
            self._requests.setdefault(api, _Histogram()).observe(seconds)
        self.up = readings.reachable
        result = "failure" if not readings.reachable else "success" if readings.complete else "partial"
        self._cycles[result] += 1
        self.last_cycle_end = now
        self.cycle_duration = readings.duration
        kafka = SeriesWriter(self.profile)
        if readings.reachable:
            self.dropped = self._write_kafka(kafka, readings)
            kafka.freeze()
            if self.keep_snapshot:
                self.snapshot = (readings, self.last_views if readings.groups is not None else {})
            self.last_success = now
            self._last_good, self._last_good_time = kafka, now
        elif self._last_good is not None and now - self._last_good_time <= self.stale_after_s:
            kafka = self._last_good
        else:
            self._last_good = self.snapshot = None
        out = SeriesWriter(self.profile)
        out.absorb(kafka)
        self._write_self(out)
        return out

    def _write_kafka(self, out: SeriesWriter, readings: Readings) -> int:
        cluster = self.name
        if readings.cluster is not None:
            write_cluster(out, cluster, readings.cluster)
        if readings.topics is not None:
            write_topics(out, cluster, readings.topics, readings.watermarks)
            write_dlq(out, cluster, self._dlq_depths(readings))
        if readings.acls is not None:
            write_acls(out, cluster, readings.acls)
        if readings.groups is None:
            return 0
        views = self._derive(readings)
        self.last_views = views
        budget = self.settings.max_series
        groups = sorted(readings.groups)
        for group in groups:
            write_group(out, cluster, readings.groups[group], views[group], self._data_loss.get(group, {}))
        dropped = 0
        for group in groups:
            mark = out.mark(GROUP_PARTITION_METRICS)
            write_group_partitions(out, cluster, group, views[group])
            if out.count > budget:  # the cap: this group's per-partition series go, whole
                dropped += out.rollback(mark)
        return dropped

    # --- derived state ------------------------------------------------------------------------------

    def _derive(self, readings: Readings) -> dict[str, list[PartitionView]]:
        """Status, lag seconds and data loss of every group partition; updates the windows and tables."""
        assert readings.groups is not None
        fresh_tables = self._update_tables(readings)
        sampled = readings.groups_time
        seen: set[tuple[str, str, int]] = set()
        below: set[tuple[str, str, int]] = set()
        out: dict[str, list[PartitionView]] = {}
        for group, lag in readings.groups.items():
            views = out[group] = []
            for row in lag.partitions:
                view = PartitionView(row)
                views.append(view)
                if row.committed_offset is None:
                    continue
                key = (group, row.topic, row.partition)
                if row.lag is not None:
                    seen.add(key)
                    sample = CommitSample(sampled, row.committed_offset, row.lag, row.member_id is not None)
                    view.status = self.status.observe(key, sample)
                    view.last_change = self.status.last_change(key)
                    view.lag_time = self._lag_time(row, readings, fresh_tables)
                if row.committed_below_earliest:
                    below.add(key)
                    if key not in self._below_earliest:
                        self._data_loss.setdefault(group, Counter())[row.topic] += 1
            if lag.error is not None:  # keep the windows of partitions this cycle could not read
                seen.update(self._keys_of(group))
        self.status.retain(seen)
        self._below_earliest = below
        self._data_loss = {g: c for g, c in self._data_loss.items() if g in readings.groups}
        return out

    def _keys_of(self, group: str) -> list[tuple[str, str, int]]:
        return [(group, v.row.topic, v.row.partition) for v in self.last_views.get(group, [])]

    def _lag_time(self, row: PartitionLag, readings: Readings, fresh_tables: bool) -> LagTime | None:
        """Exact from the commit metadata when it carries a timestamp, else from the record read at
        the committed offset (``timestamp_reads``), else from the lookup table (only when it was
        updated this cycle, so a stale table never reports a lagging group as 0)."""
        assert row.committed_offset is not None
        assert row.lag is not None
        exact = lag_seconds_from_metadata(row.metadata, row.lag, readings.groups_time)
        if exact is not None:
            return exact
        if readings.record_timestamps:
            stamp = readings.record_timestamps.get((row.topic_partition, row.committed_offset))
            read = lag_seconds_from_record(stamp, row.lag, readings.groups_time)
            if stamp is not None and read is not None:
                return read
        if row.lag == 0:
            return LagTime(0.0, "interpolation")
        table = self.tables.get(row.topic_partition)
        if table is None or not fresh_tables:
            return None
        read_at = readings.watermark_times.get(row.topic_partition, readings.watermarks_time)
        return table.estimate(row.committed_offset, read_at)

    def _update_tables(self, readings: Readings) -> bool:
        """Add this cycle's log end offsets to the table of every partition (not only those a group
        reads now: a group that appears later, or lags far, needs the history); forget deleted ones."""
        if readings.topics is None:
            return False
        existing = {
            TopicPartition(name, p.partition)
            for name, topic in readings.topics.items()
            for p in topic.partitions
        }
        self.tables = {tp: t for tp, t in self.tables.items() if tp in existing}
        if not readings.watermarks:
            return False
        size = self.settings.lookup_table_size
        tables = self.tables
        when, times = readings.watermarks_time, readings.watermark_times
        for tp, marks in readings.watermarks.items():
            table = tables.get(tp)
            if table is None:
                table = tables[tp] = OffsetTimeTable(size)
            table.add(marks.latest, times.get(tp, when))
        return True

    def _dlq_depths(self, readings: Readings) -> dict[str, tuple[str, int, float | None]]:
        assert readings.topics is not None
        out: dict[str, tuple[str, int, float | None]] = {}
        window = self.settings.status_window
        for name, topic in readings.topics.items():
            match = self._dlq_regex.search(name)
            if match is None:
                continue
            source = match.groupdict().get("source") or ""
            marks = [readings.watermarks.get(TopicPartition(name, p.partition)) for p in topic.partitions]
            known = [w for w in marks if w is not None]
            if len(known) != len(marks):
                continue
            history = self._dlq_history.setdefault(name, deque(maxlen=window))
            history.append((readings.watermarks_time, sum(w.latest for w in known)))
            growth = None
            (first_time, first_end), (last_time, last_end) = history[0], history[-1]
            if last_time > first_time:
                growth = max(0.0, (last_end - first_end) / (last_time - first_time))
            out[name] = (source, sum(w.latest - w.earliest for w in known), growth)
        self._dlq_history = {t: h for t, h in self._dlq_history.items() if t in readings.topics}
        return out

    # --- the exporter about itself ------------------------------------------------------------------

    def _write_self(self, out: SeriesWriter) -> None:
        cluster = self.name
        out.add(m.EXPORTER_UP, (cluster,), int(self.up))
        out.add(m.EXPORTER_CYCLE_DURATION, (cluster,), self.cycle_duration)
        if self.last_success is not None:
            out.add(m.EXPORTER_LAST_SUCCESS, (cluster,), self.last_success)
        for result in ("success", "partial", "failure"):
            out.add(m.EXPORTER_CYCLES, (cluster, result), self._cycles[result])
        for api in sorted(self._errors):
            out.add(m.EXPORTER_ERRORS, (cluster, api), self._errors[api])
        for api in sorted(self._requests):
            histogram = self._requests[api]
            cumulative = 0
            for bound, count in zip(REQUEST_BUCKETS, histogram.buckets, strict=True):
                cumulative += count
                le = (("le", repr(bound)),)
                out.add(m.EXPORTER_REQUEST_DURATION, (cluster, api), cumulative, suffix="_bucket", extra=le)
            inf = (("le", "+Inf"),)
            out.add(m.EXPORTER_REQUEST_DURATION, (cluster, api), histogram.count, suffix="_bucket", extra=inf)
            out.add(m.EXPORTER_REQUEST_DURATION, (cluster, api), histogram.total, suffix="_sum")
            out.add(m.EXPORTER_REQUEST_DURATION, (cluster, api), histogram.count, suffix="_count")
        out.add(m.EXPORTER_SERIES_DROPPED, (cluster,), self.dropped)
        self.series = out.count + 1
        out.add(m.EXPORTER_SERIES, (cluster,), self.series)

    cycle_duration: float = 0.0
