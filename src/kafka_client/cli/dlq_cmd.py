"""``kafka-client dlq list|show|replay``: look into a dead-letter topic and replay it, from the shell.

Exit codes follow the CLI convention: 0 ok, 1 the check failed (``show``: no dead letter at that
offset; ``replay``: an entry was skipped as a loop or its write failed; any command: the topic does not
exist or the cluster cannot be read), 2 usage error (bad options, an invalid configuration).
``replay`` is a dry run unless ``--execute`` is given.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kafka_client.errors import (
    ConfigError,
    FeatureNotSupportedError,
    KafkaClientError,
    MissingDependencyError,
)

__all__ = ["dlq_group"]

F = TypeVar("F", bound=Callable[..., Any])


def _connection_options(fn: F) -> F:
    fn = click.option(
        "--config",
        "files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Configuration file (repeatable; merged in order, KAFKA_CLIENT_* env vars win).",
    )(fn)
    fn = click.option("--bootstrap-servers", metavar="HOST:PORT[,...]", help="The cluster to read.")(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")(fn)
    fn = click.option(
        "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds per read."
    )(fn)
    return fn


def _filter_options(fn: F) -> F:
    fn = click.option(
        "--partition", "partitions", multiple=True, type=click.IntRange(min=0), help="Only this partition."
    )(fn)
    fn = click.option("--from-offset", type=click.IntRange(min=0), help="First offset (inclusive).")(fn)
    fn = click.option("--to-offset", type=click.IntRange(min=0), help="Last offset (inclusive).")(fn)
    fn = click.option(
        "--exception-type", metavar="TYPE", help="Only this exception type (full or last dotted part)."
    )(fn)
    return fn


def _handled(fn: F) -> F:
    """Configuration problems exit 2; cluster and topic problems exit 1, each with a one-line reason."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"{exc}\nhint: give --bootstrap-servers HOST:PORT or --config FILE", err=True)
            raise SystemExit(2) from None
        except (MissingDependencyError, FeatureNotSupportedError) as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(2) from None
        except KafkaClientError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(1) from None

    return wrapper  # type: ignore[return-value]


def _reader(files: tuple[Path, ...], bootstrap_servers: str | None, topic: str, timeout: float) -> Any:
    from kafka_client._settings_input import resolve_settings
    from kafka_client.resilience import DeadLetterReader

    overrides: dict[str, Any] = {}
    if bootstrap_servers:
        overrides["bootstrap_servers"] = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]
    return DeadLetterReader(resolve_settings(None, overrides, files), topic, timeout_s=timeout)


def _filters(
    partitions: tuple[int, ...], from_offset: int | None, to_offset: int | None, exception_type: str | None
) -> dict[str, Any]:
    if from_offset is not None and to_offset is not None and to_offset < from_offset:
        raise click.UsageError("--to-offset is before --from-offset")
    return {
        "partitions": partitions or None,
        "from_offset": from_offset,
        "to_offset": to_offset,
        "exception_type": exception_type,
    }


def _one_line(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


@click.group("dlq")
def dlq_group() -> None:
    """Inspect and replay dead-letter topics (what DeadLetterQueue wrote: the original bytes plus
    kafka-client-dlq-* headers saying where each message came from and why it failed)."""


@dlq_group.command("list")
@click.argument("topic")
@_connection_options
@_filter_options
@click.option("--by-exception", is_flag=True, help="Only count the entries per exception type.")
@_handled
def list_command(
    topic: str,
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    as_json: bool,
    timeout: float,
    partitions: tuple[int, ...],
    from_offset: int | None,
    to_offset: int | None,
    exception_type: str | None,
    by_exception: bool,
) -> None:
    """List the dead letters in TOPIC (one line each, or --json), or count them --by-exception."""
    with _reader(files, bootstrap_servers, topic, timeout) as reader:
        entries = reader.list_entries(**_filters(partitions, from_offset, to_offset, exception_type))
        if by_exception:
            groups = reader.group_by_exception(entries)
            if as_json:
                click.echo(json.dumps({kind: len(items) for kind, items in groups.items()}, indent=2))
            else:
                for kind, items in groups.items():
                    click.echo(f"{len(items):>8}  {kind}")
                click.echo(f"{len(entries):>8}  in all")
            return
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], indent=2))
        return
    if not entries:
        click.echo(f"no dead letters in {topic} (in the range asked)")
        return
    click.echo(f"{'PART':>4} {'OFFSET':>8}  {'ORIGINAL':<32} {'ATTEMPTS':>8}  {'EXCEPTION':<28} MESSAGE")
    for e in entries:
        attempts = "-" if e.attempts is None else str(e.attempts)
        click.echo(
            f"{e.dlq_partition:>4} {e.dlq_offset:>8}  {_one_line(e.original, 32):<32} {attempts:>8}  "
            f"{_one_line(e.exception_type, 28):<28} {_one_line(e.exception_message, 60)}"
        )
    click.echo(f"{len(entries)} dead letter(s)")


