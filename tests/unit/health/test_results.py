"""Statuses order by severity; results and reports serialize to JSON."""

from __future__ import annotations

import json

from kafka_client.errors import TopicError
from kafka_client.health import HealthReport, HealthResult, HealthStatus
from kafka_client.health._result import timed_check

OK, DEGRADED, FAILED = HealthStatus.OK, HealthStatus.DEGRADED, HealthStatus.FAILED


def test_worst_status_wins() -> None:
    assert HealthStatus.worst([]) is OK
    assert HealthStatus.worst([OK, DEGRADED, OK]) is DEGRADED
    assert HealthStatus.worst([DEGRADED, FAILED, OK]) is FAILED


def test_report_aggregates_and_serializes() -> None:
    results = (
        HealthResult("brokers", OK, "1 broker", 0.0123, {"broker_count": 1}),
        HealthResult("topic:orders", DEGRADED, "under min ISR", 0.002, {}),
    )
    report = HealthReport(results, 0.02)
    assert report.status is DEGRADED
    assert not report.ok
    assert report.counts() == {"ok": 1, "degraded": 1, "failed": 0}
    data = json.loads(json.dumps(report.to_dict()))
    assert data["status"] == "degraded"
    assert data["counts"] == {"ok": 1, "degraded": 1, "failed": 0}
    assert data["checks"][0] == {
        "name": "brokers",
        "status": "ok",
        "detail": "1 broker",
        "duration_s": 0.0123,
        "data": {"broker_count": 1},
    }
    assert data["checked_at"].endswith("+00:00")


def test_empty_report_is_ok() -> None:
    assert HealthReport(()).status is OK


def test_timed_check_turns_a_kafka_error_into_a_failed_result() -> None:
    def body() -> tuple[HealthStatus, str, dict[str, object]]:
        raise TopicError("describing topic 'x' at k:9092: unknown")

    result = timed_check("topic:x", body)
    assert (result.status, result.detail, result.data) == (
        FAILED,
        "describing topic 'x' at k:9092: unknown",
        {"error": "TopicError"},
    )
    assert result.duration_s >= 0
