"""Prometheus exporter daemon for Kafka: consumer lag in offsets and seconds, threshold-free group status,
topic, broker, ACL and dead-letter health, for several clusters, from a background collection.

Run it with ``kafka-client-exporter --config exporter.yaml`` (or ``--bootstrap-servers HOST:PORT``), or
embed it::

    from kafka_client_exporter import Exporter, load_exporter_settings

    with Exporter(load_exporter_settings("exporter.yaml")) as exporter:
        exporter.wait()

Lag in seconds is the library's (:mod:`kafka_client.admin`); ``LagTime``, ``OffsetTimeTable``,
``format_commit_metadata`` and ``parse_commit_timestamp`` are re-exported here for convenience.

Metric names are constants in :mod:`kafka_client_exporter.metric_names`.
"""

from kafka_client.admin import (
    LagTime,
    OffsetTimeTable,
    format_commit_metadata,
    parse_commit_timestamp,
)
from kafka_client_exporter._exporter import ClusterCollector, Exporter
from kafka_client_exporter._loading import load_exporter_settings
from kafka_client_exporter._settings import ClusterSettings, ExporterSettings, NameFilter
from kafka_client_exporter._status import CommitSample, Status, evaluate

__all__ = [
    "ClusterCollector",
    "ClusterSettings",
    "CommitSample",
    "Exporter",
    "ExporterSettings",
    "LagTime",
    "NameFilter",
    "OffsetTimeTable",
    "Status",
    "evaluate",
    "format_commit_metadata",
    "load_exporter_settings",
    "parse_commit_timestamp",
]
