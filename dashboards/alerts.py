"""The Prometheus alert rules, built from the exporter's and the library's metric-name constants.

Each :class:`Alert` keeps its ``signals``: the sub-expressions of ``expr`` that must return data on a
live system whatever the verdict (the comparison and its threshold removed). The proof test
(tests/integration/dashboards) queries every signal against a real Prometheus, so an alert can never
watch a series that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboards._options import Options
from kafka_client.observability.metrics import names as n
from kafka_client_exporter import metric_names as m

#: Recording rule a user may define per group to override the default lag SLO (seconds).
LAG_SLO_RECORD = "kafka_client:consumergroup_lag_slo_seconds"
CG = f"cluster, {m.GROUP}"
CGT = f"cluster, {m.GROUP}, {m.TOPIC}"
CLIENT = "job, instance, client_id"


@dataclass(frozen=True)
class Alert:
    """One alerting rule; ``page`` is the runbook page in docs/runbooks/, the anchor is the name."""

    name: str
    expr: str
    signals: Sequence[str]
    for_: str
    severity: str
    summary: str
    description: str
    page: str


def _status(name: str, status: str, for_: str, summary: str, description: str, window: str = "") -> Alert:
    selector = f'{m.CONSUMERGROUP_STATUS}{{status="{status}"}}'
    signal = f"max by ({CG}) ({f'max_over_time({selector}[{window}])' if window else selector})"
    return Alert(name, f"{signal} == 1", [signal], for_, "warning", summary, description, "consumer-lag")


def lag_alerts(options: Options) -> list[Alert]:
    """Lag, status, membership and retention alerts on the exporter's consumer-group series."""
    lag_seconds = f"max by ({CG}) ({m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS})"
    slo = (
        f"max by ({CG}) ({LAG_SLO_RECORD} or on ({CG}) "
        f"({m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS} * 0 + {options.lag_slo_seconds:g}))"
    )
    growth = f"max by ({CGT}) (deriv({m.CONSUMERGROUP_LAG_SUM}[5m]))"
    lag_sum = f"max by ({CGT}) ({m.CONSUMERGROUP_LAG_SUM})"
    group_lag = f"max by ({CG}) ({m.CONSUMERGROUP_GROUP_SUM_LAG})"
    members = f"max by ({CG}) ({m.CONSUMERGROUP_MEMBERS})"
    headroom = (
        f"min by ({CGT}) (({m.CONSUMERGROUP_RETENTION_MARGIN} / ignoring ({m.GROUP}) group_left () "
        f"clamp_min({m.TOPIC_PARTITION_CURRENT_OFFSET} - {m.TOPIC_PARTITION_OLDEST_OFFSET}, 1)) "
        f"and {m.CONSUMERGROUP_LAG} > 0)"
    )
    lost_counter = f"max by ({CGT}) (increase({m.CONSUMERGROUP_DATA_LOSS_PARTITIONS}[15m]))"
    margin = f"min by ({CGT}) ({m.CONSUMERGROUP_RETENTION_MARGIN})"
    ratio = options.retention_headroom_ratio
    return [
        Alert(
            "KafkaConsumerGroupLagAboveSLO",
            f"{lag_seconds} > on ({CG}) {slo}",
            [lag_seconds, slo],
            options.lag_slo_for,
            "warning",
            "Consumer group {{ $labels.consumergroup }} is behind its lag SLO",
            "The oldest unconsumed message of group {{ $labels.consumergroup }} in cluster "
            "{{ $labels.cluster }} has been older than the group's lag SLO for " + options.lag_slo_for + ".",
            "consumer-lag",
        ),
        Alert(
            "KafkaConsumerGroupLagGrowing",
            f"{growth} > 0 and on ({CGT}) {lag_sum} > 0",
            [growth, lag_sum],
            "15m",
            "warning",
            "Lag of {{ $labels.consumergroup }} on {{ $labels.topic }} keeps growing",
            "The lag of group {{ $labels.consumergroup }} on topic {{ $labels.topic }} (cluster "
            "{{ $labels.cluster }}) has trended upwards for 15 minutes: producers outpace it.",
            "consumer-lag",
        ),
        _status(
            "KafkaConsumerGroupStalled",
            "STALL",
            "5m",
            "Consumer group {{ $labels.consumergroup }} is stalled",
            "Group {{ $labels.consumergroup }} (cluster {{ $labels.cluster }}) has live members but its "
            "committed offsets have not moved while lag exists.",
        ),
        _status(
            "KafkaConsumerGroupStopped",
            "STOP",
            "5m",
            "Consumer group {{ $labels.consumergroup }} stopped consuming",
            "Group {{ $labels.consumergroup }} (cluster {{ $labels.cluster }}) has lag, no progress and no "
            "live member owning the lagging partitions.",
        ),
        _status(
            "KafkaConsumerGroupRewound",
            "REWIND",
            "1m",
            "Consumer group {{ $labels.consumergroup }} moved its offsets backwards",
            "A committed offset of group {{ $labels.consumergroup }} (cluster {{ $labels.cluster }}) went "
            "back in the last 10 minutes: a reset or replay; messages will be processed again.",
            window="10m",
        ),
        Alert(
            "KafkaConsumerGroupLagWithoutMembers",
            f"{group_lag} > 0 and on ({CG}) {members} == 0",
            [group_lag, members],
            "10m",
            "warning",
            "Consumer group {{ $labels.consumergroup }} has lag and no members",
            "Group {{ $labels.consumergroup }} (cluster {{ $labels.cluster }}) has unconsumed messages and "
            "no live consumer: nothing will drain them.",
            "consumer-lag",
        ),
        Alert(
            "KafkaConsumerGroupNearRetention",
            f"{headroom} < {ratio:g}",
            [headroom],
            "10m",
            "warning",
            "{{ $labels.consumergroup }} is about to lose {{ $labels.topic }} messages to retention",
            "The committed offset of group {{ $labels.consumergroup }} on {{ $labels.topic }} (cluster "
            "{{ $labels.cluster }}) is in the oldest " + f"{ratio:.0%}" + " of the retained log: the next "
            "deletions drop messages it has not read.",
            "consumer-lag",
        ),
        Alert(
            "KafkaConsumerGroupDataLost",
            f"{lost_counter} > 0 or {margin} < 0",
            [lost_counter, margin],
            "1m",
            "critical",
            "Retention deleted messages {{ $labels.consumergroup }} had not read",
            "Group {{ $labels.consumergroup }} on {{ $labels.topic }} (cluster {{ $labels.cluster }}) "
            "committed an offset below the earliest stored one: unread messages are gone.",
            "consumer-lag",
        ),
    ]


