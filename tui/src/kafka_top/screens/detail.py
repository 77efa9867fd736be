"""A scrollable text pane over the current screen: a message's decoded parts, a check's numbers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

__all__ = ["DetailScreen"]


class DetailScreen(ModalScreen[None]):
    """Plain text (never markup: record bytes are shown as they are); ``esc`` or ``q`` closes it."""

    DEFAULT_CSS = """
    DetailScreen {
        align: center middle;
    }
    DetailScreen > VerticalScroll {
        width: 90%;
        height: 85%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    DetailScreen #detail-title {
        text-style: bold;
        margin-bottom: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(self.title_text, id="detail-title", markup=False)
            yield Static(self.body, id="detail-body", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
