"""The run's report: ``report.json`` (every run and figure) and ``report.md`` (tables, targets, plots)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from benchmarks.contenders import BASELINE, CONTENDERS, PLUGIN_NAMES
from benchmarks.plots import LATENCY_PNG, THROUGHPUT_PNG, latency_plot, throughput_plot

SCHEMA = 1


def write_report(report: dict[str, Any], out: Path) -> None:
    """Write ``report.json``, the plots and ``report.md`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    report["plots"] = [
        name
        for name, draw in ((THROUGHPUT_PNG, throughput_plot), (LATENCY_PNG, latency_plot))
        if draw(report["cases"], out / name)
    ]
    (out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    (out / "report.md").write_text(markdown(report))


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _status(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def _target_rows(targets: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| target | measured | needed | status | kafka-client vs raw confluent |",
        "|---|---|---|---|---|",
    ]
    for t in targets:
        digits = 2 if t["unit"] in ("x", "ms") else (1 if t["unit"] == "MB" else 0)
        value = _num(t["value"], digits) + (t["unit"] if t["unit"] == "x" else f" {t['unit']}")
        unit = t["unit"] if t["unit"] == "x" else " " + t["unit"]
        needed = f"{t['comparison']} {_num(t['threshold'], digits)}{unit}"
        if t["aim"]:
            needed += f" (aim {t['aim']}x)"
        value = "n/a" if t["value"] is None else value
        rows.append(
            f"| {t['description']} | {value} | {needed} | {_status(t['met'])} | "
            f"{_ratio(t['vs_raw_confluent'])} |"
        )
    return rows


def _case_rows(case: dict[str, Any]) -> list[str]:
    kind, rows = case["kind"], []
    if kind in ("produce", "consume"):
        rows += [
            "| contender | median msg/s | min | max | MB/s | CPU s / M msgs | x raw confluent | messages |",
            "|---|---|---|---|---|---|---|---|",
        ]
    elif kind == "latency":
        rows += [
            "| contender | p50 ms | p99 ms | p99.9 ms | max ms | p99 spread (min-max) | sent msg/s |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        rows += [
            "| contender | RSS MB | min-max | import ms | x raw confluent (RSS) |",
            "|---|---|---|---|---|",
        ]
    for name, e in case["contenders"].items():
        med, low, high = e.get("median"), e.get("min", {}), e.get("max", {})
        if not med:
            rows.append(f"| {name} | failed: {e['errors'][0]['error'][:120] if e['errors'] else 'no runs'} |")
            continue
        if kind in ("produce", "consume"):
            rows.append(
                f"| {name} | {_num(med['rate'])} | {_num(low['rate'])} | {_num(high['rate'])} | "
                f"{_num(med['mb_per_s'], 1)} | {_num(med['cpu_s_per_million'], 1)} | {_num(e['ratio'], 2)} | "
                f"{_num(med['messages'])} |"
            )
        elif kind == "latency":
            rows.append(
                f"| {name} | {_num(med['p50_ms'], 2)} | {_num(med['p99_ms'], 2)} | "
                f"{_num(med['p999_ms'], 2)} | {_num(med['max_ms'], 1)} | "
                f"{_num(low['p99_ms'], 2)}-{_num(high['p99_ms'], 2)} | "
                f"{_num(med['achieved_rate'])} |"
            )
        else:
            rows.append(
                f"| {name} | {_num(med['rss_mb'], 1)} | {_num(low['rss_mb'], 1)}-{_num(high['rss_mb'], 1)} | "
                f"{_num(med['import_ms'], 1)} | {_num(e['ratio'], 2)} |"
            )
    return rows


PLUGIN_ROWS = (
    *(f"kafka-client-{plugin}" for plugin in PLUGIN_NAMES),
    "kafka-client",
    "kafka-client-sdk",
)
"""The rows of the plugin cost table: each plugin alone, then all of them (the default), then the default
with an OpenTelemetry SDK sampling 1 %."""


PLUGIN_LABELS = {
    **{f"kafka-client-{plugin}": plugin for plugin in PLUGIN_NAMES},
    "kafka-client": "all three (the default)",
    "kafka-client-sdk": "all three + OpenTelemetry SDK, 1 % sampled",
}


def plugin_costs(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per throughput case measured with ``kafka-client-bare``: each plugin row's CPU per message over the
    bare client's, in microseconds. The least-disturbed (minimum) CPU of each contender's rounds is used, as
    CPU time only grows with interference from other processes."""
    costs = []
    for case in cases:
        if case["kind"] not in ("produce", "consume"):
            continue
        bare = case["contenders"].get("kafka-client-bare", {})
        if not bare.get("min"):
            continue
        for name in PLUGIN_ROWS:
            entry = case["contenders"].get(name, {})
            if not entry.get("min"):
                continue
            costs.append(
                {
                    "case": case["id"],
                    "contender": name,
                    "us_per_message": entry["min"]["cpu_s_per_million"] - bare["min"]["cpu_s_per_million"],
                    "rate_vs_bare": entry["median"]["rate"] / bare["median"]["rate"],
                }
            )
    return costs


def _plugin_rows(costs: list[dict[str, Any]]) -> list[str]:
    if not costs:
        return []
    return [
        "## Cost per message of each observability plugin",
        "",
        "CPU per message (all threads, least-disturbed round) over `kafka-client-bare`'s in the same case; "
        "negative or near-zero figures are within the noise of the run.",
        "",
        "| case | plugin | CPU us per message over bare | median msg/s vs bare |",
        "|---|---|---|---|",
        *(
            f"| {c['case']} | {PLUGIN_LABELS.get(c['contender'], c['contender'])} | "
            f"{c['us_per_message']:+.2f} | {c['rate_vs_bare']:.2f}x |"
            for c in costs
        ),
        "",
    ]


def markdown(report: dict[str, Any]) -> str:
    """The human-readable report: settings, targets, one table per case, plots, errors."""
    s = report["settings"]
    lines = [
        f"# Benchmark report: {report['label']}",
        "",
        f"{report['started']} to {report['finished']} ({report['duration_s'] / 60:.1f} min) on "
        f"{report['machine']['cpus']} CPUs (load before: {report['machine']['load_before']}), "
        f"Python {report['machine']['python']}, {report['broker']}.",
        f"{s['rounds']} round(s); `--messages {s['messages']}` (100 B cases; 1 KiB: /4, 10 KiB: /20); "
        f"{s['partitions']} partitions per topic, a fresh topic per case, round and contender; latency cases "
        f"send for {s['latency_seconds']} s. Ratios are medians over the baseline's median "
        f"(`{BASELINE}`) in this run.",
        "",
        f"Command: `{report['command']}` at commit {report['source']['commit']}"
        + (" (with uncommitted changes in src/)" if report["source"]["src_modified"] else "")
        + ".",
        "",
        "## Targets",
        "",
        *_target_rows(report["targets"]),
        "",
    ]
    for case in report["cases"]:
        lines += [f"## {case['id']}: {case['title']}", ""]
        lines += [*_case_rows(case), ""]
    lines += _plugin_rows(plugin_costs(report["cases"]))
    for plot in report.get("plots", []):
        lines += [f"![{plot}]({plot})", ""]
    lines += ["## Contenders", ""]
    lines += [f"- `{name}`: {CONTENDERS[name].description}" for name in report["contenders"]]
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    errors = [
        f"- {case['id']} / {name} round {err['round']}: {err['error']}"
        for case in report["cases"]
        for name, entry in case["contenders"].items()
        for err in entry["errors"]
    ]
    if errors:
        lines += ["## Errors", "", *errors, ""]
    return "\n".join(lines)
