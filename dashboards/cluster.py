"""The "Cluster and topics" dashboard: brokers, controller, partition health, offsets, throughput,
ACLs and dead-letter topics, from the exporter's series."""

from __future__ import annotations

from dashboards._model import Dashboard, Panel, Row, Scope, Target, Variable, red_above, target_variables
from dashboards._options import Options
from kafka_client_exporter import metric_names as m

S = Scope({m.TOPIC: "topic"})
TARGETS = 'job=~"$job",instance=~"$instance",cluster=~"$cluster"'


def _stat(
    title: str,
    description: str,
    expr: str,
    unit: str = "short",
    thresholds: tuple[tuple[float | None, str], ...] = ((None, "green"),),
) -> Panel:
    """A small single-value panel, one value per cluster."""
    target = Target(expr, "{{cluster}}", instant=True)
    return Panel(title, description, unit, [target], kind="stat", width=4, height=5, thresholds=thresholds)


def _health() -> Row:
    return Row(
        "Cluster health",
        [
            _stat(
                "Brokers",
                "Brokers in the cluster's metadata. Fewer than you run: a broker is down.",
                f"max by (cluster) ({S(m.BROKERS)})",
            ),
            _stat(
                "Controller",
                "Broker id of the active controller. Changing often: controller instability.",
                f"max by (cluster) ({S(m.CONTROLLER_ID)})",
                unit="none",
            ),
            _stat(
                "Partitions",
                "Partitions of the selected topics, summed; the unit of parallelism for consumers.",
                f"sum by (cluster) ({S(m.TOPIC_PARTITIONS)})",
            ),
            _stat(
                "Under-replicated partitions",
                "Partitions with fewer in-sync replicas than replicas. Red: a broker is slow or down; "
                "see the UnderReplicatedPartitions runbook.",
                f"sum by (cluster) ({S(m.TOPIC_PARTITION_UNDER_REPLICATED)})",
                thresholds=red_above(1),
            ),
            _stat(
                "Offline partitions",
                "Partitions without a leader: unavailable for reads and writes. Red: see the "
                "OfflinePartitions runbook.",
                f"sum by (cluster) ({S(m.TOPIC_PARTITION_OFFLINE)})",
                thresholds=red_above(1),
            ),
            _stat(
                "Leaders not preferred",
                "Partitions led by a broker other than their preferred replica: load is unbalanced "
                "until a preferred leader election runs.",
                f"sum by (cluster) (1 - {S(m.TOPIC_PARTITION_LEADER_IS_PREFERRED)})",
                thresholds=red_above(1),
            ),
        ],
    )


def _topics() -> Row:
    return Row(
        "Topics",
        [
            Panel(
                "Messages in per second by topic",
                "Growth of each topic's log end offsets: messages written per second.",
                "mps",
                [
                    Target(
                        f"sum by (cluster, topic) ({S.rate(m.TOPIC_PARTITION_CURRENT_OFFSET)})", "{{topic}}"
                    )
                ],
                stacking=True,
            ),
            Panel(
                "In-sync replicas vs replicas",
                "Per topic: in-sync replicas summed over partitions against replicas. A gap: replicas "
                "falling behind (under-replication).",
                "short",
                [
                    Target(
                        f"sum by (cluster, topic) ({S(m.TOPIC_PARTITION_IN_SYNC_REPLICA)})", "{{topic}} ISR"
                    ),
                    Target(
                        f"sum by (cluster, topic) ({S(m.TOPIC_PARTITION_REPLICAS)})", "{{topic}} replicas"
                    ),
                ],
            ),
            Panel(
                "Earliest and latest offsets",
                "Per partition: the earliest offset still stored and the log end offset. Their "
                "difference is what retention keeps.",
                "none",
                [
                    Target(
                        f"max by (cluster, topic, partition) ({S(m.TOPIC_PARTITION_OLDEST_OFFSET)})",
                        "earliest",
                        instant=True,
                    ),
                    Target(
                        f"max by (cluster, topic, partition) ({S(m.TOPIC_PARTITION_CURRENT_OFFSET)})",
                        "latest",
                        instant=True,
                    ),
                ],
                kind="table",
                width=24,
                height=9,
            ),
        ],
    )


def _security_and_dlq() -> Row:
    return Row(
        "ACLs and dead-letter topics",
        [
            Panel(
                "ACL bindings",
                "ACL bindings by resource type, operation and permission. A sudden drop or jump: "
                "someone changed access rules.",
                "short",
                [
                    Target(
                        f"sum by (cluster, resource_type, operation, permission) ({S(m.ACLS)})",
                        "{{resource_type}} {{operation}} {{permission}}",
                        instant=True,
                    )
                ],
                kind="table",
                width=8,
            ),
            Panel(
                "Dead-letter topic depth",
                "Messages stored in each dead-letter topic, by the topic they came from. Growing: "
                "consumers are failing messages; see the DeadLetterTopicReceiving runbook.",
                "short",
                [
                    Target(
                        f"max by (cluster, topic, source_topic) ({S(m.DLQ_MESSAGES)})",
                        "{{topic}} (from {{source_topic}})",
                    )
                ],
                width=8,
            ),
            Panel(
                "Dead-letter topic growth",
                "Messages written to each dead-letter topic per second, over the exporter's status window. "
                "Above 0: a consumer is routing failures right now.",
                "mps",
                [Target(f"max by (cluster, topic, source_topic) ({S(m.DLQ_GROWTH)})", "{{topic}}")],
                width=8,
                thresholds=red_above(0.0001),
            ),
        ],
    )


def cluster_dashboard(options: Options) -> Dashboard:
    """The cluster and topics dashboard (``options`` is unused today; kept for a uniform builder API)."""
    del options
    variables = [
        *target_variables(m.EXPORTER_UP),
        Variable(
            "topic",
            "Topic",
            f"label_values({m.TOPIC_PARTITIONS}{{{TARGETS}}}, topic)",
        ),
    ]
    return Dashboard(
        uid="kafka-client-cluster",
        title="Kafka / Cluster and topics",
        description="Brokers, partitions, replication, offsets, throughput, ACLs and dead-letter topics, "
        "from kafka-client-exporter.",
        tags=["kafka", "kafka-client", "cluster"],
        variables=variables,
        rows=[_health(), _topics(), _security_and_dlq()],
    )


__all__ = ["cluster_dashboard"]
