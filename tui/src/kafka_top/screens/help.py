"""``?``: the keys of the screen you are on, the general keys, the commands and the filter grammar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kafka_top.commands import ALIASES

__all__ = ["HelpEntry", "HelpScreen"]

HelpEntry = tuple[str, str, str]
"""One line of the help screen: (section, key, description)."""

_FILTER_HELP = (
    "/text      rows containing text (a case-insensitive regex) in any column\n"
    "/!text     every row NOT containing text\n"
    "/lag>100   compare one column: = != > >= < <= (numbers as numbers)\n"
    "esc        in the filter bar: drop the filter"
)


class HelpScreen(ModalScreen[None]):
    """Built from the bindings active on the screen underneath, so it never disagrees with the footer."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 84;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen .help-section {
        text-style: bold;
        color: $accent;
        margin-top: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, title: str, entries: Sequence[HelpEntry]) -> None:
        super().__init__()
        self.title_text = title
        self.entries = list(entries)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(f"kafka-top help · {self.title_text}", id="help-title")
            for section in dict.fromkeys(s for s, _, _ in self.entries):
                yield Label(section, classes="help-section")
                lines = [f"{key:<12} {text}" for s, key, text in self.entries if s == section]
                yield Static("\n".join(lines), markup=False)
            yield Label("Commands (:)", classes="help-section")
            commands = [
                f":{name:<11} {', '.join(':' + a for a in aliases[1:])}" for name, aliases in ALIASES.items()
            ]
            commands.append("            :g /text filters the view; :topics @ctx switches context first")
            yield Static("\n".join(commands), markup=False)
            yield Label("Filter (/)", classes="help-section")
            yield Static(_FILTER_HELP, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
