"""The figures a child computes: quantiles, latency summaries, payloads, memory."""

from __future__ import annotations

import json

import pytest
from benchmarks._measure import QUANTILES, json_value, latency_result, quantile, rss_mb, value_bytes


def test_quantiles_interpolate_between_sorted_values() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert quantile(values, 0) == 1.0
    assert quantile(values, 50) == 3.0
    assert quantile(values, 100) == 5.0
    assert quantile(values, 12.5) == pytest.approx(1.5)
    assert quantile([7.0], 99.9) == 7.0


def test_latency_result_drops_the_first_twentieth_as_warm_up() -> None:
    # 20 samples: the first (a 1 s outlier) is warm-up; the rest are 1..19 ms.
    latencies_ns = [1_000_000_000] + [ms * 1_000_000 for ms in range(1, 20)]
    result = latency_result(latencies_ns, sent=20, elapsed_s=2.0)
    assert result["messages"] == 20
    assert result["achieved_rate"] == 10.0
    assert result["p50_ms"] == 10.0
    assert result["p99_ms"] == pytest.approx(18.82)
    assert result["max_ms"] == 19.0
    assert [q for q, _ in result["quantiles_ms"]] == list(QUANTILES)
    curve = [ms for _, ms in result["quantiles_ms"]]
    assert curve == sorted(curve)
    assert (curve[0], curve[-1]) == (1.0, 19.0)


def test_payloads_have_the_requested_size() -> None:
    assert [len(value_bytes(size)) for size in (1, 100, 1024, 10240)] == [1, 100, 1024, 10240]
    for index in (0, 7, 123_456):
        raw = json_value(index)
        assert len(raw) == 100
        assert json.loads(raw)["id"] == index
        assert len(json.loads(raw)) == 4


def test_rss_is_read_from_proc() -> None:
    assert 5 < rss_mb() < 4096
