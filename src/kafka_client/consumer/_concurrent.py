"""Concurrent processing for :meth:`AsyncConsumer.run`: partitions in parallel, each one in order.

Messages are queued per partition; one task per partition handles its queue in offset order, and a
semaphore bounds how many handlers run at once (the in-flight window). A partition whose queue passes
``max_buffered`` is paused (fetching stops, the group membership stays) and resumed once it has drained
to half, so a slow handler applies backpressure instead of filling memory. When partitions are revoked,
their queued messages are dropped (never processed, so the next owner reads them) and their in-flight
handlers finish before the consumer commits and lets them go.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kafka_client._records import Message, TopicPartition

if TYPE_CHECKING:
    from kafka_client.consumer._async import AsyncConsumer
    from kafka_client.resilience._consuming import MessageHandling

Handler = Callable[[Message[Any, Any]], Awaitable[Any]]


class PartitionedRunner:
    """One run of ``AsyncConsumer.run(handler, concurrency=N)``."""

    def __init__(
        self,
        consumer: AsyncConsumer[Any, Any],
        handler: Handler,
        *,
        concurrency: int,
        max_buffered: int,
        max_messages: int | None,
        handling: MessageHandling | None = None,
    ) -> None:
        self.consumer = consumer
        self.core = consumer._core
        self.handler = handler
        self.semaphore = asyncio.Semaphore(concurrency)
        self.max_buffered = max_buffered
        self.max_messages = max_messages
        self.queues: dict[TopicPartition, collections.deque[Message[Any, Any]]] = {}
        self.tasks: dict[TopicPartition, asyncio.Task[None]] = {}
        self.paused: set[TopicPartition] = set()
        self.handled = 0
        self.failure: BaseException | None = None
        self.loop = asyncio.get_running_loop()
        self.pause_count = 0
        # Error handling (retry / dead-letter queue / circuit breaker), when run() was given any.
        self.handling = handling
        self.circuit_paused: set[TopicPartition] = set()
        self.revoking: set[TopicPartition] = set()

    def _buffered(self) -> int:
        return sum(len(q) for q in self.queues.values())

    async def run(self, idle_timeout: float | None) -> int:
        core, consumer = self.core, self.consumer
        core.before_revoke = self._revoke_from_client_thread
        idle_since = self.loop.time()
        try:
            while not consumer._stopping and self.failure is None:
                if self.handling is not None and self.handling.breaker is not None:
                    await self._apply_circuit()
                room = (
                    None
                    if self.max_messages is None
                    else self.max_messages - self.handled - self._in_flight()
                )
                if room is not None and room <= 0:
                    if not self._in_flight():
                        break
                    await asyncio.sleep(0.01)
                    continue
                want = consumer._fetch_batch if room is None else min(consumer._fetch_batch, room)
                fetch: Callable[[int, float], list[Any]] = core.fetch if self.handling else core.consume
                batch = await consumer._call(fetch, want, 0.2)
                core.take_pending()
                if batch:
                    idle_since = self.loop.time()
                    self._dispatch(batch)
                elif (
                    idle_timeout is not None
                    and not self._in_flight()
                    and self.loop.time() - idle_since >= idle_timeout
                ):
                    break
                await self._apply_backpressure()
            if self.failure is None:
                await self._drain_all()
        finally:
            core.before_revoke = None
            if self.paused or self.circuit_paused:
                await consumer._call(core.backend.resume, sorted(self.paused | self.circuit_paused))
                self.paused.clear()
                self.circuit_paused.clear()
        if self.failure is not None:
            for task in self.tasks.values():
                task.cancel()
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
            if core.commit_strategy != "manual":
                await consumer._call(core.commit_processed)
            raise self.failure
        return self.handled

    def _in_flight(self) -> int:
        return self._buffered() + sum(1 for t in self.tasks.values() if not t.done())

    def _dispatch(self, batch: list[Message[Any, Any]]) -> None:
        for message in batch:
            tp = TopicPartition(message.topic, message.partition)
            queue = self.queues.get(tp)
            if queue is None:
                queue = self.queues[tp] = collections.deque()
            queue.append(message)
        for tp, queue in self.queues.items():
            task = self.tasks.get(tp)
            if queue and (task is None or task.done()):
                self.tasks[tp] = self.loop.create_task(self._work(tp))

    async def _work(self, tp: TopicPartition) -> None:
        queue = self.queues[tp]
        core = self.core
        while queue and self.failure is None:
            async with self.semaphore:
                if not queue or self.failure is not None:  # emptied by a revocation while we waited
                    return
                message = queue.popleft()
                if self.handling is not None:
                    if not await self._handle(tp, message):
                        queue.clear()  # stopped or revoked mid-message: the rest stays for the next reader
                        return
                    continue
                try:
                    with core.hooks.processing(message):
                        await self.handler(message)
                except BaseException as exc:
                    if self.failure is None:
                        self.failure = exc
                    return
                core.mark_processed(message)
                self.handled += 1

    async def _handle(self, tp: TopicPartition, message: Any) -> bool:
        """One message through the run's error handling; False when it was left unprocessed."""
        from kafka_client.resilience._consuming import Outcome, sleep_unless_stopped

        assert self.handling is not None

        def abandoned() -> bool:
            return self.consumer._stopping or tp in self.revoking or self.failure is not None

        async def sleep(seconds: float) -> bool:
            return await sleep_unless_stopped(seconds, abandoned)

        async def wait_for_circuit(_: Any) -> bool:
            breaker = self.handling.breaker if self.handling else None
            wait = breaker.retry_after_s() if breaker is not None else 0.0
            return await sleep_unless_stopped(min(0.05, wait) if wait > 0 else 0.05, abandoned) or abandoned()

        try:
            outcome = await self.handling.process_async(message, self.handler, sleep, wait_for_circuit)
        except BaseException as exc:
            if self.failure is None:
                self.failure = exc
            return False
        if outcome is Outcome.STOPPED:
            return False
        self.handled += 1
        return True

    async def _apply_circuit(self) -> None:
        """While the run's circuit is open, no partition is fetched (their queues wait); then resume."""
        assert self.handling is not None
        assert self.handling.breaker is not None
        from kafka_client.resilience._breaker import CircuitState

        if self.handling.breaker.state is CircuitState.OPEN:
            assigned = set(await self.consumer._call(self.core.backend.assignment))
            fresh = sorted(assigned - self.circuit_paused - self.paused)
            if fresh:
                await self.consumer._call(self.core.backend.pause, fresh)
                self.circuit_paused.update(fresh)
            self.circuit_paused &= assigned
        elif self.circuit_paused:
            await self.consumer._call(self.core.backend.resume, sorted(self.circuit_paused))
            self.circuit_paused.clear()

    async def _apply_backpressure(self) -> None:
        full = [tp for tp, q in self.queues.items() if len(q) >= self.max_buffered and tp not in self.paused]
        drained = [tp for tp in self.paused if len(self.queues.get(tp, ())) <= self.max_buffered // 2]
        if full:
            await self.consumer._call(self.core.backend.pause, full)
            self.paused.update(full)
            self.pause_count += len(full)
        if drained:
            await self.consumer._call(self.core.backend.resume, drained)
            self.paused.difference_update(drained)

    async def _drain_all(self) -> None:
        while self.failure is None and any(not t.done() for t in self.tasks.values()):
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
            for tp, queue in self.queues.items():  # a queue may have refilled behind a finished task
                if queue and self.tasks[tp].done() and self.failure is None:
                    self.tasks[tp] = self.loop.create_task(self._work(tp))

    def _revoke_from_client_thread(self, partitions: list[TopicPartition]) -> None:
        """Runs on the consumer's worker thread inside a rebalance: drain on the loop, then return."""
        asyncio.run_coroutine_threadsafe(self._drop(partitions), self.loop).result()

    async def _drop(self, partitions: list[TopicPartition]) -> None:
        waiting = []
        self.revoking.update(partitions)
        for tp in partitions:
            queue = self.queues.get(tp)
            if queue:
                queue.clear()  # never handled: the partition's next owner reads them
            task = self.tasks.get(tp)
            if task is not None and not task.done():
                waiting.append(task)  # it finishes the message in hand (committed as processed), then stops
            self.paused.discard(tp)
            self.circuit_paused.discard(tp)
        if waiting:
            await asyncio.gather(*waiting, return_exceptions=True)
        for tp in partitions:
            self.queues.pop(tp, None)
            self.tasks.pop(tp, None)
        self.revoking.difference_update(partitions)
