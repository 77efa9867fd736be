"""Measuring inside a child process: CPU time, resident memory, payloads and latency quantiles."""

from __future__ import annotations

import json
import math
import resource
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

STAMP = struct.Struct(">q")
"""The first 8 bytes of a latency message: ``perf_counter_ns()`` when it was sent (same process)."""

QUANTILES = (*range(0, 100), 99.5, 99.9, 100)
"""The points of the latency distribution a child reports (enough for a CDF plot and p99.9)."""


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (librdkafka's threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    """Current resident set size in MiB, from ``/proc/self/status`` (``VmRSS``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status (Linux only)")


def value_bytes(size: int) -> bytes:
    """A value of ``size`` bytes that compresses like typical text (not a run of one byte)."""
    pattern = b"kafka-benchmark-payload-0123456789-abcdefghijklmnopqrstuvwxyz-"
    return (pattern * (size // len(pattern) + 1))[:size]


def json_value(index: int, size: int = 100) -> bytes:
    """A JSON object of about ``size`` bytes, as an application would send."""
    body = {"id": index, "customer": f"c-{index % 977}", "amount": index % 10_000 / 100, "note": ""}
    raw = json.dumps(body, separators=(",", ":")).encode()
    body["note"] = "x" * max(0, size - len(raw))
    return json.dumps(body, separators=(",", ":")).encode()


def json_loads() -> Any:
    """The fastest JSON decoder installed (orjson when present, as the library's JSON deserializer uses)."""
    try:
        import orjson

        return orjson.loads
    except ImportError:  # pragma: no cover - orjson is a dev dependency
        return json.loads


@dataclass
class Stopwatch:
    """Wall and CPU time of a section: ``start()`` then ``stop(messages)`` gives a throughput result."""

    wall: float = 0.0
    cpu: float = 0.0

    def start(self) -> None:
        """Start (or restart) timing."""
        self.wall = time.perf_counter()
        self.cpu = cpu_seconds()

    def stop(self, messages: int, size: int) -> dict[str, float]:
        """Throughput, bytes and CPU seconds per million messages since :meth:`start`."""
        elapsed = time.perf_counter() - self.wall
        cpu = cpu_seconds() - self.cpu
        return {
            "messages": messages,
            "elapsed_s": elapsed,
            "rate": messages / elapsed,
            "mb_per_s": messages * size / elapsed / 1e6,
            "cpu_s": cpu,
            "cpu_s_per_million": cpu / messages * 1e6,
        }


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of already sorted values, by linear interpolation."""
    if not sorted_values:
        return math.nan
    position = (len(sorted_values) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def latency_result(latencies_ns: list[int], sent: int, elapsed_s: float) -> dict[str, Any]:
    """p50/p99/p99.9 in ms and the quantile curve, dropping the first 5% as warm-up."""
    skip = len(latencies_ns) // 20
    values = sorted(ns / 1e6 for ns in latencies_ns[skip:])
    return {
        "messages": len(latencies_ns),
        "achieved_rate": sent / elapsed_s,
        "p50_ms": quantile(values, 50),
        "p99_ms": quantile(values, 99),
        "p999_ms": quantile(values, 99.9),
        "max_ms": values[-1] if values else math.nan,
        "quantiles_ms": [[q, quantile(values, q)] for q in QUANTILES],
    }