@dlq_group.command("show")
@click.argument("topic")
@click.argument("partition", type=click.IntRange(min=0))
@click.argument("offset", type=click.IntRange(min=0))
@_connection_options
@_handled
def show_command(
    topic: str,
    partition: int,
    offset: int,
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    as_json: bool,
    timeout: float,
) -> None:
    """Show everything about the dead letter at TOPIC PARTITION OFFSET: origin, error, traceback, headers,
    key and value. Exits 1 when there is none there."""
    with _reader(files, bootstrap_servers, topic, timeout) as reader:
        entry = reader.get(partition, offset)
    if entry is None:
        click.echo(f"no dead letter at {topic}:{partition}:{offset}", err=True)
        raise SystemExit(1)
    data = entry.to_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for name in (
        "original_topic",
        "original_partition",
        "original_offset",
        "original_timestamp_ms",
        "stage",
        "error_field",
        "exception_type",
        "exception_message",
        "attempts",
        "consumer_group",
        "failed_at",
        "replayed_from",
        "key",
        "value",
        "value_size",
    ):
        click.echo(f"{name + ':':<24}{data[name]}")
    click.echo("headers:")
    for key, value in data["headers"]:
        click.echo(f"  {key}: {value}")
    if entry.traceback:
        click.echo("traceback:")
        for line in entry.traceback.splitlines():
            click.echo(f"  {line}")


@dlq_group.command("replay")
@click.argument("topic")
@_connection_options
@_filter_options
@click.option("--to-topic", metavar="T", help="Send to T (partitioned by key) instead of the original topic.")
@click.option("--execute", is_flag=True, help="Really produce (without it, this is a dry run).")
@click.option("--dry-run", is_flag=True, help="Only show what would be replayed (the default).")
@click.option(
    "--allow-repeat", is_flag=True, help="Also replay entries that already came back from a replay."
)
@_handled
def replay_command(
    topic: str,
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    as_json: bool,
    timeout: float,
    partitions: tuple[int, ...],
    from_offset: int | None,
    to_offset: int | None,
    exception_type: str | None,
    to_topic: str | None,
    execute: bool,
    dry_run: bool,
    allow_repeat: bool,
) -> None:
    """Replay dead letters of TOPIC to their original topic (or --to-topic): key, value and original
    headers, plus a kafka-client-replayed-from header. A dry run unless --execute. Exits 1 when an entry
    was skipped (a replay loop, no original topic) or could not be written."""
    if execute and dry_run:
        raise click.UsageError("--execute and --dry-run contradict each other")
    with _reader(files, bootstrap_servers, topic, timeout) as reader:
        report = reader.replay(
            to_topic=to_topic,
            dry_run=not execute,
            allow_repeat=allow_repeat,
            **_filters(partitions, from_offset, to_offset, exception_type),
        )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        verbs = {
            "would_replay": "would replay",
            "replayed": "replayed",
            "skipped": "SKIPPED",
            "failed": "FAILED",
        }
        for action in report.actions:
            target = "-" if action.target_topic is None else action.target_topic
            if action.target_partition is not None:
                target += f"[{action.target_partition}]"
            if action.written_offset is not None:
                target += f"@{action.written_offset}"
            line = f"{verbs[action.status]:<12} {action.entry.coordinates} -> {target}"
            click.echo(line + (f"  ({action.reason})" if action.reason else ""))
        counts = ", ".join(f"{report.count(s)} {verbs[s]}" for s in verbs if report.count(s))
        mode = "dry run (give --execute to produce)" if report.dry_run else "executed"
        click.echo(f"{mode}: {counts or 'nothing to replay'}")
    raise SystemExit(0 if report.ok else 1)
