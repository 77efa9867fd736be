"""The exporter scale benchmark runs on the real broker at a tiny size, both ways of reading offsets."""

from __future__ import annotations

import json

from kafka_client.testing import EmbeddedKafka
from tests.e2e.benchmarks._run import run_benchmark


def test_a_tiny_size_is_measured_with_batched_then_per_group_offsets(kafka_broker: EmbeddedKafka) -> None:
    argv = ["--sizes", "20x100", "--cycles", "2", "--warmup", "1", "--offsets", "both", "--json"]
    done = run_benchmark(
        "benchmarks/exporter_scale.py", *argv, "--bootstrap-servers", kafka_broker.bootstrap_servers
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["groups"], r["partitions"], r["cycles"]) for r in rows] == [(20, 100, "1+2")] * 2
    # 3 measured and warm-up cycles, one read of each chunk's groups per cycle (20 groups: one chunk);
    # the daemon's own first cycle, started for the scrapes, may or may not be done when it stops
    assert rows[0]["offset_reads"] in ("3 batched / 0 per group", "4 batched / 0 per group")
    assert rows[1]["offset_reads"] in ("0 batched / 3 per group", "0 batched / 4 per group")
    for row in rows:  # (the series differ by the exporter's own: request durations of the steps run)
        assert row["series"] > 20 * 5  # per group partition: offset, lag, lag seconds, status, ...
        assert 0 < row["cycle_s"] < 60
        assert row["scrape_ms"] > 0
