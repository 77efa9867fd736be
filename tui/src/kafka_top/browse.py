"""Reading a few records of a topic from an offset or a time, without joining or creating a group.

The reader assigns partitions (no subscription, so no group is joined) and never commits, so browsing
leaves no trace on the cluster.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kafka_client import Consumer, Message, TopicPartition, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin
from kafka_client.config import KafkaClientSettings

__all__ = ["BrowseStart", "parse_start", "read_records"]

StartKind = Literal["beginning", "end", "offset", "time"]
_LAST = re.compile(r"^-(\d+)$")


@dataclass(frozen=True)
class BrowseStart:
    """Where to start: the ``beginning``, ``end`` minus ``count``, an ``offset``, or a ``time``."""

    kind: StartKind
    offset: int = 0
    count: int = 0
    time: dt.datetime | None = None

    def describe(self) -> str:
        if self.kind == "beginning":
            return "from the beginning"
        if self.kind == "end":
            return f"the last {self.count} per partition"
        if self.kind == "offset":
            return f"from offset {self.offset}"
        assert self.time is not None
        return f"from {self.time.isoformat(timespec='seconds')}"


def parse_start(text: str, default_last: int = 20) -> BrowseStart:
    """``beginning``/``earliest``, ``end``/``-N`` (the last N), an offset ``N``, or an ISO time.

    A time without a zone is local time. Raises ``ValueError`` naming the accepted forms.
    """
    spec = text.strip().lower()
    if spec in ("", "end", "latest", "tail"):
        return BrowseStart("end", count=default_last)
    if spec in ("beginning", "earliest", "start", "0"):
        return BrowseStart("beginning")
    if match := _LAST.match(spec):
        return BrowseStart("end", count=int(match.group(1)))
    if spec.isdigit():
        return BrowseStart("offset", offset=int(spec))
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"cannot start at {text!r}: use an offset (42), the last N (-20), 'beginning', or a time "
            "(2024-05-01T12:00 or 2024-05-01T12:00:00+00:00)"
        ) from None
    if when.tzinfo is None:
        when = when.astimezone()
    return BrowseStart("time", time=when)


def _start_offsets(
    admin: KafkaAdmin, partitions: Sequence[TopicPartition], start: BrowseStart
) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
    """Per partition the first offset to read and the log end offset (reading stops there)."""
    marks = admin.watermarks(partitions)
    ends = {tp: m.latest for tp, m in marks.items()}
    if start.kind == "beginning":
        return {tp: m.earliest for tp, m in marks.items()}, ends
    if start.kind == "end":
        return {tp: max(m.earliest, m.latest - start.count) for tp, m in marks.items()}, ends
    if start.kind == "offset":
        return {tp: min(max(m.earliest, start.offset), m.latest) for tp, m in marks.items()}, ends
    assert start.time is not None
    found = admin.offsets_for_times(dict.fromkeys(partitions, start.time))
    return {tp: ends[tp] if found.get(tp) is None else int(found[tp] or 0) for tp in marks}, ends


def read_records(
    settings: KafkaClientSettings,
    admin: KafkaAdmin,
    topic: str,
    partitions: Sequence[int],
    start: BrowseStart,
    *,
    limit: int = 200,
    timeout: float = 10.0,
) -> list[Message[bytes | None, bytes | None]]:
    """Up to ``limit`` records of ``partitions`` from ``start`` to each log end, ordered by partition and
    offset; returns early once every partition reached its end or ``timeout`` passed."""
    wanted = [TopicPartition(topic, p) for p in partitions]
    starts, ends = _start_offsets(admin, wanted, start)
    pending = {tp for tp in wanted if starts.get(tp, 0) < ends.get(tp, 0)}
    if not pending:
        return []
    records: list[Message[bytes | None, bytes | None]] = []
    consumer: Consumer[bytes | None, bytes | None] = Consumer(
        settings,
        group_id=f"kafka-top-browser-{uuid.uuid4().hex[:12]}",
        commit_strategy="manual",
        client_id="kafka-top-browser",
    )
    try:
        consumer.assign([TopicPartitionOffset(tp.topic, tp.partition, starts[tp]) for tp in sorted(pending)])
        deadline = time.monotonic() + timeout
        while pending and len(records) < limit and time.monotonic() < deadline:
            for message in consumer.consume_batch(max_messages=min(500, limit), timeout=0.5):
                tp = message.topic_partition
                if tp not in pending:
                    continue
                records.append(message)
                if message.offset + 1 >= ends[tp]:
                    pending.discard(tp)
                if len(records) >= limit:
                    break
    finally:
        consumer.close(commit_pending=False)
    records.sort(key=lambda m: (m.partition, m.offset))
    return records[:limit]
