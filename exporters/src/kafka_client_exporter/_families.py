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
from kafka_client_exporter._render import SeriesWriter, escape_label_value, format_value
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
#: The metrics :func:`write_group_partitions` writes (the series cap takes them back per group).
GROUP_PARTITION_METRICS = (
    m.CONSUMERGROUP_LAG,
    m.CONSUMERGROUP_PARTITION_UNCOMMITTED,
    m.CONSUMERGROUP_CURRENT_OFFSET,
    m.CONSUMERGROUP_LAG_SECONDS,
    m.CONSUMERGROUP_RETENTION_MARGIN,
    m.CONSUMERGROUP_LAST_COMMIT_CHANGE,
    m.CONSUMERGROUP_PARTITION_STATUS_CODE,
    m.CONSUMERGROUP_PARTITION_STATUS,
)
#: Per status, the ends (status label, value) of its five ``..._status`` lines.
_STATUS_SUFFIXES = {
    status: tuple(f',status="{c.name}"}} {int(c is status)}\n' for c in _STATUSES) for status in _STATUSES
}
_STATUS_CODES = {status: f"}} {status.value}\n" for status in _STATUSES}


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
    """The per-topic and per-partition series (lines appended straight to each metric's list)."""
    current_p, current = out.sink(m.TOPIC_PARTITION_CURRENT_OFFSET)
    oldest_p, oldest = out.sink(m.TOPIC_PARTITION_OLDEST_OFFSET)
    replicas_p, replicas = out.sink(m.TOPIC_PARTITION_REPLICAS)
    isr_p, isr = out.sink(m.TOPIC_PARTITION_IN_SYNC_REPLICA)
    leader_p, leader = out.sink(m.TOPIC_PARTITION_LEADER)
    preferred_p, preferred = out.sink(m.TOPIC_PARTITION_LEADER_IS_PREFERRED)
    under_p, under = out.sink(m.TOPIC_PARTITION_UNDER_REPLICATED)
    offline_p, offline = out.sink(m.TOPIC_PARTITION_OFFLINE)
    partition_label = out.profile.label_name("partition")
    written = 0
    for name in sorted(topics):
        topic = topics[name]
        out.add(m.TOPIC_PARTITIONS, (cluster, name), len(topic.partitions))
        topic_body = out.body(m.TOPIC_PARTITIONS, (cluster, name))
        for part in topic.partitions:
            body = f'{topic_body},{partition_label}="{part.partition}"'
            marks = watermarks.get(TopicPartition(name, part.partition))
            if marks is not None:
                current.append(f"{current_p}{body}}} {marks.latest}\n")
                oldest.append(f"{oldest_p}{body}}} {marks.earliest}\n")
                written += 2
            replicas.append(f"{replicas_p}{body}}} {len(part.replicas)}\n")
            isr.append(f"{isr_p}{body}}} {len(part.isr)}\n")
            if part.leader is not None:
                leader.append(f"{leader_p}{body}}} {part.leader}\n")
                written += 1
            is_preferred = bool(part.replicas) and part.leader == part.replicas[0]
            preferred.append(f"{preferred_p}{body}}} {int(is_preferred)}\n")
            under.append(f"{under_p}{body}}} {int(part.under_replicated)}\n")
            offline.append(f"{offline_p}{body}}} {int(part.offline)}\n")
            written += 5
    out.count += written


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
    add = out.add_body
    body = out.body(m.CONSUMERGROUP_MEMBERS, (cluster, group))
    add(m.CONSUMERGROUP_MEMBERS, body, lag.members)
    out.add(m.CONSUMERGROUP_STATE, (cluster, group, lag.state.value), 1)
    add(m.CONSUMERGROUP_GROUP_SUM_LAG, body, lag.total_lag)
    add(m.CONSUMERGROUP_GROUP_MAX_LAG, body, lag.max_lag)
    seconds = [v.lag_time.seconds for v in views if v.lag_time is not None]
    if seconds:
        add(m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS, body, max(seconds))
    status = worst(v.status for v in views if v.status is not None)
    add(m.CONSUMERGROUP_STATUS_CODE, body, status.value)
    status_p, status_lines = out.sink(m.CONSUMERGROUP_STATUS)
    head = status_p + body
    status_lines.extend([head + end for end in _STATUS_SUFFIXES[status]])
    out.count += len(_STATUSES)
    by_topic: dict[str, list[PartitionView]] = {}
    for view in views:
        by_topic.setdefault(view.row.topic, []).append(view)
    for topic, rows in sorted(by_topic.items()):
        labels = out.body(m.CONSUMERGROUP_LAG_SUM, (cluster, group, topic))
        committed = [v.row.committed_offset for v in rows if v.row.committed_offset is not None]
        if committed:
            add(m.CONSUMERGROUP_CURRENT_OFFSET_SUM, labels, sum(committed))
        lags = [v.row.lag for v in rows if v.row.lag is not None]
        add(m.CONSUMERGROUP_LAG_SUM, labels, sum(lags))
        add(m.CONSUMERGROUP_LAG_MAX, labels, max(lags, default=0))
        topic_seconds = [v.lag_time.seconds for v in rows if v.lag_time is not None]
        if topic_seconds:
            add(m.CONSUMERGROUP_LAG_SECONDS_MAX, labels, max(topic_seconds))
        add(m.CONSUMERGROUP_ASSIGNED_PARTITIONS, labels, sum(v.row.member_id is not None for v in rows))
        add(m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, labels, data_loss.get(topic, 0))


