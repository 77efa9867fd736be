"""``kafka-client acls list|create|delete``: the cluster's ACLs from the shell, over ``kafka_client.admin``.

Exit codes follow the CLI convention: 0 ok, 1 the check failed (the cluster cannot be reached, the
caller may not manage ACLs, ``delete`` matched nothing), 2 usage error (a bad value, an empty filter
for ``delete`` without ``--all``, an invalid configuration).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kafka_client.cli.dlq_cmd import _connection_options, _handled

__all__ = ["acls_group"]

F = TypeVar("F", bound=Callable[..., Any])


def _filter_options(fn: F) -> F:
    fn = click.option("--principal", metavar="User:NAME", help="Only this principal (e.g. User:alice).")(fn)
    fn = click.option("--resource-type", metavar="TYPE", help="TOPIC, GROUP, CLUSTER or TRANSACTIONAL_ID.")(
        fn
    )
    fn = click.option("--resource-name", metavar="NAME", help="The topic, group, ... name ('*': any).")(fn)
    fn = click.option(
        "--operation",
        "operations",
        multiple=True,
        metavar="OP",
        help="READ, WRITE, DESCRIBE, ... (repeatable).",
    )(fn)
    fn = click.option("--permission", metavar="ALLOW|DENY", help="Only ALLOW or DENY bindings.")(fn)
    fn = click.option("--pattern-type", metavar="TYPE", help="LITERAL, PREFIXED (filters: ANY, MATCH too).")(
        fn
    )
    fn = click.option("--host", metavar="HOST", help="The client host the binding applies to ('*': any).")(fn)
    return fn


def _admin(files: tuple[Path, ...], bootstrap_servers: str | None, timeout: float) -> Any:
    from kafka_client._settings_input import resolve_settings
    from kafka_client.admin import KafkaAdmin

    overrides: dict[str, Any] = {}
    if bootstrap_servers:
        overrides["bootstrap_servers"] = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]
    return KafkaAdmin(resolve_settings(None, overrides, files), timeout=timeout)


def _as_dict(binding: Any) -> dict[str, str]:
    return {
        "principal": binding.principal,
        "permission": binding.permission.value,
        "operation": binding.operation.value,
        "resource_type": binding.resource_type.value,
        "resource_name": binding.resource_name,
        "pattern_type": binding.pattern_type.value,
        "host": binding.host,
    }


def _print(bindings: list[Any], as_json: bool, summary: str) -> None:
    rows = [_as_dict(b) for b in bindings]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if rows:
        click.echo(f"{'PRINCIPAL':24} {'PERMISSION':10} {'OPERATION':16} {'RESOURCE':40} {'PATTERN':9} HOST")
        for r in rows:
            resource = f"{r['resource_type']}:{r['resource_name']}"
            click.echo(
                f"{r['principal']:24} {r['permission']:10} {r['operation']:16} {resource:40} "
                f"{r['pattern_type']:9} {r['host']}"
            )
    click.echo(summary)


def _filters(operations: tuple[str, ...], **fields: Any) -> list[Any]:
    from kafka_client.admin import AclBindingFilter

    given = {k: v for k, v in fields.items() if v is not None}
    try:
        return [AclBindingFilter(**given, operation=op) for op in operations] or [  # type: ignore[arg-type]
            AclBindingFilter(**given)
        ]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group("acls")
def acls_group() -> None:
    """List, create and delete the cluster's ACLs (the StandardAuthorizer's, or any authorizer's).

    Connect as a principal allowed to manage ACLs (ALTER on the cluster), e.g. with --config FILE
    holding SASL or TLS settings.
    """


@acls_group.command("list")
@_filter_options
@_connection_options
@_handled
def list_command(
    principal: str | None,
    resource_type: str | None,
    resource_name: str | None,
    operations: tuple[str, ...],
    permission: str | None,
    pattern_type: str | None,
    host: str | None,
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    as_json: bool,
    timeout: float,
) -> None:
    """The ACL bindings matching the filters (default: all of them)."""
    filters = _filters(
        operations,
        principal=principal,
        resource_type=resource_type,
        resource_name=resource_name,
        permission=permission,
        pattern_type=pattern_type,
        host=host,
    )
    with _admin(files, bootstrap_servers, timeout) as admin:
        found = {b: None for f in filters for b in admin.describe_acls(f)}
    bindings = sorted(found, key=lambda b: (b.principal, b.resource_type, b.resource_name, b.operation))
    _print(bindings, as_json, f"{len(bindings)} ACL binding(s)")


@acls_group.command("create")
@click.option("--principal", required=True, metavar="User:NAME", help="Who the binding is for.")
@click.option(
    "--resource-type", required=True, metavar="TYPE", help="TOPIC, GROUP, CLUSTER or TRANSACTIONAL_ID."
)
@click.option(
    "--resource-name", required=True, metavar="NAME", help="The name ('*': every one; kafka-cluster)."
)
@click.option("--operation", "operations", required=True, multiple=True, metavar="OP", help="Repeatable.")
@click.option("--deny", is_flag=True, help="A DENY binding (default: ALLOW).")
@click.option("--prefixed", is_flag=True, help="The name is a prefix (default: the exact name).")
@click.option("--host", default="*", show_default=True, help="The client host the binding applies to.")
@_connection_options
@_handled
def create_command(
    principal: str,
    resource_type: str,
    resource_name: str,
    operations: tuple[str, ...],
    deny: bool,
    prefixed: bool,
    host: str,
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    as_json: bool,
    timeout: float,
) -> None:
    """Create one binding per --operation (creating an existing binding is a no-op, as in Kafka)."""
    from kafka_client.admin import AclBinding

    try:
        bindings = [
            AclBinding(
                resource_type,  # type: ignore[arg-type]
                resource_name,
                principal,
                op,  # type: ignore[arg-type]
                permission="DENY" if deny else "ALLOW",  # type: ignore[arg-type]
                host=host,
                pattern_type="PREFIXED" if prefixed else "LITERAL",  # type: ignore[arg-type]
            )
            for op in operations
        ]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with _admin(files, bootstrap_servers, timeout) as admin:
        admin.create_acls(bindings)
    _print(bindings, as_json, f"created {len(bindings)} ACL binding(s)")


@acls_group.command("delete")
@_filter_options
@click.option("--all", "delete_all", is_flag=True, help="Allow an empty filter: delete EVERY binding.")
@_connection_options
@_handled
def delete_command(
    principal: str | None,
    resource_type: str | None,
    resource_name: str | None,
    operations: tuple[str, ...],
    permission: str | None,
    pattern_type: str | None,
    host: str | None,
    delete_all: bool,
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    as_json: bool,
    timeout: float,
) -> None:
    """Delete the bindings matching the filters; print what was deleted (exit 1 if nothing matched)."""
    fields = {
        "principal": principal,
        "resource_type": resource_type,
        "resource_name": resource_name,
        "permission": permission,
        "pattern_type": pattern_type,
        "host": host,
    }
    if not operations and all(v is None for v in fields.values()) and not delete_all:
        raise click.UsageError("give at least one filter (--principal, --resource-name, ...) or --all")
    filters = _filters(operations, **fields)
    with _admin(files, bootstrap_servers, timeout) as admin:
        deleted = admin.delete_acls(filters)
    _print(deleted, as_json, f"deleted {len(deleted)} ACL binding(s)")
    if not deleted:
        raise SystemExit(1)
