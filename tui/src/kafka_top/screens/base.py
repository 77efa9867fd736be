"""What every kafka-top screen shares: the context bar, a status line, and (for tables) live refresh
in a thread worker, the ``/`` filter, sorting, row marks and export.

A table screen implements :meth:`TableScreen.fetch` (blocking Kafka I/O, run in a worker thread) and
:meth:`TableScreen.rows_from` (pure: data to rows). A refresh that fails keeps the rows on screen and
marks them stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input
from textual.worker import get_current_worker

from kafka_top.filtering import RowFilter
from kafka_top.session import Session
from kafka_top.table import Column, Row, export_rows, render_cell, sort_rows
from kafka_top.widgets import ContextBar, FilterBar, StatusLine

__all__ = ["KafkaScreen", "TableScreen"]

DataT = TypeVar("DataT")
MARK = "●"


class KafkaScreen(Screen[None]):
    """A full screen of one context: the context bar on top, the status line and footer below."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]
    #: Shown in the context bar after the context name, and as the help screen's title.
    TITLE_CRUMB: ClassVar[str] = ""

    def __init__(self, session: Session, crumbs: Sequence[str] | None = None) -> None:
        super().__init__()
        self.session = session
        self.crumbs = list(crumbs) if crumbs is not None else [self.TITLE_CRUMB]

    def compose(self) -> ComposeResult:
        yield ContextBar(self.session, self.crumbs)
        yield from self.compose_body()
        yield StatusLine()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def action_back(self) -> None:
        """``esc``: leave a drill-down (a screen pushed over a view)."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class TableScreen(KafkaScreen, Generic[DataT]):
    """A live table: refreshed every ``session.refresh_s`` in a thread worker, filterable, sortable."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    #: (column key, descending) to sort by until the user chooses.
    DEFAULT_SORT: ClassVar[tuple[str, bool] | None] = None
    AUTO_REFRESH: ClassVar[bool] = True
    #: The shortest auto-refresh interval of this screen (heavy screens refresh less often).
    MIN_REFRESH_S: ClassVar[float] = 0.0

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "open_filter", "Filter", key_display="/"),
        Binding("space", "toggle_mark", "Mark", key_display="space"),
        Binding("s", "sort_next", "Sort"),
        Binding("S", "sort_reverse", "Reverse", show=False),
        Binding("e", "export", "Export"),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
    ]

    def __init__(self, session: Session, crumbs: Sequence[str] | None = None) -> None:
        super().__init__(session, crumbs)
        self.rows: list[Row] = []
        self.marked: set[str] = set()
        self.row_filter = RowFilter.parse("")
        default = self.DEFAULT_SORT
        self.sort_key: str | None = default[0] if default else None
        self.sort_descending = default[1] if default else False
        self.last_good: dt.datetime | None = None
        self.last_error: BaseException | None = None
        self.refreshes = 0
        self._fetching = False
        self._again = False

    # --- composition ----------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield from self.compose_header()
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield from self.compose_extra()
        yield FilterBar()

    def compose_header(self) -> ComposeResult:
        """Widgets above the table (a summary, the inputs of a query)."""
        yield from ()

    def compose_extra(self) -> ComposeResult:
        """Widgets between the table and the filter bar (a sparkline, a detail pane)."""
        yield from ()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#table", DataTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("", key="_mark", width=1)
        for column in self.COLUMNS:
            table.add_column(column.label, key=column.key)
        table.focus()
        self.action_refresh()
        if self.AUTO_REFRESH and self.session.refresh_s > 0:
            self.set_interval(max(self.session.refresh_s, self.MIN_REFRESH_S), self.action_refresh)

    # --- data ------------------------------------------------------------------------------------------

    def fetch(self) -> DataT:
        """Read the data (blocking; runs in a worker thread, never on the UI thread)."""
        raise NotImplementedError

    def rows_from(self, data: DataT) -> list[Row]:
        """Turn fetched data into rows (runs on the UI thread: keep it pure and quick)."""
        raise NotImplementedError

    def action_refresh(self) -> None:
        """Refresh now, unless a refresh is still running (refreshes never overlap)."""
        if self._fetching:
            self._again = True  # a change was just made: read once more after this refresh
            return
        self._fetching = True
        self._fetch_worker()

    @work(thread=True, exclusive=True, group="fetch", exit_on_error=False)
    def _fetch_worker(self) -> None:
        worker = get_current_worker()
        try:
            data = self.fetch()
        except Exception as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._fetch_failed, exc)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._fetch_done, data)

    def _fetch_done(self, data: DataT) -> None:
        self._fetching = False
        self._refresh_again_if_asked()
        self.refreshes += 1
        self.last_good = dt.datetime.fromtimestamp(self.session.now())
        self.last_error = None
        self.rows = self.rows_from(data)
        keys = {r.key for r in self.rows}
        self.marked &= keys
        self.render_rows()
        self.data_applied(data)

    def _fetch_failed(self, error: BaseException) -> None:
        self._fetching = False
        self._refresh_again_if_asked()
        self.refreshes += 1
        self.last_error = error
        self.status.stale(self.last_good, error)

    def _refresh_again_if_asked(self) -> None:
        if self._again:
            self._again = False
            self.action_refresh()

    def data_applied(self, data: DataT) -> None:
        """Called after new data is on screen."""

    # --- rendering ---------------------------------------------------------------------------------------

    def column(self, key: str) -> Column:
        return next(c for c in self.COLUMNS if c.key == key)

    def visible_rows(self) -> list[Row]:
        """The rows shown: filtered, then sorted."""
        rows = self.row_filter.apply(self.rows)
        if self.sort_key is not None:
            rows = sort_rows(rows, self.column(self.sort_key), self.sort_descending)
        return rows

    def render_rows(self) -> None:
        table = self.table
        current = self.cursor_row()
        rows = self.visible_rows()
        table.clear()
        for row in rows:
            cells: list[Text | str] = [MARK if row.key in self.marked else " "]
            cells.extend(render_cell(c, row.values.get(c.key)) for c in self.COLUMNS)
            table.add_row(*cells, key=row.key)
        if current is not None:
            index = next((i for i, r in enumerate(rows) if r.key == current.key), None)
            if index is not None:
                table.move_cursor(row=index, animate=False)
        self._update_status()

    def _update_status(self) -> None:
        if self.last_good is None:
            return
        shown, total = len(self.table.rows), len(self.rows)
        detail = f"{total} rows" if shown == total else f"{shown} of {total} rows"
        if self.row_filter.active:
            detail += f" · filter /{self.row_filter.text}"
        if self.marked:
            detail += f" · {len(self.marked)} marked"
        if self.sort_key is not None:
            detail += (
                f" · sorted by {self.column(self.sort_key).label} {'↓' if self.sort_descending else '↑'}"
            )
        if self.last_error is None:
            self.status.fresh(self.last_good, detail)

    def cursor_row(self) -> Row | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r.key == key), None)

    def selected_rows(self) -> list[Row]:
        """The marked rows (in table order), or else the row under the cursor."""
        if self.marked:
            return [r for r in self.visible_rows() if r.key in self.marked]
        row = self.cursor_row()
        return [row] if row is not None else []

    @on(DataTable.RowSelected, "#table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        row = next((r for r in self.rows if r.key == event.row_key.value), None)
        if row is not None:
            self.open_row(row)

    @on(DataTable.RowHighlighted, "#table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = next((r for r in self.rows if r.key == event.row_key.value), None)
        self.row_highlighted(row)

    def open_row(self, row: Row) -> None:
        """``enter`` on a row: drill down."""

    def row_highlighted(self, row: Row | None) -> None:
        """The cursor moved to ``row``."""

    @on(DataTable.HeaderSelected, "#table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key is None or key == "_mark":
            return
        if self.sort_key == key:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_key, self.sort_descending = key, self.column(key).numeric
        self.render_rows()

    # --- filter, marks, sort, export -------------------------------------------------------------------

    def apply_filter(self, text: str) -> None:
        self.row_filter = RowFilter.parse(text, self.COLUMNS)
        self.render_rows()

    def action_open_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.add_class("-open")
        bar.value = self.row_filter.text
        bar.focus()

    @on(Input.Changed, "#filter-bar")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    @on(Input.Submitted, "#filter-bar")
    def _filter_submitted(self) -> None:
        self.query_one(FilterBar).remove_class("-open")
        self.table.focus()

    def action_back(self) -> None:
        bar = self.query_one(FilterBar)
        if bar.has_class("-open"):
            bar.remove_class("-open")
            bar.value = ""  # esc in the filter bar drops the filter
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        elif self.row_filter.active:
            self.apply_filter("")

    def action_toggle_mark(self) -> None:
        row = self.cursor_row()
        if row is None:
            return
        self.marked.symmetric_difference_update({row.key})
        self.table.update_cell(row.key, "_mark", MARK if row.key in self.marked else " ")
        self.table.action_cursor_down()
        self._update_status()

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.COLUMNS]
        index = keys.index(self.sort_key) + 1 if self.sort_key in keys else 0
        self.sort_key = keys[index % len(keys)]
        self.sort_descending = self.column(self.sort_key).numeric
        self.render_rows()

    def action_sort_reverse(self) -> None:
        if self.sort_key is None:
            self.sort_key = self.COLUMNS[0].key
        self.sort_descending = not self.sort_descending
        self.render_rows()

    def default_export_path(self, suffix: str = ".csv") -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        name = "-".join(c.replace(" ", "_") for c in self.crumbs if c)
        return Path(f"kafka-top-{name}-{stamp}{suffix}")

    def export_to(self, path: str | Path) -> int:
        """Write the marked rows, or else every visible row, to ``path`` (.json or .csv); notify."""
        rows: Iterable[Row] = self.selected_rows() if self.marked else self.visible_rows()
        try:
            count = export_rows(path, self.COLUMNS, rows)
        except (OSError, ValueError) as exc:
            self.notify(f"export failed: {exc}", severity="error", title="Export")
            return 0
        self.notify(f"{count} rows written to {path}", title="Export")
        return count

    def action_export(self) -> None:
        from kafka_top.screens.text_prompt import TextPrompt

        def chosen(path: str | None) -> None:
            if path:
                self.export_to(path)

        self.app.push_screen(
            TextPrompt("Export the table to (.csv or .json):", str(self.default_export_path())), chosen
        )
