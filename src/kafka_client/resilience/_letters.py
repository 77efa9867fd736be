"""``DeadLetter``: one record of a dead-letter topic, its error headers parsed into typed fields.

Parsing never raises: a DLQ may hold records that other tools or older versions wrote, or that someone
produced by hand, and one odd record must not make the whole queue unreadable. What is missing or
malformed is None; the raw headers stay available.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kafka_client._records import Headers, Message
from kafka_client.resilience import _headers as h

__all__ = ["DeadLetter", "group_by_exception"]


def _bytes_for_json(data: bytes | None) -> str | None:
    """UTF-8 text when the bytes are text, else ``base64:<...>`` (JSON has no bytes)."""
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class DeadLetter:
    """A dead-lettered message: where it is in the DLQ, the original bytes, and why it failed.

    ``headers`` are the ORIGINAL message's headers (the ``kafka-client-dlq-*`` ones removed; those are
    parsed into the fields below and kept whole in ``dlq_headers``). ``replayed_from`` lists the
    ``<dlq topic>:<partition>:<offset>`` of earlier replays this message came back from.
    """

    dlq_topic: str
    dlq_partition: int
    dlq_offset: int
    dlq_timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: Headers = field(default_factory=list)
    original_topic: str | None = None
    original_partition: int | None = None
    original_offset: int | None = None
    original_timestamp_ms: int | None = None
    exception_type: str | None = None
    exception_message: str | None = None
    traceback: str | None = None
    attempts: int | None = None
    consumer_group: str | None = None
    failed_at: dt.datetime | None = None
    stage: str | None = None
    error_field: str | None = None
    replayed_from: tuple[str, ...] = ()
    dlq_headers: Headers = field(default_factory=list)

    @classmethod
    def from_record(cls, record: Message[Any, Any]) -> DeadLetter:
        """Parse a record read from a dead-letter topic (its ``raw_key``/``raw_value`` are kept)."""
        headers: Headers = list(record.headers or ())
        dlq = [(k, v) for k, v in headers if isinstance(k, str) and k.startswith(h.DLQ_PREFIX)]
        original = [(k, v) for k, v in headers if not (isinstance(k, str) and k.startswith(h.DLQ_PREFIX))]
        replays = tuple(
            bytes(v).decode("utf-8", errors="replace") for k, v in headers if k == h.REPLAYED_FROM and v
        )
        return cls(
            dlq_topic=record.topic,
            dlq_partition=record.partition,
            dlq_offset=record.offset,
            dlq_timestamp_ms=record.timestamp_ms,
            key=record.raw_key,
            value=record.raw_value,
            headers=original,
            original_topic=h.header_text(dlq, h.ORIGINAL_TOPIC),
            original_partition=h.header_int(dlq, h.ORIGINAL_PARTITION),
            original_offset=h.header_int(dlq, h.ORIGINAL_OFFSET),
            original_timestamp_ms=h.header_int(dlq, h.ORIGINAL_TIMESTAMP),
            exception_type=h.header_text(dlq, h.EXCEPTION_TYPE),
            exception_message=h.header_text(dlq, h.EXCEPTION_MESSAGE),
            traceback=h.header_text(dlq, h.EXCEPTION_TRACEBACK),
            attempts=h.header_int(dlq, h.ATTEMPTS),
            consumer_group=h.header_text(dlq, h.CONSUMER_GROUP),
            failed_at=h.header_time(dlq, h.FAILED_AT),
            stage=h.header_text(dlq, h.STAGE),
            error_field=h.header_text(dlq, h.ERROR_FIELD),
            replayed_from=replays,
            dlq_headers=dlq,
        )

    @property
    def coordinates(self) -> str:
        """``<dlq topic>:<partition>:<offset>``: what a replay header names."""
        return f"{self.dlq_topic}:{self.dlq_partition}:{self.dlq_offset}"

    @property
    def original(self) -> str:
        """``topic[partition]@offset`` of the original message (``?`` where unknown)."""

        def shown(value: object) -> str:
            return "?" if value is None else str(value)

        return f"{shown(self.original_topic)}[{shown(self.original_partition)}]@{shown(self.original_offset)}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (bytes as UTF-8 text, or ``base64:...`` when they are not text)."""
        return {
            "dlq_topic": self.dlq_topic,
            "dlq_partition": self.dlq_partition,
            "dlq_offset": self.dlq_offset,
            "dlq_timestamp_ms": self.dlq_timestamp_ms,
            "original_topic": self.original_topic,
            "original_partition": self.original_partition,
            "original_offset": self.original_offset,
            "original_timestamp_ms": self.original_timestamp_ms,
            "exception_type": self.exception_type,
            "exception_message": self.exception_message,
            "traceback": self.traceback,
            "attempts": self.attempts,
            "consumer_group": self.consumer_group,
            "failed_at": self.failed_at.isoformat() if self.failed_at else None,
            "stage": self.stage,
            "error_field": self.error_field,
            "replayed_from": list(self.replayed_from),
            "key": _bytes_for_json(self.key),
            "value": _bytes_for_json(self.value),
            "value_size": None if self.value is None else len(self.value),
            "headers": [[k, _bytes_for_json(v)] for k, v in self.headers],
        }


def group_by_exception(entries: list[DeadLetter]) -> dict[str, list[DeadLetter]]:
    """Dead letters by exception type (``"<unknown>"`` when the header is missing), biggest group first."""
    groups: dict[str, list[DeadLetter]] = {}
    for entry in entries:
        groups.setdefault(entry.exception_type or "<unknown>", []).append(entry)
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))
