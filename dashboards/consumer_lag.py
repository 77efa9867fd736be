"""The "Consumer lag" dashboard: group status, lag in seconds and messages, drain time, retention
headroom and the exporter's own health, all from the exporter's series."""

from __future__ import annotations

from dashboards._model import Dashboard, Panel, Row, Scope, Target, Variable, red_above, target_variables
from dashboards._options import Options
from kafka_client_exporter import metric_names as m

S = Scope({m.GROUP: "group", m.TOPIC: "topic"})
GT = f"cluster, {m.GROUP}, {m.TOPIC}"
TARGETS = 'job=~"$job",instance=~"$instance",cluster=~"$cluster"'

STATUS_COLOURS = {"OK": "green", "WARN": "orange", "REWIND": "purple", "STALL": "red", "STOP": "red"}


def _status_overrides() -> list[dict[str, object]]:
    return [
        {
            "matcher": {"id": "byName", "options": status},
            "properties": [
                {
                    "id": "thresholds",
                    "value": {
                        "mode": "absolute",
                        "steps": [{"color": "green", "value": None}, {"color": colour, "value": 1}],
                    },
                }
            ],
        }
        for status, colour in STATUS_COLOURS.items()
        if status != "OK"
    ]


def _overview(options: Options) -> Row:
    lagging_without_members = (
        f"count((max by (cluster, {m.GROUP}) ({S(m.CONSUMERGROUP_GROUP_SUM_LAG)}) > 0)"
        f" and on (cluster, {m.GROUP}) (max by (cluster, {m.GROUP}) ({S(m.CONSUMERGROUP_MEMBERS)}) == 0))"
    )
    return Row(
        "Overview",
        [
            Panel(
                "Groups by status",
                "How many groups are in each status (Burrow's rules over the exporter's commit samples): "
                "OK, WARN (lag growing), REWIND (committed offset went back), STALL (members, no "
                "progress), STOP (no members, lag). Red: at least one group is stalled or stopped.",
                "short",
                [Target(f"sum by (status) ({S(m.CONSUMERGROUP_STATUS)})", "{{status}}", instant=True)],
                kind="stat",
                width=8,
                height=5,
                overrides=_status_overrides(),
            ),
            Panel(
                "Worst lag (seconds)",
                "Age of the oldest unconsumed message over the selected groups. Red: above the lag SLO.",
                "s",
                [Target(f"max({S(m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS)})", "worst", instant=True)],
                kind="stat",
                width=4,
                height=5,
                thresholds=red_above(options.lag_slo_seconds, options.lag_slo_seconds / 2),
            ),
            Panel(
                "Worst lag (messages)",
                "Largest partition lag in messages (log end minus committed offset) over the selected "
                "groups.",
                "short",
                [Target(f"max({S(m.CONSUMERGROUP_GROUP_MAX_LAG)})", "worst", instant=True)],
                kind="stat",
                width=4,
                height=5,
            ),
            Panel(
                "Groups with lag and no members",
                "Groups that have unconsumed messages and no live consumer: nobody will ever drain them. "
                "Red: start the consumers or delete the group.",
                "short",
                [Target(lagging_without_members, "groups", instant=True)],
                kind="stat",
                width=8,
                height=5,
                thresholds=red_above(1),
                no_value="0",
            ),
        ],
    )


