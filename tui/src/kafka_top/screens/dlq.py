"""``:dlq``: the dead-letter topics with their depth and how fast they fill; ``enter`` opens one."""

from __future__ import annotations

from typing import ClassVar

from kafka_top.screens.base import TableScreen
from kafka_top.service import TopicSummary
from kafka_top.session import Session
from kafka_top.table import Column, Row

__all__ = ["DlqTopicsScreen"]

DlqData = tuple[float, list[TopicSummary]]


class DlqTopicsScreen(TableScreen[DlqData]):
    """Topics named like dead-letter queues (``orders.dlq``, ``dead-letters``, ``payments-dlq``)."""

    TITLE_CRUMB = "dlq"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("topic", "DLQ TOPIC"),
        Column("source", "SOURCE"),
        Column("partitions", "PARTS", numeric=True),
        Column("depth", "DEPTH", numeric=True),
        Column("rate", "RATE (msg/s)", numeric=True),
    )
    DEFAULT_SORT = ("depth", True)
    MIN_REFRESH_S = 5.0

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._previous: dict[str, tuple[float, int]] = {}

    def fetch(self) -> DlqData:
        return self.session.now(), self.session.service.dlq_topics()

    def rows_from(self, data: DlqData) -> list[Row]:
        at, topics = data
        rows = []
        for summary in topics:
            name = summary.description.name
            depth = summary.messages
            rate: float | None = None
            before = self._previous.get(name)
            if before is not None and depth is not None and at > before[0]:
                rate = max(0.0, (depth - before[1]) / (at - before[0]))
            if depth is not None:
                self._previous[name] = (at, depth)
            values = {
                "topic": name,
                "source": name.removesuffix(".dlq") if name.endswith(".dlq") else None,
                "partitions": len(summary.description.partitions),
                "depth": depth,
                "rate": rate,
            }
            rows.append(Row(name, values, summary))
        return rows

    def open_row(self, row: Row) -> None:
        from kafka_top.screens.dlq_entries import DlqEntriesScreen

        self.app.push_screen(DlqEntriesScreen(self.session, row.key))
