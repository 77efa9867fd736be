"""Brokers and topics: the cluster's nodes on top, every topic below with partitions, replication,
size and problems; ``enter`` browses a topic's messages."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from kafka_client.admin import ClusterDescription
from kafka_top.screens.base import TableScreen
from kafka_top.service import TopicSummary
from kafka_top.table import Column, Row

__all__ = ["TopicsScreen", "format_retention"]

TopicsData = tuple[ClusterDescription, list[TopicSummary]]


def format_retention(ms: int | None) -> str | None:
    """``7d``, ``12h``, ``30m``, ``forever`` (-1), None when unknown."""
    if ms is None:
        return None
    if ms < 0:
        return "forever"
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms >= size and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _problem_cell(value: object) -> Text:
    if isinstance(value, int) and value > 0:
        return Text(str(value), style="bold red", justify="right")
    return Text("-" if value is None else str(value), justify="right")


class TopicsScreen(TableScreen[TopicsData]):
    """``:topics`` (also ``:brokers``)."""

    TITLE_CRUMB = "topics"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("topic", "TOPIC"),
        Column("partitions", "PARTS", numeric=True),
        Column("replication", "RF", numeric=True),
        Column("messages", "MESSAGES", numeric=True),
        Column("under_replicated", "UNDER-REPL", numeric=True, render=_problem_cell),
        Column("offline", "OFFLINE", numeric=True, render=_problem_cell),
        Column("min_isr", "MIN-ISR", numeric=True),
        Column("retention", "RETENTION"),
        Column("cleanup", "CLEANUP"),
    )
    DEFAULT_SORT = ("topic", False)
    MIN_REFRESH_S = 10.0
    DEFAULT_CSS = """
    TopicsScreen #brokers {
        height: auto;
        max-height: 6;
        padding: 0 1;
        border-bottom: solid $primary;
    }
    """

    def compose_header(self) -> ComposeResult:
        yield Static("brokers: …", id="brokers", markup=False)

    def fetch(self) -> TopicsData:
        service = self.session.service
        return service.cluster(), service.topics()

    def rows_from(self, data: TopicsData) -> list[Row]:
        rows = []
        for summary in data[1]:
            topic = summary.description
            rows.append(
                Row(
                    topic.name,
                    {
                        "topic": topic.name,
                        "partitions": len(topic.partitions),
                        "replication": summary.replication,
                        "messages": summary.messages,
                        "under_replicated": len(topic.under_replicated_partitions),
                        "offline": len(topic.offline_partitions),
                        "min_isr": topic.config.min_insync_replicas,
                        "retention": format_retention(topic.config.retention_ms),
                        "cleanup": topic.config.cleanup_policy,
                    },
                    summary,
                )
            )
        return rows

    def data_applied(self, data: TopicsData) -> None:
        cluster = data[0]
        lines = [f"cluster {cluster.cluster_id or '?'} · {len(cluster.brokers)} brokers"]
        for broker in cluster.brokers:
            controller = "  ★ controller" if broker.id == cluster.controller_id else ""
            rack = f"  rack {broker.rack}" if broker.rack else ""
            lines.append(f"  broker {broker.id}  {broker.address}{rack}{controller}")
        self.query_one("#brokers", Static).update("\n".join(lines))

    def open_row(self, row: Row) -> None:
        from kafka_top.screens.messages import MessagesScreen

        summary: TopicSummary = row.payload
        partitions = [p.partition for p in summary.description.partitions]
        self.app.push_screen(MessagesScreen(self.session, row.key, partitions))
