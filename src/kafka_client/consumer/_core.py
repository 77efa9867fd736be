"""The consumer's one core, shared by the sync and asyncio facades.

It owns the backend, the deserializers, the record of what has been processed, the commit strategy and the
rebalance handling. The facades only decide where blocking calls run (the caller's thread, or one worker
thread beside the event loop).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, NamedTuple

from kafka_client._records import Message, RawRecord, TopicPartition, TopicPartitionOffset
from kafka_client.backends.base import ConsumerBackend
from kafka_client.errors import (
    AuthenticationError,
    CommitError,
    ConfigError,
    ConfigProblem,
    DeserializationError,
    KafkaClientError,
)
from kafka_client.observability._hooks import ClientHooks
from kafka_client.serialization import (
    MessageField,
    SerializationContext,
    deserialization_error,
    get_deserializer,
)
from kafka_client.serialization._context import ContextFree, context_free

_log = logging.getLogger("kafka_client.consumer")

CommitStrategy = Literal["after_processing", "periodic", "manual"]
PartitionsHook = Callable[[list[TopicPartition]], Any]
ErrorCallback = Callable[[KafkaClientError], None]
COMMIT_STRATEGIES: tuple[str, ...] = ("after_processing", "periodic", "manual")


class PoisonPill(NamedTuple):
    """A fetched record whose key or value failed to deserialize, kept in its place among the messages.

    ``record`` still holds the raw bytes (``raw_key``/``raw_value``) and headers, so a dead-letter queue
    can forward it untouched; ``error`` says what failed. The backend has already moved past it.
    """

    record: RawRecord
    error: DeserializationError

    @property
    def topic(self) -> str:
        return self.record.topic

    @property
    def partition(self) -> int:
        return self.record.partition

    @property
    def offset(self) -> int:
        return self.record.offset


class ConsumerCore:
    """Fetch, deserialize, track processed offsets, commit by strategy, and handle rebalances."""

    def __init__(
        self,
        backend: ConsumerBackend,
        *,
        key_deserializer: Any = None,
        value_deserializer: Any = None,
        commit_strategy: str = "after_processing",
        commit_interval_s: float = 1.0,
        on_assign: PartitionsHook | None = None,
        on_revoke: PartitionsHook | None = None,
        on_lost: PartitionsHook | None = None,
        on_error: ErrorCallback | None = None,
        run_hook: Callable[[PartitionsHook, list[TopicPartition]], None] | None = None,
        hooks: ClientHooks | None = None,
    ) -> None:
        if commit_strategy not in COMMIT_STRATEGIES:
            raise ConfigError(
                [
                    ConfigProblem(
                        "commit_strategy",
                        "unknown commit strategy",
                        repr(commit_strategy),
                        f"use one of: {', '.join(COMMIT_STRATEGIES)}",
                    )
                ]
            )
        self.backend = backend
        self.hooks = hooks or ClientHooks()
        self._key_de = get_deserializer(key_deserializer) if key_deserializer is not None else None
        self._value_de = get_deserializer(value_deserializer) if value_deserializer is not None else None
        # the built-ins' success paths, which need no SerializationContext (see context_free)
        self._key_fast = context_free(self._key_de)
        self._value_fast = context_free(self._value_de)
        self.commit_strategy = commit_strategy
        self._commit_interval = commit_interval_s
        # how long maybe_commit() lets processed offsets wait (after_processing: at most 0.2 s)
        self._commit_wait = (
            min(commit_interval_s, 0.2) if commit_strategy == "after_processing" else commit_interval_s
        )
        self._user_on_assign = on_assign
        self._user_on_revoke = on_revoke
        self._user_on_lost = on_lost
        self._on_error = on_error
        # A rejected login (SASL, TLS) reaches us through the client library's error callback while its
        # polls just come back empty; the next read that finds nothing raises it instead of waiting.
        self._auth_failure: AuthenticationError | None = None
        self._run_hook = run_hook or (lambda hook, parts: hook(parts))
        # next offset to commit, per partition, for messages the application finished with
        self._processed: dict[TopicPartition, int] = {}
        self._committed_marks: dict[TopicPartition, int] = {}
        self._last_commit = time.monotonic()
        # messages handed out but not yet known to be processed (acked when the next ones are asked for)
        self._pending_ack: list[Message[Any, Any]] = []
        self.rebalances = 0
        self.closed = False
        # Set by a concurrent runner: called first when partitions are revoked or lost, to stop and drain
        # the work in flight on them before their offsets are committed and they change owner.
        self.before_revoke: Callable[[list[TopicPartition]], None] | None = None

    # --- subscription -------------------------------------------------------------------------------

    def subscribe(self, topics: Sequence[str], pattern: str | None) -> None:
        self.backend.subscribe(topics, pattern, self)

    def assign(self, partitions: Iterable[TopicPartition | TopicPartitionOffset]) -> None:
        positions = [
            p if isinstance(p, TopicPartitionOffset) else TopicPartitionOffset(p.topic, p.partition, -1001)
            for p in partitions
        ]
        self.backend.assign(positions)

    # RebalanceListener: called by the backend on the polling thread.
    def _rebalanced(self, kind: str, partitions: list[TopicPartition]) -> None:
        for hook in self.hooks.on_rebalance:
            try:
                hook(kind, partitions)
            except Exception:
                _log.exception("an observer's on_rebalance hook raised")

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        self.rebalances += 1
        self._rebalanced("assign", partitions)
        if not self.hooks.on_rebalance:  # a logging observer reports rebalances itself
            _log.info("partitions assigned: %s", ", ".join(map(str, partitions)) or "none")
        if self._user_on_assign is not None:
            self._run_hook(self._user_on_assign, partitions)

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        self.rebalances += 1
        self._rebalanced("revoke", partitions)
        if self.before_revoke is not None:
            self.before_revoke(partitions)
        if not self.hooks.on_rebalance:
            _log.info("partitions revoked: %s", ", ".join(map(str, partitions)) or "none")
        if self.commit_strategy != "manual":
            # What was processed on these partitions is committed before another member takes them over.
            self._ack_pending()
            self._commit_processed(partitions, asynchronous=False, swallow=True)
        if self._user_on_revoke is not None:
            self._run_hook(self._user_on_revoke, partitions)
        self._forget(partitions)

    def on_lost(self, partitions: list[TopicPartition]) -> None:
        self.rebalances += 1
        self._rebalanced("lost", partitions)
        if self.before_revoke is not None:
            self.before_revoke(partitions)
        if not self.hooks.on_rebalance:
            _log.warning(
                "partitions lost (the group moved on without us): %s", ", ".join(map(str, partitions))
            )
        if self._user_on_lost is not None:
            self._run_hook(self._user_on_lost, partitions)
        self._forget(partitions)

    def _forget(self, partitions: Iterable[TopicPartition]) -> None:
        for tp in partitions:
            self._processed.pop(tp, None)
            self._committed_marks.pop(tp, None)
        gone = set(partitions)
        self._pending_ack = [m for m in self._pending_ack if m.topic_partition not in gone]

    # --- fetching -----------------------------------------------------------------------------------

    def decode(self, raw: RawRecord) -> Message[Any, Any]:
        """Deserialize a record in place (``raw_key``/``raw_value`` keep the bytes); a failure raises
        DeserializationError carrying where and the raw bytes. Without deserializers this is free."""
        if self._key_de is not None:
            raw.key = self._deserialize(self._key_de, self._key_fast, raw, raw.raw_key, MessageField.KEY)
        if self._value_de is not None:
            raw.value = self._deserialize(
                self._value_de, self._value_fast, raw, raw.raw_value, MessageField.VALUE
            )
        return raw

    def decode_batch(self, records: list[RawRecord]) -> list[Message[Any, Any]]:
        """:meth:`decode` for each record; the common case (only a built-in value deserializer) inlined."""
        fast = self._value_fast
        if self._key_de is not None or fast is None:
            return [self.decode(r) for r in records]
        for raw in records:
            try:
                raw.value = fast(raw.raw_value)
            except Exception:  # the deserializer itself raises the documented error, with the context
                raw.value = self._deserialize(self._value_de, None, raw, raw.raw_value, MessageField.VALUE)
        return records

    def _deserialize(
        self,
        deserializer: Any,
        fast: ContextFree | None,
        raw: RawRecord,
        data: bytes | None,
        field: MessageField,
    ) -> Any:
        if fast is not None:
            try:
                return fast(data)
            except Exception:  # described below by the deserializer itself, with the context
                pass
        ctx = SerializationContext(raw.topic, field, raw.headers, raw.partition, raw.offset)
        try:
            return deserializer(data, ctx)
        except KafkaClientError:
            raise
        except Exception as exc:
            raise deserialization_error(type(deserializer).__name__, data, ctx, exc) from exc

    def poll(self, timeout: float, track: bool = True) -> Message[Any, Any] | None:
        """The next message; with ``after_processing`` the previous one counts as processed now.

        ``track=False``: the caller marks the message processed itself (iteration, ``run()``).
        """
        if self._pending_ack:
            self._ack_pending()
        self.maybe_commit()
        raw = self.backend.poll(timeout)
        if raw is None:
            self._raise_auth_failure()
            return None
        message = self.decode(raw)
        if self.hooks.on_consume:
            self._consumed([message])
        if track and self.commit_strategy != "manual":
            self._pending_ack = [message]
        return message

    def consume(self, max_records: int, timeout: float) -> list[Message[Any, Any]]:
        """A batch of messages; with ``after_processing`` the previous batch counts as processed now."""
        self._ack_pending()
        self.maybe_commit()
        records = self.backend.consume(max_records, timeout)
        if not records:
            self._raise_auth_failure()
        messages = self.decode_batch(records) if self._key_de or self._value_de else records
        if messages and self.hooks.on_consume:
            self._consumed(messages)
        if self.commit_strategy != "manual":
            self._pending_ack = messages
        return messages

    def fetch(self, max_records: int, timeout: float) -> list[Message[Any, Any] | PoisonPill]:
        """For ``run()`` with error handling: up to ``max_records`` records in order, a record that fails to
        deserialize coming back as a :class:`PoisonPill` in its place instead of raising (so the ones before
        it are still handled and the run decides its fate). The caller marks each one processed."""
        self._ack_pending()
        self.maybe_commit()
        if max_records == 1:
            raw = self.backend.poll(timeout)
            records = [raw] if raw is not None else []
        else:
            records = self.backend.consume(max_records, timeout)
        if not records:
            self._raise_auth_failure()
        if not (self._key_de or self._value_de):
            items: list[Message[Any, Any] | PoisonPill] = list(records)
            messages: Sequence[Message[Any, Any]] = records
        else:
            items = []
            for raw in records:
                try:
                    items.append(self.decode(raw))
                except DeserializationError as exc:
                    items.append(PoisonPill(raw, exc))
            messages = [m for m in items if not isinstance(m, PoisonPill)]
        if messages and self.hooks.on_consume:
            self._consumed(messages)
        return items

    def _consumed(self, messages: Sequence[Message[Any, Any]]) -> None:
        for hook in self.hooks.on_consume:
            try:
                hook(messages)
            except Exception:
                _log.exception("an observer's on_consume hook raised")

    def take_pending(self) -> None:
        """Forget the handed-out messages: the caller (``run``) marks each processed itself."""
        self._pending_ack = []

    # --- processed offsets and commits --------------------------------------------------------------

    def _ack_pending(self) -> None:
        if self._pending_ack:
            pending, self._pending_ack = self._pending_ack, []
            self.mark_processed_batch(pending)

    def mark_processed(self, message: Message[Any, Any] | RawRecord) -> None:
        """Record that the application is done with ``message``: its offset + 1 may be committed."""
        # A plain tuple finds the partition's TopicPartition key (equal and same hash), which an update
        # keeps; only a partition seen for the first time needs the named tuple built.
        key = (message.topic, message.partition)
        processed = self._processed
        if key in processed:
            processed[key] = message.offset + 1
        else:
            processed[TopicPartition(*key)] = message.offset + 1

    def mark_processed_batch(self, messages: Sequence[Message[Any, Any] | RawRecord]) -> None:
        processed = self._processed
        last: Message[Any, Any] | None = None
        for message in messages:
            if last is not None and (message.partition != last.partition or message.topic != last.topic):
                processed[TopicPartition(last.topic, last.partition)] = last.offset + 1
            last = message
        if last is not None:
            processed[TopicPartition(last.topic, last.partition)] = last.offset + 1

    def uncommitted(self, partitions: Iterable[TopicPartition] | None = None) -> list[TopicPartitionOffset]:
        chosen = (
            self._processed
            if partitions is None
            else {p: self._processed[p] for p in partitions if p in self._processed}
        )
        return [
            TopicPartitionOffset(tp.topic, tp.partition, offset)
            for tp, offset in chosen.items()
            if self._committed_marks.get(tp) != offset
        ]

    def maybe_commit(self) -> None:
        """Commit processed offsets when the strategy says it is time (asynchronously, coalesced)."""
        if not self._processed or self.commit_strategy == "manual":
            return
        if time.monotonic() - self._last_commit < self._commit_wait:
            return
        self._commit_processed(None, asynchronous=True, swallow=True)

    def commit_processed(self, asynchronous: bool = False) -> list[TopicPartitionOffset]:
        """Commit every processed-but-uncommitted offset now; return what was committed."""
        self._ack_pending()
        return self._commit_processed(None, asynchronous=asynchronous, swallow=False)

    def _commit_processed(
        self, partitions: Iterable[TopicPartition] | None, *, asynchronous: bool, swallow: bool
    ) -> list[TopicPartitionOffset]:
        offsets = self.uncommitted(partitions)
        self._last_commit = time.monotonic()
        if not offsets:
            return []
        try:
            self.commit_offsets(offsets, asynchronous)
        except CommitError as exc:
            if not swallow:
                raise
            self.report_error(exc)
            return []
        return offsets

    def commit_offsets(self, offsets: Sequence[TopicPartitionOffset], asynchronous: bool) -> None:
        started = time.perf_counter()
        try:
            self.backend.commit(offsets, asynchronous)
        except KafkaClientError as exc:
            self._committed(offsets, exc, time.perf_counter() - started)
            raise
        self._committed(offsets, None, time.perf_counter() - started)
        for o in offsets:
            self._committed_marks[o.topic_partition] = o.offset

    def _committed(
        self, offsets: Sequence[TopicPartitionOffset], error: KafkaClientError | None, seconds: float
    ) -> None:
        for hook in self.hooks.on_commit:
            try:
                hook(offsets, error, seconds)
            except Exception:
                _log.exception("an observer's on_commit hook raised")

    def _raise_auth_failure(self) -> None:
        failure = self._auth_failure
        if failure is not None:
            self._auth_failure = None  # raised once per report: credentials fixed meanwhile recover
            raise failure

    def report_error(self, error: KafkaClientError) -> None:
        if isinstance(error, AuthenticationError):
            self._auth_failure = error
        if not self.hooks.on_error:  # otherwise the observers (the logging one among them) report it
            _log.warning("%s", error)
        self.hooks.report_error(error, self._on_error, "consumer")

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self, commit_pending: bool = True) -> None:
        """Commit what was processed (unless manual), then leave the group. Idempotent."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.commit_strategy != "manual":
                if commit_pending:
                    self._ack_pending()
                self._commit_processed(None, asynchronous=False, swallow=True)
        finally:
            self.backend.close()
            for hook in self.hooks.on_close:
                hook()

    def release_after_failed_start(self) -> None:
        """Close a consumer whose constructor is about to raise (nobody else can): its client's threads
        and sockets are released; a failure to close is logged, so the original error is the one raised."""
        try:
            self.close(commit_pending=False)
        except Exception:
            _log.warning("closing the consumer after its start failed also failed", exc_info=True)


def build_consumer_core(
    settings: Any,
    *,
    transport: ConsumerBackend | None,
    observers: Sequence[Any] | None,
    on_error: ErrorCallback | None,
    **core_options: Any,
) -> ConsumerCore:
    """The core both consumer facades stand on: observers bound, backend built with their stats hook."""
    from kafka_client.backends._select import create_consumer_backend, resolve_backend
    from kafka_client.observability import build_hooks, default_observers

    if observers is None:
        observers = default_observers(settings, "consumer")
    backend_name = transport.name if transport is not None else resolve_backend(settings.backend)
    hooks = build_hooks(observers, client_id=settings.client_id, role="consumer", backend=backend_name)
    core: ConsumerCore | None = None

    def client_error(error: KafkaClientError) -> None:
        if core is not None:
            core.report_error(error)
        else:  # while the backend is built: a login it finds refused, before it raises that
            hooks.report_error(error, on_error, "consumer")

    backend = transport or create_consumer_backend(
        settings, on_stats=hooks.stats_callback(), on_error=client_error
    )
    core = ConsumerCore(backend, on_error=on_error, hooks=hooks, **core_options)
    return core
