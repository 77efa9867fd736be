"""The ``:`` command bar."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input

from kafka_top.commands import ALIASES

__all__ = ["CommandPrompt"]


class CommandPrompt(ModalScreen[str | None]):
    """The ``:`` command bar at the bottom, suggesting command names as you type."""

    DEFAULT_CSS = """
    CommandPrompt {
        align: left bottom;
        background: $background 0%;
    }
    CommandPrompt > Input {
        dock: bottom;
        width: 100%;
        margin-bottom: 1;
        border: tall $accent;
        background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        names = sorted({alias for aliases in ALIASES.values() for alias in aliases if len(alias) > 1})
        yield Input(
            placeholder=":groups  :health  :acls  :topics  :dlq  :ctx NAME  :export FILE  :q",
            suggester=SuggestFromList(names, case_sensitive=False),
            id="command-input",
        )

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip().removeprefix(":") or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
