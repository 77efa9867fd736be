"""The line above the footer: when the data was read, or since when it is stale and why."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

__all__ = ["StatusLine"]


def _clock(at: dt.datetime) -> str:
    return at.strftime("%H:%M:%S")


class StatusLine(Static):
    """``42 rows · updated 03:12:09`` or, after a failed refresh, ``stale since 03:12:09 · <error>``."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    StatusLine.-stale {
        background: $warning;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__("loading…", id="status-line", markup=False)
        self.stale_since: dt.datetime | None = None

    def show_loading(self, what: str = "loading…") -> None:
        self.update(what)

    def fresh(self, at: dt.datetime, detail: str) -> None:
        self.stale_since = None
        self.remove_class("-stale")
        self.update(f"{detail} · updated {_clock(at)}")

    def stale(self, last_good: dt.datetime | None, error: BaseException) -> None:
        """Keep the data on screen and say how old it is; ``last_good`` None: nothing was ever read."""
        self.add_class("-stale")
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:160]
        if last_good is None:
            self.update(f"no data yet · refresh failed · {reason}")
            return
        self.stale_since = last_good
        self.update(f"stale since {_clock(last_good)} · refresh failed · {reason}")
