"""``AsyncConsumer.run`` with retry, a dead-letter queue and a circuit breaker (one at a time and
concurrently), on the in-memory cluster."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

import pytest

from kafka_client import AsyncConsumer, AsyncProducer, AuthorizationError, Message
from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, DeadLetterQueueError, RetryPolicy
from kafka_client.testing.memory import MemoryCluster
from tests.unit.resilience.conftest import fill, spy_on

FAST = RetryPolicy(max_attempts=3, initial_backoff_s=0.001, max_backoff_s=0.005, rng=random.Random(2))


def _dead_offsets(cluster: MemoryCluster) -> list[tuple[int, int, bytes]]:
    if "orders.dlq" not in cluster.topics():
        return []
    out = []
    for record in cluster.records("orders.dlq"):
        headers = dict(record.headers)
        out.append(
            (
                int(headers["kafka-client-dlq-original-partition"] or b"-1"),
                int(headers["kafka-client-dlq-original-offset"] or b"-1"),
                headers["kafka-client-dlq-attempts"] or b"",
            )
        )
    return sorted(out)


async def test_retry_then_success_and_a_dead_lettered_poison_pill(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b'{"n": 0}', b'{"n": 1}'])
    memory_cluster.inject_record("orders", 0, b"pk", b"{{{")
    fill(settings, "orders", [b'{"n": 3}', b'{"n": 4}'])
    calls: list[int] = []

    async def handler(message: Message[Any, Any]) -> None:
        calls.append(message.offset)
        if message.offset == 1 and calls.count(1) < 3:
            raise ConnectionError("flaky")
        if message.offset == 4:
            raise ValueError("always")

    async with (
        AsyncProducer(settings) as producer,
        AsyncConsumer(settings, group_id="g", topics=["orders"], value_deserializer="json") as consumer,
    ):
        done = await consumer.run(
            handler, retry=FAST, dead_letter_queue=DeadLetterQueue(producer), max_messages=5
        )
    assert done == 5
    assert calls == [0, 1, 1, 1, 3, 4, 4, 4]
    assert _dead_offsets(memory_cluster) == [(0, 2, b"0"), (0, 4, b"3")]
    poison = memory_cluster.records("orders.dlq")[0]
    assert (poison.key, poison.value) == (b"pk", b"{{{")
    assert memory_cluster.committed("g", "orders", 0) == 5


async def test_a_failed_dlq_write_stops_the_run_without_committing_the_message(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1", b"2"])
    memory_cluster.fail_next_deliveries(1, AuthorizationError("denied"), topic="orders.dlq")

    async def handler(message: Message[Any, Any]) -> None:
        if message.offset == 1:
            raise ValueError("bad")

    async with (
        AsyncProducer(settings) as producer,
        AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer,
    ):
        with pytest.raises(DeadLetterQueueError):
            await consumer.run(handler, retry=FAST, dead_letter_queue=DeadLetterQueue(producer))
    assert memory_cluster.committed("g", "orders", 0) == 1
    assert _dead_offsets(memory_cluster) == []


async def test_stop_interrupts_an_async_backoff(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b"0"])

    async def handler(message: Message[Any, Any]) -> None:
        raise ConnectionError("down")

    slow = RetryPolicy(max_attempts=3, initial_backoff_s=60, max_backoff_s=60, jitter="none")
    async with AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer:
        asyncio.get_running_loop().call_later(0.3, consumer.stop)
        done = await asyncio.wait_for(consumer.run(handler, retry=slow), timeout=10)
    assert done == 0
    assert memory_cluster.committed("g", "orders", 0) is None


async def test_an_open_circuit_rewinds_the_batch_and_pauses(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [str(i).encode() for i in range(6)])
    failures_left = 2
    handled: list[int] = []

    async def handler(message: Message[Any, Any]) -> None:
        nonlocal failures_left
        if failures_left:
            failures_left -= 1
            raise ConnectionError("down")
        handled.append(message.offset)

    breaker = CircuitBreaker(window_size=2, minimum_calls=2, open_for_s=0.2)
    events: list[tuple[str, Any]] = []
    async with AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer:
        spy = spy_on(consumer, events)
        retry = RetryPolicy(max_attempts=None, initial_backoff_s=0.001, max_backoff_s=0.001)
        done = await consumer.run(handler, retry=retry, circuit_breaker=breaker, max_messages=6)
    assert done == 6
    assert handled == [0, 1, 2, 3, 4, 5]  # in order, each once: the rest of the batch was rewound
    assert [e for e in events if e[0] != "pause" and e[0] != "resume"] == [("seek", ("orders", 0, 0))]
    assert [e[0] for e in events if e[0] != "seek"] == ["pause", "resume"]
    assert spy.fetched_while_paused == []
    assert memory_cluster.committed("g", "orders", 0) == 6


async def test_concurrent_run_dead_letters_per_partition_and_keeps_each_partition_in_order(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.create_topic("orders", partitions=4)
    for p in range(4):
        for i in range(10):
            value = b"poison" if (p, i) == (1, 3) else f'{{"p": {p}, "i": {i}}}'.encode()
            memory_cluster.inject_record("orders", p, f"k{p}".encode(), value)
    seen: dict[int, list[int]] = defaultdict(list)
    attempts: dict[tuple[int, int], int] = defaultdict(int)

    async def handler(message: Message[Any, Any]) -> None:
        key = (message.partition, message.offset)
        attempts[key] += 1
        await asyncio.sleep(0.001)
        if key in ((0, 5), (3, 9)):
            raise ValueError("always")
        if key == (2, 2) and attempts[key] < 2:
            raise ConnectionError("once")
        seen[message.partition].append(message.offset)

    async with (
        AsyncProducer(settings) as producer,
        AsyncConsumer(settings, group_id="g", topics=["orders"], value_deserializer="json") as consumer,
    ):
        done = await consumer.run(
            handler,
            concurrency=4,
            retry=FAST,
            dead_letter_queue=DeadLetterQueue(producer),
            max_messages=40,
        )
    assert done == 40
    assert _dead_offsets(memory_cluster) == [(0, 5, b"3"), (1, 3, b"0"), (3, 9, b"3")]
    assert seen[0] == [0, 1, 2, 3, 4, 6, 7, 8, 9]
    assert seen[1] == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    assert seen[2] == list(range(10))
    assert seen[3] == list(range(9))
    assert attempts[(2, 2)] == 2
    assert [memory_cluster.committed("g", "orders", p) for p in range(4)] == [10, 10, 10, 10]


async def test_concurrent_run_pauses_every_partition_while_the_circuit_is_open(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.create_topic("orders", partitions=3)
    fill(settings, "orders", [str(i).encode() for i in range(30)])
    failures_left = 4

    async def handler(message: Message[Any, Any]) -> None:
        nonlocal failures_left
        await asyncio.sleep(0.001)
        if failures_left > 0:
            failures_left -= 1
            raise ConnectionError("down")

    breaker = CircuitBreaker(window_size=4, minimum_calls=2, open_for_s=0.3)
    states: list[str] = []
    breaker.add_listener(lambda b, old, new: states.append(new.value))
    async with AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer:
        spy = spy_on(consumer)
        retry = RetryPolicy(max_attempts=None, initial_backoff_s=0.001, max_backoff_s=0.001)
        done = await consumer.run(
            handler, concurrency=3, retry=retry, circuit_breaker=breaker, max_messages=30
        )
        assert spy.paused == set()
    assert done == 30
    assert states[0] == "open"
    assert states[-1] == "closed"
    pauses = [e for e in spy.events if e[0] == "pause"]
    assert pauses
    assert sorted({tp for _, parts in pauses for tp in parts}) == [
        ("orders", 0),
        ("orders", 1),
        ("orders", 2),
    ]
    assert [memory_cluster.committed("g", "orders", p) for p in range(3)] == [
        memory_cluster.end_offsets("orders")[p] for p in range(3)
    ]


async def test_concurrent_run_stops_on_a_failed_dlq_write_leaving_that_message_uncommitted(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.create_topic("orders", partitions=2)
    for p in range(2):
        for i in range(5):
            memory_cluster.inject_record("orders", p, None, f"{p}-{i}".encode())
    memory_cluster.fail_next_deliveries(1, AuthorizationError("denied"), topic="orders.dlq")

    async def handler(message: Message[Any, Any]) -> None:
        if (message.partition, message.offset) == (1, 2):
            raise ValueError("bad")

    async with (
        AsyncProducer(settings) as producer,
        AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer,
    ):
        with pytest.raises(DeadLetterQueueError):
            await consumer.run(
                handler, concurrency=2, retry=FAST, dead_letter_queue=DeadLetterQueue(producer)
            )
    assert memory_cluster.committed("g", "orders", 1) == 2
    assert _dead_offsets(memory_cluster) == []


class Abort(BaseException):
    pass


async def test_async_base_exception_and_idle_timeout(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    fill(settings, "orders", [b"0", b"1"])

    async def handler(message: Message[Any, Any]) -> None:
        if message.offset == 1:
            raise Abort

    async with AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer:
        with pytest.raises(Abort):
            await consumer.run(handler, retry=FAST)
    assert memory_cluster.committed("g", "orders", 0) == 1
    async with AsyncConsumer(settings, group_id="g", topics=["orders"]) as consumer:
        assert await consumer.run(lambda m: asyncio.sleep(0), retry=FAST, idle_timeout=0.3) == 1
