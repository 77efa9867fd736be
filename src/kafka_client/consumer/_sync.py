"""``Consumer``: the synchronous consumer."""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from kafka_client._records import Message, TopicPartition, TopicPartitionOffset
from kafka_client._settings_input import client_from_config, resolve_settings
from kafka_client.backends.base import ConsumerBackend
from kafka_client.consumer._core import ErrorCallback, PartitionsHook, build_consumer_core
from kafka_client.consumer._rate import RateLimiter

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings
    from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, RetryPolicy

# Unannotated clients are Producer[Any, Any] / Consumer[Any, Any] (PEP 696 defaults).
K = TypeVar("K", default=Any)
V = TypeVar("V", default=Any)


def _positions(
    partitions: Iterable[TopicPartition] | None, fallback: Callable[[], list[TopicPartition]]
) -> list[TopicPartition]:
    return list(partitions) if partitions is not None else fallback()


class Consumer(Generic[K, V]):
    """Read messages from Kafka in a consumer group, committing only what was processed (at-least-once).

    ::

        with Consumer(bootstrap_servers="localhost:9092", group_id="billing", topics=["orders"],
                      value_deserializer="json") as consumer:
            for message in consumer:          # each message counts as processed when the next is asked for
                handle(message.value)

    Commit strategies: ``after_processing`` (default: processed offsets are committed asynchronously as you
    go, and synchronously before partitions are revoked and on close), ``periodic`` (every
    ``commit_interval_s``), ``manual`` (you call :meth:`commit`).
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
        observers: Sequence[Any] | None = None,
        transport: ConsumerBackend | None = None,
        **overrides: Any,
    ) -> None:
        if group_id is not None:
            overrides = {**overrides, "consumer": {**overrides.get("consumer", {}), "group_id": group_id}}
        self.settings = resolve_settings(settings, overrides)
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
        )
        self._stop = threading.Event()
        if topics or pattern:
            try:
                self.subscribe(topics or (), pattern=pattern)
            except BaseException:
                # Nobody can close a consumer whose constructor raised: release its client (its threads,
                # sockets) before the error propagates.
                self._core.release_after_failed_start()
                raise

    @classmethod
    def from_config(cls, *files: str | Path, **kwargs: Any) -> Consumer[Any, Any]:
        """A consumer configured from YAML files (merged in order), then env vars and ``kwargs`` overrides."""
        return client_from_config(cls, files, kwargs)  # type: ignore[no-any-return]

    @property
    def backend_name(self) -> str:
        return self._core.backend.name

    @property
    def rebalances(self) -> int:
        """How many assignment changes (assign, revoke, lost) this consumer has seen."""
        return self._core.rebalances

    # --- subscription -------------------------------------------------------------------------------

    def subscribe(self, topics: Sequence[str] = (), *, pattern: str | None = None) -> None:
        """Join the group for these topics (and/or a regex ``pattern``); partitions come by rebalance."""
        self._core.subscribe(list(topics), pattern)

    def assign(self, partitions: Iterable[TopicPartition | TopicPartitionOffset]) -> None:
        """Read exactly these partitions (no group rebalancing); offsets given are the starting positions."""
        self._core.assign(partitions)

    def unsubscribe(self) -> None:
        self._core.backend.unsubscribe()

    def assignment(self) -> list[TopicPartition]:
        return self._core.backend.assignment()

    # --- reading ------------------------------------------------------------------------------------

    def poll(self, timeout: float = 1.0) -> Message[K, V] | None:
        """The next message, or None after ``timeout`` s. Raises DeserializationError for a poison pill."""
        return self._core.poll(timeout)

    def consume_batch(self, max_messages: int = 500, timeout: float = 1.0) -> list[Message[K, V]]:
        """Up to ``max_messages`` messages, waiting at most ``timeout`` s for the first.

        With ``after_processing``, the batch counts as processed when the next batch (or message) is asked
        for, or call :meth:`commit` yourself.
        """
        return self._core.consume(max_messages, timeout)

    def __iter__(self) -> Iterator[Message[K, V]]:
        """Messages until :meth:`stop` is called (or SIGTERM with :meth:`stop_on_signals`)."""
        core = self._core
        poll, processing, stopped = core.poll, core.hooks.processing, self._stop.is_set
        track = core.commit_strategy != "manual"
        while not stopped():
            message = poll(0.2, False)  # marked processed below, once the loop body is done with it
            if message is None:
                continue
            with processing(message):
                yield message
            # Resumed: the loop body finished with this message.
            if track:
                core.mark_processed(message)

    def run(
        self,
        handler: Callable[[Message[K, V]], Any],
        *,
        max_messages: int | None = None,
        rate_limit: float | None = None,
        idle_timeout: float | None = None,
        retry: RetryPolicy | None = None,
        dead_letter_queue: DeadLetterQueue | None = None,
        circuit_breaker: CircuitBreaker | None = None,
    ) -> int:
        """Call ``handler`` for every message until :meth:`stop` (or ``max_messages``, or ``idle_timeout``
        seconds without a message); commit per the strategy; return how many messages were handled.

        If the handler raises, the message is not marked processed, what came before it is committed, and
        the exception propagates. ``rate_limit`` caps messages per second.

        Error handling (``kafka_client.resilience``, see docs/reliability.md): ``retry`` retries a failing
        handler with backoff (sleeps that :meth:`stop` interrupts); ``dead_letter_queue`` then parks the
        message in its DLQ topic and carries on, committing past it only once the DLQ acknowledged it,
        and also takes poison pills (records that fail to deserialize) instead of raising; a
        ``circuit_breaker`` pauses the assigned partitions while it is open. The count then includes
        dead-lettered messages.
        """
        if retry is not None or dead_letter_queue is not None or circuit_breaker is not None:
            from kafka_client.resilience._runs import build_handling, run_with_handling

            handling = build_handling(
                self, retry=retry, dead_letter_queue=dead_letter_queue, circuit_breaker=circuit_breaker
            )
            return run_with_handling(
                self,
                handler,
                handling,
                max_messages=max_messages,
                rate_limit=rate_limit,
                idle_timeout=idle_timeout,
            )
        core = self._core
        limiter = RateLimiter(rate_limit) if rate_limit else None
        handled = 0
        idle_since = time.monotonic()
        while not self._stop.is_set() and (max_messages is None or handled < max_messages):
            message = core.poll(0.2, False)  # run() marks it processed: after its handler returns
            if message is None:
                if idle_timeout is not None and time.monotonic() - idle_since >= idle_timeout:
                    break
                continue
            try:
                with core.hooks.processing(message):
                    handler(message)
            except BaseException:
                if core.commit_strategy != "manual":
                    core.commit_processed()
                raise
            core.mark_processed(message)
            handled += 1
            idle_since = time.monotonic()
            if limiter is not None:
                limiter.wait()
        return handled

    # --- offsets ------------------------------------------------------------------------------------

    def commit(
        self,
        message: Message[K, V] | None = None,
        *,
        offsets: Sequence[TopicPartitionOffset] | None = None,
        asynchronous: bool = False,
    ) -> list[TopicPartitionOffset]:
        """Commit now: ``message`` (its offset + 1), explicit ``offsets``, or everything processed so far.

        Returns the offsets committed. Raises CommitError (e.g. the partition was rebalanced away).
        """
        if offsets is not None:
            self._core.commit_offsets(list(offsets), asynchronous)
            return list(offsets)
        if message is not None:
            position = message.next_position()
            self._core.mark_processed(message)
            self._core.commit_offsets([position], asynchronous)
            return [position]
        return self._core.commit_processed(asynchronous)

    def mark_processed(self, message: Message[K, V]) -> None:
        """Tell the commit strategy that ``message`` is done (for flows other than iteration/``run``)."""
        self._core.mark_processed(message)

    def committed(
        self, partitions: Iterable[TopicPartition] | None = None, timeout: float = 10.0
    ) -> dict[TopicPartition, int | None]:
        """The group's committed offsets (next offset to read) for these partitions (default: assigned)."""
        return self._core.backend.committed(_positions(partitions, self.assignment), timeout)

    def position(
        self, partitions: Iterable[TopicPartition] | None = None
    ) -> dict[TopicPartition, int | None]:
        return self._core.backend.position(_positions(partitions, self.assignment))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        """Read ``partition`` from ``offset`` next (the partition must be assigned)."""
        self._core.backend.seek(TopicPartitionOffset(partition.topic, partition.partition, offset))

    def seek_to_beginning(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        self._core.backend.seek_to_beginning(_positions(partitions, self.assignment))

    def seek_to_end(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        self._core.backend.seek_to_end(_positions(partitions, self.assignment))

    def offsets_for_times(
        self,
        when: dt.datetime | int,
        partitions: Iterable[TopicPartition] | None = None,
        timeout: float = 10.0,
    ) -> dict[TopicPartition, int | None]:
        """The first offset at or after ``when`` (aware datetime, or ms since the epoch) per partition."""
        ms = int(when.timestamp() * 1000) if isinstance(when, dt.datetime) else when
        return self._core.backend.offsets_for_times(
            {tp: ms for tp in _positions(partitions, self.assignment)}, timeout
        )

    def watermarks(self, partition: TopicPartition, timeout: float = 10.0) -> tuple[int, int]:
        """(earliest, latest) offsets of ``partition``."""
        return self._core.backend.watermarks(partition, timeout)

    def lag(self, timeout: float = 10.0) -> dict[TopicPartition, int | None]:
        """Client-side lag per assigned partition: latest offset minus this consumer's position."""
        positions = self.position()
        lag: dict[TopicPartition, int | None] = {}
        for tp, position in positions.items():
            _, high = self.watermarks(tp, timeout)
            lag[tp] = None if position is None else max(0, high - position)
        return lag

    def pause(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Stop fetching these partitions (default: all assigned) without leaving the group."""
        self._core.backend.pause(_positions(partitions, self.assignment))

    def resume(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        self._core.backend.resume(_positions(partitions, self.assignment))

    def group_metadata(self) -> object:
        """The group's metadata, for :meth:`Producer.send_offsets_to_transaction`."""
        return self._core.backend.group_metadata()

    # --- shutdown -----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask iteration and :meth:`run` to end after the current message (thread- and signal-safe)."""
        self._stop.set()

    def stop_on_signals(self, *signals: signal.Signals) -> None:
        """Stop gracefully on SIGTERM and SIGINT (or the given signals); call from the main thread."""

        def handler(signum: int, frame: FrameType | None) -> None:
            self.stop()

        for sig in signals or (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, handler)

    def close(self, *, commit_pending: bool = True) -> None:
        """Commit what was processed (unless ``manual``), then leave the group. Idempotent.

        A message returned by :meth:`poll` / :meth:`consume_batch` counts as processed once the next one is
        asked for, or at close; ``commit_pending=False`` (what leaving a ``with`` block on an exception
        does) leaves the last ones uncommitted, so they are read again.
        """
        self._stop.set()
        self._core.close(commit_pending=commit_pending)

    def __enter__(self) -> Consumer[K, V]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(commit_pending=exc_type is None)

    def __repr__(self) -> str:
        return f"<Consumer backend={self.backend_name} group={self.settings.consumer.group_id!r}>"
