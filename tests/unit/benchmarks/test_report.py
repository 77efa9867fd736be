"""From measurements to the report: medians, spread, ratios, targets, Markdown and plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks._measure import latency_result
from benchmarks.report import markdown, write_report
from benchmarks.runner import Measurement
from benchmarks.summary import figure, summarize
from benchmarks.targets import TARGETS, evaluate_targets


def _throughput(rate: float) -> dict[str, Any]:
    return {"messages": 1000, "elapsed_s": 1000 / rate, "rate": rate, "mb_per_s": rate / 1e4, "cpu_s": 0.5,
            "cpu_s_per_million": 500.0}  # fmt: skip


def _measurements() -> list[Measurement]:
    rates = {
        "confluent": [400_000.0, 500_000.0, 450_000.0],
        "kafka-client": [360_000.0, 380_000.0, 420_000.0],
        "confluent-otel": [100_000.0, 120_000.0, 110_000.0],
    }
    out = [
        Measurement("produce-ff-100B", name, round_no, _throughput(rate))
        for round_no in (1, 2, 3)
        for name, series in rates.items()
        for rate in [series[round_no - 1]]
    ]
    out.append(Measurement("produce-ff-100B", "aiokafka", 1, error="exit 1: boom"))
    fast = [ms * 1_000_000 for ms in range(1, 101)]
    out += [
        Measurement("latency-1k-default", "confluent", 1, latency_result(fast, 100, 0.1)),
        Measurement(
            "latency-1k-default", "kafka-client", 1, latency_result([n * 20 for n in fast], 100, 0.1)
        ),
        Measurement("footprint", "confluent", 1, {"import_ms": 90.0, "rss_mb": 31.0}),
        Measurement("footprint", "kafka-client", 1, {"import_ms": 260.0, "rss_mb": 40.3}),
    ]
    return out


def test_medians_spread_and_ratios_against_raw_confluent() -> None:
    cases = summarize(_measurements())
    assert [c["id"] for c in cases] == ["produce-ff-100B", "latency-1k-default", "footprint"]
    produce = cases[0]["contenders"]
    assert list(produce) == ["confluent", "kafka-client", "confluent-otel", "aiokafka"]
    assert produce["kafka-client"]["median"]["rate"] == 380_000.0
    assert produce["kafka-client"]["min"]["rate"] == 360_000.0
    assert produce["kafka-client"]["max"]["rate"] == 420_000.0
    assert [r["round"] for r in produce["kafka-client"]["runs"]] == [1, 2, 3]
    assert produce["kafka-client"]["ratio"] == 380_000.0 / 450_000.0
    assert produce["confluent"]["ratio"] == 1.0
    assert produce["aiokafka"] == {
        "runs": [],
        "errors": [{"round": 1, "error": "exit 1: boom"}],
        "ratio": None,
    }
    assert figure(cases, "footprint", "kafka-client") == 40.3
    assert figure(cases, "footprint", "kafka-client", "import_ms") == 260.0
    assert figure(cases, "consume-json", "kafka-client") is None


def test_targets_are_met_missed_or_not_measured() -> None:
    outcomes = {t["description"]: t for t in evaluate_targets(summarize(_measurements()))}
    assert len(outcomes) == len(TARGETS)
    ff = outcomes["producer fire-and-forget 100B vs raw"]
    assert (ff["value"], ff["met"], ff["aim"]) == (380_000.0 / 450_000.0, True, 0.9)
    otel = outcomes["producer fire-and-forget 100B vs OTel contrib"]
    assert (otel["value"], otel["met"]) == (380_000.0 / 110_000.0, True)
    absolute = outcomes["producer fire-and-forget 100B, absolute"]
    assert (absolute["value"], absolute["met"], absolute["unit"]) == (380_000.0, True, "msg/s")
    latency = outcomes["end-to-end p99 at 1k msg/s, defaults"]
    assert latency["met"] is False
    assert latency["comparison"] == "<"
    assert latency["vs_raw_confluent"] == 20.0
    rss = outcomes["RSS: import kafka_client + one Producer"]
    assert (rss["value"], rss["met"]) == (40.3, True)
    assert rss["vs_raw_confluent"] == 40.3 / 31.0
    assert outcomes["consumer consume-json vs raw consume(num_messages=...)"]["met"] is None
    assert outcomes["async API vs aiokafka, produce-ff-100B"]["met"] is None


def _report(cases: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": 1,
        "label": "unit",
        "command": "uv run python -m benchmarks run --quick",
        "started": "2026-01-01T00:00:00+00:00",
        "finished": "2026-01-01T00:01:00+00:00",
        "duration_s": 60.0,
        "machine": {"cpus": 2, "python": "3.11.7", "platform": "Linux", "load_before": [0.1, 0.2, 0.3]},
        "broker": "embedded Kafka",
        "settings": {"quick": True, "rounds": 3, "messages": 1000, "partitions": 3, "latency_seconds": 1.0},
        "versions": {"confluent-kafka": "2.16.1"},
        "source": {"commit": "abc1234", "src_modified": False},
        "contenders": {"confluent": "", "kafka-client": "", "confluent-otel": "", "aiokafka": ""},
        "cases": cases,
        "targets": evaluate_targets(cases),
    }


def test_markdown_has_the_targets_and_one_table_per_case(tmp_path: Path) -> None:
    report = _report(summarize(_measurements()))
    write_report(report, tmp_path)
    assert report["plots"] == ["throughput.png", "latency_cdf.png"]
    for name in report["plots"]:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "report.json").read_text())["targets"] == report["targets"]
    text = (tmp_path / "report.md").read_text()
    assert text == markdown(report)
    lines = text.splitlines()
    assert lines[0] == "# Benchmark report: unit"
    assert "Command: `uv run python -m benchmarks run --quick` at commit abc1234." in lines
    assert "| producer fire-and-forget 100B vs raw | 0.84x | >= 0.75x (aim 0.9x) | met | 0.84x |" in lines
    assert (
        "| producer fire-and-forget 100B, absolute | 380,000 msg/s | >= 300,000 msg/s | met | 0.84x |"
        in lines
    )
    assert (
        "| end-to-end p99 at 1k msg/s, defaults | 1,981.20 ms | < 10.00 ms | **missed** | 20.00x |" in lines
    )
    assert (
        "| consumer consume-bytes vs raw consume(num_messages=...) | n/a | >= 0.80x | not measured | n/a |"
        in lines
    )
    start = lines.index("## produce-ff-100B: produce 100B values, fire-and-forget")
    assert lines[start + 4 : start + 9] == [
        "| confluent | 450,000 | 400,000 | 500,000 | 45.0 | 500.0 | 1.00 | 1,000 |",
        "| kafka-client | 380,000 | 360,000 | 420,000 | 38.0 | 500.0 | 0.84 | 1,000 |",
        "| confluent-otel | 110,000 | 100,000 | 120,000 | 11.0 | 500.0 | 0.24 | 1,000 |",
        "| aiokafka | failed: exit 1: boom |",
        "",
    ]
    assert "| kafka-client | 40.3 | 40.3-40.3 | 260.0 | 1.30 |" in lines
    assert "![throughput.png](throughput.png)" in lines
    assert "- produce-ff-100B / aiokafka round 1: exit 1: boom" in lines


def test_each_plugin_costs_its_least_disturbed_cpu_over_the_bare_clients() -> None:
    def run(contender: str, round_no: int, rate: float, cpu_per_million: float) -> Measurement:
        result = {**_throughput(rate), "cpu_s_per_million": cpu_per_million}
        return Measurement("consume-bytes", contender, round_no, result)

    measurements = [
        run("confluent", 1, 800_000.0, 1.0),
        run("kafka-client-bare", 1, 500_000.0, 2.0),
        run("kafka-client-bare", 2, 520_000.0, 2.4),
        run("kafka-client-metrics", 1, 450_000.0, 2.5),
        run("kafka-client-metrics", 2, 460_000.0, 2.2),
        run("kafka-client-tracing", 1, 510_000.0, 2.05),
        run("kafka-client", 1, 400_000.0, 2.75),
    ]
    cases = summarize(measurements)
    from benchmarks.report import plugin_costs

    costs = plugin_costs(cases)
    assert [(c["contender"], round(c["us_per_message"], 2)) for c in costs] == [
        ("kafka-client-metrics", 0.2),
        ("kafka-client-tracing", 0.05),
        ("kafka-client", 0.75),
    ]
    assert costs[0]["rate_vs_bare"] == 455_000.0 / 510_000.0
    text = markdown(
        {
            "label": "t", "started": "a", "finished": "b", "duration_s": 60.0,
            "machine": {"cpus": 2, "load_before": [0.0], "python": "3.11"}, "broker": "embedded",
            "settings": {"rounds": 2, "messages": 1000, "partitions": 3, "latency_seconds": 1.0},
            "command": "c", "source": {"commit": "x", "src_modified": False}, "targets": [],
            "cases": cases, "contenders": ["confluent"], "versions": {},
        }
    )  # fmt: skip
    assert "| consume-bytes | metrics | +0.20 | 0.89x |" in text
    assert "| consume-bytes | all three (the default) | +0.75 | 0.78x |" in text
    assert "| consume-bytes | logging |" not in text  # not measured: no row
