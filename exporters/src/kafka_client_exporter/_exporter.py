"""The daemon: one collector thread per cluster, the HTTP server, and the state file.

Each cluster is collected in its own thread on the configured interval (a slow or failing cluster
delays nobody else); after each cycle its series replace the previous ones in the shared, pre-rendered
:class:`Exposition`. Scrapes read that cache and never wait on Kafka.
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from collections.abc import Callable
from importlib import metadata
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kafka_client.admin import KafkaAdmin, OffsetTimeTable
from kafka_client_exporter import metric_names as m
from kafka_client_exporter._collect import KafkaReader, Readings
from kafka_client_exporter._http import MetricsServer
from kafka_client_exporter._monitor import ClusterMonitor
from kafka_client_exporter._record_times import RecordTimestampReader
from kafka_client_exporter._render import Exposition, SeriesWriter
from kafka_client_exporter._settings import ClusterSettings, ExporterSettings
from kafka_client_exporter._state_file import load_tables, save_tables

if TYPE_CHECKING:
    from kafka_client_exporter._otlp import OtlpExport, Snapshot

__all__ = ["ClusterCollector", "Exporter"]

_log = logging.getLogger("kafka_client_exporter")


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _snapshot_of(collector: ClusterCollector) -> Callable[[], Snapshot | None]:
    return lambda: collector.monitor.snapshot


class ClusterCollector:
    """Collects one cluster: a :class:`KafkaAdmin`, its reader and its monitor, and the thread."""

    def __init__(
        self,
        cluster: ClusterSettings,
        settings: ExporterSettings,
        exposition: Exposition,
        tables: dict[Any, OffsetTimeTable] | None = None,
    ) -> None:
        self.name = cluster.name
        self.settings = settings
        self.exposition = exposition
        self.admin = KafkaAdmin(cluster.client, timeout=settings.timeout_s)
        reads = settings.timestamp_reads
        timestamps = (
            RecordTimestampReader(cluster.client, reads.max_reads_per_cycle, reads.timeout_s)
            if reads.enabled
            else None
        )
        self.reader = KafkaReader(cluster.name, self.admin, settings, timestamps)
        self.monitor = ClusterMonitor(cluster.name, settings, tables)
        self.lock = threading.Lock()
        self.cycles = 0
        self.cycle_started: float | None = None
        self._thread: threading.Thread | None = None

    def run_cycle(self) -> Readings:
        """Read the cluster once and publish its series."""
        self.cycle_started = time.monotonic()
        try:
            readings = self.reader.read()
            with self.lock:
                writer = self.monitor.process(readings)
            self.exposition.update(self.name, writer)
            self.exposition.prerender()
            self.cycles += 1
            return readings
        finally:
            self.cycle_started = None

    def start(self, stop: threading.Event) -> None:
        self._thread = threading.Thread(
            target=self._loop, args=(stop,), name=f"kafka-client-exporter-{self.name}", daemon=True
        )
        self._thread.start()

    def _loop(self, stop: threading.Event) -> None:
        interval = self.settings.interval_s
        due = time.monotonic()
        while not stop.is_set():
            try:
                self.run_cycle()
            except Exception:  # a bug must not end collection: log it and try again next interval
                _log.exception("cluster %s: collection cycle failed", self.name)
            due += interval
            now = time.monotonic()
            if due < now:  # a cycle longer than the interval: start the next one at once, never overlap
                due = now
            stop.wait(due - now)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def tables(self) -> dict[Any, OffsetTimeTable]:
        """A copy of the lookup tables, taken between cycles (for the state file)."""
        with self.lock:
            return dict(self.monitor.tables)

    def close(self) -> None:
        """Release the Kafka clients."""
        self.reader.close()
        self.admin.close()


class Exporter:
    """The exporter daemon: collectors per cluster, the HTTP endpoints, the state file.

    ::

        settings = load_exporter_settings("exporter.yaml")
        with Exporter(settings) as exporter:   # starts collecting and serving on settings.port
            exporter.wait()                    # until stop() (the CLI calls it on SIGTERM)
    """

    def __init__(self, settings: ExporterSettings) -> None:
        self.settings = settings
        self.exposition = Exposition(m.PROFILES[settings.profile])
        state = load_tables(settings.state_file, settings.lookup_table_size) if settings.state_file else {}
        self.collectors = [
            ClusterCollector(cluster, settings, self.exposition, state.get(cluster.name))
            for cluster in settings.clusters
        ]
        self.exposition.update("", self._build_info())
        self.otlp: OtlpExport | None = None
        if settings.otlp is not None:
            from kafka_client_exporter._otlp import OtlpExport  # lazy: the otlp extra

            for collector in self.collectors:
                collector.monitor.keep_snapshot = True
            self.otlp = OtlpExport(settings.otlp, {c.name: _snapshot_of(c) for c in self.collectors})
        self._stop = threading.Event()
        self._server: MetricsServer | None = None
        self._saver: threading.Thread | None = None
        self._started = False

    def _build_info(self) -> SeriesWriter:
        writer = SeriesWriter(self.exposition.profile)
        versions = (
            _version("kafka-client-exporter"),
            _version("generic-kafka-producer"),
            platform.python_version(),
        )
        writer.add(m.EXPORTER_BUILD_INFO, versions, 1)
        return writer

    # --- running ------------------------------------------------------------------------------------

    def collect_once(self) -> dict[str, Readings]:
        """Run one cycle on every cluster, one after the other (tests, ``--once``)."""
        return {collector.name: collector.run_cycle() for collector in self.collectors}

    def start(self, *, serve: bool = True) -> Exporter:
        """Start the collector threads (and the HTTP server unless ``serve=False``)."""
        if self._started:
            raise RuntimeError("the exporter is already running")
        self._started = True
        if serve:
            self._server = MetricsServer(
                self.settings.host, self.settings.port, self.exposition, self.liveness, self.readiness
            )
            self._server.start()
        for collector in self.collectors:
            collector.start(self._stop)
        if self.settings.state_file is not None:
            self._saver = threading.Thread(target=self._save_loop, name="kafka-client-exporter-state")
            self._saver.daemon = True
            self._saver.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` is called (True) or ``timeout`` passes (False)."""
        return self._stop.wait(timeout)

    def request_stop(self) -> None:
        """Ask the daemon to stop (safe in a signal handler): :meth:`wait` returns, threads wind down."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop collecting and serving, save the state file, release the clients. Idempotent."""
        self._stop.set()
        if self._server is not None:
            self._server.stop()
            self._server = None
        deadline = time.monotonic() + timeout
        for collector in self.collectors:
            collector.join(max(0.0, deadline - time.monotonic()))
        if self._saver is not None:
            self._saver.join(max(0.0, deadline - time.monotonic()))
            self._saver = None
        self.save_state()
        if self.otlp is not None:
            self.otlp.shutdown()
            self.otlp = None
        for collector in self.collectors:
            collector.close()

    def _save_loop(self) -> None:
        while not self._stop.wait(self.settings.state_save_interval_s):
            try:
                self.save_state()
            except OSError as exc:
                _log.warning("could not write the state file %s: %s", self.settings.state_file, exc)

    def save_state(self) -> None:
        """Write the lookup tables to the state file (when one is configured)."""
        if self.settings.state_file is None:
            return
        save_tables(self.settings.state_file, {c.name: c.tables() for c in self.collectors})

    # --- endpoints ----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port /metrics is served on (the bound one when configured as 0)."""
        return self._server.port if self._server is not None else self.settings.port

    def metrics(self) -> bytes:
        """The current exposition, as a scrape would get it."""
        return self.exposition.render()

    def liveness(self) -> tuple[bool, dict[str, Any]]:
        """Alive while every started collector thread runs."""
        clusters = {
            c.name: {
                "collecting": c.alive or not self._started,
                "cycle_running_s": (
                    round(time.monotonic() - c.cycle_started, 3) if c.cycle_started is not None else None
                ),
            }
            for c in self.collectors
        }
        return all(v["collecting"] for v in clusters.values()), {"clusters": clusters}

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Ready once every cluster finished a first cycle (reached or not: ``up`` then tells)."""
        clusters = {
            c.name: {"cycles": c.cycles, "up": c.monitor.up, "last_success": c.monitor.last_success}
            for c in self.collectors
        }
        return all(c.cycles > 0 for c in self.collectors), {"clusters": clusters}

    def __enter__(self) -> Exporter:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
