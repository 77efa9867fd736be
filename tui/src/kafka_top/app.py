"""The kafka-top App: one mode per view of the current context, the ``:`` command bar, help, and quit.

Each view (groups, health, acls, topics, dlq) is a mode whose base screen is built for one context's
:class:`~kafka_top.session.Session`; switching context builds the new context's modes and drops the
old ones, so no screen ever shows one cluster's data under another's name.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kafka_top.commands import VIEWS, CommandError, parse_command
from kafka_top.contexts import ClusterContext, ContextError, ContextSet
from kafka_top.lag_seconds import LagClock
from kafka_top.screens.acls import AclsScreen
from kafka_top.screens.base import TableScreen
from kafka_top.screens.command_prompt import CommandPrompt
from kafka_top.screens.context_picker import ContextPicker
from kafka_top.screens.groups import GroupsScreen
from kafka_top.screens.health import HealthScreen
from kafka_top.screens.help import HelpEntry, HelpScreen
from kafka_top.screens.topics import TopicsScreen
from kafka_top.service import ClusterService
from kafka_top.session import Session

__all__ = ["KafkaTopApp", "ServiceFactory"]

ServiceFactory = Callable[[ClusterContext], ClusterService]
"""Builds the :class:`ClusterService` for a context; tests pass one that points at their own broker."""
ScreenFactory = Callable[[Session], Screen[None]]

VIEW_SCREENS: dict[str, ScreenFactory] = {
    "groups": GroupsScreen,
    "health": HealthScreen,
    "acls": AclsScreen,
    "topics": TopicsScreen,
}


def dlq_available() -> bool:
    """The DLQ screen needs ``kafka_client.resilience`` (the dead-letter reader)."""
    return importlib.util.find_spec("kafka_client.resilience") is not None


if dlq_available():
    from kafka_top.screens.dlq import DlqTopicsScreen

    VIEW_SCREENS["dlq"] = DlqTopicsScreen


_TEXTUAL_SCREEN_ACTIONS = frozenset(b.action if isinstance(b, Binding) else b[1] for b in Screen.BINDINGS)


def _default_service(context: ClusterContext) -> ClusterService:
    return ClusterService(context.settings)


class KafkaTopApp(App[None]):
    """kafka-top. ``KafkaTopApp(ContextSet.single(settings)).run()``; tests pass ``service_factory`` (and
    ``clock``, the wall clock every time on screen comes from); ``notice`` is shown once at start."""

    CSS_PATH = "kafka_top.tcss"
    TITLE = "kafka-top"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("colon", "command", "Command", key_display=":"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        contexts: ContextSet,
        *,
        read_only: bool = False,
        refresh_s: float = 2.0,
        service_factory: ServiceFactory | None = None,
        clock: Callable[[], float] = time.time,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.notice = notice
        self.contexts = contexts
        self.force_read_only = read_only
        self.refresh_s = refresh_s
        self.service_factory = service_factory or _default_service
        self.session: Session | None = None
        self.views: dict[str, ScreenFactory] = dict(VIEW_SCREENS)
        self._modes_of_session: list[str] = []
        self._generation = 0

    # --- contexts and views ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.use_context(self.contexts.current)
        if self.notice:
            self.notify(self.notice, title="kafka-top", timeout=15)

    @property
    def view(self) -> str:
        """The view (groups, health, ...) on screen."""
        return self.current_mode.split("@", 1)[0]

    def use_context(self, name: str, view: str = "groups") -> None:
        """Show context ``name`` (a fresh connection and fresh screens), on ``view``."""
        context = self.contexts.get(name)
        old_session, old_modes = self.session, self._modes_of_session
        self._generation += 1
        session = Session(
            context,
            self.service_factory(context),
            read_only=self.force_read_only or context.read_only,
            refresh_s=self.refresh_s,
            lag_clock=LagClock(clock=self.clock),
        )
        modes = []
        for view_name, factory in self.views.items():
            mode = f"{view_name}@{name}#{self._generation}"
            self.add_mode(mode, partial(factory, session))
            modes.append(mode)
        self.session, self._modes_of_session = session, modes
        self.sub_title = f"{context.name} · {context.bootstrap_servers}"
        self.switch_mode(self._mode_of(view))
        for mode in old_modes:
            self.remove_mode(mode)
        if old_session is not None:
            old_session.service.close()

    def _mode_of(self, view: str) -> str:
        return next(m for m in self._modes_of_session if m.split("@", 1)[0] == view)

    def show_view(self, view: str, filter_text: str | None = None) -> None:
        if view not in self.views:
            if view == "dlq":
                self.notify(
                    "the DLQ screen needs kafka_client.resilience, which this installation does not have",
                    severity="warning",
                    title=":dlq",
                )
                return
            self.notify(f"no view {view!r}", severity="error")
            return
        self.switch_mode(self._mode_of(view))
        if filter_text is not None:
            self.call_after_refresh(self._filter_current, filter_text)

    def _filter_current(self, text: str) -> None:
        screen = self.screen
        if isinstance(screen, TableScreen):
            screen.apply_filter(text)

    # --- the command bar --------------------------------------------------------------------------------

    def action_command(self) -> None:
        self.push_screen(CommandPrompt(), self.run_command)

    def run_command(self, text: str | None) -> None:
        """Run one ``:`` command line (without the colon)."""
        if not text:
            return
        try:
            command = parse_command(text)
        except CommandError as exc:
            self.notify(str(exc), severity="error", title="Command")
            return
        try:
            if command.context is not None and (
                self.session is None or command.context != self.session.context.name
            ):
                view = command.name if command.name in VIEWS else self.view
                self.use_context(command.context, view if view in self.views else "groups")
        except ContextError as exc:
            self.notify(str(exc), severity="error", title="Context")
            return
        if command.name in VIEWS:
            self.show_view(command.name, command.filter)
        elif command.name == "ctx":
            self._switch_context(command.args[0] if command.args else None)
        elif command.name == "export":
            self._export(command.args[0] if command.args else None)
        elif command.name == "help":
            self.action_help()
        elif command.name == "quit":
            self.exit()

    def _switch_context(self, name: str | None) -> None:
        current = self.session.context.name if self.session else self.contexts.current

        def chosen(choice: str | None) -> None:
            if choice is not None and choice != current:
                try:
                    self.use_context(choice, self.view if self.view in self.views else "groups")
                except ContextError as exc:
                    self.notify(str(exc), severity="error", title="Context")

        if name is None:
            self.push_screen(ContextPicker(self.contexts, current), chosen)
        else:
            chosen(name)

    def _export(self, path: str | None) -> None:
        screen = self.screen
        if not isinstance(screen, TableScreen):
            self.notify("this screen has no table to export", severity="warning")
        elif path is None:
            screen.action_export()
        else:
            screen.export_to(path)

    # --- help and quit ----------------------------------------------------------------------------------

    def help_entries(self) -> list[HelpEntry]:
        """The keys active on the current screen: its own, then the general ones."""
        entries: list[HelpEntry] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.system:
                continue
            if active.node is not self and not isinstance(active.node, Screen):
                continue  # a widget's own keys (scrolling, focus) are the same everywhere
            if binding.action in _TEXTUAL_SCREEN_ACTIONS:
                continue
            section = "General" if active.node is self else "This screen"
            shown = binding.key_display or self.get_key_display(binding)
            entries.append((section, shown or key, binding.description))
        entries.sort(key=lambda e: e[0] == "General")
        entries.append(("Navigation", "enter", "drill down / open the row"))
        entries.append(("Navigation", "↑ ↓ pgup pgdn", "move; click a header to sort by it"))
        return entries

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        title = " ▸ ".join(getattr(self.screen, "crumbs", [self.view]))
        self.push_screen(HelpScreen(title, self.help_entries()))

    async def action_quit(self) -> None:
        if self.session is not None:
            self.session.service.close()
        self.exit()
