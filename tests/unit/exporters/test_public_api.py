"""The exporter's public surface is pinned: a change here is a deliberate API change."""

from __future__ import annotations

from pathlib import Path

import kafka_client_exporter
from kafka_client_exporter import metric_names


def test_public_names() -> None:
    assert sorted(kafka_client_exporter.__all__) == [
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
    for name in kafka_client_exporter.__all__:
        assert getattr(kafka_client_exporter, name).__doc__


def test_kafka_exporter_compatible_names() -> None:
    """The names existing dashboards and alerts query (kafka_exporter's), with its label names."""
    expected = {
        "kafka_consumergroup_lag": ("cluster", "consumergroup", "topic", "partition"),
        "kafka_consumergroup_current_offset": ("cluster", "consumergroup", "topic", "partition"),
        "kafka_consumergroup_lag_sum": ("cluster", "consumergroup", "topic"),
        "kafka_consumergroup_current_offset_sum": ("cluster", "consumergroup", "topic"),
        "kafka_consumergroup_members": ("cluster", "consumergroup"),
        "kafka_topic_partition_current_offset": ("cluster", "topic", "partition"),
        "kafka_topic_partition_oldest_offset": ("cluster", "topic", "partition"),
        "kafka_topic_partitions": ("cluster", "topic"),
        "kafka_topic_partition_replicas": ("cluster", "topic", "partition"),
        "kafka_topic_partition_in_sync_replica": ("cluster", "topic", "partition"),
        "kafka_topic_partition_leader": ("cluster", "topic", "partition"),
        "kafka_topic_partition_leader_is_preferred": ("cluster", "topic", "partition"),
        "kafka_topic_partition_under_replicated_partition": ("cluster", "topic", "partition"),
        "kafka_brokers": ("cluster",),
    }
    for name, labels in expected.items():
        assert metric_names.METRICS[name].labels == labels
    assert metric_names.METRICS["kafka_broker_info"].labels[:3] == ("cluster", "id", "address")
    assert set(metric_names.PROFILES) == {"kafka_exporter", "kafka-lag-exporter"}


def test_every_metric_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "exporter.md").read_text()
    missing = [name for name in metric_names.METRICS if f"`{name}`" not in docs]
    assert missing == []