def _per_group(options: Options) -> Row:
    committed_rate = f"sum by ({GT}) ({S.rate(m.CONSUMERGROUP_CURRENT_OFFSET)})"
    produced_rate = f"sum by (cluster, {m.TOPIC}) ({S.rate(m.TOPIC_PARTITION_CURRENT_OFFSET)})"
    drain = (
        f"max by ({GT}) ({S(m.CONSUMERGROUP_LAG_SUM)}) / "
        f"clamp_min({committed_rate} - on (cluster, {m.TOPIC}) group_left () {produced_rate}, 0.001)"
    )
    headroom = (
        f"min by ({GT}) ({S(m.CONSUMERGROUP_RETENTION_MARGIN)} / ignoring ({m.GROUP}) group_left () "
        f"clamp_min({S(m.TOPIC_PARTITION_CURRENT_OFFSET)} - {S(m.TOPIC_PARTITION_OLDEST_OFFSET)}, 1))"
    )
    messages_axis = {
        "matcher": {"id": "byRegexp", "options": ".* messages$"},
        "properties": [
            {"id": "unit", "value": "short"},
            {"id": "custom.axisPlacement", "value": "right"},
            {"id": "custom.axisLabel", "value": "messages"},
        ],
    }
    return Row(
        "Per group",
        [
            Panel(
                "Lag: seconds (left) and messages (right)",
                "Per group and topic: the oldest unconsumed message's age (left axis) and the unconsumed "
                "messages (right axis). Seconds rising while messages stay flat: the group is slow, not "
                "overloaded. Red line above the SLO: see the LagAboveSLO runbook.",
                "s",
                [
                    Target(
                        f"max by ({GT}) ({S(m.CONSUMERGROUP_LAG_SECONDS_MAX)})",
                        "{{consumergroup}} {{topic}} seconds",
                    ),
                    Target(
                        f"max by ({GT}) ({S(m.CONSUMERGROUP_LAG_SUM)})",
                        "{{consumergroup}} {{topic}} messages",
                    ),
                ],
                width=24,
                thresholds=red_above(options.lag_slo_seconds),
                overrides=[messages_axis],
            ),
            Panel(
                "Top 10 partitions by lag (messages)",
                "The ten partitions with the most unconsumed messages. One partition far ahead of the "
                "others: a hot key or a stuck consumer on that partition.",
                "short",
                [Target(f"topk(10, {S(m.CONSUMERGROUP_LAG)})", "{{consumergroup}} {{topic}}/{{partition}}")],
            ),
            Panel(
                "Top 10 partitions by lag (seconds)",
                "The ten partitions whose oldest unconsumed message is oldest (any estimation method).",
                "s",
                [
                    Target(
                        f"topk(10, max without (method) ({S(m.CONSUMERGROUP_LAG_SECONDS)}))",
                        "{{consumergroup}} {{topic}}/{{partition}}",
                    )
                ],
                thresholds=red_above(options.lag_slo_seconds),
            ),
            Panel(
                "Produce rate vs commit rate",
                "Messages written to each topic per second against messages the group commits per second. "
                "Commit rate below produce rate for long: lag grows; scale the consumers out.",
                "mps",
                [
                    Target(produced_rate, "{{topic}} produced"),
                    Target(committed_rate, "{{consumergroup}} {{topic}} committed"),
                ],
            ),
            Panel(
                "Estimated time to drain",
                "Lag divided by how much faster the group commits than producers write. Values of days "
                "mean the group is not catching up (it consumes no faster than producers write).",
                "s",
                [Target(drain, "{{consumergroup}} {{topic}}")],
                thresholds=red_above(options.lag_slo_seconds * 4, options.lag_slo_seconds),
            ),
            Panel(
                "Retention headroom",
                "Share of the retained log still ahead of retention for each group: 0% means the next "
                "segment deletion drops messages the group has not read. Red below the alert threshold.",
                "percentunit",
                [Target(headroom, "{{consumergroup}} {{topic}}")],
                thresholds=((None, "red"), (options.retention_headroom_ratio, "orange"), (0.5, "green")),
            ),
            Panel(
                "Data lost to retention",
                "Partitions whose committed offset fell below the earliest stored offset, in the interval "
                "(unread messages deleted). Anything above 0: see the DataLost runbook.",
                "short",
                [
                    Target(
                        f"sum by ({GT}) ({S.rate(m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, 'increase')})",
                        "{{consumergroup}} {{topic}}",
                    )
                ],
                thresholds=red_above(1),
            ),
            Panel(
                "Members and assigned partitions",
                "Live members of each group and the partitions assigned to them. Zero members with lag: "
                "the consumers are down.",
                "short",
                [
                    Target(
                        f"max by (cluster, {m.GROUP}) ({S(m.CONSUMERGROUP_MEMBERS)})",
                        "{{consumergroup}} members",
                    ),
                    Target(
                        f"sum by (cluster, {m.GROUP}) ({S(m.CONSUMERGROUP_ASSIGNED_PARTITIONS)})",
                        "{{consumergroup}} partitions",
                    ),
                ],
            ),
        ],
    )


