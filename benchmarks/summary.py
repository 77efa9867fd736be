"""From measurements to figures: medians and spread per case and contender, ratios to the baseline."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.cases import CASES
from benchmarks.contenders import BASELINE
from benchmarks.runner import Measurement

PRIMARY = {"produce": "rate", "consume": "rate", "latency": "p99_ms", "footprint": "rss_mb"}
"""The figure each kind of case is ranked and compared by."""

HIGHER_IS_BETTER = {"rate": True, "p99_ms": False, "rss_mb": False}


def summarize(measurements: list[Measurement]) -> list[dict[str, Any]]:
    """One entry per case: for each contender its runs, median/min/max of every metric, and its ratio.

    ``ratio`` is the contender's median primary figure over the baseline's in the same run (throughput:
    higher is better; latency and memory: lower is better).
    """
    out: list[dict[str, Any]] = []
    for case in CASES.values():
        mine = [m for m in measurements if m.case == case.id]
        if not mine:
            continue
        primary = PRIMARY[case.kind]
        contenders: dict[str, dict[str, Any]] = {}
        for m in mine:
            entry = contenders.setdefault(m.contender, {"runs": [], "errors": []})
            if m.error:
                entry["errors"].append({"round": m.round, "error": m.error})
            else:
                entry["runs"].append({"round": m.round, **m.result})
        for entry in contenders.values():
            entry.update(_aggregate(entry["runs"]))
        base = contenders.get(BASELINE, {}).get("median", {}).get(primary)
        for entry in contenders.values():
            value = entry.get("median", {}).get(primary)
            entry["ratio"] = value / base if value is not None and base else None
        out.append(
            {
                "id": case.id,
                "kind": case.kind,
                "title": case.title,
                "primary": primary,
                "size": case.size,
                "contenders": contenders,
            }
        )
    return out


def _aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if not runs:
        return {}
    metrics = [k for k, v in runs[0].items() if isinstance(v, int | float) and k != "round"]
    return {
        "median": {k: statistics.median(r[k] for r in runs) for k in metrics},
        "min": {k: min(r[k] for r in runs) for k in metrics},
        "max": {k: max(r[k] for r in runs) for k in metrics},
    }


def figure(
    cases: list[dict[str, Any]], case_id: str, contender: str, metric: str | None = None
) -> float | None:
    """A contender's median figure in a case (its primary one unless ``metric``), or None if unmeasured."""
    for case in cases:
        if case["id"] == case_id:
            entry = case["contenders"].get(contender, {})
            value = entry.get("median", {}).get(metric or case["primary"])
            return float(value) if value is not None else None
    return None
