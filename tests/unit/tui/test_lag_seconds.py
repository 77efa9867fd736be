"""Lag in seconds as kafka-top computes it: sampled offsets, commit metadata, and when commits moved."""

from __future__ import annotations

from collections.abc import Sequence

from kafka_client.admin import ConsumerGroupLag, GroupState, LagTime, PartitionLag, format_commit_metadata
from kafka_top.lag_seconds import CommitSeen, GroupLagTime, LagClock, LagMethod, method_of

T0 = 1_700_000_000.0


def rounded(value: LagTime | None) -> tuple[float, str] | None:
    """Seconds to the millisecond (times near 1.7e9 s carry about 1e-7 s of float error)."""
    return None if value is None else (round(value.seconds, 3), value.method)


def lag(
    group: str, rows: Sequence[tuple[int, int | None, int]], metadata: Sequence[str | None] | None = None
) -> ConsumerGroupLag:
    """``rows``: (partition, committed, log end) of topic ``orders``."""
    metas = list(metadata) if metadata is not None else [None] * len(rows)
    partitions = tuple(
        PartitionLag(
            group,
            "orders",
            p,
            committed,
            end,
            0,
            None if committed is None else max(0, end - committed),
            metadata=meta,
        )
        for (p, committed, end), meta in zip(rows, metas, strict=True)
    )
    return ConsumerGroupLag(group, GroupState.STABLE, 1, partitions)


def test_the_estimate_interpolates_between_the_sampled_log_ends() -> None:
    clock = LagClock()
    # The log end grows 10 messages per second; the group stays at offset 5.
    for i in range(4):
        clock.observe([lag("g", [(0, 5, 10 * i + 10)])], T0 + i)
    now = T0 + 3
    [p] = lag("g", [(0, 5, 40)]).partitions
    # The record at offset 5 was appended when the log end reached 6, before the first sample (10 at T0):
    # extrapolated back at 10/s, 0.4 s before T0.
    assert rounded(clock.partition_lag_time(p, now)) == (3.4, "extrapolation")
    [p] = lag("g", [(0, 25, 40)]).partitions
    # Offset 25 became the log end's 26th record between T0+1 (20) and T0+2 (30): 1.6 s after T0.
    moved = clock.partition_lag_time(p, now)
    assert moved is not None
    assert rounded(moved) == (1.4, "interpolation")
    assert method_of(moved) is LagMethod.ESTIMATED


def test_commit_metadata_gives_the_exact_lag_and_wins_over_the_estimate() -> None:
    clock = LagClock()
    meta = format_commit_metadata(int((T0 - 7.5) * 1000))
    group = lag("g", [(0, 5, 40)], [meta])
    clock.observe([group], T0)
    assert clock.partition_lag_time(group.partitions[0], T0) == LagTime(7.5, "metadata")
    assert clock.group_lag_time(group, T0) == GroupLagTime(7.5, LagMethod.EXACT, 0)


def test_a_group_is_its_worst_partition_and_unknown_while_a_lagging_one_has_no_estimate() -> None:
    clock = LagClock()
    first = lag("g", [(0, 10, 10), (1, 2, 10)])
    clock.observe([first], T0)
    # One sample: partition 1 (lag 8) has no estimate yet, so the group's worst is unknown.
    assert clock.group_lag_time(first, T0) == GroupLagTime(None, None, 1)
    second = lag("g", [(0, 20, 20), (1, 2, 20)])
    clock.observe([second], T0 + 2)
    # Partition 1's record at offset 2 predates the first sample: extrapolated at 5/s from 10 at T0.
    result = clock.group_lag_time(second, T0 + 2)
    assert result == GroupLagTime(result.seconds, LagMethod.ESTIMATED, 0)
    assert result.seconds is not None
    assert round(result.seconds, 3) == 3.4
    caught_up = lag("g", [(0, 20, 20), (1, 20, 20)])
    assert clock.group_lag_time(caught_up, T0 + 2) == GroupLagTime(0.0, LagMethod.ESTIMATED, 0)


def test_mixed_methods_make_the_group_estimated() -> None:
    clock = LagClock()
    meta = format_commit_metadata(int((T0 - 1) * 1000))
    clock.observe([lag("g", [(0, 5, 10), (1, 5, 10)], [meta, None])], T0)
    group = lag("g", [(0, 5, 20), (1, 5, 20)], [meta, None])
    clock.observe([group], T0 + 1)
    result = clock.group_lag_time(group, T0 + 1)
    assert result.method is LagMethod.ESTIMATED
    assert result.seconds is not None
    assert round(result.seconds, 3) == 2.0  # the exact partition: 1 s old at T0, 2 s at T0 + 1


def test_last_commit_is_when_the_committed_offset_was_seen_moving() -> None:
    clock = LagClock()
    clock.observe([lag("g", [(0, 5, 10)])], T0)
    assert clock.commit_seen("g", "orders", 0) == CommitSeen(None, T0)
    clock.observe([lag("g", [(0, 5, 12)])], T0 + 2)
    seen = clock.commit_seen("g", "orders", 0)
    assert seen is not None
    assert seen.age(T0 + 3) == (3.0, True)  # not moved since watching began: at least 3 s
    clock.observe([lag("g", [(0, 9, 14)])], T0 + 4)
    seen = clock.commit_seen("g", "orders", 0)
    assert seen == CommitSeen(T0 + 4, T0)
    assert seen.age(T0 + 6) == (2.0, False)
    clock.forget_groups_except(["other"])
    assert clock.commit_seen("g", "orders", 0) is None


def test_a_partition_without_a_commit_has_no_lag_time() -> None:
    clock = LagClock()
    group = lag("g", [(0, None, 10)])
    clock.observe([group], T0)
    assert clock.partition_lag_time(group.partitions[0], T0) is None
    assert clock.group_lag_time(group, T0) == GroupLagTime(None, None, 0)
    assert clock.commit_seen("g", "orders", 0) is None
