"""The ``kafka-client-exporter`` command.

``kafka-client-exporter --config exporter.yaml`` runs the daemon from a configuration file;
``kafka-client-exporter --bootstrap-servers HOST:PORT [--port N] [--interval S]`` is the quick start
(one cluster named ``default``). SIGTERM or SIGINT stops it cleanly (exit 0). Exit codes: 0 ok,
1 ``--once`` found a cluster unreachable, 2 usage or configuration error.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import click

from kafka_client.errors import ConfigError
from kafka_client_exporter._exporter import Exporter
from kafka_client_exporter._loading import load_exporter_settings
from kafka_client_exporter._process import limit_malloc_arenas, relax_garbage_collector
from kafka_client_exporter._settings import ENV_PREFIX

__all__ = ["cli", "main"]


def _overrides(
    bootstrap_servers: str | None,
    cluster_name: str,
    port: int | None,
    host: str | None,
    interval: float | None,
    profile: str | None,
    state_file: Path | None,
    log_level: str | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if bootstrap_servers:
        out["clusters"] = [{"name": cluster_name, "bootstrap_servers": bootstrap_servers}]
    given = {
        "port": port,
        "host": host,
        "interval_s": interval,
        "profile": profile,
        "state_file": state_file,
        "log_level": log_level,
    }
    out.update({key: value for key, value in given.items() if value is not None})
    return out


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="YAML configuration file (repeat to overlay files).",
)
@click.option("--bootstrap-servers", help="Quick start: one cluster at HOST:PORT[,HOST:PORT...].")
@click.option("--cluster-name", default="default", show_default=True, help="Name of the quick-start cluster.")
@click.option("--port", type=click.IntRange(0, 65535), help="Port of /metrics (default 9308).")
@click.option("--host", help="Address to listen on (default 0.0.0.0).")
@click.option("--interval", type=click.FloatRange(min=0, min_open=True), help="Seconds between cycles.")
@click.option("--profile", type=click.Choice(["kafka_exporter", "kafka-lag-exporter"]), help="Metric names.")
@click.option("--state-file", type=click.Path(path_type=Path), help="Where lag-seconds tables persist.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option("--once", is_flag=True, help="Collect once, print the exposition, exit (1: a cluster down).")
@click.option("--check-config", is_flag=True, help="Validate the configuration and exit.")
@click.version_option(package_name="kafka-client-exporter")
def cli(
    config_files: tuple[Path, ...],
    bootstrap_servers: str | None,
    cluster_name: str,
    port: int | None,
    host: str | None,
    interval: float | None,
    profile: str | None,
    state_file: Path | None,
    log_level: str | None,
    once: bool,
    check_config: bool,
) -> None:
    """Prometheus exporter for Kafka consumer lag (offsets and seconds), group status and cluster health.

    Settings come from --config files, KAFKA_CLIENT_EXPORTER_* environment variables and these options
    (highest precedence). See docs/exporter.md.
    """
    if not config_files and not bootstrap_servers and f"{ENV_PREFIX}CLUSTERS" not in os.environ:
        raise click.UsageError(
            f"give --config FILE or --bootstrap-servers HOST:PORT (or set {ENV_PREFIX}CLUSTERS)"
        )
    overrides = _overrides(
        bootstrap_servers, cluster_name, port, host, interval, profile, state_file, log_level
    )
    try:
        settings = load_exporter_settings(*config_files, **overrides)
    except ConfigError as exc:
        click.echo(f"kafka-client-exporter: {exc}", err=True)
        sys.exit(2)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if check_config:
        names = ", ".join(c.name for c in settings.clusters)
        click.echo(f"configuration ok: {len(settings.clusters)} cluster(s): {names}; port {settings.port}")
        return
    exporter = Exporter(settings)
    if once:
        try:
            readings = exporter.collect_once()
            sys.stdout.buffer.write(exporter.metrics())
            sys.stdout.flush()
        finally:
            exporter.stop()
        sys.exit(0 if all(r.reachable for r in readings.values()) else 1)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        exporter.request_stop()  # only sets an event; stop() runs in the main thread below

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        exporter.start()
    except OSError as exc:
        address = f"{settings.host}:{settings.port}"
        click.echo(f"kafka-client-exporter: cannot listen on {address}: {exc}", err=True)
        exporter.stop()
        sys.exit(2)
    while not exporter.wait(1.0):
        pass
    logging.getLogger("kafka_client_exporter").info("stopping")
    exporter.stop()


def main() -> None:
    """Entry point of the ``kafka-client-exporter`` script."""
    limit_malloc_arenas()  # before any thread starts (see _process)
    relax_garbage_collector()
    cli()
