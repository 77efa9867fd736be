"""``Consumer.run`` with retry, a dead-letter queue and a circuit breaker, on the in-memory cluster.

Exact counts throughout: handler calls, dead letters, committed offsets, pause/resume calls.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from kafka_client import AuthorizationError, Consumer, DeserializationError, Message, Producer
from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, DeadLetterQueueError, RetryPolicy
from kafka_client.testing.memory import MemoryCluster
from tests.unit.resilience.conftest import fill, spy_on, stop_after

FAST = RetryPolicy(max_attempts=3, initial_backoff_s=0.001, max_backoff_s=0.005, rng=random.Random(1))


def _dlq_records(cluster: MemoryCluster, topic: str = "orders.dlq") -> list[dict[str, Any]]:
    if topic not in cluster.topics():
        return []
    return [
        {"key": r.key, "value": r.value, **{k: v for k, v in r.headers if k.startswith("kafka-client-dlq-")}}
        for r in cluster.records(topic)
    ]


def test_a_handler_failing_twice_then_succeeding_is_retried_and_never_dead_lettered(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1", b"2"])
    calls: list[int] = []

    def flaky(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.offset == 1 and calls.count(1) < 3:
            raise ConnectionError("downstream hiccup")

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        done = consumer.run(
            flaky, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=3
        )
    assert done == 3
    assert calls == [0, 1, 1, 1, 2]
    assert _dlq_records(memory_cluster) == []
    assert memory_cluster.committed("g", "orders", 0) == 3


def test_an_always_failing_message_is_dead_lettered_once_with_its_attempts_and_the_run_goes_on(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1", b"2", b"3"])
    calls: list[int] = []

    def handler(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.value == b"2":
            raise ValueError("cannot handle 2")

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        done = consumer.run(
            handler, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=4
        )
    assert done == 4  # handled and dead-lettered both count
    assert calls == [0, 1, 2, 2, 2, 3]
    [letter] = _dlq_records(memory_cluster)
    assert (letter["key"], letter["value"]) == (b"k2", b"2")
    assert letter["kafka-client-dlq-attempts"] == b"3"
    assert letter["kafka-client-dlq-original-offset"] == b"2"
    assert letter["kafka-client-dlq-exception-type"] == b"ValueError"
    assert letter["kafka-client-dlq-consumer-group"] == b"g"
    assert letter["kafka-client-dlq-stage"] == b"handler"
    assert memory_cluster.committed("g", "orders", 0) == 4


def test_a_fatal_error_skips_the_retries(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0"])
    calls = 0

    def handler(message: Message[Any, Any]) -> None:
        nonlocal calls
        calls += 1
        raise KeyError("schema field missing")

    policy = RetryPolicy(max_attempts=5, initial_backoff_s=0.001, fatal=KeyError)
    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        consumer.run(handler, retry=policy, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=1)
    assert calls == 1
    assert [r["kafka-client-dlq-attempts"] for r in _dlq_records(memory_cluster)] == [b"1"]


def test_a_poison_pill_goes_to_the_dlq_untouched_and_consumption_continues_after_it(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b'{"n": 0}', b'{"n": 1}'])
    memory_cluster.inject_record("orders", 0, b"poison-key", b"\xff{not json", [("origin", b"legacy")], 1234)
    fill(settings, "orders", [b'{"n": 3}'])
    values: list[Any] = []
    with Consumer(settings, group_id="g", topics=["orders"], value_deserializer="json") as consumer:
        done = consumer.run(
            lambda m: values.append(m.value["n"]),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            max_messages=4,
        )
    assert done == 4
    assert values == [0, 1, 3]
    [record] = memory_cluster.records("orders.dlq")
    assert (record.key, record.value) == (b"poison-key", b"\xff{not json")
    headers = dict(record.headers)
    assert headers["origin"] == b"legacy"
    assert headers["kafka-client-dlq-original-offset"] == b"2"
    assert headers["kafka-client-dlq-original-timestamp"] == b"1234"
    assert headers["kafka-client-dlq-stage"] == b"deserialization"
    assert headers["kafka-client-dlq-error-field"] == b"value"
    assert headers["kafka-client-dlq-attempts"] == b"0"
    assert memory_cluster.committed("g", "orders", 0) == 4


def test_without_a_dlq_a_poison_pill_still_raises_after_committing_what_came_before(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b'{"n": 0}'])
    memory_cluster.inject_record("orders", 0, None, b"nope")
    handled: list[int] = []
    with (
        Consumer(settings, group_id="g", topics=["orders"], value_deserializer="json") as consumer,
        pytest.raises(DeserializationError, match="offset 1"),
    ):
        consumer.run(lambda m: handled.append(m.offset), retry=FAST)
    assert handled == [0]
    assert memory_cluster.committed("g", "orders", 0) == 1


def test_without_a_dlq_the_handler_error_propagates_after_its_retries(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1"])
    calls: list[int] = []

    def handler(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.offset == 1:
            raise ValueError("boom")

    with (
        Consumer(settings, group_id="g", topics=["orders"]) as consumer,
        pytest.raises(ValueError, match="boom"),
    ):
        consumer.run(handler, retry=FAST)
    assert calls == [0, 1, 1, 1]
    assert memory_cluster.committed("g", "orders", 0) == 1


def test_a_failed_dlq_write_stops_the_run_and_nothing_from_the_message_on_is_committed(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1", b"2", b"3"])
    memory_cluster.fail_next_deliveries(
        1, AuthorizationError("TOPIC_AUTHORIZATION_FAILED"), topic="orders.dlq"
    )
    calls: list[int] = []

    def handler(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.offset == 2:
            raise ValueError("bad")

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        with pytest.raises(DeadLetterQueueError) as raised:
            consumer.run(handler, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer))
        assert consumer.committed()[consumer.assignment()[0]] == 2
    assert isinstance(raised.value.__cause__, AuthorizationError)
    assert calls == [0, 1, 2, 2, 2]  # 3 never reached
    assert memory_cluster.committed("g", "orders", 0) == 2  # still 2 after close
    assert _dlq_records(memory_cluster) == []


def test_stop_interrupts_a_backoff_and_leaves_the_message_uncommitted(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1"])
    slow = RetryPolicy(max_attempts=5, initial_backoff_s=30, max_backoff_s=30, jitter="none")

    def handler(message: Message[Any, Any]) -> None:
        if message.offset == 1:
            raise ConnectionError("down")

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        stop_after(consumer, 0.5)
        started = time.monotonic()
        done = consumer.run(handler, retry=slow, dead_letter_queue=DeadLetterQueue(dlq_producer))
        took = time.monotonic() - started
    assert done == 1
    assert took < 5
    assert memory_cluster.committed("g", "orders", 0) == 1
    assert _dlq_records(memory_cluster) == []


def test_an_open_circuit_pauses_every_partition_then_probes_and_closes(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.create_topic("orders", partitions=2)
    fill(settings, "orders", [str(i).encode() for i in range(10)])
    events: list[tuple[str, Any]] = []
    breaker = CircuitBreaker(
        failure_rate_threshold=0.5,
        window_size=2,
        minimum_calls=2,
        open_for_s=0.3,
        on_state_change=[lambda b, old, new: events.append(("circuit", new.value))],
    )
    failures_left = 3
    handled: list[tuple[int, int]] = []
    handler_times: list[float] = []

    def handler(message: Message[Any, Any]) -> None:
        nonlocal failures_left
        handler_times.append(time.monotonic())
        if failures_left:
            failures_left -= 1
            raise ConnectionError("downstream is down")
        handled.append((message.partition, message.offset))

    retry = RetryPolicy(max_attempts=None, max_elapsed_s=60, initial_backoff_s=0.001, max_backoff_s=0.002)
    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        spy = spy_on(consumer, events)
        done = consumer.run(handler, retry=retry, circuit_breaker=breaker, max_messages=10)
        assignment = consumer.assignment()
    both = [("orders", 0), ("orders", 1)]
    assert assignment == both
    assert done == 10
    assert sorted(handled) == sorted(set(handled))
    assert len(handled) == 10
    assert breaker.times_opened == 2
    without_seeks = [e for e in events if e[0] != "seek"]
    assert without_seeks == [
        ("circuit", "open"),  # two failures in a window of two
        ("pause", both),
        ("circuit", "half_open"),
        ("resume", both),
        ("circuit", "open"),  # the probe (the same message, fetched again) failed
        ("pause", both),
        ("circuit", "half_open"),
        ("resume", both),
        ("circuit", "closed"),  # the next probe succeeded
    ]
    assert [e[0] for e in events].count("seek") == 2  # the message in hand was put back each time
    assert spy.fetched_while_paused == []
    assert spy.polls_while_paused > 0  # it kept polling (group membership) without fetching
    assert memory_cluster.committed("g", "orders", 0) == memory_cluster.end_offsets("orders")[0]
    assert memory_cluster.committed("g", "orders", 1) == memory_cluster.end_offsets("orders")[1]


def test_attempts_survive_a_circuit_pause_so_a_bad_message_still_reaches_the_dlq(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"bad", b"good"])
    breaker = CircuitBreaker(window_size=2, minimum_calls=2, open_for_s=0.1)
    calls: list[bytes] = []

    def handler(message: Message[Any, Any]) -> None:
        calls.append(message.value)
        if message.value == b"bad":
            raise ValueError("always")

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        done = consumer.run(
            handler,
            retry=RetryPolicy(max_attempts=3, initial_backoff_s=0.001),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            circuit_breaker=breaker,
            max_messages=2,
        )
    assert done == 2
    assert calls == [b"bad", b"bad", b"bad", b"good"]  # the third attempt was the half-open probe
    assert [r["kafka-client-dlq-attempts"] for r in _dlq_records(memory_cluster)] == [b"3"]
    assert breaker.times_opened == 2


def test_stop_during_an_open_circuit_ends_the_run_promptly(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b"0"])
    breaker = CircuitBreaker(window_size=1, minimum_calls=1, open_for_s=60)

    def handler(message: Message[Any, Any]) -> None:
        raise ConnectionError("down")

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        spy = spy_on(consumer)
        stop_after(consumer, 0.3)
        started = time.monotonic()
        assert consumer.run(handler, retry=RetryPolicy(max_attempts=None), circuit_breaker=breaker) == 0
        assert time.monotonic() - started < 5
        assert spy.paused == set()  # resumed on the way out
    assert memory_cluster.committed("g", "orders", 0) is None


def test_without_the_new_arguments_run_is_unchanged(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1"])
    calls: list[int] = []

    def handler(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.offset == 1:
            raise ValueError("no retry, no dlq")

    with (
        Consumer(settings, group_id="g", topics=["orders"]) as consumer,
        pytest.raises(ValueError, match="no retry"),
    ):
        consumer.run(handler)
    assert calls == [0, 1]
    assert memory_cluster.committed("g", "orders", 0) == 1


class Abort(BaseException):
    """Like KeyboardInterrupt: never retried, never dead-lettered."""


def test_a_base_exception_is_neither_retried_nor_dead_lettered_and_frees_the_probe_slot(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1"])
    breaker = CircuitBreaker(window_size=1, minimum_calls=1, open_for_s=0)
    breaker.record_failure()  # opens; open_for_s=0: the next call is a half-open probe
    calls: list[int] = []

    def handler(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.offset == 1:
            raise Abort

    with Consumer(settings, group_id="g", topics=["orders"]) as consumer, pytest.raises(Abort):
        consumer.run(
            handler, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer), circuit_breaker=breaker
        )
    assert calls == [0, 1]
    assert _dlq_records(memory_cluster) == []
    assert memory_cluster.committed("g", "orders", 0) == 1
    assert breaker.try_acquire()  # the aborted call's slot was given back


def test_idle_timeout_and_rate_limit_work_with_error_handling(
    memory_cluster: MemoryCluster, settings: dict[str, Any], dlq_producer: Producer[Any, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1", b"2"])
    started = time.monotonic()
    with Consumer(settings, group_id="g", topics=["orders"]) as consumer:
        done = consumer.run(
            lambda m: None,
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            rate_limit=20,
            idle_timeout=0.3,
        )
    assert done == 3
    assert 0.3 <= time.monotonic() - started < 5
