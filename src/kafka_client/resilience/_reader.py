"""``DeadLetterReader``: list, inspect and replay a dead-letter topic, without joining a consumer group.

Reading assigns the DLQ's partitions directly (nothing is committed, no group appears in
``kafka-consumer-groups``) and stops at the end offsets seen when the read began, so a listing is a
snapshot and always ends. Replay re-produces the original key, value and headers (to the original topic
and partition, or another topic), adding ``kafka-client-replayed-from: <dlq topic>:<partition>:<offset>``
so a message that fails again and comes back is recognised: it is not replayed a second time unless asked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from kafka_client._records import Headers, TopicPartition, TopicPartitionOffset
from kafka_client._settings_input import resolve_settings
from kafka_client.errors import KafkaClientError, KafkaTimeoutError, MissingDependencyError, TopicError
from kafka_client.resilience import _headers as h
from kafka_client.resilience._letters import DeadLetter, group_by_exception

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings
    from kafka_client.consumer import Consumer
    from kafka_client.producer import Producer

__all__ = ["DeadLetterReader", "ReplayAction", "ReplayReport", "ReplayStatus"]

_log = logging.getLogger("kafka_client.resilience")

ReplayStatus = Literal["would_replay", "replayed", "skipped", "failed"]
"""What a replay did with one dead letter (``would_replay`` is a dry run's answer)."""
DEFAULT_READER_GROUP = "kafka-client-dlq-reader"


@dataclass(frozen=True)
class ReplayAction:
    """What replay did (or, in a dry run, would do) with one dead letter."""

    entry: DeadLetter
    status: ReplayStatus
    target_topic: str | None
    target_partition: int | None = None
    reason: str | None = None
    written_offset: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dlq": self.entry.coordinates,
            "original": self.entry.original,
            "status": self.status,
            "target_topic": self.target_topic,
            "target_partition": self.target_partition,
            "written_offset": self.written_offset,
            "reason": self.reason,
        }


@dataclass
class ReplayReport:
    """Every :class:`ReplayAction` of one replay, in DLQ order; ``ok`` when none was skipped or failed."""

    dry_run: bool
    actions: list[ReplayAction] = field(default_factory=list)

    def count(self, status: ReplayStatus) -> int:
        return sum(1 for a in self.actions if a.status == status)

    @property
    def ok(self) -> bool:
        return not any(a.status in ("skipped", "failed") for a in self.actions)

    def to_dict(self) -> dict[str, Any]:
        statuses: tuple[ReplayStatus, ...] = ("would_replay", "replayed", "skipped", "failed")
        return {
            "dry_run": self.dry_run,
            "counts": {s: self.count(s) for s in statuses},
            "actions": [a.to_dict() for a in self.actions],
        }


EntryFilter = Callable[[DeadLetter], bool]


