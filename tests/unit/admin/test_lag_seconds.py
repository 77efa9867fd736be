"""Lag seconds: the offset/time table's rules and error bound, exact lag from commit metadata and from
the record timestamp."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kafka_client.admin import (
    OffsetTimeTable,
    format_commit_metadata,
    lag_seconds_from_metadata,
    lag_seconds_from_record,
    parse_commit_timestamp,
)


def table_of(*points: tuple[int, float], capacity: int = 60) -> OffsetTimeTable:
    table = OffsetTimeTable(capacity)
    for offset, time in points:
        table.add(offset, time)
    return table


def test_insertion_rules() -> None:
    table = table_of((10, 1.0), (10, 0.5), (20, 2.0))  # a point not newer than the newest is dropped
    assert table.points() == [(10, 1.0), (20, 2.0)]
    table.add(20, 3.0)
    table.add(20, 4.0)  # a flat stretch keeps its first and latest sample
    assert table.points() == [(10, 1.0), (20, 2.0), (20, 4.0)]
    table.add(5, 5.0)  # the offset went down: the topic was recreated, start again
    assert table.points() == [(5, 5.0)]


def test_capacity_drops_the_oldest() -> None:
    table = table_of(*((i * 10, float(i)) for i in range(5)), capacity=3)
    assert table.points() == [(20, 2.0), (30, 3.0), (40, 4.0)]
    with pytest.raises(ValueError, match="at least 2"):
        OffsetTimeTable(1)


def test_interpolation_between_the_samples_around_the_append() -> None:
    table = table_of((100, 10.0), (200, 20.0))
    # The record at offset 149 was appended when the log end reached 150: half way, at t=15.
    estimate = table.estimate(149, now=30.0)
    assert estimate is not None
    assert estimate.method == "interpolation"
    assert estimate.seconds == pytest.approx(15.0)


def test_caught_up_is_zero_and_too_few_points_is_unknown() -> None:
    assert table_of((100, 10.0)).estimate(100, now=50.0) == (0.0, "interpolation")
    assert table_of((100, 10.0)).estimate(99, now=50.0) is None
    assert OffsetTimeTable().estimate(0, now=1.0) is None
    assert table_of((100, 10.0), (200, 20.0)).estimate(250, now=30.0) == (0.0, "interpolation")


def test_a_plateau_places_the_append_after_its_last_sample() -> None:
    table = table_of((100, 0.0), (100, 50.0), (100, 90.0), (110, 100.0))
    estimate = table.estimate(100, now=100.0)
    assert estimate is not None
    assert 90.0 < 100.0 - estimate.seconds <= 100.0  # appended between the last flat sample and the next


def test_extrapolation_is_bounded_by_one_table_span() -> None:
    table = table_of((1000, 100.0), (2000, 200.0))  # 10 messages/s over a 100 s span
    near = table.estimate(989, now=200.0)
    assert near is not None
    assert near.method == "extrapolation"
    assert near.seconds == pytest.approx(100.0 + 1.0)  # 10 messages before the oldest point: 1 s earlier
    slow = table_of((1000, 100.0), (1100, 200.0))  # 1 message/s: offset 0 would be 1000 s older
    far = slow.estimate(0, now=200.0)
    assert far is not None
    assert far.seconds == pytest.approx(200.0)  # at most one span (100 s) before the oldest point
    flat = table_of((1000, 100.0), (1000, 200.0)).estimate(10, now=300.0)
    assert flat is not None
    assert flat.seconds == pytest.approx(300.0)  # no growth to extrapolate: oldest point minus a span


def test_never_negative() -> None:
    table = table_of((100, 10.0), (200, 20.0))
    estimate = table.estimate(150, now=5.0)  # a clock that went back
    assert estimate is not None
    assert estimate.seconds == 0.0


def simulate(gaps: list[float], interval: float, committed: int) -> tuple[float, float] | None:
    """Append times from inter-arrival gaps, sampled every ``interval``; (estimate, truth) at the end."""
    appended = []
    now = 0.0
    for gap in gaps:
        now += gap
        appended.append(now)
    table = OffsetTimeTable(10_000)
    sample_time = -interval  # the first sample sees an empty partition
    while sample_time <= now + interval:
        table.add(bisect.bisect_right(appended, sample_time), sample_time)
        sample_time += interval
    last = sample_time - interval
    end = bisect.bisect_right(appended, last)
    if committed >= end:
        return None
    estimate = table.estimate(committed, now=last)
    assert estimate is not None
    return estimate.seconds, last - appended[committed]


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.floats(0.0, 3.0), min_size=2, max_size=300),
    interval=st.floats(0.1, 5.0),
    pick=st.floats(0.0, 1.0),
)
def test_interpolation_error_is_at_most_one_interval(gaps: list[float], interval: float, pick: float) -> None:
    """Steady, bursty or idle producers alike: the append of the record at the committed offset lies
    between two consecutive samples, so the estimate is off by at most one sampling interval."""
    committed = int(pick * (len(gaps) - 1))
    result = simulate(gaps, interval, committed)
    if result is not None:
        estimate, truth = result
        assert abs(estimate - truth) <= interval + 1e-6


def test_steady_producer_error_is_well_below_the_interval() -> None:
    result = simulate([0.01] * 3000, interval=1.0, committed=1234)
    assert result is not None
    estimate, truth = result
    assert abs(estimate - truth) < 0.02


@pytest.mark.parametrize(
    ("metadata", "seconds"),
    [
        ("kc:ts=1700000000123", 1700000000.123),
        ("kc:ts=1700000000123;host=a", 1700000000.123),
        ('{"ts": 1700000000000, "app": "billing"}', 1700000000.0),
        ("kc:ts=abc", None),
        ('{"ts": "1"}', None),
        ('{"ts": true}', None),
        ("{not json", None),
        ("[1]", None),
        ("", None),
        (None, None),
        ("ts=1700000000000", None),
    ],
)
def test_parse_commit_timestamp(metadata: str | None, seconds: float | None) -> None:
    assert parse_commit_timestamp(metadata) == seconds


def test_metadata_lag_is_exact_and_zero_when_caught_up() -> None:
    text = format_commit_metadata(1_700_000_000_000)
    assert text == "kc:ts=1700000000000"
    assert lag_seconds_from_metadata(text, lag=5, now=1_700_000_012.5) == (12.5, "metadata")
    assert lag_seconds_from_metadata(text, lag=0, now=1_700_000_012.5) == (0.0, "metadata")
    assert lag_seconds_from_metadata(text, lag=5, now=1_699_999_999.0) == (0.0, "metadata")
    assert lag_seconds_from_metadata(None, lag=5, now=1.0) is None


def test_record_timestamp_lag_is_exact_and_zero_when_caught_up() -> None:
    assert lag_seconds_from_record(1_700_000_000_000, lag=3, now=1_700_000_004.25) == (4.25, "timestamp")
    assert lag_seconds_from_record(1_700_000_000_000, lag=0, now=1_700_000_004.25) == (0.0, "timestamp")
    assert lag_seconds_from_record(None, lag=0, now=1.0) == (0.0, "timestamp")
    assert lag_seconds_from_record(1_700_000_005_000, lag=3, now=1_700_000_004.0) == (0.0, "timestamp")
    assert lag_seconds_from_record(None, lag=3, now=1.0) is None
    assert lag_seconds_from_record(-1, lag=3, now=1.0) is None
