"""AsyncProducer and AsyncConsumer on every backend: counts, order, commits, transactions, a free loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import AsyncConsumer, AsyncProducer, Message, TopicPartition


async def test_async_round_trip_keeps_order_and_commits_processed(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic, group = kafka_topic(partitions=2), group_id()
    async with AsyncProducer(settings, key_serializer="str", value_serializer="json") as producer:
        metas = await producer.send_batch(
            topic, [{"n": i} for i in range(200)], keys=[f"k{i % 4}" for i in range(200)]
        )
    assert len(metas) == 200
    assert sorted((m.partition, m.offset) for m in metas) == sorted({(m.partition, m.offset) for m in metas})

    seen: list[tuple[str, int]] = []
    async with AsyncConsumer(
        settings, group_id=group, topics=[topic], key_deserializer="str", value_deserializer="json"
    ) as consumer:
        async for message in consumer:
            seen.append((message.key, message.value["n"]))
            if len(seen) == 200:
                consumer.stop()  # ends the iteration with this message processed
        # Now the consumer waits on Kafka (nothing left to read); the event loop must stay free meanwhile.
        # A loop blocked by each 0.2 s fetch would tick about 10 times in 2 s; a free one, ~100+.
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        assert await consumer.consume_batch(10, timeout=2.0) == []
        tick_task.cancel()
        await consumer.commit()  # processed offsets, committed now (not only at close)
        committed = await consumer.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)])
    assert sorted(n for _, n in seen) == list(range(200))
    for key in {k for k, _ in seen}:
        ns = [n for k, n in seen if k == key]
        assert ns == sorted(ns)
    assert sum(committed.values()) == 200  # type: ignore[arg-type]
    assert ticks > 50, f"the event loop ran only {ticks} times in 2 s"


async def _failing_transaction(producer: AsyncProducer[Any, Any], topic: str) -> None:
    async with producer.transaction():
        producer.send(topic, b"dropped")
        raise RuntimeError("abort me")


async def test_async_run_and_transaction(
    settings: dict[str, Any], kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    topic = kafka_topic()
    async with AsyncProducer(settings, producer={"transactional_id": f"atx-{topic}"}) as producer:
        async with producer.transaction():
            for i in range(3):
                producer.send(topic, f"kept-{i}".encode())
        with pytest.raises(RuntimeError, match="abort me"):
            await _failing_transaction(producer, topic)
    handled: list[bytes] = []

    async def handle(message: Message[Any, Any]) -> None:
        handled.append(message.value)

    async with AsyncConsumer(settings, group_id=group_id(), topics=[topic]) as consumer:
        count = await consumer.run(handle, max_messages=3, idle_timeout=20)
        late = await consumer.consume_batch(10, 1.0)
    assert count == 3
    assert handled == [b"kept-0", b"kept-1", b"kept-2"]
    assert late == []


async def test_cancelling_a_wait_does_not_unsend(
    settings: dict[str, Any], kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic()
    async with AsyncProducer(settings) as producer:
        future = producer.send(topic, b"still sent")
        waiter = asyncio.ensure_future(asyncio.shield(future))
        waiter.cancel()
        meta = await asyncio.wait_for(future, 30)
    assert meta.offset == 0
    assert waiter.cancelled()
