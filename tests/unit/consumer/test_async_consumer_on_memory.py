"""AsyncConsumer's positioning, flow control and rebalance behaviour, on the in-memory cluster."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from typing import Any

import pytest

from kafka_client import AsyncConsumer, Message, TopicPartition, TopicPartitionOffset
from kafka_client.testing.memory import MemoryCluster
from tests.unit.consumer._orders import P0, P1, TOPIC
from tests.unit.consumer._orders import orders_cluster as _cluster


def _consumer(cluster: MemoryCluster, **kwargs: Any) -> AsyncConsumer[Any, Any]:
    return AsyncConsumer(
        bootstrap_servers="memory:9092",
        group_id="billing",
        transport=cluster.consumer_backend("billing"),
        observers=[],
        **kwargs,
    )


async def test_coroutine_rebalance_hooks_are_awaited_on_the_event_loop() -> None:
    cluster = _cluster(1)
    loop = asyncio.get_running_loop()
    calls: list[tuple[str, list[int], bool]] = []

    async def on_assign(partitions: list[TopicPartition]) -> None:
        calls.append(("assign", sorted(p.partition for p in partitions), asyncio.get_running_loop() is loop))

    async def on_revoke(partitions: list[TopicPartition]) -> None:
        calls.append(("revoke", sorted(p.partition for p in partitions), asyncio.get_running_loop() is loop))

    async with _consumer(cluster, topics=[TOPIC], on_assign=on_assign, on_revoke=on_revoke) as consumer:
        assert consumer.backend_name == "memory"
        assert repr(consumer) == "<AsyncConsumer backend=memory group='billing'>"
        first = await consumer.poll(2.0)
        assert first is not None
        assert sorted(await consumer.assignment()) == [P0, P1]
    assert calls == [("assign", [0, 1], True), ("revoke", [0, 1], True)]


async def test_assign_seek_and_explicit_commits() -> None:
    cluster = _cluster(5)
    async with _consumer(cluster, commit_strategy="manual") as consumer:
        await consumer.assign([TopicPartitionOffset(TOPIC, 0, 3)])
        message = await consumer.poll(2.0)
        assert message is not None
        assert (message.partition, message.offset, message.value) == (0, 3, b"0-3")
        assert await consumer.commit(message) == [TopicPartitionOffset(TOPIC, 0, 4)]
        assert await consumer.committed([P0]) == {P0: 4}

        await consumer.seek_to_beginning()
        again = await consumer.poll(2.0)
        assert again is not None
        assert again.offset == 0
        await consumer.seek(P0, 2)
        at_two = await consumer.poll(2.0)
        assert at_two is not None
        assert at_two.offset == 2

        assert await consumer.commit(offsets=[TopicPartitionOffset(TOPIC, 0, 1)]) == [
            TopicPartitionOffset(TOPIC, 0, 1)
        ]
        assert await consumer.committed() == {P0: 1}
    assert cluster.committed("billing", TOPIC, 0) == 1  # manual: closing commits nothing more


async def test_a_paused_partition_is_not_fetched_until_resumed() -> None:
    cluster = _cluster(3)
    async with _consumer(cluster, commit_strategy="manual") as consumer:
        await consumer.assign([P0, P1])
        await consumer.pause([P0])
        batch = await consumer.consume_batch(10, timeout=0.5)
        assert [(m.partition, m.offset) for m in batch] == [(1, 0), (1, 1), (1, 2)]
        assert await consumer.consume_batch(10, timeout=0.2) == []
        await consumer.resume()
        batch = await consumer.consume_batch(10, timeout=0.5)
        assert [(m.partition, m.offset) for m in batch] == [(0, 0), (0, 1), (0, 2)]


async def test_a_raising_handler_stops_run_with_the_finished_messages_committed() -> None:
    cluster = _cluster(5, partitions=1)
    handled: list[int] = []

    async def handle(message: Message[Any, Any]) -> None:
        if message.offset == 3:
            raise ValueError("bad order 3")
        handled.append(message.offset)

    async with _consumer(cluster, topics=[TOPIC]) as consumer:
        with pytest.raises(ValueError, match="bad order 3"):
            await consumer.run(handle, idle_timeout=2)
        assert await consumer.committed([P0]) == {P0: 3}
    assert handled == [0, 1, 2]
    assert cluster.committed("billing", TOPIC, 0) == 3  # the failed message stays uncommitted on close


async def test_a_rebalance_during_a_concurrent_run_hands_every_message_over_exactly_once() -> None:
    cluster = _cluster(100)
    seen: dict[int, list[int]] = defaultdict(list)
    rebalanced = threading.Event()
    revoked: list[list[int]] = []
    assigned: list[list[int]] = []

    async def handle(message: Message[Any, Any]) -> None:
        seen[message.partition].append(message.offset)
        if not rebalanced.is_set() and sum(map(len, seen.values())) == 30:
            rebalanced.set()
            cluster.trigger_rebalance("billing")
        await asyncio.sleep(0)

    def on_revoke(partitions: list[TopicPartition]) -> None:
        revoked.append(sorted(p.partition for p in partitions))

    def on_assign(partitions: list[TopicPartition]) -> None:
        assigned.append(sorted(p.partition for p in partitions))

    async with _consumer(
        cluster, topics=[TOPIC], fetch_batch=50, on_revoke=on_revoke, on_assign=on_assign
    ) as consumer:
        handled = await consumer.run(handle, concurrency=2, max_buffered=20, idle_timeout=1)
    # The queued messages of the revoked partitions were dropped, not handled, and read again by the
    # next owner (here: us again) from the offsets committed at the revocation.
    assert handled == 200
    assert dict(seen) == {0: list(range(100)), 1: list(range(100))}
    assert assigned == [[0, 1], [0, 1]]
    assert revoked == [[0, 1], [0, 1]]  # the rebalance, then close
    assert (cluster.committed("billing", TOPIC, 0), cluster.committed("billing", TOPIC, 1)) == (100, 100)