class DeadLetterReader:
    """Read a dead-letter topic as typed :class:`DeadLetter` entries, group them, and replay them.

    ::

        with DeadLetterReader({"bootstrap_servers": "localhost:9092"}, "orders.dlq") as dlq:
            for kind, letters in dlq.group_by_exception().items():
                print(kind, len(letters))
            report = dlq.replay(lambda e: e.exception_type == "ValueError", dry_run=False)

    Settings are taken like every client's (env vars and presets apply). Reading needs no group
    membership; a ``consumer.group_id`` is only set because the confluent client insists on one
    (``kafka-client-dlq-reader`` unless configured); nothing is ever committed.
    """

    def __init__(
        self,
        settings: KafkaClientSettings | Mapping[str, Any] | None,
        dlq_topic: str,
        *,
        timeout_s: float = 30.0,
        **overrides: Any,
    ) -> None:
        resolved = resolve_settings(settings, overrides)
        if resolved.consumer.group_id is None:
            resolved = resolved.model_copy(
                update={"consumer": resolved.consumer.model_copy(update={"group_id": DEFAULT_READER_GROUP})}
            )
        self.settings = resolved
        self.dlq_topic = dlq_topic
        self.timeout_s = timeout_s
        self._producer: Producer[Any, Any] | None = None

    # --- reading ------------------------------------------------------------------------------------

    def partitions(self) -> list[int]:
        """The DLQ topic's partition numbers; TopicError when the topic does not exist."""
        if self.settings.backend == "memory":
            from kafka_client.testing.memory import memory_cluster

            return list(range(memory_cluster(self.settings.bootstrap_servers[0]).partitions(self.dlq_topic)))
        try:
            from kafka_client.admin import KafkaAdmin

            with KafkaAdmin(self.settings, timeout=self.timeout_s) as admin:
                described = admin.describe_topics([self.dlq_topic])[self.dlq_topic]
            return sorted(p.partition for p in described.partitions)
        except MissingDependencyError:  # kafka-python only: ask the consumer
            return self._partitions_from_consumer()

    def _partitions_from_consumer(self) -> list[int]:  # pragma: no cover - needs an install without confluent
        found = []
        with self._consumer() as consumer:
            for p in range(10_000):
                try:
                    consumer.watermarks(TopicPartition(self.dlq_topic, p), timeout=self.timeout_s)
                except KafkaClientError:
                    break
                found.append(p)
        if not found:
            raise TopicError(f"the dead-letter topic {self.dlq_topic!r} does not exist")
        return found

    def _consumer(self) -> Consumer[Any, Any]:
        from kafka_client.consumer import Consumer

        return Consumer(self.settings, commit_strategy="manual", observers=())

    def entries(
        self,
        *,
        partitions: Iterable[int] | None = None,
        from_offset: int | None = None,
        to_offset: int | None = None,
        exception_type: str | None = None,
        where: EntryFilter | None = None,
    ) -> Iterator[DeadLetter]:
        """Dead letters from ``from_offset`` to ``to_offset`` (both inclusive, per partition) up to the end
        offsets seen when called, optionally only of ``exception_type`` (exact, or the last dotted part:
        ``JSONDecodeError`` matches ``json.decoder.JSONDecodeError``) and matching ``where``.

        Entries come in offset order within a partition. Raises KafkaTimeoutError when a partition
        makes no progress for ``timeout_s`` (nothing is silently cut short).
        """
        chosen = sorted(set(partitions)) if partitions is not None else self.partitions()
        with self._consumer() as consumer:
            ends: dict[TopicPartition, int] = {}
            starts = []
            for p in chosen:
                tp = TopicPartition(self.dlq_topic, p)
                low, high = consumer.watermarks(tp, timeout=self.timeout_s)
                start = max(low, from_offset or 0)
                end = high if to_offset is None else min(high, to_offset + 1)
                if start < end:
                    ends[tp] = end
                    starts.append(TopicPartitionOffset(tp.topic, p, start))
            if not starts:
                return
            consumer.assign(starts)
            last_progress = time.monotonic()
            while ends:
                batch = consumer.consume_batch(500, 0.5)
                for record in batch:
                    tp = record.topic_partition
                    stop_at = ends.get(tp)
                    if stop_at is None or record.offset >= stop_at:
                        continue
                    entry = DeadLetter.from_record(record)
                    if _matches(entry, exception_type, where):
                        yield entry
                if batch:
                    last_progress = time.monotonic()
                positions = consumer.position(list(ends))
                for tp, position in positions.items():
                    if position is not None and position >= ends[tp]:
                        del ends[tp]
                if ends and time.monotonic() - last_progress > self.timeout_s:
                    left = ", ".join(f"{tp}<{end}" for tp, end in sorted(ends.items()))
                    raise KafkaTimeoutError(
                        f"reading the dead-letter topic {self.dlq_topic!r} made no progress for "
                        f"{self.timeout_s} s (unfinished: {left})"
                    )

    def list_entries(self, **filters: Any) -> list[DeadLetter]:
        """:meth:`entries` as a list sorted by partition and offset."""
        return sorted(self.entries(**filters), key=lambda e: (e.dlq_partition, e.dlq_offset))

    def get(self, partition: int, offset: int) -> DeadLetter | None:
        """The dead letter at ``partition``/``offset``, or None when there is none there."""
        found = self.list_entries(partitions=[partition], from_offset=offset, to_offset=offset)
        return found[0] if found else None

    def group_by_exception(self, entries: Iterable[DeadLetter] | None = None) -> dict[str, list[DeadLetter]]:
        """Dead letters (default: all) by exception type, biggest group first."""
        return group_by_exception(list(entries) if entries is not None else self.list_entries())

    # --- replay -------------------------------------------------------------------------------------

    def replay(
        self,
        entries: Iterable[DeadLetter] | EntryFilter | None = None,
        *,
        to_topic: str | None = None,
        dry_run: bool = True,
        allow_repeat: bool = False,
        **filters: Any,
    ) -> ReplayReport:
        """Re-produce dead letters: their key, value and original headers, plus a
        ``kafka-client-replayed-from`` header. A DRY RUN unless ``dry_run=False``.

        ``entries``: the dead letters to replay, a predicate choosing among all of them, or None (all;
        ``filters`` as for :meth:`entries` narrow it). ``to_topic``: None for each entry's original topic
        and partition; a topic name to send them there (partitioned by key).

        An entry is skipped (status ``skipped``, the report not ``ok``) when it names no original topic
        and no ``to_topic`` is given, or, unless ``allow_repeat``, when it already came back from a replay
        out of this same DLQ (a ``kafka-client-replayed-from`` header naming this topic, including its
        own offset): replaying it again would loop. Each write waits for the broker's ack; a failed one
        is ``failed`` with the reason, and the others still go.
        """
        if entries is None or callable(entries):
            chosen = (
                self.list_entries(where=entries, **filters)
                if callable(entries)
                else self.list_entries(**filters)
            )
        else:
            chosen = list(entries)
        report = ReplayReport(dry_run=dry_run)
        for entry in chosen:
            report.actions.append(self._replay_one(entry, to_topic, dry_run, allow_repeat))
        if not dry_run and self._producer is not None:
            self._producer.flush(self.timeout_s)
        _log.info(
            "replay of %s (%s): %d replayed, %d would replay, %d skipped, %d failed",
            self.dlq_topic,
            "dry run" if dry_run else "executed",
            report.count("replayed"),
            report.count("would_replay"),
            report.count("skipped"),
            report.count("failed"),
        )
        return report

    def _replay_one(
        self, entry: DeadLetter, to_topic: str | None, dry_run: bool, allow_repeat: bool
    ) -> ReplayAction:
        target = to_topic or entry.original_topic
        partition = entry.original_partition if to_topic is None else None
        if target is None:
            return ReplayAction(entry, "skipped", None, reason="no original topic header; give to_topic")
        loop = _loop_reason(entry, self.dlq_topic)
        if loop is not None and not allow_repeat:
            return ReplayAction(entry, "skipped", target, partition, reason=loop)
        if dry_run:
            return ReplayAction(entry, "would_replay", target, partition)
        headers: Headers = [*entry.headers, (h.REPLAYED_FROM, entry.coordinates.encode("utf-8"))]
        try:
            future = self._replay_producer().send(
                target, entry.value, key=entry.key, headers=headers, partition=partition
            )
            meta = future.result(timeout=self.timeout_s)
        except KafkaClientError as exc:
            return ReplayAction(entry, "failed", target, partition, reason=str(exc))
        return ReplayAction(entry, "replayed", target, meta.partition, written_offset=meta.offset)

    def _replay_producer(self) -> Producer[Any, Any]:
        if self._producer is None:
            from kafka_client.producer import Producer

            self._producer = Producer(self.settings, observers=())
        return self._producer

    def close(self) -> None:
        """Flush and close the replay producer, if one was made. Idempotent."""
        if self._producer is not None:
            self._producer.close(self.timeout_s)
            self._producer = None

    def __enter__(self) -> DeadLetterReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<DeadLetterReader {self.dlq_topic!r}>"


def _matches(entry: DeadLetter, exception_type: str | None, where: EntryFilter | None) -> bool:
    if exception_type is not None:
        kind = entry.exception_type or ""
        if kind != exception_type and kind.rsplit(".", 1)[-1] != exception_type:
            return False
    return where is None or bool(where(entry))


def _loop_reason(entry: DeadLetter, dlq_topic: str) -> str | None:
    """Why replaying ``entry`` would loop, or None."""
    for origin in entry.replayed_from:
        if origin == entry.coordinates:
            return f"loop: it carries a replay header naming its own DLQ offset ({origin})"
        if origin.rsplit(":", 2)[0] == dlq_topic:
            return (
                f"loop: it was already replayed from {origin} and failed again; "
                "replay it with allow_repeat=True (--allow-repeat) once the cause is fixed"
            )
    return None
