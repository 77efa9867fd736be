"""A broker that dies or hangs: the checks fail within their timeout, and recover when it is back.

These tests stop their own broker, never the session one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kafka_client.admin import KafkaAdmin
from kafka_client.health import (
    HealthStatus,
    check_brokers,
    check_end_to_end,
    run_health_checks,
    standard_checks,
)
from kafka_client.testing.embedded import EmbeddedKafka

OK, FAILED = HealthStatus.OK, HealthStatus.FAILED


@pytest.fixture
def long_lived_admin(own_broker: EmbeddedKafka) -> Iterator[KafkaAdmin]:
    """One client across the outage, as a readiness endpoint keeps it."""
    with KafkaAdmin(bootstrap_servers=own_broker.bootstrap_servers, timeout=10) as admin:
        assert check_brokers(admin).status is OK
        yield admin


def test_killed_broker_fails_quickly_then_recovers(
    own_broker: EmbeddedKafka, long_lived_admin: KafkaAdmin
) -> None:
    address = own_broker.bootstrap_servers
    own_broker.kill()
    try:
        started = time.monotonic()
        down = check_brokers(long_lived_admin, timeout=2)
        fresh = run_health_checks(
            {"bootstrap_servers": address}, standard_checks(topics=["orders"], timeout=2)
        )
        canary = check_end_to_end(long_lived_admin, timeout=2)
        elapsed = time.monotonic() - started
    finally:
        own_broker.start()
    assert down.status is FAILED
    assert address in down.detail
    assert down.duration_s < 4
    assert [(r.name, r.status) for r in fresh.results] == [("brokers", FAILED), ("topic:orders", FAILED)]
    assert fresh.results[1].detail == f"not run: the cluster at {address} did not answer"
    assert canary.status is FAILED
    assert elapsed < 12

    assert _eventually_ok(long_lived_admin)
    with KafkaAdmin(bootstrap_servers=address) as fresh_admin:
        assert check_brokers(fresh_admin, timeout=10).status is OK


def test_hung_broker_fails_within_the_timeout_then_recovers(
    own_broker: EmbeddedKafka, long_lived_admin: KafkaAdmin
) -> None:
    own_broker.pause()
    try:
        hung = check_brokers(long_lived_admin, timeout=2)
    finally:
        own_broker.resume()
    assert hung.status is FAILED
    assert hung.data["error"] == "KafkaTimeoutError"
    assert hung.duration_s < 4
    assert _eventually_ok(long_lived_admin)


def _eventually_ok(admin: KafkaAdmin, within: float = 30.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check_brokers(admin, timeout=5).status is OK:
            return True
        time.sleep(0.2)
    return False