def write_group_partitions(out: SeriesWriter, cluster: str, group: str, views: list[PartitionView]) -> None:
    """The per-partition series of one group (label text built once per partition, lines appended
    straight to each metric's list: this is the loop that runs once per group partition)."""
    lag_p, lag_lines = out.sink(m.CONSUMERGROUP_LAG)
    uncommitted_p, uncommitted_lines = out.sink(m.CONSUMERGROUP_PARTITION_UNCOMMITTED)
    offset_p, offset_lines = out.sink(m.CONSUMERGROUP_CURRENT_OFFSET)
    seconds_p, seconds_lines = out.sink(m.CONSUMERGROUP_LAG_SECONDS)
    margin_p, margin_lines = out.sink(m.CONSUMERGROUP_RETENTION_MARGIN)
    change_p, change_lines = out.sink(m.CONSUMERGROUP_LAST_COMMIT_CHANGE)
    code_p, code_lines = out.sink(m.CONSUMERGROUP_PARTITION_STATUS_CODE)
    status_p, status_lines = out.sink(m.CONSUMERGROUP_PARTITION_STATUS)
    written = 0
    # The label text: the (cluster, group) part once, the topic part once per topic.
    head = out.body(m.CONSUMERGROUP_MEMBERS, (cluster, group))
    topic_label, partition_label = (out.profile.label_name(label) for label in ("topic", "partition"))
    topic_bodies: dict[str, str] = {}
    for view in views:
        row = view.row
        topic_body = topic_bodies.get(row.topic)
        if topic_body is None:
            topic_body = f'{head},{topic_label}="{escape_label_value(row.topic)}",{partition_label}="'
            topic_bodies[row.topic] = topic_body
        body = f'{topic_body}{row.partition}"'
        committed = row.committed_offset
        if committed is None:
            uncommitted_lines.append(f"{uncommitted_p}{body}}} 1\n")
            written += 1
            continue
        offset_lines.append(f"{offset_p}{body}}} {committed}\n")
        written += 1
        if row.lag is not None:
            lag_lines.append(f"{lag_p}{body}}} {row.lag}\n")
            written += 1
        lag_time = view.lag_time
        if lag_time is not None:
            seconds = format_value(lag_time.seconds)
            seconds_lines.append(f'{seconds_p}{body},method="{lag_time.method}"}} {seconds}\n')
            written += 1
        if row.earliest_offset is not None:
            margin_lines.append(f"{margin_p}{body}}} {committed - row.earliest_offset}\n")
            written += 1
        if view.last_change is not None:
            change_lines.append(f"{change_p}{body}}} {format_value(view.last_change)}\n")
            written += 1
        status = view.status
        if status is not None:
            code_lines.append(f"{code_p}{body}{_STATUS_CODES[status]}")
            head = status_p + body
            status_lines.extend([head + end for end in _STATUS_SUFFIXES[status]])
            written += 1 + len(_STATUSES)
    out.count += written
