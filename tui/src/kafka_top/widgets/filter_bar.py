"""The ``/`` filter input: hidden until asked for, filters the table as you type."""

from __future__ import annotations

from textual.widgets import Input

__all__ = ["FilterBar"]


class FilterBar(Input):
    """A one-line filter under the table (``!`` inverts; ``col>n`` compares one column)."""

    DEFAULT_CSS = """
    FilterBar {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    FilterBar.-open {
        display: block;
    }
    """

    def __init__(self) -> None:
        super().__init__(placeholder="/filter  (!text inverts, lag>100, state=Empty)", id="filter-bar")
        self.compact = True
