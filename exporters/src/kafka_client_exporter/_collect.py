"""One collection cycle's Kafka I/O: every read through :class:`~kafka_client.admin.KafkaAdmin`.

Order matters: group lag (``consumer_group_lag``: committed offsets, then the log end offsets, as
``kafka-consumer-groups --describe`` reads them) while the topics are listed and described, then one
ListOffsets for the partitions no group read. Every partition's watermarks are thus read once per
cycle, after the committed offsets that use them, which keeps the lag-seconds lookup consistent. Each
step fails on its own: a failed step leaves its series out of this cycle and counts an error by API.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from kafka_client import KafkaClientError, TopicPartition
from kafka_client.admin import (
    AclBinding,
    ClusterDescription,
    ConsumerGroupLag,
    KafkaAdmin,
    TopicDescription,
    Watermarks,
)
from kafka_client.admin._models import INTERNAL_TOPICS
from kafka_client_exporter._record_times import RecordTimestampReader, lagging_partitions

if TYPE_CHECKING:
    from kafka_client_exporter._settings import ExporterSettings

__all__ = ["KafkaReader", "Readings"]

_log = logging.getLogger("kafka_client_exporter")
T = TypeVar("T")

TOPIC_CHUNK = 200
GROUP_CHUNK = 250
#: Group chunks read at once (each a ``consumer_group_lag`` call).
GROUP_WORKERS = 4


@dataclass
class Readings:
    """What one cycle read from a cluster. ``reachable`` is False when the cluster did not answer."""

    started: float
    reachable: bool = False
    cluster: ClusterDescription | None = None
    groups: dict[str, ConsumerGroupLag] | None = None
    groups_time: float = 0.0
    topics: dict[str, TopicDescription] | None = None
    watermarks: dict[TopicPartition, Watermarks] = field(default_factory=dict)
    watermarks_time: float = 0.0
    #: When each partition's watermarks were read, when not at ``watermarks_time`` (the partitions a
    #: group chunk read: at that chunk's end), so lag-seconds samples carry their own time.
    watermark_times: dict[TopicPartition, float] = field(default_factory=dict)
    acls: list[AclBinding] | None = None
    #: ``(partition, committed offset) -> record timestamp (ms)``, from the ``timestamp`` method's reads.
    record_timestamps: dict[tuple[TopicPartition, int], int] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    durations: list[tuple[str, float]] = field(default_factory=list)
    duration: float = 0.0

    @property
    def complete(self) -> bool:
        """Every step succeeded."""
        return self.reachable and not self.errors


class _Failed(Exception):
    """A step failed (already logged and counted)."""


class KafkaReader:
    """Reads one cluster per cycle, applying the group and topic filters before anything is kept."""

    def __init__(
        self,
        name: str,
        admin: KafkaAdmin,
        settings: ExporterSettings,
        timestamps: RecordTimestampReader | None = None,
    ) -> None:
        self.name = name
        self.admin = admin
        self.settings = settings
        self.timestamps = timestamps
        self.timeout = settings.timeout_s
        self._acls_unavailable = False
        self._lock = threading.Lock()

    @contextmanager
    def _call(self, readings: Readings, api: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        except KafkaClientError as exc:
            with self._lock:
                readings.errors[api] += 1
            _log.warning("cluster %s: %s failed: %s", self.name, api, exc)
            raise _Failed(api) from exc
        finally:
            with self._lock:
                readings.durations.append((api, time.perf_counter() - started))

    def _step(self, readings: Readings, api: str, call: Callable[[], T]) -> T:
        with self._call(readings, api):
            return call()

    def read(self) -> Readings:
        """Run one cycle's reads; never raises for a Kafka failure (they are in ``errors``)."""
        readings = Readings(started=time.time())
        began = time.perf_counter()
        try:
            readings.cluster = self._step(
                readings, "describe_cluster", lambda: self.admin.describe_cluster(timeout=self.timeout)
            )
            readings.reachable = True
            # Topics are listed and described while the groups are read (both wait on the broker).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exporter-topics") as pool:
                topics = pool.submit(self._read_topics, readings)
                self._read_groups(readings)
                topics.result()
            self._read_watermarks(readings)
            if self.timestamps is not None and readings.groups:
                self._read_record_timestamps(readings, self.timestamps)
            if self.settings.acls and not self._acls_unavailable:
                self._read_acls(readings)
        except _Failed:
            pass
        readings.duration = time.perf_counter() - began
        return readings

    def _read_groups(self, readings: Readings) -> None:
        try:
            listed = self._step(readings, "list_groups", lambda: self.admin.list_groups(timeout=self.timeout))
        except _Failed:
            return
        wanted_group = self.settings.groups.matcher()
        wanted = [g.group_id for g in listed if wanted_group(g.group_id)]
        topics = self.settings.topics.matcher()
        internal = self.settings.include_internal_topics
        groups: dict[str, ConsumerGroupLag] = {}
        chunks = [wanted[i : i + GROUP_CHUNK] for i in range(0, len(wanted), GROUP_CHUNK)]
        allowed: dict[str, bool] = {}

        def keep(topic: str) -> bool:
            verdict = allowed.get(topic)
            if verdict is None:
                verdict = topics(topic) and (internal or topic not in INTERNAL_TOPICS)
                allowed[topic] = verdict
            return verdict

        def read_chunk(chunk: list[str]) -> tuple[dict[str, ConsumerGroupLag], float]:
            try:
                with self._call(readings, "consumer_group_lag"):
                    found = self.admin.consumer_group_lag(chunk, timeout=self.timeout, partial=True)
                    return found, time.time()
            except _Failed:
                return {}, 0.0

        # Chunks in parallel: each waits mostly on coordinators, so overlapping them shortens the cycle.
        if len(chunks) > 1:
            with ThreadPoolExecutor(max_workers=min(GROUP_WORKERS, len(chunks))) as pool:
                results = list(pool.map(read_chunk, chunks))
        else:
            results = [read_chunk(chunk) for chunk in chunks]
        marks, times = readings.watermarks, readings.watermark_times
        for found, read_at in results:
            for group_id, lag in found.items():
                if lag.error is not None:
                    with self._lock:  # the topics thread counts its errors meanwhile
                        readings.errors["consumer_group_lag"] += 1
                    _log.warning("cluster %s: group %s read partially: %s", self.name, group_id, lag.error)
                rows = tuple(p for p in lag.partitions if keep(p.topic))
                if len(rows) != len(lag.partitions):
                    lag = dataclasses.replace(lag, partitions=rows)
                groups[group_id] = lag
                # The watermarks consumer_group_lag read (after the group's committed offsets) serve
                # the topic series too: those partitions are not asked for a second time.
                for p in rows:
                    if p.log_end_offset is not None and p.earliest_offset is not None:
                        tp = TopicPartition(p.topic, p.partition)
                        marks[tp] = Watermarks(p.earliest_offset, p.log_end_offset)
                        times[tp] = read_at
        readings.groups = groups
        readings.groups_time = time.time()

    def _read_topics(self, readings: Readings) -> None:
        internal = self.settings.include_internal_topics
        try:
            listed = self._step(
                readings, "list_topics", lambda: self.admin.list_topics(internal, timeout=self.timeout)
            )
        except _Failed:
            return
        wanted_topic = self.settings.topics.matcher()
        names = [t.name for t in listed if wanted_topic(t.name)]
        described: dict[str, TopicDescription] = {}
        for start in range(0, len(names), TOPIC_CHUNK):
            chunk = names[start : start + TOPIC_CHUNK]
            try:
                with self._call(readings, "describe_topics"):
                    described.update(self.admin.describe_topics(chunk, timeout=self.timeout, partial=True))
            except _Failed:
                continue
        readings.topics = described

    def _read_watermarks(self, readings: Readings) -> None:
        """ListOffsets for the online partitions no group read (one call for all of them)."""
        if readings.topics is None:
            return
        known = readings.watermarks
        missing = [
            tp
            for topic in readings.topics.values()
            for p in topic.partitions
            if not p.offline and (tp := TopicPartition(topic.name, p.partition)) not in known
        ]
        if missing:
            with suppress(_Failed):
                known.update(
                    self._step(
                        readings,
                        "list_offsets",
                        lambda: self.admin.watermarks(missing, timeout=self.timeout, partial=True),
                    )
                )
        readings.watermarks_time = time.time()

    def _read_record_timestamps(self, readings: Readings, reader: RecordTimestampReader) -> None:
        assert readings.groups is not None
        wanted = reader.pick(lagging_partitions(readings.groups, self.settings.timestamp_reads.wants))
        if not wanted:
            return
        with suppress(_Failed):
            readings.record_timestamps = self._step(
                readings, "read_record_timestamps", lambda: reader.read(wanted)
            )

    def close(self) -> None:
        """Release the record timestamp reader's consumer (the admin client is the caller's)."""
        if self.timestamps is not None:
            self.timestamps.close()

    def _read_acls(self, readings: Readings) -> None:
        started = time.perf_counter()
        try:
            readings.acls = self.admin.describe_acls(timeout=self.timeout)
        except KafkaClientError as exc:
            if getattr(exc, "code", None) == "SECURITY_DISABLED":
                # No authorizer: there are no ACLs to count, now or later; not an error.
                self._acls_unavailable = True
                _log.info("cluster %s has no authorizer: ACLs are not collected", self.name)
            else:
                readings.errors["describe_acls"] += 1
                _log.warning("cluster %s: describe_acls failed: %s", self.name, exc)
        finally:
            readings.durations.append(("describe_acls", time.perf_counter() - started))
