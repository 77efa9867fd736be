"""``kafka-client health``: check the cluster, topics, groups and a canary round trip; exit 0/1/2.

Exit codes follow the CLI convention: 0 every check ok, 1 any check degraded or failed, 2 usage error
(a bad option, a missing file, an invalid or incomplete configuration, a missing extra).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from kafka_client.errors import ConfigError, FeatureNotSupportedError, MissingDependencyError

__all__ = ["health_command"]

_MARKS = {"ok": ("✓", "green"), "degraded": ("!", "yellow"), "failed": ("✗", "red")}


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


@click.command("health")
@click.option(
    "--config",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Configuration file (repeatable; merged in order, KAFKA_CLIENT_* env vars win).",
)
@click.option("--bootstrap-servers", metavar="HOST:PORT[,...]", help="The cluster to check.")
@click.option("--topic", "topics", multiple=True, metavar="T", help="Check this topic (repeatable).")
@click.option("--group", "groups", multiple=True, metavar="G", help="Check this consumer group (repeatable).")
@click.option("--e2e", is_flag=True, help="Also produce a canary message and consume it back.")
@click.option("--canary-topic", default="__kafka_client_canary", show_default=True, help="Topic for --e2e.")
@click.option("--max-lag", type=click.IntRange(min=0), help="A group with more lag than this fails.")
@click.option("--min-brokers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--sample-interval",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds between the two lag samples of a lagging group (longer than its commit interval).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, for scripts.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds per Kafka call.",
)
def health_command(
    files: tuple[Path, ...],
    bootstrap_servers: str | None,
    topics: tuple[str, ...],
    groups: tuple[str, ...],
    e2e: bool,
    canary_topic: str,
    max_lag: int | None,
    min_brokers: int,
    sample_interval: float,
    as_json: bool,
    timeout: float,
) -> None:
    """Check that the cluster answers, TOPICs are available, GROUPs consume, and (--e2e) messages flow.

    Prints a checklist (✓ ok, ! degraded, ✗ failed) or, with --json, the report. Exits 0 when every
    check is ok, 1 when any is degraded or failed, 2 on a usage or configuration error.
    """
    from kafka_client._settings_input import resolve_settings
    from kafka_client.admin import KafkaAdmin
    from kafka_client.health import run_health_checks, standard_checks

    overrides = {}
    if bootstrap_servers:
        overrides["bootstrap_servers"] = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]
    try:
        admin = KafkaAdmin(resolve_settings(None, overrides, files), timeout=timeout)
    except ConfigError as exc:
        click.echo(f"{exc}\nhint: give --bootstrap-servers HOST:PORT or --config FILE", err=True)
        raise SystemExit(2) from None
    except (MissingDependencyError, FeatureNotSupportedError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    checks = standard_checks(
        topics=topics,
        groups=groups,
        end_to_end=e2e,
        canary_topic=canary_topic,
        min_brokers=min_brokers,
        max_lag=max_lag,
        sample_interval_s=sample_interval,
        timeout=timeout,
    )
    with admin:
        report = run_health_checks(checks=checks, admin=admin)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        width = max(len(r.name) for r in report.results)
        for result in report.results:
            mark, colour = _MARKS[result.status.value]
            line = f"{result.name:<{width}}  {result.detail}  [{_duration(result.duration_s)}]"
            click.echo(f"{click.style(mark, fg=colour, bold=True)} {line}")
        counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
        overall = click.style(report.status.value, fg=_MARKS[report.status.value][1], bold=True)
        click.echo(f"overall: {overall} ({counts}) in {_duration(report.duration_s)}")
    raise SystemExit(0 if report.ok else 1)
