"""``promtool test rules`` cases: for every alert, input series that must fire it and series that must not.

The expected annotations are rendered here from each alert's templates, so a changed text never
needs a hand edit of the test file; the series and verdicts are what the tests pin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboards._options import Options
from dashboards.alerts import LAG_SLO_RECORD, Alert, all_alerts, runbook_url
from kafka_client.observability.metrics import names as n
from kafka_client_exporter import metric_names as m

EXP = {"job": "kafka-client-exporter", "instance": "exporter:9308", "cluster": "prod"}
APP = {"job": "kafka-client-apps", "instance": "app:9464", "cluster": "prod"}
#: The group whose SLO the override file raises to one hour.
OVERRIDDEN_GROUP = "nightly-batch"


@dataclass(frozen=True)
class Case:
    """Series (metric, labels, promtool values) evaluated at ``at``; ``fires`` the labels expected
    on the alert (besides alertname and severity), or None when it must stay silent."""

    alert: str
    series: tuple[tuple[str, Mapping[str, str], str], ...]
    at: str
    fires: Mapping[str, str] | None


def _s(
    metric: str, base: Mapping[str, str], values: str, **labels: str
) -> tuple[str, Mapping[str, str], str]:
    return (metric, {**base, **labels}, values)


def _pair(
    alert: str, at: str, fire: tuple[Any, ...], quiet: tuple[Any, ...], labels: Mapping[str, str]
) -> list[Case]:
    return [Case(alert, fire, at, labels), Case(alert, quiet, at, None)]


def cases() -> list[Case]:
    """Every alert's firing case and quiet case (and the SLO override's quiet case)."""
    g, t = {m.GROUP: "orders-svc"}, {m.GROUP: "orders-svc", m.TOPIC: "orders"}
    cg = {"cluster": "prod", **g}
    cgt = {"cluster": "prod", **t}
    p0 = {m.TOPIC: "orders", m.PARTITION: "0"}
    out: list[Case] = []
    lag_s = m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS
    out += _pair("KafkaConsumerGroupLagAboveSLO", "15m", (_s(lag_s, EXP, "600x20", **g),),
                 (_s(lag_s, EXP, "60x20", **g),), cg)  # fmt: skip
    out.append(
        Case(
            "KafkaConsumerGroupLagAboveSLO",
            (_s(lag_s, EXP, "600x20", consumergroup=OVERRIDDEN_GROUP),),
            "15m",
            None,
        )
    )
    out += _pair("KafkaConsumerGroupLagGrowing", "25m", (_s(m.CONSUMERGROUP_LAG_SUM, EXP, "0+10x40", **t),),
                 (_s(m.CONSUMERGROUP_LAG_SUM, EXP, "500x40", **t),), cgt)  # fmt: skip
    for alert, status in (("KafkaConsumerGroupStalled", "STALL"), ("KafkaConsumerGroupStopped", "STOP")):
        out += _pair(alert, "8m", (_s(m.CONSUMERGROUP_STATUS, EXP, "1x10", status=status, **g),),
                     (_s(m.CONSUMERGROUP_STATUS, EXP, "0x10", status=status, **g),), cg)  # fmt: skip
    out += _pair("KafkaConsumerGroupRewound", "5m",
                 (_s(m.CONSUMERGROUP_STATUS, EXP, "0 0 1 0 0 0 0", status="REWIND", **g),),
                 (_s(m.CONSUMERGROUP_STATUS, EXP, "0x10", status="REWIND", **g),), cg)  # fmt: skip
    lagging = _s(m.CONSUMERGROUP_GROUP_SUM_LAG, EXP, "100x20", **g)
    out += _pair("KafkaConsumerGroupLagWithoutMembers", "15m",
                 (lagging, _s(m.CONSUMERGROUP_MEMBERS, EXP, "0x20", **g)),
                 (lagging, _s(m.CONSUMERGROUP_MEMBERS, EXP, "2x20", **g)), cg)  # fmt: skip

    def retention(margin: str) -> tuple[Any, ...]:
        return (
            _s(m.CONSUMERGROUP_RETENTION_MARGIN, EXP, margin, **g, **p0),
            _s(m.CONSUMERGROUP_LAG, EXP, "95x20", **g, **p0),
            _s(m.TOPIC_PARTITION_CURRENT_OFFSET, EXP, "1000x20", **p0),
            _s(m.TOPIC_PARTITION_OLDEST_OFFSET, EXP, "900x20", **p0),
        )

    out += _pair("KafkaConsumerGroupNearRetention", "15m", retention("5x20"), retention("80x20"), cgt)
    out += _pair("KafkaConsumerGroupDataLost", "4m",
                 (_s(m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, EXP, "0 0 1 1 1 1", **t),),
                 (_s(m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, EXP, "0x10", **t),
                  _s(m.CONSUMERGROUP_RETENTION_MARGIN, EXP, "10x10", **g, **p0)), cgt)  # fmt: skip
    dlq = {m.TOPIC: "orders.dlq", "source_topic": "orders"}
    out += _pair("KafkaDeadLetterTopicReceiving", "4m",
                 (_s(m.DLQ_MESSAGES, EXP, "0 0 1 1 1 1", **dlq), _s(m.DLQ_GROWTH, EXP, "0x5", **dlq)),
                 (_s(m.DLQ_MESSAGES, EXP, "3x10", **dlq), _s(m.DLQ_GROWTH, EXP, "0x10", **dlq)),
                 {"cluster": "prod", **dlq})  # fmt: skip
    for alert, metric, at in (
        ("KafkaUnderReplicatedPartitions", m.TOPIC_PARTITION_UNDER_REPLICATED, "7m"),
        ("KafkaOfflinePartitions", m.TOPIC_PARTITION_OFFLINE, "3m"),
    ):
        out += _pair(alert, at, (_s(metric, EXP, "1x10", **p0),), (_s(metric, EXP, "0x10", **p0),),
                     {"cluster": "prod", m.TOPIC: "orders"})  # fmt: skip
    up_labels = {"job": EXP["job"], "instance": EXP["instance"]}
    out += _pair(
        "KafkaClientExporterDown", "4m", (("up", up_labels, "0x5"),), (("up", up_labels, "1x5"),), up_labels
    )
    out += _pair("KafkaClientExporterClusterUnreachable", "4m", (_s(m.EXPORTER_UP, EXP, "0x5"),),
                 (_s(m.EXPORTER_UP, EXP, "1x5"),), {"cluster": "prod"})  # fmt: skip
    out += _pair("KafkaClientExporterDataStale", "9m", (_s(m.EXPORTER_LAST_SUCCESS, EXP, "0x10"),),
                 (_s(m.EXPORTER_LAST_SUCCESS, EXP, "0+60x10"),), {"cluster": "prod"})  # fmt: skip
    producer = {"client_id": "orders-api", "topic": "orders"}
    failed = {**producer, "error_type": "DeliveryError", "code": "_MSG_TIMED_OUT"}
    app = {"job": APP["job"], "instance": APP["instance"], "client_id": "orders-api"}
    out += _pair("KafkaProducerDeliveryFailures", "15m",
                 (_s(n.PRODUCER_MESSAGES_FAILED, APP, "0+60x20", **failed),
                  _s(n.PRODUCER_MESSAGES_DELIVERED, APP, "0+60x20", **producer)),
                 (_s(n.PRODUCER_MESSAGES_FAILED, APP, "0x20", **failed),
                  _s(n.PRODUCER_MESSAGES_DELIVERED, APP, "0+60x20", **producer)), app)  # fmt: skip
    out.append(
        Case(
            "KafkaProducerDeliveryFailures",
            (_s(n.PRODUCER_MESSAGES_FAILED, APP, "0+60x20", **failed),),
            "15m",
            app,
        )
    )
    consumer = {"client_id": "orders-api", "kind": "assign"}
    out += _pair("KafkaConsumerRebalanceStorm", "25m",
                 (_s(n.CONSUMER_REBALANCES, APP, "0+1x30", **consumer),),
                 (_s(n.CONSUMER_REBALANCES, APP, "1+0x30", **consumer),), app)  # fmt: skip
    breaker = {"client_id": "orders-api", "role": "consumer", "breaker": "payments-db", "state": "open"}
    out += _pair("KafkaClientCircuitBreakerOpen", "6m",
                 (_s(n.CIRCUIT_BREAKER_STATE, APP, "0 1 1 1 1 1 1 1", **breaker),),
                 (_s(n.CIRCUIT_BREAKER_STATE, APP, "0 1 0 0 0 0 0 0", **breaker),),
                 {**app, "breaker": "payments-db"})  # fmt: skip
    return out


_LABEL = re.compile(r"\{\{ \$labels\.(\w+) \}\}")


def _render(template: str, labels: Mapping[str, str]) -> str:
    return _LABEL.sub(lambda match: labels[match[1]], template)


def _series_name(metric: str, labels: Mapping[str, str]) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def render_rule_tests(options: Options, rules_file: str, override_file: str) -> dict[str, Any]:
    """The promtool test file: one test per case, 1-minute samples."""
    alerts: dict[str, Alert] = {alert.name: alert for alert in all_alerts(options)}
    tests = []
    for case in cases():
        alert = alerts[case.alert]
        expected = []
        if case.fires is not None:
            labels = {"severity": alert.severity, **case.fires}
            expected.append(
                {
                    "exp_labels": labels,
                    "exp_annotations": {
                        "summary": _render(alert.summary, labels),
                        "description": _render(alert.description, labels),
                        "runbook_url": runbook_url(alert, options),
                    },
                }
            )
        tests.append(
            {
                "name": f"{case.alert} {'fires' if case.fires is not None else 'stays silent'}",
                "interval": "1m",
                "input_series": [{"series": _series_name(*s[:2]), "values": s[2]} for s in case.series],
                "alert_rule_test": [{"eval_time": case.at, "alertname": case.alert, "exp_alerts": expected}],
            }
        )
    return {"rule_files": [rules_file, override_file], "evaluation_interval": "1m", "tests": tests}


def render_override_example() -> dict[str, Any]:
    """A per-group lag SLO override, as users write it (and as the rule tests load it)."""
    return {
        "groups": [
            {
                "name": "kafka-client-lag-slo-overrides",
                "rules": [
                    {
                        "record": LAG_SLO_RECORD,
                        "expr": "vector(3600)",
                        "labels": {"cluster": "prod", m.GROUP: OVERRIDDEN_GROUP},
                    }
                ],
            }
        ]
    }
