"""The one lag computation: rows, None for no commit, never negative, sums and maxima."""

from __future__ import annotations

from kafka_client import KafkaClientError, TopicPartition
from kafka_client.admin import (
    CommittedOffset,
    ConsumerGroupDescription,
    GroupMember,
    GroupState,
    GroupType,
    TopicLag,
    Watermarks,
    compute_group_lag,
)

T0, T1, T2 = TopicPartition("orders", 0), TopicPartition("orders", 1), TopicPartition("orders", 2)
P0 = TopicPartition("payments", 0)


def _group(*members: GroupMember, state: GroupState = GroupState.STABLE) -> ConsumerGroupDescription:
    return ConsumerGroupDescription("g", state, GroupType.CLASSIC, False, "range", None, members)


def test_rows_cover_committed_and_assigned_partitions_sorted() -> None:
    member = GroupMember("m-1", "billing", "/10.0.0.7", (T2, T1))
    lag = compute_group_lag(
        "g",
        _group(member),
        {T1: CommittedOffset(5, "ts=1700000000000"), T0: CommittedOffset(10, None)},
        {T0: Watermarks(0, 10), T1: Watermarks(2, 30), T2: Watermarks(0, 7)},
    )
    rows = [
        (p.topic_partition, p.committed_offset, p.log_end_offset, p.earliest_offset, p.lag)
        for p in lag.partitions
    ]
    assert rows == [(T0, 10, 10, 0, 0), (T1, 5, 30, 2, 25), (T2, None, 7, 0, None)]
    t0, t1, t2 = lag.partitions
    assert (t0.member_id, t0.client_id, t0.host) == (None, None, None)
    assert (t1.member_id, t1.client_id, t1.host, t1.metadata) == (
        "m-1",
        "billing",
        "/10.0.0.7",
        "ts=1700000000000",
    )
    assert t2.metadata is None
    assert (lag.state, lag.members, lag.total_lag, lag.max_lag) == (GroupState.STABLE, 1, 25, 25)
    assert lag.partitions_without_commit == (T2,)
    assert lag.partition("orders", 1) is t1
    assert lag.partition("orders", 9) is None


def test_lag_is_never_negative() -> None:
    # A committed offset past the log end (e.g. read just after a truncation) is lag 0, not -3.
    lag = compute_group_lag("g", None, {T0: CommittedOffset(13, None)}, {T0: Watermarks(0, 10)})
    assert lag.partitions[0].lag == 0


def test_unknown_log_end_leaves_lag_unknown() -> None:
    lag = compute_group_lag("g", None, {T0: CommittedOffset(3, None)}, {})
    row = lag.partitions[0]
    assert (row.committed_offset, row.log_end_offset, row.earliest_offset, row.lag) == (3, None, None, None)
    assert (lag.total_lag, lag.max_lag) == (0, 0)


def test_sums_and_maxima_per_group_and_topic() -> None:
    lag = compute_group_lag(
        "g",
        None,
        {T0: CommittedOffset(1, None), T1: CommittedOffset(4, None), P0: CommittedOffset(0, None)},
        {T0: Watermarks(0, 11), T1: Watermarks(0, 5), P0: Watermarks(0, 3)},
    )
    assert (lag.total_lag, lag.max_lag) == (14, 10)
    assert lag.by_topic == {
        "orders": TopicLag("orders", 11, 10, 2),
        "payments": TopicLag("payments", 3, 3, 1),
    }


def test_without_description_the_state_is_unknown_and_the_error_is_kept() -> None:
    error = KafkaClientError("coordinator unavailable")
    lag = compute_group_lag("g", None, {}, {}, error)
    assert (lag.state, lag.members, lag.partitions, lag.error) == (GroupState.UNKNOWN, 0, (), error)


def test_committed_below_earliest_flags_data_lost_to_retention() -> None:
    lag = compute_group_lag("g", None, {T0: CommittedOffset(3, None)}, {T0: Watermarks(8, 20)})
    assert lag.partitions[0].committed_below_earliest
    assert lag.partitions[0].lag == 17