def _exporter_health(options: Options) -> Row:
    return Row(
        "Exporter health",
        [
            Panel(
                "Exporter reaches the cluster",
                "1 when the exporter's last cycle reached the cluster. Red: the numbers above are stale.",
                "none",
                [Target(f"min by (cluster) ({S(m.EXPORTER_UP)})", "{{cluster}}", instant=True)],
                kind="stat",
                width=6,
                height=5,
                thresholds=((None, "red"), (1, "green")),
                mappings=[{"type": "value", "options": {"0": {"text": "DOWN"}, "1": {"text": "UP"}}}],
            ),
            Panel(
                "Seconds since the last successful cycle",
                "How old the served numbers are. Red: older than the stale-data alert's threshold.",
                "s",
                [
                    Target(
                        f"time() - max by (cluster) ({S(m.EXPORTER_LAST_SUCCESS)})",
                        "{{cluster}}",
                        instant=True,
                    )
                ],
                kind="stat",
                width=6,
                height=5,
                thresholds=red_above(options.exporter_stale_seconds, options.exporter_stale_seconds / 2),
            ),
            Panel(
                "Series served",
                "Series the exporter serves per cluster. A jump: new groups or topics; compare with the "
                "max_series cap.",
                "short",
                [Target(f"sum by (cluster) ({S(m.EXPORTER_SERIES)})", "{{cluster}}", instant=True)],
                kind="stat",
                width=6,
                height=5,
            ),
            Panel(
                "Series dropped by the cap",
                "Per-partition group series left out by max_series. Above 0: raise the cap or filter groups.",
                "short",
                [Target(f"sum by (cluster) ({S(m.EXPORTER_SERIES_DROPPED)})", "{{cluster}}", instant=True)],
                kind="stat",
                width=6,
                height=5,
                thresholds=red_above(1),
            ),
            Panel(
                "Cycle duration vs interval",
                "How long one collection cycle takes against the time between cycles (1 / cycle rate). "
                "Duration reaching the interval: the exporter cannot keep up; filter groups or raise "
                "interval_s.",
                "s",
                [
                    Target(f"max by (cluster) ({S(m.EXPORTER_CYCLE_DURATION)})", "{{cluster}} duration"),
                    Target(f"1 / sum by (cluster) ({S.rate(m.EXPORTER_CYCLES)})", "{{cluster}} interval"),
                ],
            ),
            Panel(
                "Kafka request latency p99 by API",
                "99th percentile duration of the exporter's Kafka calls. A slow API names the bottleneck.",
                "s",
                [
                    Target(
                        f"histogram_quantile(0.99, sum by (cluster, api, le) "
                        f"({S.rate(m.EXPORTER_REQUEST_DURATION + '_bucket')}))",
                        "{{cluster}} {{api}}",
                    )
                ],
            ),
        ],
    )


def consumer_lag_dashboard(options: Options) -> Dashboard:
    """The consumer lag dashboard, thresholds taken from ``options``."""
    variables = [
        *target_variables(m.EXPORTER_UP),
        Variable(
            "group",
            "Consumer group",
            f"label_values({m.CONSUMERGROUP_MEMBERS}{{{TARGETS}}}, {m.GROUP})",
        ),
        Variable(
            "topic",
            "Topic",
            f'label_values({m.CONSUMERGROUP_LAG_SUM}{{job=~"$job",instance=~"$instance",cluster=~"$cluster",'
            f'{m.GROUP}=~"$group"}}, {m.TOPIC})',
        ),
    ]
    return Dashboard(
        uid="kafka-client-consumer-lag",
        title="Kafka / Consumer lag",
        description="Consumer group lag in seconds and messages, status, drain time and retention "
        "headroom, from kafka-client-exporter.",
        tags=["kafka", "kafka-client", "consumer-lag"],
        variables=variables,
        rows=[_overview(options), _per_group(options), _exporter_health(options)],
    )


__all__ = ["consumer_lag_dashboard"]
