"""Browsing a topic's records from an offset, the last N, or a time; key, value and headers decoded as
JSON, text or hex, record by record; ``enter`` shows one record in full."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

from kafka_client import Message
from kafka_top.browse import BrowseStart, parse_start
from kafka_top.decode import decode_bytes, decode_headers
from kafka_top.screens.base import TableScreen
from kafka_top.session import Session
from kafka_top.table import Column, Row

__all__ = ["MessagesScreen", "message_details", "parse_partitions"]

Record = Message[bytes | None, bytes | None]


def parse_partitions(text: str, known: Sequence[int]) -> list[int]:
    """``all`` (or empty) or ``0,2,5``; raises ``ValueError`` for a partition the topic lacks."""
    spec = text.strip().lower()
    if spec in ("", "all", "*"):
        return list(known)
    chosen = [int(p) for p in spec.replace(" ", "").split(",") if p]
    missing = [p for p in chosen if p not in known]
    if missing:
        raise ValueError(f"no partition {missing[0]}; the topic has {len(known)} (0-{len(known) - 1})")
    return chosen


def message_details(message: Record) -> str:
    """Every part of a record, decoded, as plain text."""
    key, value = decode_bytes(message.raw_key), decode_bytes(message.raw_value)
    timestamp = message.timestamp.isoformat() if message.timestamp else "-"
    lines = [
        f"topic {message.topic}  partition {message.partition}  offset {message.offset}",
        f"timestamp {timestamp}",
        "",
        f"key ({key.kind}):",
        key.text,
        "",
        f"value ({value.kind}):",
        value.text,
        "",
        f"headers ({len(message.headers)}):",
    ]
    lines += [
        f"  {name} ({decoded.kind}): {decoded.text}" for name, decoded in decode_headers(message.headers)
    ]
    return "\n".join(lines)


class MessagesScreen(TableScreen[list[Record]]):
    """Type where to start (``-20``, ``beginning``, an offset, a time) and which partitions, then enter."""

    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("partition", "P", numeric=True),
        Column("offset", "OFFSET", numeric=True),
        Column("timestamp", "TIMESTAMP"),
        Column("key", "KEY"),
        Column("value", "VALUE"),
        Column("format", "FORMAT"),
        Column("headers", "HEADERS"),
    )
    AUTO_REFRESH = False
    DEFAULT_CSS = """
    MessagesScreen #browse-bar {
        height: 3;
    }
    MessagesScreen #browse-bar Label {
        padding: 1 1 0 1;
    }
    MessagesScreen #browse-start {
        width: 40;
    }
    MessagesScreen #browse-partitions {
        width: 16;
    }
    """

    def __init__(
        self, session: Session, topic: str, partitions: Sequence[int], start: str = "-20", limit: int = 200
    ) -> None:
        super().__init__(session, ["topics", topic, "messages"])
        self.topic = topic
        self.known_partitions = list(partitions)
        self.start_text = start
        self.partitions_text = "all"
        self.limit = limit
        self.start: BrowseStart = parse_start(start)
        self.chosen: list[int] = list(partitions)

    def compose_header(self) -> ComposeResult:
        with Horizontal(id="browse-bar"):
            yield Label("from")
            yield Input(
                self.start_text, placeholder="-20 | beginning | 42 | 2024-05-01T12:00", id="browse-start"
            )
            yield Label("partitions")
            yield Input(self.partitions_text, placeholder="all | 0,2", id="browse-partitions")

    @on(Input.Submitted, "#browse-start, #browse-partitions")
    def _browse(self) -> None:
        try:
            start = parse_start(self.query_one("#browse-start", Input).value)
            chosen = parse_partitions(
                self.query_one("#browse-partitions", Input).value, self.known_partitions
            )
        except ValueError as exc:
            self.notify(str(exc), severity="error", title="Browse")
            return
        self.start, self.chosen = start, chosen
        self.table.focus()
        self.status.show_loading(f"reading {self.topic} {start.describe()}…")
        self.action_refresh()

    def fetch(self) -> list[Record]:
        return self.session.service.browse(self.topic, self.chosen, self.start, self.limit)

    def rows_from(self, data: list[Record]) -> list[Row]:
        rows = []
        for message in data:
            key, value = decode_bytes(message.raw_key), decode_bytes(message.raw_value)
            headers = "; ".join(f"{n}={d.short(24)}" for n, d in decode_headers(message.headers))
            rows.append(
                Row(
                    f"{message.partition}/{message.offset}",
                    {
                        "partition": message.partition,
                        "offset": message.offset,
                        "timestamp": message.timestamp.isoformat(timespec="milliseconds")
                        if message.timestamp
                        else None,
                        "key": key.short(30) if key.kind != "null" else None,
                        "value": value.short(80) if value.kind != "null" else None,
                        "format": value.kind,
                        "headers": headers or None,
                    },
                    message,
                )
            )
        return rows

    def open_row(self, row: Row) -> None:
        from kafka_top.screens.detail import DetailScreen

        message: Record = row.payload
        self.app.push_screen(DetailScreen(f"{self.topic} [{row.key}]", message_details(message)))
