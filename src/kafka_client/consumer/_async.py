"""``AsyncConsumer``: the asyncio consumer, on the same core as :class:`Consumer`.

Every backend call runs on one dedicated worker thread (client libraries are not made for concurrent
calls), so the event loop never blocks. Iteration fetches in batches and hands messages out one by one,
which keeps async throughput close to sync (a per-message thread hop would cost ~7x, as measured on
confluent-kafka's own AIOConsumer). Rebalance hooks may be plain functions or coroutines; coroutines run on
the event loop while the worker waits for them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from kafka_client._records import Message, TopicPartition, TopicPartitionOffset
from kafka_client._settings_input import client_from_config, resolve_settings
from kafka_client.backends.base import ConsumerBackend
from kafka_client.consumer._core import ErrorCallback, PartitionsHook, build_consumer_core

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings
    from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, RetryPolicy

# Unannotated clients are Producer[Any, Any] / Consumer[Any, Any] (PEP 696 defaults).
K = TypeVar("K", default=Any)
V = TypeVar("V", default=Any)
T = TypeVar("T")


class AsyncConsumer(Generic[K, V]):
    """Read messages from asyncio code, committing only what was processed (at-least-once)::

        async with AsyncConsumer(bootstrap_servers="localhost:9092", group_id="billing",
                                 topics=["orders"], value_deserializer="json") as consumer:
            async for message in consumer:
                await handle(message.value)

    The same commit strategies as :class:`Consumer`.
    """

    def __init__(
        self,
        settings: KafkaClientSettings | Mapping[str, Any] | None = None,
        *,
        topics: Sequence[str] | None = None,
        pattern: str | None = None,
        group_id: str | None = None,
        key_deserializer: Any = None,
        value_deserializer: Any = None,
        commit_strategy: str = "after_processing",
        commit_interval_s: float = 1.0,
        on_assign: PartitionsHook | None = None,
        on_revoke: PartitionsHook | None = None,
        on_lost: PartitionsHook | None = None,
        on_error: ErrorCallback | None = None,
        fetch_batch: int = 500,
        observers: Sequence[Any] | None = None,
        transport: ConsumerBackend | None = None,
        **overrides: Any,
    ) -> None:
        if group_id is not None:
            overrides = {**overrides, "consumer": {**overrides.get("consumer", {}), "group_id": group_id}}
        self.settings = resolve_settings(settings, overrides)
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kafka-client-consumer")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._core = build_consumer_core(
            self.settings,
            transport=transport,
            observers=observers,
            key_deserializer=key_deserializer,
            value_deserializer=value_deserializer,
            commit_strategy=commit_strategy,
            commit_interval_s=commit_interval_s,
            on_assign=on_assign,
            on_revoke=on_revoke,
            on_lost=on_lost,
            on_error=on_error,
            run_hook=self._run_hook,
        )
        self._fetch_batch = fetch_batch
        self._stopping = False
        #: how many times the last concurrent ``run`` paused a partition whose queue was full
        self.partitions_paused_for_backpressure = 0
        if topics or pattern:
            try:
                self._executor.submit(self._core.subscribe, list(topics or ()), pattern).result()
            except BaseException:  # nobody can close it: release the client before the error propagates
                self._executor.submit(self._core.release_after_failed_start).result()
                self._executor.shutdown(wait=False)
                raise

    @classmethod
    def from_config(cls, *files: str | Path, **kwargs: Any) -> AsyncConsumer[Any, Any]:
        """An async consumer configured from YAML files, then env vars and ``kwargs`` overrides."""
        return client_from_config(cls, files, kwargs)  # type: ignore[no-any-return]

    @property
    def backend_name(self) -> str:
        return self._core.backend.name

    def _run_hook(self, hook: PartitionsHook, partitions: list[TopicPartition]) -> None:
        """Run a user rebalance hook from the worker thread; a coroutine runs on the event loop."""
        result = hook(partitions)
        if inspect.isawaitable(result):
            assert self._loop is not None
            asyncio.run_coroutine_threadsafe(_awaited(result), self._loop).result()

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    # --- subscription -------------------------------------------------------------------------------

    async def subscribe(self, topics: Sequence[str] = (), *, pattern: str | None = None) -> None:
        await self._call(self._core.subscribe, list(topics), pattern)

    async def assign(self, partitions: Iterable[TopicPartition | TopicPartitionOffset]) -> None:
        await self._call(self._core.assign, list(partitions))

    async def assignment(self) -> list[TopicPartition]:
        return await self._call(self._core.backend.assignment)

    # --- reading ------------------------------------------------------------------------------------

    async def poll(self, timeout: float = 1.0) -> Message[K, V] | None:
        """The next message, or None after ``timeout`` seconds."""
        return await self._call(self._core.poll, timeout)

    async def consume_batch(self, max_messages: int = 500, timeout: float = 1.0) -> list[Message[K, V]]:
        """Up to ``max_messages`` messages; the previous batch counts as processed when this is called."""
        return await self._call(self._core.consume, max_messages, timeout)

    async def __aiter__(self) -> AsyncIterator[Message[K, V]]:
        """Messages until :meth:`stop`; each counts as processed when the loop body finishes with it."""
        core = self._core
        manual = core.commit_strategy == "manual"
        while not self._stopping:
            batch = await self._call(core.consume, self._fetch_batch, 0.2)
            core.take_pending()
            for message in batch:
                with core.hooks.processing(message):
                    yield message
                if not manual:
                    core.mark_processed(message)
                if self._stopping:
                    break

    async def run(
        self,
        handler: Callable[[Message[K, V]], Awaitable[Any]],
        *,
        max_messages: int | None = None,
        idle_timeout: float | None = None,
        concurrency: int = 1,
        max_buffered: int = 1000,
        retry: RetryPolicy | None = None,
        dead_letter_queue: DeadLetterQueue | None = None,
        circuit_breaker: CircuitBreaker | None = None,
    ) -> int:
        """Await ``handler`` for every message until :meth:`stop` (or ``max_messages`` / ``idle_timeout``);
        return how many were handled. A raising handler's message stays uncommitted; the error propagates.

        ``concurrency > 1`` handles up to that many messages at once, from different partitions, each
        partition still in offset order; a partition with ``max_buffered`` messages waiting is paused
        until it drains to half (backpressure), and revoked partitions finish their message in hand
        before their offsets are committed.

        ``retry``, ``dead_letter_queue`` and ``circuit_breaker`` work as in :meth:`Consumer.run`
        (backoff with ``asyncio.sleep``; DLQ writes awaited); the count then includes dead-lettered ones.
        """
        handling = None
        if retry is not None or dead_letter_queue is not None or circuit_breaker is not None:
            from kafka_client.resilience._runs import build_handling, run_async_with_handling

            handling = build_handling(
                self,
                retry=retry,
                dead_letter_queue=dead_letter_queue,
                circuit_breaker=circuit_breaker,
                wait_in_place=concurrency > 1,
            )
            if concurrency <= 1:
                return await run_async_with_handling(
                    self, handler, handling, max_messages=max_messages, idle_timeout=idle_timeout
                )
        if concurrency > 1:
            from kafka_client.consumer._concurrent import PartitionedRunner

            runner = PartitionedRunner(
                self,
                handler,
                concurrency=concurrency,
                max_buffered=max_buffered,
                max_messages=max_messages,
                handling=handling,
            )
            result = await runner.run(idle_timeout)
            self.partitions_paused_for_backpressure = runner.pause_count
            return result
        core = self._core
        handled = 0
        loop = asyncio.get_running_loop()
        idle_since = loop.time()
        while not self._stopping and (max_messages is None or handled < max_messages):
            want = (
                self._fetch_batch if max_messages is None else min(self._fetch_batch, max_messages - handled)
            )
            batch = await self._call(core.consume, want, 0.2)
            core.take_pending()
            if not batch:
                if idle_timeout is not None and loop.time() - idle_since >= idle_timeout:
                    break
                continue
            for message in batch:
                try:
                    with core.hooks.processing(message):
                        await handler(message)
                except BaseException:
                    if core.commit_strategy != "manual":
                        await self._call(core.commit_processed)
                    raise
                core.mark_processed(message)
                handled += 1
            idle_since = loop.time()
        return handled

    # --- offsets ------------------------------------------------------------------------------------

    async def commit(
        self, message: Message[K, V] | None = None, *, offsets: Sequence[TopicPartitionOffset] | None = None
    ) -> list[TopicPartitionOffset]:
        """Commit now: ``message``, explicit ``offsets``, or everything processed so far."""
        core = self._core
        if offsets is not None:
            await self._call(core.commit_offsets, list(offsets), False)
            return list(offsets)
        if message is not None:
            core.mark_processed(message)
            position = message.next_position()
            await self._call(core.commit_offsets, [position], False)
            return [position]
        return await self._call(core.commit_processed, False)

    async def committed(
        self, partitions: Iterable[TopicPartition] | None = None, timeout: float = 10.0
    ) -> dict[TopicPartition, int | None]:
        parts = list(partitions) if partitions is not None else await self.assignment()
        return await self._call(self._core.backend.committed, parts, timeout)

    async def seek(self, partition: TopicPartition, offset: int) -> None:
        await self._call(
            self._core.backend.seek, TopicPartitionOffset(partition.topic, partition.partition, offset)
        )

    async def seek_to_beginning(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        parts = list(partitions) if partitions is not None else await self.assignment()
        await self._call(self._core.backend.seek_to_beginning, parts)

    async def offsets_for_times(
        self,
        when: dt.datetime | int,
        partitions: Iterable[TopicPartition] | None = None,
        timeout: float = 10.0,
    ) -> dict[TopicPartition, int | None]:
        ms = int(when.timestamp() * 1000) if isinstance(when, dt.datetime) else when
        parts = list(partitions) if partitions is not None else await self.assignment()
        return await self._call(self._core.backend.offsets_for_times, {tp: ms for tp in parts}, timeout)

    async def pause(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        parts = list(partitions) if partitions is not None else await self.assignment()
        await self._call(self._core.backend.pause, parts)

    async def resume(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        parts = list(partitions) if partitions is not None else await self.assignment()
        await self._call(self._core.backend.resume, parts)

    def group_metadata(self) -> object:
        return self._executor.submit(self._core.backend.group_metadata).result()

    # --- shutdown -----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask iteration and :meth:`run` to end after the current message."""
        self._stopping = True

    async def close(self, *, commit_pending: bool = True) -> None:
        """Commit what was processed (unless ``manual``), leave the group, stop the worker. Idempotent."""
        self._stopping = True
        if not self._core.closed:
            await self._call(self._core.close, commit_pending)
        self._executor.shutdown(wait=False)

    async def __aenter__(self) -> AsyncConsumer[K, V]:
        self._loop = asyncio.get_running_loop()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close(commit_pending=exc_type is None)

    def __repr__(self) -> str:
        return f"<AsyncConsumer backend={self.backend_name} group={self.settings.consumer.group_id!r}>"


async def _awaited(result: Awaitable[Any]) -> Any:
    return await result
