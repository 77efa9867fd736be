"""OpenTelemetry metrics export (OTLP over HTTP), with the collector's ``kafkametrics`` receiver names.

Dashboards built on the OpenTelemetry Collector's receiver keep working: ``kafka.brokers``,
``kafka.topic.partitions``, ``kafka.partition.current_offset`` / ``oldest_offset`` / ``replicas`` /
``replicas_in_sync``, ``kafka.consumer_group.members`` / ``offset`` / ``offset_sum`` / ``lag`` /
``lag_sum``, with the attributes ``group``, ``topic`` and ``partition`` (an int), plus our
``kafka.consumer_group.lag_seconds`` (unit ``s``, attribute ``method`` too). Each cluster is one OTel
resource (``kafka.cluster.alias`` = the cluster's name, ``service.name`` = kafka-client-exporter).

The values are those of the last complete collection cycle (the Prometheus exposition's); the SDK
exports them every ``otlp.interval_s``. Needs the ``otlp`` extra (imported only when configured).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kafka_client import TopicPartition
from kafka_client_exporter._collect import Readings
from kafka_client_exporter._families import PartitionView

if TYPE_CHECKING:
    from kafka_client_exporter._settings import OtlpSettings

__all__ = ["OTEL_METRICS", "OtlpExport"]

_INSTALL = "OTLP export needs the 'otlp' extra: pip install 'kafka-client-exporter[otlp]'"

Snapshot = tuple[Readings, dict[str, list[PartitionView]]]
Point = tuple[float, dict[str, str | int]]

#: name -> (unit, description), as the kafkametrics receiver documents them (lag_seconds is ours).
OTEL_METRICS: dict[str, tuple[str, str]] = {
    "kafka.brokers": ("{brokers}", "Number of brokers in the cluster."),
    "kafka.topic.partitions": ("{partitions}", "Number of partitions in topic."),
    "kafka.partition.current_offset": ("1", "Current offset of partition of topic."),
    "kafka.partition.oldest_offset": ("1", "Oldest offset of partition of topic"),
    "kafka.partition.replicas": ("{replicas}", "Number of replicas for partition of topic"),
    "kafka.partition.replicas_in_sync": ("{replicas}", "Number of synchronized replicas of partition"),
    "kafka.consumer_group.members": ("{members}", "Count of members in the consumer group"),
    "kafka.consumer_group.offset": ("1", "Current offset of the consumer group at partition of topic"),
    "kafka.consumer_group.offset_sum": ("1", "Sum of consumer group offset across partitions of topic"),
    "kafka.consumer_group.lag": ("1", "Current approximate lag of consumer group at partition of topic"),
    "kafka.consumer_group.lag_sum": (
        "1",
        "Current approximate sum of consumer group lag across all partitions of topic",
    ),
    "kafka.consumer_group.lag_seconds": (
        "s",
        "Age of the oldest message the consumer group has not consumed, at partition of topic",
    ),
}


def points(name: str, snapshot: Snapshot) -> Iterator[Point]:
    """The data points of metric ``name`` in one cycle's readings and derived views."""
    readings, views = snapshot
    if name == "kafka.brokers":
        if readings.cluster is not None:
            yield len(readings.cluster.brokers), {}
    elif name.startswith(("kafka.topic.", "kafka.partition.")):
        yield from _topic_points(name, readings)
    elif name == "kafka.consumer_group.members":
        for group, lag in (readings.groups or {}).items():
            yield lag.members, {"group": group}
    else:
        yield from _group_points(name, views)


def _topic_points(name: str, readings: Readings) -> Iterator[Point]:
    marks = readings.watermarks
    for topic_name, topic in (readings.topics or {}).items():
        if name == "kafka.topic.partitions":
            yield len(topic.partitions), {"topic": topic_name}
            continue
        for part in topic.partitions:
            attributes: dict[str, str | int] = {"topic": topic_name, "partition": part.partition}
            if name == "kafka.partition.replicas":
                yield len(part.replicas), attributes
            elif name == "kafka.partition.replicas_in_sync":
                yield len(part.isr), attributes
            else:
                found = marks.get(TopicPartition(topic_name, part.partition))
                if found is not None:
                    latest = name == "kafka.partition.current_offset"
                    yield (found.latest if latest else found.earliest), attributes


def _group_points(name: str, views: dict[str, list[PartitionView]]) -> Iterator[Point]:
    for group, rows in views.items():
        if name in ("kafka.consumer_group.offset_sum", "kafka.consumer_group.lag_sum"):
            sums: dict[str, int] = {}
            for view in rows:
                value = view.row.committed_offset if name.endswith("offset_sum") else view.row.lag
                if value is not None:
                    sums[view.row.topic] = sums.get(view.row.topic, 0) + value
                elif name.endswith("lag_sum"):
                    sums.setdefault(view.row.topic, 0)
            for topic, total in sums.items():
                yield total, {"group": group, "topic": topic}
            continue
        for view in rows:
            row = view.row
            attributes: dict[str, str | int] = {
                "group": group,
                "topic": row.topic,
                "partition": row.partition,
            }
            if name == "kafka.consumer_group.offset" and row.committed_offset is not None:
                yield row.committed_offset, attributes
            elif name == "kafka.consumer_group.lag" and row.lag is not None:
                yield row.lag, attributes
            elif name == "kafka.consumer_group.lag_seconds" and view.lag_time is not None:
                yield view.lag_time.seconds, {**attributes, "method": view.lag_time.method}


class OtlpExport:
    """One OTel MeterProvider per cluster, exporting the clusters' last snapshots over OTLP/HTTP."""

    def __init__(self, settings: OtlpSettings, sources: dict[str, Callable[[], Snapshot | None]]) -> None:
        try:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
            from opentelemetry.sdk.resources import Resource
        except ImportError as exc:  # pragma: no cover - the dev environment has the extra
            raise ImportError(_INSTALL) from exc
        self._providers: list[Any] = []
        headers = {key: secret.get_secret_value() for key, secret in settings.headers.items()}
        for cluster, source in sources.items():
            exporter = OTLPMetricExporter(
                endpoint=settings.endpoint, headers=headers, timeout=settings.timeout_s
            )
            reader = PeriodicExportingMetricReader(
                exporter, export_interval_millis=settings.interval_s * 1000, export_timeout_millis=30_000
            )
            resource = Resource.create(
                {"service.name": "kafka-client-exporter", "kafka.cluster.alias": cluster}
            )
            provider = MeterProvider(resource=resource, metric_readers=[reader])
            meter = provider.get_meter("kafka_client_exporter")
            for name, (unit, description) in OTEL_METRICS.items():
                meter.create_observable_gauge(
                    name, callbacks=[_callback(name, source)], unit=unit, description=description
                )
            self._providers.append(provider)

    def force_flush(self, timeout_s: float = 30.0) -> bool:
        """Export now (tests, shutdown); True when every cluster's export finished in time."""
        return all(p.force_flush(timeout_millis=int(timeout_s * 1000)) for p in self._providers)

    def shutdown(self) -> None:
        """Export once more and stop the export threads."""
        for provider in self._providers:
            provider.shutdown()
        self._providers = []


def _callback(name: str, source: Callable[[], Snapshot | None]) -> Callable[[Any], Iterable[Any]]:
    from opentelemetry.metrics import Observation

    def observe(_options: Any) -> Iterable[Any]:
        snapshot = source()
        if snapshot is None:
            return []
        return [Observation(value, attributes) for value, attributes in points(name, snapshot)]

    return observe
