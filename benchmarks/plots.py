"""The report's figures (matplotlib, Agg backend): throughput bars and latency CDFs, as PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

THROUGHPUT_PNG = "throughput.png"
LATENCY_PNG = "latency_cdf.png"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def throughput_plot(cases: list[dict[str, Any]], path: Path) -> bool:
    """Median msg/s per contender (min-max whiskers), one panel per produce/consume case."""
    panels = [c for c in cases if c["kind"] in ("produce", "consume")]
    if not panels:
        return False
    plt = _pyplot()
    columns = 2 if len(panels) > 1 else 1
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 0.3 * 10 * rows + 1), squeeze=False)
    for ax, case in zip(axes.flat, panels, strict=False):
        names = [n for n, e in case["contenders"].items() if e.get("median")]
        medians = [case["contenders"][n]["median"]["rate"] / 1000 for n in names]
        low = [m - case["contenders"][n]["min"]["rate"] / 1000 for n, m in zip(names, medians, strict=True)]
        high = [case["contenders"][n]["max"]["rate"] / 1000 - m for n, m in zip(names, medians, strict=True)]
        colors = [
            "tab:gray" if n.startswith(("confluent", "kafka-python", "aiokafka")) else "tab:blue"
            for n in names
        ]
        ax.barh(names, medians, xerr=[low, high], color=colors, capsize=3)
        ax.invert_yaxis()
        ax.set_title(case["id"], fontsize=10)
        ax.set_xlabel("thousand messages / s (median, min-max)", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def latency_plot(cases: list[dict[str, Any]], path: Path) -> bool:
    """End-to-end latency CDF per contender (the run with the median p99), one panel per latency case."""
    panels = [c for c in cases if c["kind"] == "latency"]
    if not panels:
        return False
    plt = _pyplot()
    columns = 2 if len(panels) > 1 else 1
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 3.6 * rows), squeeze=False)
    for ax, case in zip(axes.flat, panels, strict=False):
        for name, entry in case["contenders"].items():
            runs = sorted(entry["runs"], key=lambda r: r["p99_ms"])
            if not runs:
                continue
            curve = runs[len(runs) // 2]["quantiles_ms"]
            ax.plot([max(ms, 1e-3) for _, ms in curve], [q / 100 for q, _ in curve], label=name)
        ax.set_xscale("log")
        ax.set_title(case["id"], fontsize=10)
        ax.set_xlabel("end-to-end latency (ms, log scale)", fontsize=8)
        ax.set_ylabel("fraction of messages", fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True
