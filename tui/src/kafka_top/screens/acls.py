"""ACLs: every binding the cluster holds; create and delete them after a confirmation (not read-only)."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from kafka_client import AuthorizationError, KafkaClientError
from kafka_client.admin import AclBinding
from kafka_top.screens.base import TableScreen
from kafka_top.screens.confirm import ConfirmDialog
from kafka_top.session import Session
from kafka_top.table import Column, Row

__all__ = ["AclsScreen", "describe_binding"]

MUTATING_ACTIONS = frozenset({"create_acl", "delete_acls"})


def describe_binding(binding: AclBinding) -> str:
    """``ALLOW User:alice READ on TOPIC orders (LITERAL) from *``, as an operator reads it."""
    return (
        f"{binding.permission.value} {binding.principal} {binding.operation.value} on "
        f"{binding.resource_type.value} {binding.resource_name} ({binding.pattern_type.value}) "
        f"from {binding.host}"
    )


def _key(binding: AclBinding) -> str:
    return "|".join(
        (
            binding.principal,
            binding.permission.value,
            binding.operation.value,
            binding.resource_type.value,
            binding.resource_name,
            binding.pattern_type.value,
            binding.host,
        )
    )


class AclsScreen(TableScreen[list[AclBinding]]):
    """``:acls``: filter with ``/`` (``/principal=User:alice``, ``/operation=READ``, ``/orders``);
    ``c`` creates, ``ctrl+d`` deletes the marked rows (or the one under the cursor)."""

    TITLE_CRUMB = "acls"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("principal", "PRINCIPAL"),
        Column("permission", "PERMISSION"),
        Column("operation", "OPERATION"),
        Column("resource_type", "RESOURCE TYPE"),
        Column("resource_name", "RESOURCE"),
        Column("pattern_type", "PATTERN"),
        Column("host", "HOST"),
    )
    DEFAULT_SORT = ("principal", False)
    MIN_REFRESH_S = 10.0
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "create_acl", "Create"),
        Binding("ctrl+d", "delete_acls", "Delete"),
    ]
    DEFAULT_CSS = """
    AclsScreen #acl-message {
        height: auto;
        padding: 0 1;
        display: none;
    }
    AclsScreen #acl-message.-shown {
        display: block;
    }
    AclsScreen #acl-message.-error {
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.message = ""

    def compose_header(self) -> ComposeResult:
        yield Label("", id="acl-message", markup=False)

    def fetch(self) -> list[AclBinding]:
        return self.session.service.acls()

    def rows_from(self, data: list[AclBinding]) -> list[Row]:
        return [
            Row(
                _key(b),
                {
                    "principal": b.principal,
                    "permission": b.permission.value,
                    "operation": b.operation.value,
                    "resource_type": b.resource_type.value,
                    "resource_name": b.resource_name,
                    "pattern_type": b.pattern_type.value,
                    "host": b.host,
                },
                b,
            )
            for b in data
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only mode removes creating and deleting (hidden from the footer and help, and inert)."""
        return not (action in MUTATING_ACTIONS and self.session.read_only)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A message above the table (and a notification): what happened to the last change."""
        self.message = text
        label = self.query_one("#acl-message", Label)
        label.update(text)
        label.set_class(bool(text), "-shown")
        label.set_class(error, "-error")
        if text:
            self.notify(text, severity="error" if error else "information", title="ACLs")

    # --- create and delete ------------------------------------------------------------------------------

    def action_create_acl(self) -> None:
        if self.session.read_only:
            return
        from kafka_top.screens.acl_form import AclForm

        def described(binding: AclBinding | None) -> None:
            if binding is None:
                return
            self.app.push_screen(
                ConfirmDialog(
                    "Create this ACL?",
                    f"{describe_binding(binding)}\n\non {self.session.context.name} "
                    f"({self.session.context.bootstrap_servers})",
                    confirm_label="Create",
                ),
                partial(self._confirmed, "create", [binding]),
            )

        self.app.push_screen(AclForm(), described)

    def action_delete_acls(self) -> None:
        if self.session.read_only:
            return
        bindings = [r.payload for r in self.selected_rows() if isinstance(r.payload, AclBinding)]
        if not bindings:
            self.show_message("no ACL selected: move the cursor to one, or mark several with space")
            return
        listing = "\n".join(f"• {describe_binding(b)}" for b in bindings)
        self.app.push_screen(
            ConfirmDialog(
                f"Delete {len(bindings)} ACL{'s' if len(bindings) != 1 else ''}?",
                f"{listing}\n\non {self.session.context.name} ({self.session.context.bootstrap_servers})",
                confirm_label="Delete",
                danger=True,
            ),
            partial(self._confirmed, "delete", bindings),
        )

    def _confirmed(self, verb: str, bindings: list[AclBinding], yes: bool | None) -> None:
        if yes:
            self._mutate(verb, bindings)

    @work(thread=True, group="mutate", exit_on_error=False)
    def _mutate(self, verb: str, bindings: list[AclBinding]) -> None:
        service = self.session.service
        try:
            if verb == "create":
                service.create_acls(bindings)
            else:
                service.delete_acls(bindings)
        except AuthorizationError as exc:
            self.app.call_from_thread(self.show_message, f"not authorized to {verb} ACLs: {exc}", error=True)
            return
        except KafkaClientError as exc:
            self.app.call_from_thread(
                self.show_message, f"could not {verb} ACLs: {type(exc).__name__}: {exc}", error=True
            )
            return
        except Exception as exc:
            self.app.call_from_thread(self.show_message, f"could not {verb} ACLs: {exc!r}", error=True)
            return
        done = "created" if verb == "create" else "deleted"
        count = len(bindings)
        self.app.call_from_thread(self._mutated, f"{done} {count} ACL{'s' if count != 1 else ''}")

    def _mutated(self, text: str) -> None:
        self.marked.clear()
        self.show_message(text)
        self.action_refresh()
