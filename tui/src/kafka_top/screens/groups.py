"""The default screen: every consumer group with its state, members, lag, and where the lag is heading."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label, Sparkline

from kafka_client.admin import ConsumerGroupLag
from kafka_top.lag_seconds import GroupLagTime, LagMethod
from kafka_top.screens.base import TableScreen
from kafka_top.session import Session
from kafka_top.table import Column, Row, cell_text
from kafka_top.trend import LagHistory, LagSample, Trend

__all__ = ["GroupsScreen", "format_duration", "format_lag_seconds", "lag_time_values"]

LagSnapshot = tuple[float, dict[str, ConsumerGroupLag]]

_TREND_STYLES = {
    Trend.GROWING: "bold red",
    Trend.STALLED: "bold yellow",
    Trend.DRAINING: "green",
    Trend.STEADY: "",
    Trend.CAUGHT_UP: "dim",
    Trend.NEW: "dim",
}


def format_duration(seconds: float | None) -> str:
    """``45s``, ``12m``, ``3h``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def format_lag_seconds(seconds: float | None) -> str:
    """Like :func:`format_duration`, with tenths below 10 s (``0.4s``): a lag of half a second is not 0."""
    if seconds is not None and 0 < seconds < 9.95:
        return f"{seconds:.1f}s"
    return format_duration(seconds)


def _lag_seconds_cell(value: object) -> Text:
    return Text(format_lag_seconds(value if isinstance(value, int | float) else None), justify="right")


def _trend_cell(value: object) -> Text:
    try:
        trend = Trend(str(value))
    except ValueError:
        return Text(str(value))
    return Text(trend.value, style=_TREND_STYLES[trend])


def _duration_cell(value: object) -> Text:
    return Text(format_duration(value if isinstance(value, int | float) else None), justify="right")


def _method_cell(value: object) -> Text:
    if value == LagMethod.EXACT.value:
        return Text(str(value), style="green")
    return Text(cell_text(value), style="dim")


def lag_time_values(lag_time: GroupLagTime) -> dict[str, object]:
    """The LAG TIME and HOW cells: seconds and method; ``-`` while no partition has an estimate yet."""
    return {
        "lag_s": None if lag_time.seconds is None else round(lag_time.seconds, 1),
        "lag_method": None if lag_time.method is None else lag_time.method.value,
    }


def _committed_sum(lag: ConsumerGroupLag) -> int:
    return sum(p.committed_offset or 0 for p in lag.partitions)


class GroupsScreen(TableScreen[LagSnapshot]):
    """All consumer groups, refreshed live; ``enter`` shows a group's partitions."""

    TITLE_CRUMB = "groups"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("group", "GROUP"),
        Column("state", "STATE"),
        Column("members", "MEMBERS", numeric=True),
        Column("partitions", "PARTS", numeric=True),
        Column("lag", "LAG", numeric=True),
        Column("max_lag", "MAX", numeric=True),
        Column("lag_s", "LAG TIME", numeric=True, render=_lag_seconds_cell),
        Column("lag_method", "HOW", render=_method_cell),
        Column("trend", "TREND", render=_trend_cell),
        Column("recent", "RECENT LAG"),
        Column("clears_in", "CLEARS IN", numeric=True, render=_duration_cell),
        Column("error", "ERROR"),
    )
    DEFAULT_SORT = ("lag", True)

    DEFAULT_CSS = """
    GroupsScreen #lag-graph-label {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    GroupsScreen #lag-graph {
        height: 2;
        margin: 0 1;
    }
    """

    def __init__(self, session: Session, history: LagHistory | None = None) -> None:
        super().__init__(session)
        self.history = history if history is not None else LagHistory()
        self.lags: dict[str, ConsumerGroupLag] = {}
        self.graph_group: str | None = None

    def compose_extra(self) -> ComposeResult:
        yield Label("lag history: move the cursor to a group", id="lag-graph-label")
        yield Sparkline([], id="lag-graph")

    def fetch(self) -> LagSnapshot:
        return self.session.now(), self.session.service.group_lags()

    def rows_from(self, data: LagSnapshot) -> list[Row]:
        at, lags = data
        self.lags = lags
        for group, lag in lags.items():
            if lag.error is None:
                self.history.record(group, LagSample(at, lag.total_lag, _committed_sum(lag)))
        self.history.forget_except(lags)
        clock = self.session.lag_clock
        clock.observe((lag for lag in lags.values() if lag.error is None), at)
        clock.forget_groups_except(lags)
        return [self._row(lag, at) for lag in lags.values()]

    def _row(self, lag: ConsumerGroupLag, now: float) -> Row:
        group = lag.group_id
        values = {
            "group": group,
            "state": lag.state.value,
            "members": lag.members,
            "partitions": len(lag.partitions),
            "lag": lag.total_lag,
            "max_lag": lag.max_lag,
            **lag_time_values(self.session.lag_clock.group_lag_time(lag, now)),
            "trend": self.history.trend(group).value,
            "recent": self.history.sparkline(group),
            "clears_in": self.history.seconds_to_clear(group),
            "error": None if lag.error is None else f"{type(lag.error).__name__}: {lag.error}",
        }
        return Row(group, values, lag)

    def data_applied(self, data: LagSnapshot) -> None:
        self._draw_graph()

    def row_highlighted(self, row: Row | None) -> None:
        self.graph_group = row.key if row is not None else None
        self._draw_graph()

    def _draw_graph(self) -> None:
        group = self.graph_group
        graph = self.query_one("#lag-graph", Sparkline)
        label = self.query_one("#lag-graph-label", Label)
        if group is None or group not in self.lags:
            graph.data = []
            return
        lags = self.history.lags(group)
        graph.data = [float(v) for v in lags]
        label.update(
            f"{group}: lag over the last {len(lags)} refreshes, "
            f"min {min(lags, default=0)} max {max(lags, default=0)} now {lags[-1] if lags else '-'}"
        )

    def open_row(self, row: Row) -> None:
        from kafka_top.screens.partitions import GroupPartitionsScreen

        self.app.push_screen(GroupPartitionsScreen(self.session, row.key))
