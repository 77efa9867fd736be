"""``kafka-client dev-broker``: a real local Kafka broker in the foreground, for development."""

from __future__ import annotations

import json
import signal
import sys
import threading
from types import FrameType
from typing import Any

import click
import yaml

from kafka_client.errors import KafkaClientError
from kafka_client.testing.embedded import DEFAULT_USERS, SUPER_USER, EmbeddedKafka


def _connection_settings(kafka: EmbeddedKafka) -> dict[str, Any]:
    """The client settings for every enabled listener, as the super user."""
    return {name: kafka.client_settings(name) for name in kafka.listeners}  # type: ignore[arg-type]


@click.command("dev-broker")
@click.option("--sasl", is_flag=True, help="Also listen with SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256/512).")
@click.option("--tls", is_flag=True, help="Also listen with SSL (mutual TLS) and, with --sasl, SASL_SSL.")
@click.option("--acl", is_flag=True, help="Enable the StandardAuthorizer (super users: admin, ANONYMOUS).")
@click.option("--port", type=click.IntRange(1, 65535), help="PLAINTEXT port (default: a free one).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Keep data here instead of a temp folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the connection details as one JSON object.")
def dev_broker(
    sasl: bool, tls: bool, acl: bool, port: int | None, data_dir: str | None, as_json: bool
) -> None:
    """Run a real Apache Kafka broker (KRaft, one node) on loopback until Ctrl-C or SIGTERM.

    Prints the bootstrap address and the matching client settings (YAML) for each listener. The broker jars
    are downloaded once into the user cache; Java 17+ is required.
    """
    kafka = EmbeddedKafka(port=port, sasl=sasl, tls=tls, authorizer=acl, work_dir=data_dir)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            kafka.start()
        except KafkaClientError as exc:
            raise click.ClickException(str(exc)) from exc
        settings = _connection_settings(kafka)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "bootstrap_servers": kafka.bootstrap_servers,
                        "kafka_version": kafka.kafka_version,
                        "log": str(kafka.log_path),
                        "listeners": kafka.listeners,
                        "settings": settings,
                    }
                )
            )
        else:
            click.echo(f"Kafka {kafka.kafka_version} is running (started in {kafka.startup_seconds:.1f} s)")
            click.echo(f"bootstrap servers: {kafka.bootstrap_servers}")
            click.echo(f"broker log:        {kafka.log_path}")
            if sasl or tls:
                users = ", ".join(f"{u}/{p}" for u, p in DEFAULT_USERS.items())
                click.echo(f"users (throwaway): {users}; super user: {SUPER_USER}")
            for name, listener_settings in settings.items():
                click.echo(f"\n# client settings for the {name} listener (kafka-client YAML)")
                click.echo(yaml.safe_dump(listener_settings, sort_keys=False).rstrip())
            click.echo("\nPress Ctrl-C to stop.")
        sys.stdout.flush()
        while not stop.wait(0.5):
            if not kafka.is_running:
                raise click.ClickException(f"the broker exited unexpectedly; see {kafka.log_path}")
    finally:
        kafka.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("broker stopped", err=True)
