"""The form that describes a new ACL binding; it answers the binding, or None when cancelled."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from kafka_client.admin import AclBinding, AclOperation, AclPermission, PatternType, ResourceType

__all__ = ["AclForm"]

_FILTER_ONLY = {"ANY", "MATCH", "UNKNOWN"}


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in values if v not in _FILTER_ONLY]


class AclForm(ModalScreen[AclBinding | None]):
    """Principal, resource (type, name, pattern), operation, permission and host of a new ACL."""

    DEFAULT_CSS = """
    AclForm {
        align: center middle;
    }
    AclForm > Vertical {
        width: 80;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    AclForm Grid {
        grid-size: 2;
        grid-columns: 16 1fr;
        grid-rows: auto;
        height: auto;
    }
    AclForm Grid Label {
        padding: 1 0 0 0;
    }
    AclForm #acl-form-error {
        color: $error;
        height: auto;
    }
    AclForm Horizontal {
        height: auto;
        align: right middle;
    }
    AclForm Button {
        margin-left: 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New ACL", id="acl-form-title")
            with Grid():
                yield Label("Principal")
                yield Input(placeholder="User:alice", id="acl-principal")
                yield Label("Resource type")
                yield Select(
                    _choices([r.value for r in ResourceType]),
                    value=ResourceType.TOPIC.value,
                    allow_blank=False,
                    id="acl-resource-type",
                )
                yield Label("Resource name")
                yield Input(
                    placeholder="orders (kafka-cluster for CLUSTER, * for all)", id="acl-resource-name"
                )
                yield Label("Pattern")
                yield Select(
                    _choices([p.value for p in PatternType]),
                    value=PatternType.LITERAL.value,
                    allow_blank=False,
                    id="acl-pattern",
                )
                yield Label("Operation")
                yield Select(
                    _choices([o.value for o in AclOperation]),
                    value=AclOperation.READ.value,
                    allow_blank=False,
                    id="acl-operation",
                )
                yield Label("Permission")
                yield Select(
                    _choices([p.value for p in AclPermission]),
                    value=AclPermission.ALLOW.value,
                    allow_blank=False,
                    id="acl-permission",
                )
                yield Label("Host")
                yield Input("*", id="acl-host")
            yield Label("", id="acl-form-error")
            with Horizontal():
                yield Button("Create…", variant="primary", id="acl-create")
                yield Button("Cancel", id="acl-cancel")

    def on_mount(self) -> None:
        self.query_one("#acl-principal", Input).focus()

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _choice(self, widget_id: str) -> str:
        return str(self.query_one(f"#{widget_id}", Select).value)

    def binding(self) -> AclBinding:
        """The binding the form describes; raises ``ValueError`` saying what is missing or wrong."""
        principal, name = self._text("acl-principal"), self._text("acl-resource-name")
        if ":" not in principal:
            raise ValueError("the principal needs a type: User:alice")
        if not name:
            raise ValueError("name the resource (kafka-cluster for CLUSTER)")
        return AclBinding(
            resource_type=self._choice("acl-resource-type"),  # type: ignore[arg-type]
            resource_name=name,
            principal=principal,
            operation=self._choice("acl-operation"),  # type: ignore[arg-type]
            permission=self._choice("acl-permission"),  # type: ignore[arg-type]
            host=self._text("acl-host") or "*",
            pattern_type=self._choice("acl-pattern"),  # type: ignore[arg-type]
        )

    @on(Button.Pressed, "#acl-create")
    @on(Input.Submitted)
    def _create(self) -> None:
        try:
            binding = self.binding()
        except ValueError as exc:
            self.query_one("#acl-form-error", Label).update(str(exc))
            return
        self.dismiss(binding)

    @on(Button.Pressed, "#acl-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
