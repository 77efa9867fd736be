"""One dead-letter topic: its messages grouped by exception, each with its error headers; replay one,
the marked ones, or every message of one exception type, after a dry-run preview (never read-only)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from kafka_top.decode import decode_bytes, decode_headers
from kafka_top.screens.base import TableScreen
from kafka_top.screens.confirm import ConfirmDialog
from kafka_top.session import Session
from kafka_top.table import Column, Row

if TYPE_CHECKING:
    from kafka_client.resilience import DeadLetter, ReplayReport

__all__ = ["DlqEntriesScreen", "dead_letter_details"]


def dead_letter_details(entry: DeadLetter) -> str:
    """A dead letter as plain text: where it came from, why it failed, and its decoded parts."""
    key, value = decode_bytes(entry.key), decode_bytes(entry.value)
    attempts = "?" if entry.attempts is None else entry.attempts
    failed_at = entry.failed_at.isoformat() if entry.failed_at else "?"
    lines = [
        f"dlq {entry.coordinates}",
        f"original {entry.original}",
        f"exception {entry.exception_type or '?'}: {entry.exception_message or ''}",
        f"attempts {attempts} · group {entry.consumer_group or '?'} · stage {entry.stage or '?'}"
        f" · failed at {failed_at}",
    ]
    if entry.replayed_from:
        lines.append(f"replayed before from {', '.join(entry.replayed_from)}")
    lines += ["", f"key ({key.kind}):", key.text, "", f"value ({value.kind}):", value.text, ""]
    lines.append(f"headers ({len(entry.headers)}):")
    lines += [f"  {name} ({d.kind}): {d.text}" for name, d in decode_headers(entry.headers)]
    lines += ["", "error headers:"]
    lines += [f"  {name}: {d.one_line}" for name, d in decode_headers(entry.dlq_headers)]
    if entry.traceback:
        lines += ["", "traceback:", entry.traceback]
    return "\n".join(lines)


def _preview(report: ReplayReport, limit: int = 12) -> str:
    lines = [
        f"{report.count('would_replay')} would be replayed, {report.count('skipped')} skipped "
        "(dry run: nothing was written yet)",
        "",
    ]
    for action in report.actions[:limit]:
        target = (
            f"{action.target_topic}[{'any' if action.target_partition is None else action.target_partition}]"
        )
        reason = f" ({action.reason})" if action.reason else ""
        lines.append(f"• {action.entry.coordinates} → {target}: {action.status}{reason}")
    if len(report.actions) > limit:
        lines.append(f"… and {len(report.actions) - limit} more")
    return "\n".join(lines)


class DlqEntriesScreen(TableScreen[list["DeadLetter"]]):
    """``r`` replays the marked messages (or the one under the cursor); ``R`` every message with the
    cursor's exception type. Each shows the dry run first and asks before writing."""

    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("partition", "P", numeric=True),
        Column("offset", "OFFSET", numeric=True),
        Column("exception", "EXCEPTION"),
        Column("message", "MESSAGE"),
        Column("original", "ORIGINAL"),
        Column("attempts", "ATTEMPTS", numeric=True),
        Column("group", "GROUP"),
        Column("failed_at", "FAILED AT"),
        Column("value", "VALUE"),
    )
    MIN_REFRESH_S = 10.0
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "replay_selected", "Replay"),
        Binding("R", "replay_exception", "Replay type"),
    ]
    DEFAULT_CSS = """
    DlqEntriesScreen #dlq-summary, DlqEntriesScreen #dlq-message {
        height: auto;
        padding: 0 1;
    }
    DlqEntriesScreen #dlq-summary {
        text-style: bold;
    }
    DlqEntriesScreen #dlq-message.-error {
        background: $error;
        color: $text;
    }
    """

    def __init__(self, session: Session, topic: str) -> None:
        super().__init__(session, ["dlq", topic])
        self.topic = topic
        self.message = ""

    def compose_header(self) -> ComposeResult:
        yield Label("", id="dlq-summary", markup=False)
        yield Label("", id="dlq-message", markup=False)

    def fetch(self) -> list[DeadLetter]:
        return self.session.service.dlq_entries(self.topic)

    def rows_from(self, data: list[DeadLetter]) -> list[Row]:
        return [
            Row(
                f"{e.dlq_partition}/{e.dlq_offset}",
                {
                    "partition": e.dlq_partition,
                    "offset": e.dlq_offset,
                    "exception": e.exception_type,
                    "message": (e.exception_message or "")[:80] or None,
                    "original": e.original,
                    "attempts": e.attempts,
                    "group": e.consumer_group,
                    "failed_at": e.failed_at.isoformat(timespec="seconds") if e.failed_at else None,
                    "value": decode_bytes(e.value).short(50),
                },
                e,
            )
            for e in data
        ]

    def data_applied(self, data: list[DeadLetter]) -> None:
        counts = Counter(e.exception_type or "?" for e in data)
        groups = " · ".join(f"{kind} {n}" for kind, n in counts.most_common())
        self.query_one("#dlq-summary", Label).update(f"{len(data)} messages by exception: {groups or 'none'}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action.startswith("replay") and self.session.read_only)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message = text
        label = self.query_one("#dlq-message", Label)
        label.update(text)
        label.set_class(error, "-error")
        self.notify(text, severity="error" if error else "information", title="DLQ")

    def open_row(self, row: Row) -> None:
        from kafka_top.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(f"{self.topic} [{row.key}]", dead_letter_details(row.payload)))

    # --- replay: a dry run, a confirmation, then the writes -------------------------------------------

    def action_replay_selected(self) -> None:
        self._start_replay([r.payload for r in self.selected_rows()])

    def action_replay_exception(self) -> None:
        row = self.cursor_row()
        if row is None:
            return
        kind = row.payload.exception_type
        self._start_replay([r.payload for r in self.rows if r.payload.exception_type == kind])

    def _start_replay(self, entries: Sequence[DeadLetter]) -> None:
        if self.session.read_only:
            return
        if not entries:
            self.show_message("nothing selected: move the cursor to a message, or mark several with space")
            return
        self._replay(list(entries), True)

    @work(thread=True, group="replay", exit_on_error=False)
    def _replay(self, entries: list[DeadLetter], dry_run: bool) -> None:
        try:
            report = self.session.service.dlq_replay(self.topic, entries, dry_run=dry_run)
        except Exception as exc:
            self.app.call_from_thread(
                self.show_message, f"replay failed: {type(exc).__name__}: {exc}", error=True
            )
            return
        self.app.call_from_thread(self._replayed, entries, report)

    def _replayed(self, entries: list[DeadLetter], report: ReplayReport) -> None:
        if report.dry_run:
            if not report.count("would_replay"):
                self.show_message(_preview(report), error=True)
                return
            self.app.push_screen(
                ConfirmDialog(
                    f"Replay {report.count('would_replay')} of {len(entries)} messages from {self.topic}?",
                    _preview(report),
                    confirm_label="Replay",
                    danger=True,
                ),
                partial(self._confirmed, entries),
            )
            return
        failed = report.count("failed") + report.count("skipped")
        self.marked.clear()
        self.show_message(
            f"replayed {report.count('replayed')} messages, {failed} skipped or failed", error=failed > 0
        )
        self.action_refresh()

    def _confirmed(self, entries: list[DeadLetter], yes: bool | None) -> None:
        if yes:
            self._replay(entries, False)
