"""Where a producer's resident memory goes: RSS after each import a default Producer needs, in order.

``uv run python -m benchmarks memory`` prints the table (a fresh interpreter: run it on its own).
"""

from __future__ import annotations

import importlib

from benchmarks._measure import rss_mb

STEPS = (
    ("confluent_kafka", "librdkafka and its binding"),
    ("pydantic", "settings models (pydantic-core included)"),
    ("pydantic_settings", "settings sources (env, files)"),
    ("yaml", "YAML settings files"),
    ("kafka_client.config", "the library's settings"),
    ("kafka_client.producer", "Producer, AsyncProducer (asyncio)"),
    ("prometheus_client", "metrics"),
    ("kafka_client.observability.metrics", "the metrics observer"),
    ("opentelemetry.trace", "OpenTelemetry API"),
    ("kafka_client.observability.tracing", "the tracing observer"),
    ("structlog", "logging (with rich and pygments when installed, for its console renderer)"),
    ("kafka_client.observability.logging", "the logging observer"),
)


def breakdown() -> list[tuple[str, str, float, float]]:
    """``(module, what, MiB added, MiB total)`` for each step, starting from this interpreter's RSS."""
    rows = []
    before = rss_mb()
    rows.append(("(interpreter)", "python and this script", before, before))
    for module, what in STEPS:
        importlib.import_module(module)
        now = rss_mb()
        rows.append((module, what, now - before, now))
        before = now
    return rows


def table() -> str:
    """The breakdown as a Markdown table."""
    lines = ["| import | what | + MiB | total MiB |", "|---|---|---|---|"]
    lines += [f"| `{m}` | {what} | {added:.1f} | {total:.1f} |" for m, what, added, total in breakdown()]
    return "\n".join(lines)
