"""The top line: which cluster this is (production in red), read-only mode, and where you are."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from kafka_top.session import Session

__all__ = ["ContextBar"]


class ContextBar(Static):
    """``kafka-top ▸ prod-eu (broker:9092) PRODUCTION READ-ONLY ▸ groups ▸ billing``."""

    DEFAULT_CSS = """
    ContextBar {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    ContextBar.-production {
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, session: Session, crumbs: Sequence[str]) -> None:
        super().__init__(self.describe(session, crumbs), id="context-bar")
        self.set_class(session.context.production, "-production")

    @staticmethod
    def describe(session: Session, crumbs: Sequence[str]) -> Text:
        context = session.context
        text = Text()
        text.append("kafka-top", style="bold")
        text.append(f" ▸ {context.name} ({context.bootstrap_servers})")
        if context.production:
            text.append("  PRODUCTION", style="bold reverse")
        if session.read_only:
            text.append("  READ-ONLY", style="bold")
        for crumb in crumbs:
            text.append(f" ▸ {crumb}")
        return text