def cluster_alerts(options: Options) -> list[Alert]:
    """Partition health and dead-letter alerts on the exporter's cluster series."""
    del options
    dlq_delta = f"max by (cluster, topic, source_topic) (delta({m.DLQ_MESSAGES}[15m]))"
    dlq_growth = f"max by (cluster, topic, source_topic) ({m.DLQ_GROWTH})"
    under = f"sum by (cluster, topic) ({m.TOPIC_PARTITION_UNDER_REPLICATED})"
    offline = f"sum by (cluster, topic) ({m.TOPIC_PARTITION_OFFLINE})"
    return [
        Alert(
            "KafkaDeadLetterTopicReceiving",
            f"{dlq_delta} > 0 or {dlq_growth} > 0",
            [dlq_delta, dlq_growth],
            "1m",
            "warning",
            "Dead-letter topic {{ $labels.topic }} is receiving messages",
            "Consumers of {{ $labels.source_topic }} (cluster {{ $labels.cluster }}) routed messages to "
            "{{ $labels.topic }}: they failed processing or could not be decoded.",
            "cluster",
        ),
        Alert(
            "KafkaUnderReplicatedPartitions",
            f"{under} > 0",
            [under],
            "5m",
            "warning",
            "Topic {{ $labels.topic }} has under-replicated partitions",
            "Partitions of {{ $labels.topic }} (cluster {{ $labels.cluster }}) have fewer in-sync replicas "
            "than replicas: one more broker failure may lose data or availability.",
            "cluster",
        ),
        Alert(
            "KafkaOfflinePartitions",
            f"{offline} > 0",
            [offline],
            "1m",
            "critical",
            "Topic {{ $labels.topic }} has offline partitions",
            "Partitions of {{ $labels.topic }} (cluster {{ $labels.cluster }}) have no leader: reads and "
            "writes to them fail.",
            "cluster",
        ),
    ]


