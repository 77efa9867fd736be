"""One group's partitions: committed offset, log end, lag in messages and seconds, when the commit last
moved, and the member (and host) that owns each."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label

from kafka_client.admin import ConsumerGroupLag, PartitionLag
from kafka_top.lag_seconds import method_of
from kafka_top.screens.base import TableScreen
from kafka_top.screens.groups import format_duration, format_lag_seconds
from kafka_top.session import Session
from kafka_top.table import Column, Row

__all__ = ["AtLeast", "GroupPartitionsScreen"]

PartitionsSnapshot = tuple[float, ConsumerGroupLag]


class AtLeast(float):
    """An age known only as a lower bound: the commit has not moved since kafka-top started watching."""


def _lag_seconds_cell(value: object) -> Text:
    return Text(format_lag_seconds(value if isinstance(value, int | float) else None), justify="right")


def _commit_age_cell(value: object) -> Text:
    if not isinstance(value, int | float):
        return Text("-", justify="right")
    text = f"{format_duration(value)} ago"
    return Text(f">{text}" if isinstance(value, AtLeast) else text, justify="right")


class GroupPartitionsScreen(TableScreen[PartitionsSnapshot]):
    """The drill-down of a group (``enter`` on the groups screen); ``esc`` goes back.

    LAG TIME is exact (``exact``) when the commit's metadata carries the processed record's timestamp,
    else estimated from sampled offsets (``est.``); LAST COMMIT is when kafka-top saw the committed
    offset move (``>2m ago``: not since it started watching), as precise as the refresh interval.
    """

    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("topic", "TOPIC"),
        Column("partition", "PARTITION", numeric=True),
        Column("committed", "COMMITTED", numeric=True),
        Column("log_end", "LOG-END", numeric=True),
        Column("lag", "LAG", numeric=True),
        Column("lag_s", "LAG TIME", numeric=True, render=_lag_seconds_cell),
        Column("lag_method", "HOW"),
        Column("last_commit", "LAST COMMIT", numeric=True, render=_commit_age_cell),
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

    def fetch(self) -> PartitionsSnapshot:
        return self.session.now(), self.session.service.group_lag(self.group_id)

    def rows_from(self, data: PartitionsSnapshot) -> list[Row]:
        now, lag = data
        self.lag = lag
        if lag.error is not None:
            self.notify(f"{type(lag.error).__name__}: {lag.error}", severity="warning", title=self.group_id)
        else:
            self.session.lag_clock.observe([lag], now)
        return [self._row(p, now) for p in lag.partitions]

    def _row(self, p: PartitionLag, now: float) -> Row:
        clock = self.session.lag_clock
        lag_time = clock.partition_lag_time(p, now)
        seen = clock.commit_seen(self.group_id, p.topic, p.partition)
        age: float | None = None
        if seen is not None:
            seconds, lower_bound = seen.age(now)
            age = AtLeast(round(seconds, 1)) if lower_bound else round(seconds, 1)
        return Row(
            f"{p.topic}/{p.partition}",
            {
                "topic": p.topic,
                "partition": p.partition,
                "committed": p.committed_offset,
                "log_end": p.log_end_offset,
                "lag": p.lag,
                "lag_s": None if lag_time is None else round(lag_time.seconds, 1),
                "lag_method": None if lag_time is None else method_of(lag_time).value,
                "last_commit": age,
                "member": p.member_id,
                "client": p.client_id,
                "host": p.host,
                "earliest": p.earliest_offset,
                "below_earliest": "LOST" if p.committed_below_earliest else None,
            },
            p,
        )

    def compose_extra(self) -> ComposeResult:
        yield Label("", id="group-summary")

    def data_applied(self, data: PartitionsSnapshot) -> None:
        now, lag = data
        lag_time = self.session.lag_clock.group_lag_time(lag, now)
        behind = ""
        if lag_time.seconds is not None and lag_time.method is not None:
            behind = f" · {format_lag_seconds(lag_time.seconds)} behind ({lag_time.method.value})"
        self.query_one("#group-summary", Label).update(
            f"{self.group_id}: {lag.state} · {lag.members} members · {len(lag.partitions)} partitions · "
            f"total lag {lag.total_lag} · max {lag.max_lag}{behind}"
        )
