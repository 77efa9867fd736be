"""Lag seconds method ``timestamp``: the real timestamp of the record at each committed offset.

Optional and bounded. For the groups listed in ``timestamp_reads.groups`` (regexes), each cycle reads,
for at most ``max_reads_per_cycle`` lagging partitions, the first record at or after the committed
offset (the oldest message the group has not consumed; after compaction the next one that exists):
one consumer, ``assign()`` at those offsets, one record kept per partition (the partition is paused
once it answered), for at most ``timeout_s``. Partitions beyond the cap are read in later cycles (the
start rotates), and meanwhile get their lag seconds from the other methods. The consumer never joins
the group and never commits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kafka_client import Consumer, KafkaClientError, TopicPartition, TopicPartitionOffset
from kafka_client.admin import ConsumerGroupLag
from kafka_client.config import KafkaClientSettings

__all__ = ["RecordTimestampReader", "lagging_partitions"]

_log = logging.getLogger("kafka_client_exporter")

#: The consumer's group id (needed by the client; no group is joined and nothing is committed).
READER_GROUP_ID = "kafka-client-exporter-timestamps"
#: librdkafka limits so that reading one record per partition does not prefetch megabytes each.
_NATIVE = {
    "max.partition.fetch.bytes": 65536,
    "fetch.max.bytes": 4 * 1024 * 1024,
    "queued.max.messages.kbytes": 8192,
    "fetch.wait.max.ms": 50,
    "enable.partition.eof": False,
}


class RecordTimestampReader:
    """Reads record timestamps at given offsets, many partitions per call, within a time bound."""

    def __init__(self, client: KafkaClientSettings, max_reads: int, timeout_s: float) -> None:
        self._client = client
        self.max_reads = max_reads
        self.timeout_s = timeout_s
        self._consumer: Consumer[Any, Any] | None = None
        self._cursor = 0

    def _open(self) -> Consumer[Any, Any]:
        if self._consumer is None:
            self._consumer = Consumer(
                self._client,
                group_id=READER_GROUP_ID,
                commit_strategy="manual",
                native=_NATIVE,
            )
        return self._consumer

    def pick(self, candidates: list[tuple[TopicPartition, int]]) -> list[tuple[TopicPartition, int]]:
        """At most ``max_reads`` of ``candidates``, starting where the previous cycle stopped."""
        if len(candidates) <= self.max_reads:
            self._cursor = 0
            return candidates
        start = self._cursor % len(candidates)
        chosen = (candidates[start:] + candidates[:start])[: self.max_reads]
        self._cursor = start + self.max_reads
        return chosen

    def read(self, wanted: Iterable[tuple[TopicPartition, int]]) -> dict[tuple[TopicPartition, int], int]:
        """``{(partition, offset): timestamp ms}`` of the first record at or after each offset; an
        offset that gave nothing within ``timeout_s`` (or whose record has no timestamp) is absent.

        Raises :class:`~kafka_client.KafkaClientError` when the consumer cannot be used at all.
        """
        pending: dict[TopicPartition, list[int]] = {}
        for tp, offset in wanted:
            pending.setdefault(tp, []).append(offset)
        if not pending:
            return {}
        for offsets in pending.values():
            offsets.sort()
        consumer = self._open()
        consumer.assign([TopicPartitionOffset(tp.topic, tp.partition, o[0]) for tp, o in pending.items()])
        consumer.resume(list(pending))  # librdkafka keeps a partition paused across assignments
        out: dict[tuple[TopicPartition, int], int] = {}
        deadline = time.monotonic() + self.timeout_s
        try:
            while pending and (remaining := deadline - time.monotonic()) > 0:
                answered: list[TopicPartition] = []
                for message in consumer.consume_batch(max_messages=1000, timeout=min(0.2, remaining)):
                    tp = TopicPartition(message.topic, message.partition)
                    found = pending.get(tp)
                    if not found:
                        continue
                    offsets = found
                    stamp = message.timestamp_ms
                    while offsets and offsets[0] <= message.offset:
                        if stamp is not None and stamp >= 0:
                            out[(tp, offsets[0])] = stamp
                        del offsets[0]
                    if not offsets:
                        del pending[tp]
                        answered.append(tp)
                if answered:
                    consumer.pause(answered)
        finally:
            consumer.assign([])
        if pending:
            _log.debug(
                "record timestamps: %d partitions gave nothing in %.1f s", len(pending), self.timeout_s
            )
        return out

    def close(self) -> None:
        """Close the consumer (it never committed anything)."""
        if self._consumer is not None:
            try:
                self._consumer.close(commit_pending=False)
            except KafkaClientError as exc:  # closing must not fail a shutdown
                _log.warning("closing the record timestamp reader failed: %s", exc)
            self._consumer = None


def lagging_partitions(
    groups: Mapping[str, ConsumerGroupLag], wanted_group: Callable[[str], bool]
) -> list[tuple[TopicPartition, int]]:
    """The distinct ``(partition, committed offset)`` pairs of lagging partitions of the groups that
    ``wanted_group(group_id)`` accepts, in group then partition order."""
    seen: dict[tuple[TopicPartition, int], None] = {}
    for group_id in sorted(groups):
        if not wanted_group(group_id):
            continue
        for row in groups[group_id].partitions:
            if row.committed_offset is not None and row.lag:
                seen[(TopicPartition(row.topic, row.partition), row.committed_offset)] = None
    return list(seen)
