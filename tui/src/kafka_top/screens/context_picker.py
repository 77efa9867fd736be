"""``:ctx``: pick the cluster to show; production contexts are marked in red."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from kafka_top.contexts import ContextSet

__all__ = ["ContextPicker"]


class ContextPicker(ModalScreen[str | None]):
    """Answers the chosen context's name, or None on ``esc``."""

    DEFAULT_CSS = """
    ContextPicker {
        align: center middle;
    }
    ContextPicker > Vertical {
        width: 80;
        height: auto;
        max-height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ContextPicker OptionList {
        height: auto;
        max-height: 20;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, contexts: ContextSet, current: str) -> None:
        super().__init__()
        self.contexts = contexts
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for context in self.contexts.contexts:
            text = Text(f"{'▶' if context.name == self.current else ' '} {context.name:<20} ")
            text.append(context.bootstrap_servers, style="dim")
            if context.production:
                text.append("  PRODUCTION", style="bold red")
            if context.read_only:
                text.append("  read-only", style="italic")
            options.append(Option(text, id=context.name))
        with Vertical():
            yield Label("Switch context")
            yield OptionList(*options, id="context-options")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = self.contexts.names.index(self.current)
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
