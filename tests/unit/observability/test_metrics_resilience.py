"""Circuit breakers and dead letters reach the client's observers: exact series after given transitions
and routings, from the observer alone and from ``Consumer.run`` / ``AsyncConsumer.run`` on the memory
cluster (the breaker's state gauge and transition counter, the DLQ routing counter, the log lines)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from kafka_client import AsyncConsumer, Consumer, Message, Producer
from kafka_client.config import KafkaClientSettings
from kafka_client.observability import build_hooks
from kafka_client.observability.logging import LoggingObserver
from kafka_client.observability.metrics import FAMILIES, MetricsObserver, metric_families, names
from kafka_client.resilience import CircuitBreaker, CircuitState, DeadLetterQueue, RetryPolicy
from kafka_client.testing.memory import MemoryCluster
from tests.unit.observability.test_metrics_hooks import scrape, value

SETTINGS: dict[str, Any] = {"bootstrap_servers": "memory:9092", "backend": "memory", "client_id": "billing"}
CR = {"client_id": "billing", "role": "consumer"}


def states(samples: dict[Any, float], breaker: str, **base: str) -> dict[str, float | None]:
    labels = {**(base or CR), "breaker": breaker}
    return {s: value(samples, names.CIRCUIT_BREAKER_STATE, **labels, state=s) for s in names.CIRCUIT_STATES}


def transitions(samples: dict[Any, float], breaker: str, **base: str) -> dict[str, float | None]:
    labels = {**(base or CR), "breaker": breaker}
    return {
        s: value(samples, names.CIRCUIT_BREAKER_TRANSITIONS, **labels, to_state=s)
        for s in names.CIRCUIT_STATES
    }


@pytest.fixture
def observer() -> Iterator[MetricsObserver]:
    metrics = MetricsObserver()
    metrics.bind("billing", "consumer", "memory")
    yield metrics
    metrics.on_close()


def test_no_breaker_no_series(observer: MetricsObserver) -> None:
    samples = scrape(observer.registry)
    assert not [key for key in samples if key[0].startswith("kafka_client_circuit_breaker")]


def test_the_current_state_is_one_series_per_state_and_transitions_count_changes_only(
    observer: MetricsObserver,
) -> None:
    observer.on_circuit_state("payments", CircuitState.CLOSED)  # what a run reports when it starts
    samples = scrape(observer.registry)
    assert states(samples, "payments") == {"closed": 1, "half_open": 0, "open": 0}
    assert transitions(samples, "payments") == {"closed": 0, "half_open": 0, "open": 0}
    for state in ("open", "half_open", "open", "half_open", "closed", "closed"):
        observer.on_circuit_state("payments", CircuitState(state))
    observer.on_circuit_state("ledger", CircuitState.OPEN)  # first heard of while open: it was closed
    samples = scrape(observer.registry)
    assert states(samples, "payments") == {"closed": 1, "half_open": 0, "open": 0}
    assert transitions(samples, "payments") == {"closed": 1, "half_open": 2, "open": 2}
    assert states(samples, "ledger") == {"closed": 0, "half_open": 0, "open": 1}
    assert transitions(samples, "ledger") == {"closed": 0, "half_open": 0, "open": 1}


def test_a_producer_observer_given_to_a_breaker_exports_it_with_its_role() -> None:
    metrics = MetricsObserver()
    metrics.bind("sender", "producer", "memory")
    clock = [0.0]
    breaker = CircuitBreaker(
        window_size=1, minimum_calls=1, open_for_s=5, name="send", clock=lambda: clock[0]
    )
    breaker.add_observer(metrics)
    assert breaker.try_acquire()
    breaker.record_failure()
    samples = scrape(metrics.registry)
    base = {"client_id": "sender", "role": "producer"}
    assert states(samples, "send", **base) == {"closed": 0, "half_open": 0, "open": 1}
    assert transitions(samples, "send", **base) == {"closed": 0, "half_open": 0, "open": 1}
    metrics.on_close()


def test_dead_letter_routings_are_counted_by_topic_pair(observer: MetricsObserver) -> None:
    for _ in range(3):
        observer.on_dead_letter("orders", "orders.dlq", ValueError("bad"))
    observer.on_dead_letter("refunds", "dead-letters", ValueError("bad"))
    samples = scrape(observer.registry)
    dlq = names.CONSUMER_DLQ_MESSAGES
    assert value(samples, dlq, client_id="billing", topic="orders", dlq_topic="orders.dlq") == 3
    assert value(samples, dlq, client_id="billing", topic="refunds", dlq_topic="dead-letters") == 1


def test_the_family_table_is_public_read_only_and_has_the_new_families() -> None:
    families = metric_families()
    assert list(families) == [family.name for family in FAMILIES]
    state = families[names.CIRCUIT_BREAKER_STATE]
    assert (state.kind, state.labels) == ("gauge", ("client_id", "role", "breaker", "state"))
    moved = families[names.CIRCUIT_BREAKER_TRANSITIONS]
    assert (moved.kind, moved.labels) == ("counter", ("client_id", "role", "breaker", "to_state"))
    with pytest.raises(TypeError):
        families["x"] = state  # type: ignore[index]


# --- through Consumer.run on the memory cluster -----------------------------------------------------


def _fill(values: list[bytes]) -> None:
    with Producer(SETTINGS) as producer:
        for i, raw in enumerate(values):
            producer.send("orders", raw, key=f"k{i}".encode()).result(5)


def _fails_unless_ok(message: Message[Any, Any]) -> None:
    if message.value != b"ok":
        raise ValueError("cannot process this order")


def _breaker() -> CircuitBreaker:
    # two failures in a row open it; every probe after that is one message
    return CircuitBreaker(
        failure_rate_threshold=1.0, window_size=2, minimum_calls=2, open_for_s=0.05, name="orders-db"
    )


def test_a_run_reports_its_breaker_and_its_dead_letters_to_the_client_observers(
    memory_cluster: MemoryCluster, caplog: pytest.LogCaptureFixture
) -> None:
    memory_cluster.create_topic("orders", partitions=1)
    # bad0 and bad1 fail while closed (the second opens it); bad2 and bad3 are failed probes (open again);
    # the probe "ok" succeeds and closes it
    _fill([b"bad0", b"bad1", b"bad2", b"bad3", b"ok"])
    settings = KafkaClientSettings(**SETTINGS)
    metrics, logs = MetricsObserver(settings, "consumer"), LoggingObserver(settings, "consumer")
    breaker = _breaker()
    caplog.set_level(logging.INFO, logger="kafka_client.consumer")
    with (
        Producer(SETTINGS) as dlq_producer,
        Consumer(settings, group_id="g", topics=["orders"], observers=[metrics, logs]) as consumer,
    ):
        done = consumer.run(
            _fails_unless_ok,
            retry=RetryPolicy(max_attempts=1),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            circuit_breaker=breaker,
            max_messages=5,
        )
        samples = scrape(metrics.registry)
    assert done == 5
    assert [r.value for r in memory_cluster.records("orders.dlq")] == [b"bad0", b"bad1", b"bad2", b"bad3"]
    assert states(samples, "orders-db") == {"closed": 1, "half_open": 0, "open": 0}
    assert transitions(samples, "orders-db") == {"closed": 1, "half_open": 3, "open": 3}
    assert breaker.times_opened == 3
    dlq = {"client_id": "billing", "topic": "orders", "dlq_topic": "orders.dlq"}
    assert value(samples, names.CONSUMER_DLQ_MESSAGES, **dlq) == 4
    lines = [
        (r.levelname, r.getMessage(), r.__dict__["breaker"], r.__dict__["state"], r.__dict__["client_id"])
        for r in caplog.records
        if r.name == "kafka_client.consumer" and "breaker" in r.__dict__
    ]
    opened = ("WARNING", "circuit breaker 'orders-db': closed -> open", "orders-db", "open", "billing")
    probing = ("INFO", "circuit breaker 'orders-db': open -> half_open", "orders-db", "half_open", "billing")
    reopened = ("WARNING", "circuit breaker 'orders-db': half_open -> open", "orders-db", "open", "billing")
    closed = ("INFO", "circuit breaker 'orders-db': half_open -> closed", "orders-db", "closed", "billing")
    assert lines == [opened, probing, reopened, probing, reopened, probing, closed]


def test_a_second_run_with_the_same_breaker_reports_once(memory_cluster: MemoryCluster) -> None:
    memory_cluster.create_topic("orders", partitions=1)
    _fill([b"bad0", b"bad1", b"ok"])
    metrics = MetricsObserver(KafkaClientSettings(**SETTINGS), "consumer")
    breaker = _breaker()
    with (
        Producer(SETTINGS) as dlq_producer,
        Consumer(SETTINGS, group_id="g", topics=["orders"], observers=[metrics]) as consumer,
    ):
        dlq = DeadLetterQueue(dlq_producer)
        once = RetryPolicy(max_attempts=1)
        args: dict[str, Any] = {"retry": once, "dead_letter_queue": dlq, "circuit_breaker": breaker}
        assert consumer.run(_fails_unless_ok, max_messages=2, **args) == 2  # bad0, bad1: open
        assert consumer.run(_fails_unless_ok, max_messages=1, **args) == 1  # ok: the probe closes it
        samples = scrape(metrics.registry)
    assert transitions(samples, "orders-db") == {"closed": 1, "half_open": 1, "open": 1}
    assert states(samples, "orders-db") == {"closed": 1, "half_open": 0, "open": 0}


@pytest.mark.parametrize("concurrency", [1, 3])
def test_async_runs_count_dead_letters_and_breaker_changes(
    memory_cluster: MemoryCluster, concurrency: int
) -> None:
    memory_cluster.create_topic("orders", partitions=1)
    _fill([b"bad0", b"bad1", b"ok"])
    metrics = MetricsObserver(KafkaClientSettings(**SETTINGS), "consumer")
    breaker = _breaker()

    async def handler(message: Message[Any, Any]) -> None:
        _fails_unless_ok(message)

    async def main() -> tuple[int, dict[Any, float]]:
        with Producer(SETTINGS) as dlq_producer:
            async with AsyncConsumer(
                SETTINGS, group_id="g", topics=["orders"], observers=[metrics]
            ) as consumer:
                done = await consumer.run(
                    handler,
                    retry=RetryPolicy(max_attempts=1),
                    dead_letter_queue=DeadLetterQueue(dlq_producer),
                    circuit_breaker=breaker,
                    max_messages=3,
                    concurrency=concurrency,
                )
                return done, scrape(metrics.registry)

    done, samples = asyncio.run(main())
    assert done == 3
    dlq = {"client_id": "billing", "topic": "orders", "dlq_topic": "orders.dlq"}
    assert value(samples, names.CONSUMER_DLQ_MESSAGES, **dlq) == 2
    assert transitions(samples, "orders-db") == {"closed": 1, "half_open": 1, "open": 1}
    assert states(samples, "orders-db") == {"closed": 1, "half_open": 0, "open": 0}


class RaisingObserver:
    def on_dead_letter(self, topic: str, dlq_topic: str, error: BaseException) -> None:
        raise RuntimeError("observer bug")


def test_a_raising_dead_letter_hook_is_logged_and_the_run_goes_on(
    memory_cluster: MemoryCluster, caplog: pytest.LogCaptureFixture
) -> None:
    memory_cluster.create_topic("orders", partitions=1)
    _fill([b"bad0", b"ok", b"bad1"])
    metrics = MetricsObserver(KafkaClientSettings(**SETTINGS), "consumer")
    with (
        Producer(SETTINGS) as dlq_producer,
        Consumer(
            SETTINGS, group_id="g", topics=["orders"], observers=[RaisingObserver(), metrics]
        ) as consumer,
    ):
        done = consumer.run(_fails_unless_ok, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=3)
        samples = scrape(metrics.registry)
    assert done == 3
    assert memory_cluster.committed("g", "orders", 0) == 3
    dlq = {"client_id": "billing", "topic": "orders", "dlq_topic": "orders.dlq"}
    assert value(samples, names.CONSUMER_DLQ_MESSAGES, **dlq) == 2
    raised = [r for r in caplog.records if r.getMessage() == "an observer's on_dead_letter hook raised"]
    assert len(raised) == 2


def test_on_dead_letter_is_gathered_like_the_other_hooks() -> None:
    metrics = MetricsObserver()
    hooks = build_hooks(
        [metrics, RaisingObserver(), object()], client_id="c", role="consumer", backend="memory"
    )
    assert hooks.on_dead_letter == [metrics.on_dead_letter, hooks.observers[1].on_dead_letter]
    metrics.on_close()
