"""The headers a dead-letter record carries, written in one place and read back in one place.

Every value is UTF-8 text, readable with any Kafka tool (``kcat -f '%h'``). Reading is lenient on
purpose: a DLQ topic may hold records written by older versions, other tools or people, so a header that
is missing or malformed reads as None instead of failing the whole listing.
"""

from __future__ import annotations

import datetime as dt
import traceback

from kafka_client._records import Headers

__all__ = [
    "ATTEMPTS",
    "CONSUMER_GROUP",
    "DLQ_PREFIX",
    "ERROR_FIELD",
    "EXCEPTION_MESSAGE",
    "EXCEPTION_TRACEBACK",
    "EXCEPTION_TYPE",
    "FAILED_AT",
    "MAX_MESSAGE_CHARS",
    "MAX_TRACEBACK_CHARS",
    "ORIGINAL_OFFSET",
    "ORIGINAL_PARTITION",
    "ORIGINAL_TIMESTAMP",
    "ORIGINAL_TOPIC",
    "REPLAYED_FROM",
    "STAGE",
    "exception_type_name",
    "format_traceback",
    "header_int",
    "header_text",
    "truncate",
]

DLQ_PREFIX = "kafka-client-dlq-"
"""Every header the dead-letter queue adds starts with this; replay strips them again."""

ORIGINAL_TOPIC = DLQ_PREFIX + "original-topic"
ORIGINAL_PARTITION = DLQ_PREFIX + "original-partition"
ORIGINAL_OFFSET = DLQ_PREFIX + "original-offset"
ORIGINAL_TIMESTAMP = DLQ_PREFIX + "original-timestamp"  # ms since the epoch, as the record had it
EXCEPTION_TYPE = DLQ_PREFIX + "exception-type"  # qualified: "json.decoder.JSONDecodeError", "ValueError"
EXCEPTION_MESSAGE = DLQ_PREFIX + "exception-message"
EXCEPTION_TRACEBACK = DLQ_PREFIX + "exception-traceback"
ATTEMPTS = DLQ_PREFIX + "attempts"  # handler attempts made (0: it never reached the handler)
CONSUMER_GROUP = DLQ_PREFIX + "consumer-group"
FAILED_AT = DLQ_PREFIX + "failed-at"  # ISO 8601, UTC, milliseconds
STAGE = DLQ_PREFIX + "stage"  # "deserialization" or "handler"
ERROR_FIELD = DLQ_PREFIX + "error-field"  # "key" or "value", for deserialization failures

REPLAYED_FROM = "kafka-client-replayed-from"
"""Added by replay: ``<dlq topic>:<partition>:<offset>`` of the dead letter the message came from."""

MAX_MESSAGE_CHARS = 1000
"""The exception message is cut to this many characters (headers are not the place for a novel)."""

MAX_TRACEBACK_CHARS = 8000
"""The traceback keeps its last lines, and at most this many characters of them."""


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in ``...`` when it was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."


def exception_type_name(exc: BaseException) -> str:
    """``ValueError`` for builtins, ``module.QualName`` otherwise (what the listing groups by)."""
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def format_traceback(exc: BaseException, lines: int) -> str:
    """The last ``lines`` lines of ``exc``'s formatted traceback (with its causes), at most
    :data:`MAX_TRACEBACK_CHARS` characters; empty when ``lines`` is 0."""
    if lines <= 0:
        return ""
    text = "".join(traceback.format_exception(exc)).rstrip("\n")
    kept = "\n".join(text.splitlines()[-lines:])
    if len(kept) > MAX_TRACEBACK_CHARS:
        kept = "..." + kept[-(MAX_TRACEBACK_CHARS - 3) :]
    return kept


def header_text(headers: Headers, name: str) -> str | None:
    """The last header called ``name`` as text (undecodable bytes replaced), or None."""
    for key, value in reversed(headers):
        if key == name:
            return None if value is None else bytes(value).decode("utf-8", errors="replace")
    return None


def header_int(headers: Headers, name: str) -> int | None:
    """The last header called ``name`` as an int, or None when missing or not a decimal integer."""
    text = header_text(headers, name)
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > 30:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def header_time(headers: Headers, name: str) -> dt.datetime | None:
    """The last header called ``name`` as an aware datetime (ISO 8601), or None when missing or invalid."""
    text = header_text(headers, name)
    if text is None or len(text) > 64:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """``2025-03-01T12:00:00.123+00:00``: ISO 8601 in UTC with milliseconds."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
