"""``kafka-client demo``: the one-command tour: a real broker, the library's producer and consumer."""

from __future__ import annotations

import time
import uuid

import click

from kafka_client.errors import KafkaClientError
from kafka_client.testing.embedded import EmbeddedKafka


@click.command("demo")
@click.option("--messages", "-n", default=1000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--topic", default="demo", show_default=True)
@click.option("--partitions", default=3, show_default=True, type=click.IntRange(1, 100))
@click.option(
    "--backend",
    type=click.Choice(["auto", "confluent", "kafka-python"]),
    default="auto",
    show_default=True,
    help="Which Kafka client library the producer and consumer run on.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=1.0),
    default=None,
    metavar="S",
    help="Instead of the tour, run the live demo workload (a producer, a healthy group, a slow group "
    "whose lag grows, poison messages going to a DLQ; what 'kafka-top --demo' shows) for S seconds, "
    "then print a summary.",
)
def demo(messages: int, topic: str, partitions: int, backend: str, duration: float | None) -> None:
    """Start an embedded Kafka broker, send MESSAGES JSON messages with kafka_client's Producer, read them
    back in a consumer group with its Consumer (committing after processing), and report what happened.

    With --duration S: run the live demo workload for S seconds instead, and print its summary."""
    if duration is not None:
        _run_workload(duration)
        return
    from kafka_client import Consumer, Producer
    from kafka_client.backends.confluent import NewTopicSpec, create_topics

    click.echo("starting an embedded Apache Kafka broker (the first run downloads its jars)...")
    try:
        with EmbeddedKafka(sasl=False, tls=False, authorizer=False) as kafka:
            ready_in = f"{kafka.startup_seconds:.1f} s"
            click.echo(f"Kafka {kafka.kafka_version} ready at {kafka.bootstrap_servers} in {ready_in}")
            create_topics({"bootstrap.servers": kafka.bootstrap_servers}, [NewTopicSpec(topic, partitions)])
            settings = {"bootstrap_servers": kafka.bootstrap_servers, "backend": backend}
            started = time.perf_counter()
            with Producer(settings, key_serializer="str", value_serializer="json") as producer:
                futures = [
                    producer.send(topic, {"order": i, "amount": round(i * 1.5, 2)}, key=f"customer-{i % 10}")
                    for i in range(messages)
                ]
                metas = [future.result(timeout=60) for future in futures]
            produced = time.perf_counter() - started
            per_partition = {p: sum(1 for m in metas if m.partition == p) for p in range(partitions)}
            click.echo(
                f"produced {len(metas)} messages to {topic!r} with the {producer.backend_name} backend in "
                f"{produced:.2f} s (acks=all, idempotent); per partition: {per_partition}"
            )
            group = f"demo-{uuid.uuid4().hex[:6]}"
            seen: list[int] = []
            started = time.perf_counter()
            with Consumer(settings, group_id=group, topics=[topic], value_deserializer="json") as consumer:
                consumer.run(
                    lambda message: seen.append(message.value["order"]),
                    max_messages=messages,
                    idle_timeout=30,
                )
                consumer.commit()  # what run() processed, committed synchronously now rather than at close
                committed = consumer.committed()
            consumed = time.perf_counter() - started
            complete = sorted(seen) == list(range(messages))
            click.echo(
                f"consumed {len(seen)} messages in group {group!r} in {consumed:.2f} s; "
                f"{'every message exactly once' if complete and len(seen) == messages else 'MISMATCH'}"
            )
            total = sum(offset or 0 for offset in committed.values())
            click.echo(f"committed offsets add up to {total} across {len(committed)} partitions")
            if not complete:
                raise SystemExit(1)
    except KafkaClientError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("broker stopped; demo complete")


def _run_workload(duration: float) -> None:
    """``demo --duration S``: the live workload of ``kafka-top --demo``, headless, then its summary."""
    from kafka_client.testing.demo_workload import DemoWorkload

    try:
        with DemoWorkload(progress=click.echo, capture_logs=True) as workload:
            click.echo(f"running for {duration:g} s (Ctrl-C stops early)...")
            try:
                workload.wait(duration)
            except KeyboardInterrupt:
                click.echo("interrupted; stopping")
            for line in workload.summary().lines():
                click.echo(line)
    except KafkaClientError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("broker stopped; demo complete")
