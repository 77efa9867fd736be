"""Writing one cluster's readings as samples: brokers, topics, ACLs, dead-letter topics and groups.

Pure functions of a cycle's readings and the derived per-partition views; every series carries the
``cluster`` label first. Nothing here talks to Kafka or keeps state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kafka_client import TopicPartition
from kafka_client.admin import (
    AclBinding,
    ClusterDescription,
    ConsumerGroupLag,
    LagTime,
    PartitionLag,
    TopicDescription,
    Watermarks,
)
from kafka_client_exporter import metric_names as m
from kafka_client_exporter._render import SeriesWriter
from kafka_client_exporter._status import Status, worst

__all__ = [
    "PartitionView",
    "write_acls",
    "write_cluster",
    "write_dlq",
    "write_group",
    "write_group_partitions",
    "write_topics",
]

_STATUSES = tuple(Status)


@dataclass(slots=True)
class PartitionView:
    """One group partition row with what the exporter derived for it this cycle."""

    row: PartitionLag
    status: Status | None = None
    lag_time: LagTime | None = None
    last_change: float | None = None


def write_cluster(out: SeriesWriter, cluster: str, description: ClusterDescription) -> None:
    out.add(m.BROKERS, (cluster,), len(description.brokers))
    for broker in description.brokers:
        out.add(m.BROKER_INFO, (cluster, broker.id, broker.address, broker.rack or ""), 1)
    out.add(m.CLUSTER_INFO, (cluster, description.cluster_id or ""), 1)
    if description.controller_id is not None:
        out.add(m.CONTROLLER_ID, (cluster,), description.controller_id)


def write_topics(
    out: SeriesWriter,
    cluster: str,
    topics: Mapping[str, TopicDescription],
    watermarks: Mapping[TopicPartition, Watermarks],
) -> None:
    for name in sorted(topics):
        topic = topics[name]
        out.add(m.TOPIC_PARTITIONS, (cluster, name), len(topic.partitions))
        add = out.add_body
        for part in topic.partitions:
            labels = out.body(m.TOPIC_PARTITION_REPLICAS, (cluster, name, part.partition))
            marks = watermarks.get(TopicPartition(name, part.partition))
            if marks is not None:
                add(m.TOPIC_PARTITION_CURRENT_OFFSET, labels, marks.latest)
                add(m.TOPIC_PARTITION_OLDEST_OFFSET, labels, marks.earliest)
            add(m.TOPIC_PARTITION_REPLICAS, labels, len(part.replicas))
            add(m.TOPIC_PARTITION_IN_SYNC_REPLICA, labels, len(part.isr))
            if part.leader is not None:
                add(m.TOPIC_PARTITION_LEADER, labels, part.leader)
            preferred = bool(part.replicas) and part.leader == part.replicas[0]
            add(m.TOPIC_PARTITION_LEADER_IS_PREFERRED, labels, int(preferred))
            add(m.TOPIC_PARTITION_UNDER_REPLICATED, labels, int(part.under_replicated))
            add(m.TOPIC_PARTITION_OFFLINE, labels, int(part.offline))


def write_acls(out: SeriesWriter, cluster: str, acls: Iterable[AclBinding]) -> None:
    counts = Counter((a.resource_type.value, a.operation.value, a.permission.value) for a in acls)
    for (resource, operation, permission), count in sorted(counts.items()):
        out.add(m.ACLS, (cluster, resource, operation, permission), count)


def write_dlq(out: SeriesWriter, cluster: str, depths: Mapping[str, tuple[str, int, float | None]]) -> None:
    """``depths``: DLQ topic -> (source topic, messages stored, growth per second or None)."""
    for topic in sorted(depths):
        source, depth, growth = depths[topic]
        out.add(m.DLQ_MESSAGES, (cluster, topic, source), depth)
        if growth is not None:
            out.add(m.DLQ_GROWTH, (cluster, topic, source), growth)


def write_group(
    out: SeriesWriter,
    cluster: str,
    lag: ConsumerGroupLag,
    views: list[PartitionView],
    data_loss: Mapping[str, int],
) -> None:
    """The group-level and (group, topic)-level series of one group."""
    group = lag.group_id
    out.add(m.CONSUMERGROUP_MEMBERS, (cluster, group), lag.members)
    out.add(m.CONSUMERGROUP_STATE, (cluster, group, lag.state.value), 1)
    out.add(m.CONSUMERGROUP_GROUP_SUM_LAG, (cluster, group), lag.total_lag)
    out.add(m.CONSUMERGROUP_GROUP_MAX_LAG, (cluster, group), lag.max_lag)
    seconds = [v.lag_time.seconds for v in views if v.lag_time is not None]
    if seconds:
        out.add(m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS, (cluster, group), max(seconds))
    status = worst(v.status for v in views if v.status is not None)
    out.add(m.CONSUMERGROUP_STATUS_CODE, (cluster, group), status.value)
    for candidate in _STATUSES:
        out.add(m.CONSUMERGROUP_STATUS, (cluster, group, candidate.name), int(candidate is status))
    by_topic: dict[str, list[PartitionView]] = {}
    for view in views:
        by_topic.setdefault(view.row.topic, []).append(view)
    for topic, rows in sorted(by_topic.items()):
        labels = (cluster, group, topic)
        committed = [v.row.committed_offset for v in rows if v.row.committed_offset is not None]
        if committed:
            out.add(m.CONSUMERGROUP_CURRENT_OFFSET_SUM, labels, sum(committed))
        lags = [v.row.lag for v in rows if v.row.lag is not None]
        out.add(m.CONSUMERGROUP_LAG_SUM, labels, sum(lags))
        out.add(m.CONSUMERGROUP_LAG_MAX, labels, max(lags, default=0))
        topic_seconds = [v.lag_time.seconds for v in rows if v.lag_time is not None]
        if topic_seconds:
            out.add(m.CONSUMERGROUP_LAG_SECONDS_MAX, labels, max(topic_seconds))
        out.add(m.CONSUMERGROUP_ASSIGNED_PARTITIONS, labels, sum(v.row.member_id is not None for v in rows))
        out.add(m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, labels, data_loss.get(topic, 0))


def write_group_partitions(out: SeriesWriter, cluster: str, group: str, views: list[PartitionView]) -> None:
    """The per-partition series of one group (label text built once per partition)."""
    add = out.add_body
    for view in views:
        row = view.row
        body = out.body(m.CONSUMERGROUP_LAG, (cluster, group, row.topic, row.partition))
        if row.committed_offset is None:
            add(m.CONSUMERGROUP_PARTITION_UNCOMMITTED, body, 1)
            continue
        add(m.CONSUMERGROUP_CURRENT_OFFSET, body, row.committed_offset)
        if row.lag is not None:
            add(m.CONSUMERGROUP_LAG, body, row.lag)
        if view.lag_time is not None:
            add(m.CONSUMERGROUP_LAG_SECONDS, f'{body},method="{view.lag_time.method}"', view.lag_time.seconds)
        if row.earliest_offset is not None:
            add(m.CONSUMERGROUP_RETENTION_MARGIN, body, row.committed_offset - row.earliest_offset)
        if view.last_change is not None:
            add(m.CONSUMERGROUP_LAST_COMMIT_CHANGE, body, view.last_change)
        if view.status is not None:
            add(m.CONSUMERGROUP_PARTITION_STATUS_CODE, body, view.status.value)
            for candidate in _STATUSES:
                flag = int(candidate is view.status)
                add(m.CONSUMERGROUP_PARTITION_STATUS, f'{body},status="{candidate.name}"', flag)
