"""The health checklist: the library's checks (brokers, every topic, every group) with their details."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label

from kafka_client.health import HealthReport, HealthStatus
from kafka_top.screens.base import TableScreen
from kafka_top.session import Session
from kafka_top.table import Column, Row

__all__ = ["HealthScreen"]

_MARKS = {
    HealthStatus.OK: ("✔ ok", "green"),
    HealthStatus.DEGRADED: ("▲ degraded", "bold yellow"),
    HealthStatus.FAILED: ("✖ failed", "bold red"),
}


def _status_cell(value: object) -> Text:
    try:
        status = HealthStatus(str(value))
    except ValueError:
        return Text(str(value))
    text, style = _MARKS[status]
    return Text(text, style=style)


class HealthScreen(TableScreen[HealthReport]):
    """``:health``: one row per check, worst first; the summary line gives the overall status."""

    TITLE_CRUMB = "health"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("status", "STATUS", render=_status_cell),
        Column("check", "CHECK"),
        Column("detail", "DETAIL"),
        Column("seconds", "TOOK (s)", numeric=True),
    )
    MIN_REFRESH_S = 15.0
    DEFAULT_CSS = """
    HealthScreen #health-summary {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.report: HealthReport | None = None

    def compose_header(self) -> ComposeResult:
        yield Label("running the health checks…", id="health-summary")

    def fetch(self) -> HealthReport:
        return self.session.service.health()

    def rows_from(self, data: HealthReport) -> list[Row]:
        self.report = data
        ordered = sorted(data.results, key=lambda r: -r.status.severity)
        return [
            Row(
                r.name,
                {
                    "status": r.status.value,
                    "check": r.name,
                    "detail": r.detail,
                    "seconds": round(r.duration_s, 2),
                },
                r,
            )
            for r in ordered
        ]

    def data_applied(self, data: HealthReport) -> None:
        counts = data.counts()
        text, style = _MARKS[data.status]
        summary = Text(f"cluster {text}", style=style)
        summary.append(
            f" · {counts['ok']} ok, {counts['degraded']} degraded, {counts['failed']} failed"
            f" · checked in {data.duration_s:.1f} s",
            style="",
        )
        self.query_one("#health-summary", Label).update(summary)

    def open_row(self, row: Row) -> None:
        from kafka_top.screens.detail import DetailScreen

        result = row.payload
        lines = [f"{row.key}: {result.status.value}", "", result.detail, ""]
        lines += [f"{k}: {v}" for k, v in dict(result.data).items()]
        self.app.push_screen(DetailScreen(f"check {row.key}", "\n".join(lines)))
