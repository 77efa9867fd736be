"""``send_with_retry``: retries confirmed delivery failures only, through an optional circuit breaker."""

from __future__ import annotations

from typing import Any

import pytest

from kafka_client import AsyncProducer, AuthorizationError, DeliveryError, Producer
from kafka_client.errors import KafkaTimeoutError
from kafka_client.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    RetryPolicy,
    send_with_retry,
    send_with_retry_async,
)
from kafka_client.testing.memory import MemoryCluster

FAST = RetryPolicy(max_attempts=4, initial_backoff_s=0.001, max_backoff_s=0.002)


def test_failed_deliveries_are_retried_until_one_is_stored(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.fail_next_deliveries(3, topic="orders")  # retriable, like a broker timing out
    with Producer(settings) as producer:
        meta = send_with_retry(producer, "orders", b"v", b"k", retry=FAST, headers={"h": "1"})
    assert (meta.topic, meta.offset) == ("orders", 0)
    [record] = memory_cluster.records("orders")
    assert (record.key, record.value, record.headers) == (b"k", b"v", [("h", b"1")])


def test_a_non_retriable_failure_is_raised_at_once(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.fail_next_deliveries(1, AuthorizationError("denied"), topic="orders")
    with Producer(settings) as producer, pytest.raises(AuthorizationError):
        send_with_retry(producer, "orders", b"v", retry=FAST)
    assert memory_cluster.records("orders") == []


def test_giving_up_raises_the_last_delivery_error(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.fail_next_deliveries(10, topic="orders")
    with Producer(settings) as producer, pytest.raises(DeliveryError) as raised:
        send_with_retry(producer, "orders", b"v", retry=FAST)
    assert "gave up after 4 attempt(s)" in raised.value.__notes__[-1]


def test_a_timed_out_wait_is_never_retried(memory_cluster: MemoryCluster, settings: dict[str, Any]) -> None:
    memory_cluster.pause_deliveries()
    with Producer(settings) as producer:
        with pytest.raises(KafkaTimeoutError):
            send_with_retry(producer, "orders", b"v", retry=FAST, timeout_s=0.05)
        memory_cluster.resume_deliveries()
        assert producer.flush(5) == 0
    assert len(memory_cluster.records("orders")) == 1  # delivered once: no duplicate from a retry


def test_an_open_breaker_refuses_sends(memory_cluster: MemoryCluster, settings: dict[str, Any]) -> None:
    breaker = CircuitBreaker(window_size=2, minimum_calls=2, open_for_s=60)
    memory_cluster.fail_next_deliveries(2, topic="orders")
    with Producer(settings) as producer:
        with pytest.raises(CircuitOpenError):
            send_with_retry(
                producer,
                "orders",
                b"v",
                retry=RetryPolicy(max_attempts=3, initial_backoff_s=0.001),
                circuit_breaker=breaker,
            )
        assert memory_cluster.records("orders") == []


async def test_async_sends_retry_too(memory_cluster: MemoryCluster, settings: dict[str, Any]) -> None:
    memory_cluster.fail_next_deliveries(2, topic="orders")
    breaker = CircuitBreaker(window_size=10, minimum_calls=10)
    async with AsyncProducer(settings) as producer:
        meta = await send_with_retry_async(producer, "orders", b"v", retry=FAST, circuit_breaker=breaker)
    assert meta.offset == 0
    assert breaker.failure_rate == pytest.approx(2 / 3)


def test_the_producers_metrics_follow_the_breaker_of_its_sends(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    from kafka_client.observability import MetricsObserver
    from kafka_client.observability.metrics import names

    breaker = CircuitBreaker(name="orders-out", window_size=2, minimum_calls=2, open_for_s=60)
    memory_cluster.fail_next_deliveries(2, topic="orders")
    metrics = MetricsObserver(None, "producer")
    with Producer(settings, observers=[metrics]) as producer, pytest.raises(CircuitOpenError):
        send_with_retry(
            producer,
            "orders",
            b"v",
            retry=RetryPolicy(max_attempts=3, initial_backoff_s=0.001),
            circuit_breaker=breaker,
        )
    snapshot = metrics.snapshot()
    states = {labels[-1]: v for labels, v in snapshot.values[names.CIRCUIT_BREAKER_STATE].items()}
    moves = {labels[-1]: v for labels, v in snapshot.values[names.CIRCUIT_BREAKER_TRANSITIONS].items()}
    assert states == {"closed": 0, "half_open": 0, "open": 1}
    assert moves == {"closed": 0, "half_open": 0, "open": 1}
    assert {labels[2] for labels in snapshot.values[names.CIRCUIT_BREAKER_STATE]} == {"orders-out"}
