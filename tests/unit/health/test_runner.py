"""Running checks: ordering, a raising check, skipping after an unreachable cluster, standard checks."""

from __future__ import annotations

from typing import Any

from kafka_client import KafkaTimeoutError
from kafka_client.admin import BrokerInfo, ClusterDescription
from kafka_client.health import HealthCheck, HealthResult, HealthStatus, run_health_checks, standard_checks
from tests.unit.health._fakes import FakeAdmin

OK, FAILED = HealthStatus.OK, HealthStatus.FAILED


def fixed(name: str, status: HealthStatus) -> HealthCheck:
    return HealthCheck(name, lambda admin: HealthResult(name, status, f"{name} is {status}", 0.001))


def test_results_keep_the_checks_order_and_the_worst_status_wins() -> None:
    report = run_health_checks(checks=[fixed("a", OK), fixed("b", FAILED), fixed("c", OK)], admin=FakeAdmin())
    assert [(r.name, r.status) for r in report.results] == [("a", OK), ("b", FAILED), ("c", OK)]
    assert report.status is FAILED


def test_a_raising_check_becomes_a_failed_result() -> None:
    def broken(admin: Any) -> HealthResult:
        raise ValueError("boom")

    report = run_health_checks(checks=[broken, fixed("after", OK)], admin=FakeAdmin())
    first = report.results[0]
    assert (first.name, first.status, first.detail) == ("broken", FAILED, "the check raised ValueError: boom")
    assert report.results[1].status is OK


def test_checks_after_an_unreachable_cluster_are_not_run() -> None:
    fake = FakeAdmin(cluster=KafkaTimeoutError("describing the cluster at fake:9092: Timed out"))
    checks = standard_checks(topics=["orders"], groups=["billing"], end_to_end=True, timeout=1)
    report = run_health_checks(checks=checks, admin=fake)
    assert [(r.name, r.status) for r in report.results] == [
        ("brokers", FAILED),
        ("topic:orders", FAILED),
        ("group:billing", FAILED),
        ("end_to_end:__kafka_client_canary", FAILED),
    ]
    assert report.results[1].detail == "not run: the cluster at fake:9092 did not answer"
    assert report.results[1].data == {"skipped": True}
    assert fake.calls == ["describe_cluster"]  # and no close: the caller owns the admin


def test_standard_checks_pass_their_options_through() -> None:
    fake = FakeAdmin(cluster=ClusterDescription("c", 1, (BrokerInfo(1, "k", 9092),)))
    checks = standard_checks(min_brokers=2)
    assert [c.name for c in checks] == ["brokers"]
    result = checks[0](fake)
    assert result.status is HealthStatus.DEGRADED
