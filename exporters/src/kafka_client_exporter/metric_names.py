"""Every metric the exporter serves: its name, type, labels and meaning, in one place.

Dashboards, alert rules and tests import these constants instead of spelling names out. The names
and labels of the default profile are kafka_exporter's (``kafka_consumergroup_lag{consumergroup,
topic, partition}`` ...), so existing dashboards and alerts keep working; every series also carries a
``cluster`` label. :data:`PROFILES` renames them for kafka-lag-exporter's dashboards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

MetricKind = Literal["gauge", "counter", "histogram"]

CLUSTER = "cluster"
GROUP = "consumergroup"
TOPIC = "topic"
PARTITION = "partition"
_GTP = (CLUSTER, GROUP, TOPIC, PARTITION)
_TP = (CLUSTER, TOPIC, PARTITION)


@dataclass(frozen=True)
class MetricSpec:
    """One metric: name (as served by the default profile), Prometheus type, label names, help text."""

    name: str
    kind: MetricKind
    labels: tuple[str, ...]
    help: str


METRICS: dict[str, MetricSpec] = {}


def _metric(name: str, kind: MetricKind, labels: tuple[str, ...], help_text: str) -> str:
    METRICS[name] = MetricSpec(name, kind, labels, help_text)
    return name


# --- brokers and cluster ---------------------------------------------------------------------------
BROKERS = _metric("kafka_brokers", "gauge", (CLUSTER,), "Number of brokers in the cluster.")
BROKER_INFO = _metric(
    "kafka_broker_info", "gauge", (CLUSTER, "id", "address", "rack"), "A broker of the cluster (value 1)."
)
CLUSTER_INFO = _metric("kafka_cluster_info", "gauge", (CLUSTER, "cluster_id"), "The cluster's id (value 1).")
CONTROLLER_ID = _metric(
    "kafka_cluster_controller_id", "gauge", (CLUSTER,), "Broker id of the active controller."
)

# --- topics and partitions -------------------------------------------------------------------------
TOPIC_PARTITIONS = _metric("kafka_topic_partitions", "gauge", (CLUSTER, TOPIC), "Partitions of the topic.")
TOPIC_PARTITION_CURRENT_OFFSET = _metric(
    "kafka_topic_partition_current_offset", "gauge", _TP, "Log end offset (high watermark) of the partition."
)
TOPIC_PARTITION_OLDEST_OFFSET = _metric(
    "kafka_topic_partition_oldest_offset", "gauge", _TP, "Earliest offset still stored in the partition."
)
TOPIC_PARTITION_REPLICAS = _metric(
    "kafka_topic_partition_replicas", "gauge", _TP, "Number of replicas of the partition."
)
TOPIC_PARTITION_IN_SYNC_REPLICA = _metric(
    "kafka_topic_partition_in_sync_replica", "gauge", _TP, "Number of in-sync replicas of the partition."
)
TOPIC_PARTITION_LEADER = _metric(
    "kafka_topic_partition_leader", "gauge", _TP, "Broker id of the partition's leader (absent when offline)."
)
TOPIC_PARTITION_LEADER_IS_PREFERRED = _metric(
    "kafka_topic_partition_leader_is_preferred", "gauge", _TP, "1 if the leader is the preferred replica."
)
TOPIC_PARTITION_UNDER_REPLICATED = _metric(
    "kafka_topic_partition_under_replicated_partition",
    "gauge",
    _TP,
    "1 if the partition has fewer in-sync replicas than replicas.",
)
TOPIC_PARTITION_OFFLINE = _metric(
    "kafka_topic_partition_offline", "gauge", _TP, "1 if the partition has no leader."
)

# --- consumer groups, per partition ----------------------------------------------------------------
CONSUMERGROUP_CURRENT_OFFSET = _metric(
    "kafka_consumergroup_current_offset", "gauge", _GTP, "Committed offset of the group in the partition."
)
CONSUMERGROUP_LAG = _metric(
    "kafka_consumergroup_lag",
    "gauge",
    _GTP,
    "Messages the group has not consumed: log end offset minus committed offset, never negative.",
)
CONSUMERGROUP_LAG_SECONDS = _metric(
    "kafka_consumergroup_lag_seconds",
    "gauge",
    (*_GTP, "method"),
    "Age of the oldest unconsumed message, in seconds; method: metadata, interpolation or extrapolation.",
)
CONSUMERGROUP_PARTITION_UNCOMMITTED = _metric(
    "kafka_consumergroup_partition_uncommitted",
    "gauge",
    _GTP,
    "1 for a partition assigned to the group that has no committed offset (instead of a -1 lag).",
)
CONSUMERGROUP_RETENTION_MARGIN = _metric(
    "kafka_consumergroup_retention_margin",
    "gauge",
    _GTP,
    "Committed offset minus earliest offset: messages retention may delete before the group is at risk; "
    "negative when unread messages were already deleted.",
)
CONSUMERGROUP_LAST_COMMIT_CHANGE = _metric(
    "kafka_consumergroup_last_commit_change_timestamp_seconds",
    "gauge",
    _GTP,
    "Unix time at which the exporter first saw the current committed offset.",
)
CONSUMERGROUP_PARTITION_STATUS_CODE = _metric(
    "kafka_consumergroup_partition_status_code",
    "gauge",
    _GTP,
    "Status of the partition: 0 OK, 1 WARN, 2 REWIND, 3 STALL, 4 STOP.",
)
CONSUMERGROUP_PARTITION_STATUS = _metric(
    "kafka_consumergroup_partition_status",
    "gauge",
    (*_GTP, "status"),
    "1 for the partition's current status, 0 for the others.",
)

# --- consumer groups, per group and topic ----------------------------------------------------------
CONSUMERGROUP_CURRENT_OFFSET_SUM = _metric(
    "kafka_consumergroup_current_offset_sum",
    "gauge",
    (CLUSTER, GROUP, TOPIC),
    "Sum of the group's committed offsets over the topic's partitions.",
)
CONSUMERGROUP_LAG_SUM = _metric(
    "kafka_consumergroup_lag_sum", "gauge", (CLUSTER, GROUP, TOPIC), "Sum of the group's lag over the topic."
)
CONSUMERGROUP_LAG_MAX = _metric(
    "kafka_consumergroup_lag_max", "gauge", (CLUSTER, GROUP, TOPIC), "Largest partition lag in the topic."
)
CONSUMERGROUP_LAG_SECONDS_MAX = _metric(
    "kafka_consumergroup_lag_seconds_max",
    "gauge",
    (CLUSTER, GROUP, TOPIC),
    "Largest partition lag in seconds in the topic.",
)
CONSUMERGROUP_ASSIGNED_PARTITIONS = _metric(
    "kafka_consumergroup_assigned_partitions",
    "gauge",
    (CLUSTER, GROUP, TOPIC),
    "Partitions of the topic assigned to the group's members.",
)
CONSUMERGROUP_DATA_LOSS_PARTITIONS = _metric(
    "kafka_consumergroup_data_loss_partitions_total",
    "counter",
    (CLUSTER, GROUP, TOPIC),
    "Times a committed offset was seen falling below the partition's earliest offset (unread messages "
    "deleted by retention).",
)

# --- consumer groups, per group --------------------------------------------------------------------
CONSUMERGROUP_MEMBERS = _metric(
    "kafka_consumergroup_members", "gauge", (CLUSTER, GROUP), "Members of the consumer group."
)
CONSUMERGROUP_STATE = _metric(
    "kafka_consumergroup_state",
    "gauge",
    (CLUSTER, GROUP, "state"),
    "The group's state (Stable, Empty, PreparingRebalance, ...): value 1 on the current one.",
)
CONSUMERGROUP_GROUP_SUM_LAG = _metric(
    "kafka_consumergroup_group_sum_lag", "gauge", (CLUSTER, GROUP), "Sum of the group's lag over all topics."
)
CONSUMERGROUP_GROUP_MAX_LAG = _metric(
    "kafka_consumergroup_group_max_lag", "gauge", (CLUSTER, GROUP), "Largest partition lag of the group."
)
CONSUMERGROUP_GROUP_MAX_LAG_SECONDS = _metric(
    "kafka_consumergroup_group_max_lag_seconds",
    "gauge",
    (CLUSTER, GROUP),
    "Largest partition lag of the group, in seconds.",
)
CONSUMERGROUP_STATUS_CODE = _metric(
    "kafka_consumergroup_status_code",
    "gauge",
    (CLUSTER, GROUP),
    "Worst partition status of the group: 0 OK, 1 WARN, 2 REWIND, 3 STALL, 4 STOP.",
)
CONSUMERGROUP_STATUS = _metric(
    "kafka_consumergroup_status",
    "gauge",
    (CLUSTER, GROUP, "status"),
    "1 for the group's current (worst) status, 0 for the others.",
)

# --- dead-letter topics and ACLs -------------------------------------------------------------------
DLQ_MESSAGES = _metric(
    "kafka_dlq_messages",
    "gauge",
    (CLUSTER, TOPIC, "source_topic"),
    "Messages stored in the dead-letter topic (log end minus earliest offsets).",
)
DLQ_GROWTH = _metric(
    "kafka_dlq_growth_messages_per_second",
    "gauge",
    (CLUSTER, TOPIC, "source_topic"),
    "Messages written to the dead-letter topic per second, over the status window.",
)
ACLS = _metric(
    "kafka_acls",
    "gauge",
    (CLUSTER, "resource_type", "operation", "permission"),
    "ACL bindings by resource type, operation and permission.",
)

# --- the exporter itself ---------------------------------------------------------------------------
EXPORTER_UP = _metric(
    "kafka_client_exporter_up", "gauge", (CLUSTER,), "1 if the last collection cycle reached the cluster."
)
EXPORTER_CYCLE_DURATION = _metric(
    "kafka_client_exporter_cycle_duration_seconds", "gauge", (CLUSTER,), "Duration of the last cycle."
)
EXPORTER_LAST_SUCCESS = _metric(
    "kafka_client_exporter_last_success_timestamp_seconds",
    "gauge",
    (CLUSTER,),
    "Unix time at which the last successful cycle ended.",
)
EXPORTER_CYCLES = _metric(
    "kafka_client_exporter_cycles_total",
    "counter",
    (CLUSTER, "result"),
    "Collection cycles by result (success, partial, failure).",
)
EXPORTER_ERRORS = _metric(
    "kafka_client_exporter_kafka_errors_total", "counter", (CLUSTER, "api"), "Failed Kafka requests by API."
)
EXPORTER_REQUEST_DURATION = _metric(
    "kafka_client_exporter_kafka_request_duration_seconds",
    "histogram",
    (CLUSTER, "api"),
    "Duration of the exporter's Kafka calls by API.",
)
EXPORTER_SERIES = _metric(
    "kafka_client_exporter_series", "gauge", (CLUSTER,), "Series served for the cluster."
)
EXPORTER_SERIES_DROPPED = _metric(
    "kafka_client_exporter_series_dropped",
    "gauge",
    (CLUSTER,),
    "Per-partition group series left out by the series cap in the last cycle.",
)
EXPORTER_BUILD_INFO = _metric(
    "kafka_client_exporter_build_info",
    "gauge",
    ("version", "library_version", "python_version"),
    "Versions of the exporter, the kafka_client library and Python (value 1).",
)


@dataclass(frozen=True)
class Profile:
    """A naming profile: metric renames (with a scale for unit changes) and label renames."""

    name: str
    metrics: Mapping[str, tuple[str, float]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    def metric_name(self, name: str) -> str:
        return self.metrics.get(name, (name, 1.0))[0]

    def scale(self, name: str) -> float:
        return self.metrics.get(name, (name, 1.0))[1]

    def label_name(self, label: str) -> str:
        return self.labels.get(label, label)


KAFKA_EXPORTER_PROFILE = Profile("kafka_exporter")

KAFKA_LAG_EXPORTER_PROFILE = Profile(
    "kafka-lag-exporter",
    metrics={
        CONSUMERGROUP_CURRENT_OFFSET: ("kafka_consumergroup_group_offset", 1.0),
        CONSUMERGROUP_LAG: ("kafka_consumergroup_group_lag", 1.0),
        CONSUMERGROUP_LAG_SECONDS: ("kafka_consumergroup_group_lag_seconds", 1.0),
        CONSUMERGROUP_LAG_SUM: ("kafka_consumergroup_group_topic_sum_lag", 1.0),
        TOPIC_PARTITION_CURRENT_OFFSET: ("kafka_partition_latest_offset", 1.0),
        TOPIC_PARTITION_OLDEST_OFFSET: ("kafka_partition_earliest_offset", 1.0),
        EXPORTER_CYCLE_DURATION: ("kafka_consumergroup_poll_time_ms", 1000.0),
    },
    labels={CLUSTER: "cluster_name", GROUP: "group"},
)

#: kafka_exporter's names that end in ``_sum`` although they are gauges; ``promtool check metrics``
#: lints them ("should not have _sum suffix"), as it does kafka_exporter's own output. Kept for
#: compatibility with existing dashboards and alerts.
COMPATIBILITY_SUM_NAMES = (CONSUMERGROUP_CURRENT_OFFSET_SUM, CONSUMERGROUP_LAG_SUM)

#: The profiles by the name the ``profile`` setting takes.
PROFILES: dict[str, Profile] = {p.name: p for p in (KAFKA_EXPORTER_PROFILE, KAFKA_LAG_EXPORTER_PROFILE)}