def exporter_alerts(options: Options) -> list[Alert]:
    """The exporter itself: scrape failing, cluster unreachable, data stale."""
    up = f'up{{job="{options.exporter_job}"}}'
    reach = f"max by (cluster) ({m.EXPORTER_UP})"
    age = f"time() - max by (cluster) ({m.EXPORTER_LAST_SUCCESS})"
    return [
        Alert(
            "KafkaClientExporterDown",
            f"{up} == 0",
            [up],
            "2m",
            "critical",
            "kafka-client-exporter {{ $labels.instance }} cannot be scraped",
            "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 2 minutes: "
            "lag and cluster alerts are blind.",
            "exporter",
        ),
        Alert(
            "KafkaClientExporterClusterUnreachable",
            f"{reach} == 0",
            [reach],
            "2m",
            "critical",
            "kafka-client-exporter cannot reach cluster {{ $labels.cluster }}",
            "The exporter's collection cycles for cluster {{ $labels.cluster }} have failed for 2 minutes.",
            "exporter",
        ),
        Alert(
            "KafkaClientExporterDataStale",
            f"{age} > {options.exporter_stale_seconds:g}",
            [age],
            "2m",
            "warning",
            "kafka-client-exporter data for {{ $labels.cluster }} is stale",
            "The last successful collection cycle for cluster {{ $labels.cluster }} is older than "
            f"{options.exporter_stale_seconds:g} seconds: the exporter is stuck or far too slow.",
            "exporter",
        ),
    ]


def client_alerts(options: Options) -> list[Alert]:
    """Client-side alerts on the library's own metrics (scraped from the applications)."""
    failed = f"sum by ({CLIENT}) (rate({n.PRODUCER_MESSAGES_FAILED}[5m]))"
    delivered = f"sum by ({CLIENT}) (rate({n.PRODUCER_MESSAGES_DELIVERED}[5m]))"
    assigns = f'sum by ({CLIENT}) (increase({n.CONSUMER_REBALANCES}{{kind="assign"}}[15m]))'
    # open at any scrape of the last minute: a failed half-open probe between two open periods (a
    # breaker that stays down) does not reset the alert's pending time
    breaker_open = (
        f'max by ({CLIENT}, breaker) (max_over_time({n.CIRCUIT_BREAKER_STATE}{{state="open"}}[1m]))'
    )
    return [
        Alert(
            "KafkaProducerDeliveryFailures",
            f"{failed} / ({failed} + ({delivered} or {failed} * 0)) > {options.delivery_failure_ratio:g}",
            [failed, delivered],
            "5m",
            "critical",
            "Producer {{ $labels.client_id }} fails to deliver messages",
            "More than " + f"{options.delivery_failure_ratio:.0%}" + " of the deliveries of producer "
            "{{ $labels.client_id }} ({{ $labels.instance }}) failed over 5 minutes.",
            "clients",
        ),
        Alert(
            "KafkaConsumerRebalanceStorm",
            f"{assigns} > {options.rebalance_storm_count}",
            [assigns],
            "5m",
            "warning",
            "Consumer {{ $labels.client_id }} keeps rebalancing",
            "Consumer {{ $labels.client_id }} ({{ $labels.instance }}) got more than "
            f"{options.rebalance_storm_count} partition assignments in 15 minutes: members keep joining "
            "and leaving (crashes, max.poll.interval.ms exceeded, deployments).",
            "clients",
        ),
        Alert(
            "KafkaClientCircuitBreakerOpen",
            f"{breaker_open} == 1",
            [breaker_open],
            "2m",
            "warning",
            "Circuit breaker {{ $labels.breaker }} of {{ $labels.client_id }} is open",
            "The circuit breaker {{ $labels.breaker }} of client {{ $labels.client_id }} "
            "({{ $labels.instance }}) has been open for 2 minutes: the calls it guards keep failing; a "
            "consumer's run() keeps its partitions paused meanwhile, so lag grows.",
            "clients",
        ),
    ]


RULE_GROUPS = (
    ("kafka-client-consumer-lag", lag_alerts),
    ("kafka-client-cluster", cluster_alerts),
    ("kafka-client-exporter", exporter_alerts),
    ("kafka-client-clients", client_alerts),
)


def all_alerts(options: Options) -> list[Alert]:
    """Every alert, in file order."""
    return [alert for _, build in RULE_GROUPS for alert in build(options)]


def runbook_url(alert: Alert, options: Options) -> str:
    """The alert's ``runbook_url``: the template filled with its page and anchor (the lowercased name)."""
    return options.runbook_url_template.format(page=alert.page, anchor=alert.name.lower())


def render_rules(options: Options) -> dict[str, Any]:
    """The rules file content (``groups:``), ready for YAML."""
    groups = []
    for group_name, build in RULE_GROUPS:
        rules = [
            {
                "alert": alert.name,
                "expr": alert.expr,
                "for": alert.for_,
                "labels": {"severity": alert.severity},
                "annotations": {
                    "summary": alert.summary,
                    "description": alert.description,
                    "runbook_url": runbook_url(alert, options),
                },
            }
            for alert in build(options)
        ]
        groups.append({"name": group_name, "rules": rules})
    return {"groups": groups}
