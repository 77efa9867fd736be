"""The benchmark harness runs end to end on the real broker, on tiny sizes, and writes an exact report."""

from __future__ import annotations

import json
from pathlib import Path

from kafka_client.testing import EmbeddedKafka
from tests.e2e.benchmarks._run import run_benchmark

CASES = ["produce-await-100B", "consume-json", "latency-1k-low-latency", "footprint"]
CONTENDERS = ["confluent", "kafka-client"]


def test_a_tiny_run_measures_every_case_for_each_contender_and_round(
    kafka_broker: EmbeddedKafka, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    argv = ["run", "--bootstrap", kafka_broker.bootstrap_servers, "--quick", "--messages", "400"]
    argv += ["--rounds", "2", "--latency-seconds", "0.5", "--cases", ",".join(CASES)]
    argv += ["--contenders", ",".join(CONTENDERS), "--out", str(out), "--no-latest", "--label", "smoke"]
    done = run_benchmark("-m", "benchmarks", *argv)
    progress = [line.split()[:4] for line in done.stdout.splitlines() if line.startswith(tuple(CASES))]
    assert progress == [
        [case, "round", str(round_no), contender]
        for case in CASES
        for round_no in (1, 2)
        for contender in CONTENDERS
    ]

    report = json.loads((out / "report.json").read_text())
    assert report["label"] == "smoke"
    assert len(report["source"]["commit"]) >= 7
    assert report["settings"] == {
        "quick": True,
        "rounds": 2,
        "messages": 400,
        "partitions": 3,
        "latency_seconds": 0.5,
    }
    assert report["broker"] == f"external cluster at {kafka_broker.bootstrap_servers}"
    assert list(report["contenders"]) == CONTENDERS
    assert [case["id"] for case in report["cases"]] == CASES
    cases = {case["id"]: case for case in report["cases"]}
    for case in report["cases"]:
        assert list(case["contenders"]) == CONTENDERS
        for name, entry in case["contenders"].items():
            assert entry["errors"] == [], (case["id"], name)
            assert [run["round"] for run in entry["runs"]] == [1, 2]
        assert case["contenders"]["confluent"]["ratio"] == 1.0

    for entry in cases["produce-await-100B"]["contenders"].values():
        assert [run["messages"] for run in entry["runs"]] == [400, 400]
        assert all(run["rate"] > 0 and run["cpu_s"] > 0 for run in entry["runs"])
    for entry in cases["consume-json"]["contenders"].values():
        # Every JSON value was decoded into its four fields, by both contenders.
        assert [(run["messages"], run["checksum"]) for run in entry["runs"]] == [(400, 1600), (400, 1600)]
    for entry in cases["latency-1k-low-latency"]["contenders"].values():
        for run in entry["runs"]:
            assert run["messages"] == 500
            curve = [ms for _, ms in run["quantiles_ms"]]
            assert curve == sorted(curve)
            assert 0 < run["p50_ms"] <= run["p99_ms"] <= run["p999_ms"] <= run["max_ms"]
    for entry in cases["footprint"]["contenders"].values():
        assert all(10 < run["rss_mb"] < 500 and run["import_ms"] > 0 for run in entry["runs"])

    targets = {t["description"]: t for t in report["targets"]}
    awaited = targets["producer awaited futures 100B vs raw fire-and-forget"]
    assert awaited["met"] is None  # the fire-and-forget case did not run
    low_latency = targets["end-to-end p99 at 1k msg/s, low-latency preset"]
    p99 = cases["latency-1k-low-latency"]["contenders"]["kafka-client"]["median"]["p99_ms"]
    assert (low_latency["value"], low_latency["met"]) == (p99, p99 < 5.0)
    rss = targets["RSS: import kafka_client + one Producer"]
    assert rss["value"] == cases["footprint"]["contenders"]["kafka-client"]["median"]["rss_mb"]

    assert report["plots"] == ["throughput.png", "latency_cdf.png"]
    for name in report["plots"]:
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    lines = (out / "report.md").read_text().splitlines()
    assert lines[0] == "# Benchmark report: smoke"
    assert [line for line in lines if line.startswith("## ")] == [
        "## Targets",
        "## produce-await-100B: produce 100B values, every future awaited",
        "## consume-json: consume ~100 B JSON values, decoded, commit after processing",
        "## latency-1k-low-latency: end-to-end latency at 1,000 msg/s, low-latency settings",
        "## footprint: import time, and RSS with one producer that delivered a message",
        "## Contenders",
    ]
    assert sum(line.startswith(("| confluent |", "| kafka-client |")) for line in lines) == 2 * len(CASES)
