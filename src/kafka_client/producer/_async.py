"""``AsyncProducer``: the asyncio producer, on the same core as :class:`Producer`.

Nothing blocks the event loop: messages are queued without waiting, delivery reports come from the
core's poll thread in batches (one loop wake-up per batch, not per message), and a full queue under the
``block`` policy parks messages in an ordered local backlog that a task drains, instead of sleeping.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import functools
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from time import perf_counter_ns
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from kafka_client._records import Headers, RecordMetadata, TopicPartitionOffset
from kafka_client._settings_input import client_from_config, resolve_settings
from kafka_client.backends.base import ProducerBackend
from kafka_client.errors import QueueFullError
from kafka_client.producer._core import (
    POLL_EVERY,
    ErrorCallback,
    HeadersInput,
    build_producer_core,
)

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings

# Unannotated clients are Producer[Any, Any] / Consumer[Any, Any] (PEP 696 defaults).
K = TypeVar("K", default=Any)
V = TypeVar("V", default=Any)

# topic, value, key, headers, partition, timestamp, future (None: produce(), fire-and-forget), sent_ns
_Pending = tuple[
    str,
    bytes | None,
    bytes | None,
    Headers | None,
    int | None,
    int | None,
    "asyncio.Future[RecordMetadata] | None",
    int,
]


class AsyncProducer(Generic[K, V]):
    """Send messages from asyncio code; ``await producer.send(...)`` gives the delivery result.

    ::

        async with AsyncProducer(bootstrap_servers="localhost:9092", value_serializer="json") as producer:
            meta = await producer.send("orders", {"id": 1})

    ``send()`` itself does not block: it returns an asyncio future. Cancelling the wait does not un-send
    the message (it is already queued); it only stops waiting for its report.
    """

    def __init__(
        self,
        settings: KafkaClientSettings | Mapping[str, Any] | None = None,
        *,
        key_serializer: Any = None,
        value_serializer: Any = None,
        on_error: ErrorCallback | None = None,
        observers: Sequence[Any] | None = None,
        transport: ProducerBackend | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = resolve_settings(settings, overrides)
        producer = self.settings.producer
        self._core = build_producer_core(
            self.settings,
            transport=transport,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            on_error=on_error,
            observers=observers,
        )
        self._block = producer.queue_full_policy == "block"
        self._queue_full_timeout = producer.queue_full_timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reports: collections.deque[tuple[asyncio.Future[RecordMetadata], str, int, Any, Any]] = (
            collections.deque()
        )
        self._wakeup_scheduled = False
        self._backlog: collections.deque[_Pending] = collections.deque()
        self._backlog_task: asyncio.Task[None] | None = None

    @classmethod
    def from_config(cls, *files: str | Path, **kwargs: Any) -> AsyncProducer[Any, Any]:
        """An async producer configured from YAML files, then env vars and ``kwargs`` overrides."""
        return client_from_config(cls, files, kwargs)  # type: ignore[no-any-return]

    @property
    def backend_name(self) -> str:
        return self._core.backend.name

    # --- delivery reports: poll thread -> event loop ------------------------------------------------

    def _report(
        self, future: asyncio.Future[RecordMetadata], topic: str, sent_ns: int, error: Any, meta: Any
    ) -> None:
        self._reports.append((future, topic, sent_ns, error, meta))
        if not self._wakeup_scheduled:
            self._wakeup_scheduled = True
            assert self._loop is not None
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
                self._loop.call_soon_threadsafe(self._drain_reports)

    def _report_native(
        self, future: asyncio.Future[RecordMetadata], topic: str, sent_ns: int, err: Any, msg: Any
    ) -> None:
        """The client library's own report (see ProducerCore.native_report), converted, then as _report."""
        error, meta = self._core.native_report(err, msg, topic)  # type: ignore[misc]
        self._report(future, topic, sent_ns, error, meta)

    def _drain_reports(self) -> None:
        self._wakeup_scheduled = False
        reports = self._reports
        core = self._core
        observe = bool(core.hooks.after_delivery)
        while reports:
            future, topic, sent_ns, error, meta = reports.popleft()
            if observe:
                core.delivered(topic, error, meta, sent_ns)
            if error is not None:
                self._core.report_error(error)
                if not future.done():
                    future.set_exception(error)
            elif not future.done():
                future.set_result(meta)

    # --- sending ------------------------------------------------------------------------------------

    def send(
        self,
        topic: str,
        value: V | None = None,
        key: K | None = None,
        headers: HeadersInput = None,
        partition: int | None = None,
        timestamp: int | float | dt.datetime | None = None,
    ) -> asyncio.Future[RecordMetadata]:
        """Queue one message without blocking; await the returned future for its :class:`RecordMetadata`."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        core = self._core
        if core.errors_only:
            core.refuse_futures()
        sent_ns = perf_counter_ns() if core.hooks.after_delivery else 0
        raw_value, raw_key, native_headers, ts = core.prepare(topic, value, key, headers, timestamp, sent_ns)
        future: asyncio.Future[RecordMetadata] = loop.create_future()
        self._submit((topic, raw_value, raw_key, native_headers, partition, ts, future, sent_ns))
        return future

    def produce(
        self,
        topic: str,
        value: V | None = None,
        key: K | None = None,
        headers: HeadersInput = None,
        partition: int | None = None,
        timestamp: int | float | dt.datetime | None = None,
    ) -> None:
        """Queue one message, fire-and-forget, without blocking the loop: the fastest way to send.

        As :meth:`Producer.produce`: no future; a failed delivery reaches ``on_error`` (called from the
        client's delivery thread, as connection errors are), the metrics and the logs. With the ``block``
        queue-full policy a message that finds the local queue full waits, in order, in the same backlog as
        :meth:`send`'s; with ``fail`` it raises :class:`~kafka_client.errors.QueueFullError`.
        """
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        core = self._core
        plain = core.fire_plain
        if (
            plain is not None
            and not self._backlog
            and headers is None
            and partition is None
            and timestamp is None
            and type(value) is bytes
            and (key is None or type(key) is bytes)
            and (core.send_guard is None or core.send_guard.get() is None)
        ):
            try:
                plain(topic, value, key)  # type: ignore[arg-type]  # checked above: bytes or None
            except core.fire_errors:
                self._submit((topic, value, key, None, None, None, None, 0))  # type: ignore[arg-type]
                return
            core.sends += 1
            if not core.sends & (POLL_EVERY - 1) and core.inline_poll is not None:
                core.inline_poll(0)
            return
        raw_value, raw_key, native_headers, ts = core.prepare(topic, value, key, headers, timestamp, 0)
        self._submit((topic, raw_value, raw_key, native_headers, partition, ts, None, 0))

    def _submit(self, item: _Pending) -> None:
        """Queue a message of :meth:`send` or :meth:`produce`, or park it in the backlog: behind messages
        already waiting for room (to keep their order), or when the queue is full under ``block``."""
        core = self._core
        if self._backlog:
            self._backlog.append(item)
            return
        try:
            self._queue(item)
        except QueueFullError:
            if not self._block:
                raise
            self._park(item)
        core.sends += 1
        if not core.sends & (POLL_EVERY - 1) and core.inline_poll is not None:
            core.inline_poll(0)  # serve reports in passing (non-blocking), as the sync producer does

    def _queue(self, item: _Pending) -> None:
        """Hand one message to the backend: a fired one to the shared report, a sent one with its future
        (librdkafka's own report converted by ``_report_native``: no callback object from the backend)."""
        core = self._core
        topic, future, sent_ns = item[0], item[6], item[7]
        if future is None:
            core.fire(*item[:6])
        elif core.native_report is not None:
            core.send_produce(*item[:6], functools.partial(self._report_native, future, topic, sent_ns))
        else:
            core.send_produce(*item[:6], functools.partial(self._report, future, topic, sent_ns))

    def _park(self, item: _Pending) -> None:
        self._backlog.append(item)
        if self._backlog_task is None or self._backlog_task.done():
            assert self._loop is not None
            self._backlog_task = self._loop.create_task(self._drain_backlog())

    async def send_batch(
        self,
        topic: str,
        values: Iterable[V],
        *,
        keys: Iterable[K] | None = None,
        headers: HeadersInput = None,
    ) -> list[RecordMetadata]:
        """Send many values in order and wait for all their delivery results."""
        if keys is None:
            futures = [self.send(topic, value, headers=headers) for value in values]
        else:
            futures = [self.send(topic, v, key=k, headers=headers) for k, v in zip(keys, values, strict=True)]
        return list(await asyncio.gather(*futures))

    async def _drain_backlog(self) -> None:
        deadline = time.monotonic() + self._queue_full_timeout
        while self._backlog:
            try:
                self._queue(self._backlog[0])
            except QueueFullError:
                if time.monotonic() >= deadline:
                    error = QueueFullError(
                        f"the producer's local queue stayed full for {self._queue_full_timeout} s "
                        f"(producer.queue_full_timeout_s); {len(self._backlog)} messages failed"
                    )
                    while self._backlog:
                        failed = self._backlog.popleft()[6]
                        self._core.report_error(error)
                        if failed is not None and not failed.done():
                            failed.set_exception(error)
                    return
                await asyncio.sleep(0.005)
                continue
            self._backlog.popleft()
            deadline = time.monotonic() + self._queue_full_timeout

    # --- lifecycle ----------------------------------------------------------------------------------

    async def flush(self, timeout: float = 30.0) -> int:
        """Wait (off the event loop) for every queued message's report; return how many are left."""
        if self._backlog_task is not None:
            await self._backlog_task
        remaining = await asyncio.to_thread(self._core.flush, timeout)
        self._drain_reports()
        return remaining

    async def close(self, timeout: float = 30.0) -> None:
        """Flush, then release the client; undelivered messages are failed, never dropped. Idempotent."""
        if self._backlog_task is not None:
            await self._backlog_task
        await asyncio.to_thread(self._core.close, timeout)
        self._drain_reports()

    def __len__(self) -> int:
        return self._core.queued() + len(self._backlog)

    @contextlib.asynccontextmanager
    async def transaction(self, timeout: float = 60.0) -> AsyncIterator[AsyncProducer[K, V]]:
        """An async transaction: committed on exit, aborted if the block raises (or is cancelled)."""
        await asyncio.to_thread(self._core.begin_transaction, timeout)
        try:
            yield self
            if self._backlog_task is not None:
                await self._backlog_task
        except BaseException:
            await asyncio.to_thread(self._core.abort_transaction, timeout)
            raise
        await asyncio.to_thread(self._core.commit_transaction, timeout)
        self._drain_reports()

    async def send_offsets_to_transaction(
        self, offsets: Iterable[TopicPartitionOffset], group_metadata: object, timeout: float = 30.0
    ) -> None:
        """Commit a consumer's offsets as part of the open transaction."""
        await asyncio.to_thread(self._core.send_offsets, list(offsets), group_metadata, timeout)

    async def __aenter__(self) -> AsyncProducer[K, V]:
        self._loop = asyncio.get_running_loop()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        servers = ",".join(self.settings.bootstrap_servers)
        return f"<AsyncProducer backend={self.backend_name} bootstrap={servers}>"


__all__ = ["AsyncProducer"]
