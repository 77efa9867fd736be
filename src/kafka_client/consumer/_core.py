"""The consumer's one core, shared by the sync and asyncio facades.

It owns the backend, the deserializers, the record of what has been processed, the commit strategy and the
rebalance handling. The facades only decide where blocking calls run (the caller's thread, or one worker
thread beside the event loop).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from kafka_client._records import Message, RawRecord, TopicPartition, TopicPartitionOffset
from kafka_client.backends.base import ConsumerBackend
from kafka_client.errors import CommitError, ConfigError, ConfigProblem, KafkaClientError
from kafka_client.serialization import (
    MessageField,
    SerializationContext,
    deserialization_error,
    get_deserializer,
)

_log = logging.getLogger("kafka_client.consumer")

CommitStrategy = Literal["after_processing", "periodic", "manual"]
PartitionsHook = Callable[[list[TopicPartition]], Any]
ErrorCallback = Callable[[KafkaClientError], None]
COMMIT_STRATEGIES: tuple[str, ...] = ("after_processing", "periodic", "manual")


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
        self._key_de = get_deserializer(key_deserializer) if key_deserializer is not None else None
        self._value_de = get_deserializer(value_deserializer) if value_deserializer is not None else None
        self.commit_strategy = commit_strategy
        self._commit_interval = commit_interval_s
        self._user_on_assign = on_assign
        self._user_on_revoke = on_revoke
        self._user_on_lost = on_lost
        self._on_error = on_error
        self._run_hook = run_hook or (lambda hook, parts: hook(parts))
        # next offset to commit, per partition, for messages the application finished with
        self._processed: dict[TopicPartition, int] = {}
        self._committed_marks: dict[TopicPartition, int] = {}
        self._last_commit = time.monotonic()
        # messages handed out but not yet known to be processed (acked when the next ones are asked for)
        self._pending_ack: list[Message[Any, Any]] = []
        self.rebalances = 0
        self.closed = False

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
    def on_assign(self, partitions: list[TopicPartition]) -> None:
        self.rebalances += 1
        _log.info("partitions assigned: %s", ", ".join(map(str, partitions)) or "none")
        if self._user_on_assign is not None:
            self._run_hook(self._user_on_assign, partitions)

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        self.rebalances += 1
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
        _log.warning("partitions lost (the group moved on without us): %s", ", ".join(map(str, partitions)))
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
        """Deserialize a record; a failure raises DeserializationError carrying where and the raw bytes."""
        key: Any = raw.key
        value: Any = raw.value
        if self._key_de is not None:
            key = self._deserialize(self._key_de, raw, raw.key, MessageField.KEY)
        if self._value_de is not None:
            value = self._deserialize(self._value_de, raw, raw.value, MessageField.VALUE)
        return Message(
            raw.topic,
            raw.partition,
            raw.offset,
            key,
            value,
            raw.headers,
            raw.timestamp_ms,
            raw.key,
            raw.value,
            raw.leader_epoch,
        )

    def _deserialize(self, deserializer: Any, raw: RawRecord, data: bytes | None, field: MessageField) -> Any:
        ctx = SerializationContext(raw.topic, field, raw.headers, raw.partition, raw.offset)
        try:
            return deserializer(data, ctx)
        except KafkaClientError:
            raise
        except Exception as exc:
            raise deserialization_error(type(deserializer).__name__, data, ctx, exc) from exc

    def poll(self, timeout: float) -> Message[Any, Any] | None:
        """The next message; with ``after_processing`` the previous one counts as processed now."""
        self._ack_pending()
        self.maybe_commit()
        raw = self.backend.poll(timeout)
        if raw is None:
            return None
        message = self.decode(raw)
        if self.commit_strategy != "manual":
            self._pending_ack = [message]
        return message

    def consume(self, max_records: int, timeout: float) -> list[Message[Any, Any]]:
        """A batch of messages; with ``after_processing`` the previous batch counts as processed now."""
        self._ack_pending()
        self.maybe_commit()
        messages = [self.decode(r) for r in self.backend.consume(max_records, timeout)]
        if self.commit_strategy != "manual":
            self._pending_ack = messages
        return messages

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
        self._processed[TopicPartition(message.topic, message.partition)] = message.offset + 1

    def mark_processed_batch(self, messages: Sequence[Message[Any, Any] | RawRecord]) -> None:
        processed = self._processed
        for message in messages:
            processed[TopicPartition(message.topic, message.partition)] = message.offset + 1

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
        if self.commit_strategy == "manual" or not self._processed:
            return
        now = time.monotonic()
        if self.commit_strategy == "periodic" and now - self._last_commit < self._commit_interval:
            return
        if self.commit_strategy == "after_processing" and now - self._last_commit < min(
            self._commit_interval, 0.2
        ):
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
            self.backend.commit(offsets, asynchronous)
        except CommitError as exc:
            if not swallow:
                raise
            self.report_error(exc)
            return []
        for o in offsets:
            self._committed_marks[o.topic_partition] = o.offset
        return offsets

    def commit_offsets(self, offsets: Sequence[TopicPartitionOffset], asynchronous: bool) -> None:
        self.backend.commit(offsets, asynchronous)
        for o in offsets:
            self._committed_marks[o.topic_partition] = o.offset

    def report_error(self, error: KafkaClientError) -> None:
        _log.warning("%s", error)
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:
                _log.exception("the consumer's on_error callback raised")

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
