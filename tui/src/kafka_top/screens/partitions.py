"""One group's partitions: committed offset, log end, lag, and the member (and host) that owns each."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Label

from kafka_client.admin import ConsumerGroupLag
from kafka_top.screens.base import TableScreen
from kafka_top.session import Session
from kafka_top.table import Column, Row

__all__ = ["GroupPartitionsScreen"]


class GroupPartitionsScreen(TableScreen[ConsumerGroupLag]):
    """The drill-down of a group (``enter`` on the groups screen); ``esc`` goes back."""

    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("topic", "TOPIC"),
        Column("partition", "PARTITION", numeric=True),
        Column("committed", "COMMITTED", numeric=True),
        Column("log_end", "LOG-END", numeric=True),
        Column("lag", "LAG", numeric=True),
        Column("member", "MEMBER"),
        Column("client", "CLIENT-ID"),
        Column("host", "HOST"),
        Column("earliest", "EARLIEST", numeric=True),
        Column("below_earliest", "LOST"),
    )
    DEFAULT_SORT = None
    DEFAULT_CSS = """
    GroupPartitionsScreen #group-summary {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    """

    def __init__(self, session: Session, group_id: str) -> None:
        super().__init__(session, ["groups", group_id])
        self.group_id = group_id
        self.lag: ConsumerGroupLag | None = None

    def fetch(self) -> ConsumerGroupLag:
        return self.session.service.group_lag(self.group_id)

    def rows_from(self, data: ConsumerGroupLag) -> list[Row]:
        self.lag = data
        if data.error is not None:
            self.notify(f"{type(data.error).__name__}: {data.error}", severity="warning", title=self.group_id)
        return [
            Row(
                f"{p.topic}/{p.partition}",
                {
                    "topic": p.topic,
                    "partition": p.partition,
                    "committed": p.committed_offset,
                    "log_end": p.log_end_offset,
                    "lag": p.lag,
                    "member": p.member_id,
                    "client": p.client_id,
                    "host": p.host,
                    "earliest": p.earliest_offset,
                    "below_earliest": "LOST" if p.committed_below_earliest else None,
                },
                p,
            )
            for p in data.partitions
        ]

    def compose_extra(self) -> ComposeResult:
        yield Label("", id="group-summary")

    def data_applied(self, data: ConsumerGroupLag) -> None:
        self.query_one("#group-summary", Label).update(
            f"{self.group_id}: {data.state} · {data.members} members · {len(data.partitions)} partitions · "
            f"total lag {data.total_lag} · max {data.max_lag}"
        )
