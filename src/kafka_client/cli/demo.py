"""``kafka-client demo``: the one-command tour: a real broker, a produce/consume round-trip, a summary."""

from __future__ import annotations

import time

import click

from kafka_client.errors import KafkaClientError
from kafka_client.testing.embedded import EmbeddedKafka


@click.command("demo")
@click.option("--messages", "-n", default=1000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--topic", default="demo", show_default=True)
def demo(messages: int, topic: str) -> None:
    """Start an embedded Kafka broker, send MESSAGES messages, read them back, and report what happened."""
    from kafka_client.backends.confluent import consume_values, produce_values

    click.echo("starting an embedded Apache Kafka broker (the first run downloads its jars)...")
    try:
        with EmbeddedKafka(sasl=False, tls=False, authorizer=False) as kafka:
            click.echo(
                f"Kafka {kafka.kafka_version} ready at {kafka.bootstrap_servers} "
                f"in {kafka.startup_seconds:.1f} s"
            )
            values = [f"message {i}".encode() for i in range(messages)]
            started = time.perf_counter()
            offsets = produce_values(
                {"bootstrap.servers": kafka.bootstrap_servers, "acks": "all", "enable.idempotence": True},
                topic,
                values,
            )
            produced = time.perf_counter() - started
            click.echo(
                f"produced {len(offsets)} messages to {topic!r} in {produced:.2f} s (acks=all, idempotent); "
                f"offsets {offsets[0][1]}..{offsets[-1][1]}"
            )
            started = time.perf_counter()
            received = consume_values(
                {"bootstrap.servers": kafka.bootstrap_servers, "group.id": "demo"}, topic, messages
            )
            consumed = time.perf_counter() - started
            same = received == values
            click.echo(
                f"consumed {len(received)} messages in {consumed:.2f} s; "
                f"{'all present, in order' if same else 'MISMATCH'}"
            )
            click.echo(f"first: {(received[0] or b'').decode()!r}  last: {(received[-1] or b'').decode()!r}")
            if not same:
                raise SystemExit(1)
    except KafkaClientError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("broker stopped; demo complete")
