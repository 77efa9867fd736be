"""What each observability plugin costs per message: its hooks, called the way the clients call them.

``uv run python -m benchmarks plugins [MESSAGES]`` prints the table. For each plugin alone, all three
together (the default), and all three with an OpenTelemetry SDK sampling 1 % of traces, the observers are
built from settings exactly as a client builds them (``default_observers`` + ``build_hooks``), then each
path replays, per message, the hook calls the producer and consumer cores make on it:

* ``send()``: the send time taken when a plugin wants delivery reports, ``before_send`` (trace context,
  correlation ID), then the ``after_delivery`` hooks with a successful report;
* ``produce()``: the same without a send time, ``before_send`` skipped while the logging plugin's guard
  says it would add nothing (as ``Producer.produce`` does);
* ``consume_batch(500)``: ``on_consume`` once per 500 messages;
* ``poll()`` / iteration / ``run()``: ``on_consume`` of one message and the processing scope around it.

CPU time of this thread over a fixed number of messages, the least-disturbed of ``repeats`` runs, so the
figures hold on a busy machine. The client library's own work is not in them: the broker-backed harness
(``python -m benchmarks run``) measures the same variants end to end in its "cost per message" table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from benchmarks._kafka_client import OBSERVABILITY_OFF, PLUGINS
from benchmarks.report import PLUGIN_LABELS

SDK_VARIANT = PLUGIN_LABELS["kafka-client-sdk"]
VARIANTS: dict[str, dict[str, Any]] = {
    "none": OBSERVABILITY_OFF,
    **{PLUGIN_LABELS[name]: observability for name, observability in PLUGINS.items()},
    PLUGIN_LABELS["kafka-client"]: {},
    SDK_VARIANT: {},
}
"""Observability settings per row, those of the harness' contenders (``kafka-client-metrics``...). ``none``
measures the replay loop itself, subtracted from the others. The SDK row installs the SDK first, so it runs
last (it stays installed)."""

TOPIC = "orders"
VALUE = b"x" * 100


def _hooks(observability: dict[str, Any], role: str) -> Any:
    from kafka_client.config import load_settings
    from kafka_client.observability import build_hooks, default_observers

    settings = load_settings(
        bootstrap_servers="127.0.0.1:9092", client_id="plugins", observability=observability
    )
    observers = default_observers(settings, role)
    return build_hooks(observers, client_id="plugins", role=role, backend="confluent")


def _send(hooks: Any, batch: list[Any]) -> None:
    from kafka_client import RecordMetadata

    meta = RecordMetadata(TOPIC, 0, 0, 0)
    before, after = hooks.before_send, hooks.after_delivery
    for _ in batch:
        sent_ns = perf_counter_ns() if after else 0
        if before:
            hooks.add_headers(TOPIC, None, sent_ns)
        for hook in after:
            hook(TOPIC, None, meta, sent_ns)


def _produce(hooks: Any, batch: list[Any]) -> None:
    from kafka_client import RecordMetadata

    meta = RecordMetadata(TOPIC, 0, 0, 0)
    before, after, guard = hooks.before_send, hooks.after_delivery, hooks.send_guard
    for _ in batch:
        if before and (guard is None or guard.get() is not None):
            hooks.add_headers(TOPIC, None, 0)
        for hook in after:
            hook(TOPIC, None, meta, 0)


def _batch(messages: int) -> list[Any]:
    from kafka_client import Message

    return [Message(TOPIC, i % 3, i, None, VALUE, [], 1_700_000_000_000) for i in range(messages)]


def _consume_batch(hooks: Any, batch: list[Any]) -> None:
    for start in range(0, len(batch), 500):
        fetched = batch[start : start + 500]
        for hook in hooks.on_consume:
            hook(fetched)


def _process(hooks: Any, batch: list[Any]) -> None:
    for message in batch:
        single = [message]
        for hook in hooks.on_consume:
            hook(single)
        with hooks.processing(message):
            pass


PATHS: dict[str, tuple[str, Callable[[Any, list[Any]], None]]] = {
    "send()": ("producer", _send),
    "produce()": ("producer", _produce),
    "consume_batch(500)": ("consumer", _consume_batch),
    "poll() / iteration / run()": ("consumer", _process),
}


def _cpu_us_per_message(run: Callable[[], None], messages: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.thread_time()
        run()
        best = min(best, time.thread_time() - started)
    return best / messages * 1e6


def measure(messages: int = 100_000, repeats: int = 5) -> dict[str, dict[str, float]]:
    """CPU microseconds per message that each variant's hooks add, by variant then path (``none``: the
    replay loop's own cost, already subtracted from the others)."""
    batch = _batch(messages)
    figures: dict[str, dict[str, float]] = {}
    for variant, observability in VARIANTS.items():
        if variant == SDK_VARIANT:
            from benchmarks._otel import NullSpanExporter
            from kafka_client.observability.tracing import configure_tracing

            configure_tracing("bench", NullSpanExporter(), sample_ratio=0.01)
        row = figures.setdefault(variant, {})
        for path, (role, replay) in PATHS.items():
            hooks = _hooks(observability, role)
            row[path] = _cpu_us_per_message(lambda: replay(hooks, batch), messages, repeats)  # noqa: B023
            for close in hooks.on_close:
                close()
    loop = figures["none"]
    return {
        variant: row if variant == "none" else {path: v - loop[path] for path, v in row.items()}
        for variant, row in figures.items()
    }


def table(messages: int = 100_000, repeats: int = 5) -> str:
    """:func:`measure` as a Markdown table."""
    lines = ["| plugin | " + " | ".join(PATHS) + " |", "|---|" + "---|" * len(PATHS)]
    for variant, row in measure(messages, repeats).items():
        lines.append(f"| {variant} | " + " | ".join(f"{v:.2f}" for v in row.values()) + " |")
    return "\n".join(lines) + (
        "\n\nCPU microseconds per message added by the plugin's hooks (row `none`: the replay loop itself)."
    )
