"""Health checks of the cluster, a topic and a consumer group, each returning a :class:`HealthResult`.

Every check takes a :class:`~kafka_client.admin.KafkaAdmin` first, never raises for a Kafka problem
(it becomes a ``failed`` result naming it), and bounds its Kafka calls by ``timeout``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from kafka_client.admin._lag import ConsumerGroupLag
from kafka_client.admin._models import GroupState
from kafka_client.errors import TopicError
from kafka_client.health._result import HealthResult, HealthStatus, Outcome, timed_check

if TYPE_CHECKING:
    from kafka_client.admin import KafkaAdmin

__all__ = ["check_brokers", "check_consumer_group", "check_topic"]

OK, DEGRADED, FAILED = HealthStatus.OK, HealthStatus.DEGRADED, HealthStatus.FAILED
_MISSING_TOPIC_CODES = {"UNKNOWN_TOPIC_OR_PART", "_UNKNOWN_TOPIC"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def is_missing_topic(error: TopicError) -> bool:
    """True when ``error`` says the topic does not exist (rather than it being unreadable)."""
    return getattr(error, "code", None) in _MISSING_TOPIC_CODES


def check_brokers(admin: KafkaAdmin, *, min_brokers: int = 1, timeout: float = 5.0) -> HealthResult:
    """A metadata round trip: the cluster answers, a controller is elected, ``min_brokers`` are up.

    ``failed`` when nothing answers within ``timeout`` or there is no controller; ``degraded`` when
    fewer brokers than ``min_brokers`` are registered.
    """

    def body() -> Outcome:
        cluster = admin.describe_cluster(timeout=timeout)
        ids = [b.id for b in cluster.brokers]
        data: dict[str, Any] = {
            "cluster_id": cluster.cluster_id,
            "controller_id": cluster.controller_id,
            "brokers": ids,
            "broker_count": len(ids),
            "min_brokers": min_brokers,
        }
        if cluster.controller_id is None:
            return FAILED, f"{_plural(len(ids), 'broker')} answered, but no controller is elected", data
        if len(ids) < min_brokers:
            return DEGRADED, f"only {len(ids)} of the {min_brokers} expected brokers are up ({ids})", data
        listed = ", ".join(str(i) for i in ids)
        detail = f"{_plural(len(ids), 'broker')} ({listed}), controller {cluster.controller_id}"
        return OK, f"{detail}, cluster {cluster.cluster_id}", data

    return timed_check("brokers", body)


def check_topic(admin: KafkaAdmin, name: str, *, timeout: float = 5.0) -> HealthResult:
    """The topic exists and is writable with ``acks=all``.

    ``failed`` when it does not exist or a partition has no leader (offline); ``degraded`` when a
    partition has fewer in-sync replicas than ``min.insync.replicas`` (``acks=all`` producers fail on it).
    """

    def body() -> Outcome:
        try:
            topic = admin.describe_topics([name], timeout=timeout)[name]
        except TopicError as exc:
            if is_missing_topic(exc):
                return FAILED, f"topic {name!r} does not exist", {"exists": False}
            raise
        min_isr = topic.config.min_insync_replicas
        data: dict[str, Any] = {
            "exists": True,
            "partitions": len(topic.partitions),
            "replication_factor": max((len(p.replicas) for p in topic.partitions), default=0),
            "min_insync_replicas": min_isr,
            "offline_partitions": list(topic.offline_partitions),
            "under_replicated_partitions": list(topic.under_replicated_partitions),
            "under_min_isr_partitions": list(topic.under_min_isr_partitions),
            "leaders": {str(p.partition): p.leader for p in topic.partitions},
        }
        count = len(topic.partitions)
        if topic.offline_partitions:
            offline = list(topic.offline_partitions)
            return FAILED, f"{len(offline)} of {count} partitions are offline (no leader): {offline}", data
        if topic.under_min_isr_partitions:
            low = list(topic.under_min_isr_partitions)
            return (
                DEGRADED,
                f"partitions {low} have fewer in-sync replicas than min.insync.replicas={min_isr}; "
                "acks=all producers fail on them",
                data,
            )
        detail = f"{_plural(count, 'partition')}, all with a leader"
        if min_isr is not None:
            detail += f", in-sync replicas >= min.insync.replicas={min_isr}"
        if topic.under_replicated_partitions:
            detail += f" ({len(topic.under_replicated_partitions)} under-replicated)"
        return OK, detail, data

    return timed_check(f"topic:{name}", body)


def check_consumer_group(
    admin: KafkaAdmin,
    group: str,
    *,
    max_lag: int | None = None,
    sample_interval_s: float = 5.0,
    timeout: float = 5.0,
) -> HealthResult:
    """The group exists, is not rebalancing, and consumes its lag: sampled twice, ``sample_interval_s``
    apart, when it has lag, to see whether its committed offsets move.

    ``failed`` when the group does not exist or its lag exceeds ``max_lag``; ``degraded`` when it is
    rebalancing, stalled (lag > 0 and committed offsets unchanged between samples), has lag but no
    members, or has lagging partitions no member owns. Choose ``sample_interval_s`` longer than the
    consumers' commit interval, or a healthy group that commits rarely looks stalled.
    """

    def sample() -> ConsumerGroupLag:
        return admin.consumer_group_lag([group], timeout=timeout)[group]

    def body() -> Outcome:
        first = sample()
        if first.state in (GroupState.DEAD, GroupState.UNKNOWN) and not first.partitions:
            return (
                FAILED,
                f"group {group!r} does not exist (no members, no committed offsets)",
                {"exists": False},
            )
        last, progress = first, None
        if first.total_lag > 0:
            time.sleep(sample_interval_s)
            last = sample()
            progress = _committed_progress(first, last)
        data = _group_data(last, first, progress, sample_interval_s)
        problems = _group_problems(last, progress, sample_interval_s, max_lag)
        if problems:
            return HealthStatus.worst(s for s, _ in problems), "; ".join(text for _, text in problems), data
        detail = f"{last.state}, {_plural(last.members, 'member')}, lag {last.total_lag}"
        if progress:
            detail += f", consuming (+{progress} committed in {sample_interval_s:g} s)"
        return OK, detail, data

    return timed_check(f"group:{group}", body)


def _committed_progress(first: ConsumerGroupLag, last: ConsumerGroupLag) -> int:
    before = {p.topic_partition: p.committed_offset for p in first.partitions}
    progress = 0
    for p in last.partitions:
        old = before.get(p.topic_partition)
        if p.committed_offset is not None and old is not None and p.committed_offset > old:
            progress += p.committed_offset - old
    return progress


def _group_problems(
    lag: ConsumerGroupLag, progress: int | None, interval: float, max_lag: int | None
) -> list[tuple[HealthStatus, str]]:
    problems: list[tuple[HealthStatus, str]] = []
    if lag.state.rebalancing:
        problems.append((DEGRADED, f"rebalancing (state {lag.state})"))
    elif lag.state is GroupState.UNKNOWN:
        problems.append((DEGRADED, "state unknown"))
    if lag.total_lag > 0:
        if lag.members == 0:
            problems.append(
                (DEGRADED, f"no active members while lag is {lag.total_lag}: nothing is consuming it")
            )
        elif not progress:
            problems.append(
                (
                    DEGRADED,
                    f"stalled: lag is {lag.total_lag} and no committed offset moved in {interval:g} s "
                    f"({_plural(lag.members, 'member')})",
                )
            )
        unowned = [p for p in lag.partitions if p.lag and p.member_id is None]
        if lag.members and unowned:
            names = ", ".join(str(p.topic_partition) for p in unowned[:5])
            problems.append((DEGRADED, f"{len(unowned)} lagging partitions have no member: {names}"))
    if max_lag is not None and lag.total_lag > max_lag:
        problems.append((FAILED, f"lag {lag.total_lag} exceeds max_lag {max_lag}"))
    return problems


def _group_data(
    last: ConsumerGroupLag, first: ConsumerGroupLag, progress: int | None, interval: float
) -> dict[str, Any]:
    return {
        "exists": True,
        "state": last.state.value,
        "members": last.members,
        "partitions": len(last.partitions),
        "partitions_without_commit": len(last.partitions_without_commit),
        "total_lag": last.total_lag,
        "max_partition_lag": last.max_lag,
        "lag_change": last.total_lag - first.total_lag,
        "committed_progress": progress,
        "moving": None if progress is None else progress > 0,
        "sample_interval_s": interval if progress is not None else None,
        "lag_by_topic": {t: s.total_lag for t, s in last.by_topic.items()},
    }
