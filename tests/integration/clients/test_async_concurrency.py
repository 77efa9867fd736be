"""AsyncConsumer.run(concurrency=N): partitions in parallel, each in order, bounded, paused when behind."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import AsyncConsumer, Message, Producer, TopicPartition


def _fill(settings: dict[str, Any], topic: str, count: int, partitions: int) -> None:
    with Producer(settings) as producer:
        for i in range(count):
            producer.send(topic, str(i).encode(), partition=i % partitions)
        assert producer.flush(30) == 0


async def test_partitions_run_in_parallel_in_order_within_the_window(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(partitions=4), group_id()
    _fill(settings, topic, 200, 4)
    in_flight = 0
    peak = 0
    order: dict[int, list[int]] = defaultdict(list)

    async def handle(message: Message[Any, Any]) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        order[message.partition].append(message.offset)
        in_flight -= 1

    async with AsyncConsumer(settings, group_id=group, topics=[topic], fetch_batch=100) as consumer:
        handled = await consumer.run(handle, concurrency=3, max_buffered=20, idle_timeout=10)
        await consumer.commit()
        committed = await consumer.committed([TopicPartition(topic, p) for p in range(4)])
    assert handled == 200
    assert peak == 3  # parallel, and never past the window
    assert {p: offsets for p, offsets in order.items()} == {p: list(range(50)) for p in range(4)}
    assert committed == {TopicPartition(topic, p): 50 for p in range(4)}
    assert consumer.partitions_paused_for_backpressure > 0  # 100-message fetches overflow 20-message queues


async def test_a_failing_handler_stops_the_run_and_commits_only_what_finished(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(partitions=2), group_id()
    _fill(settings, topic, 40, 2)

    partition_zero_done = asyncio.Event()
    done_on_zero = 0

    async def handle(message: Message[Any, Any]) -> None:
        nonlocal done_on_zero
        if message.partition == 0:
            done_on_zero += 1
            if done_on_zero == 20:
                partition_zero_done.set()
        elif message.offset == 5:
            # Fail only once partition 0 is finished, so what is committed there is exact (all 20).
            await asyncio.wait_for(partition_zero_done.wait(), 30)
            raise ValueError("bad order")
        await asyncio.sleep(0)

    async with AsyncConsumer(settings, group_id=group, topics=[topic]) as consumer:
        with pytest.raises(ValueError, match="bad order"):
            await consumer.run(handle, concurrency=2, idle_timeout=10)
        committed = await consumer.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)])
    assert committed[TopicPartition(topic, 1)] == 5  # up to, not including, the failed message
    assert committed[TopicPartition(topic, 0)] == 20  # the other partition's finished work is kept
