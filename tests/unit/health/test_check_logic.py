"""Each check's verdicts from prepared cluster states (the real broker runs them in tests/integration)."""

from __future__ import annotations

from typing import Any

import pytest

from kafka_client import KafkaTimeoutError, TopicPartition
from kafka_client.admin import (
    BrokerInfo,
    ClusterDescription,
    CommittedOffset,
    ConsumerGroupDescription,
    ConsumerGroupLag,
    GroupMember,
    GroupState,
    GroupType,
    PartitionDescription,
    TopicConfig,
    TopicDescription,
    Watermarks,
    compute_group_lag,
)
from kafka_client.errors import TopicError
from kafka_client.health import HealthStatus, check_brokers, check_consumer_group, check_topic
from tests.unit.health._fakes import FakeAdmin

OK, DEGRADED, FAILED = HealthStatus.OK, HealthStatus.DEGRADED, HealthStatus.FAILED
BROKERS = (BrokerInfo(1, "k1", 9092), BrokerInfo(2, "k2", 9092), BrokerInfo(3, "k3", 9092))
T0, T1 = TopicPartition("t", 0), TopicPartition("t", 1)


def admin(**kwargs: Any) -> Any:
    return FakeAdmin(**kwargs)


# --- brokers -------------------------------------------------------------------------------------------


def test_brokers_ok() -> None:
    result = check_brokers(admin(cluster=ClusterDescription("abc", 2, BROKERS)), min_brokers=3)
    assert (result.name, result.status) == ("brokers", OK)
    assert result.detail == "3 brokers (1, 2, 3), controller 2, cluster abc"
    assert result.data == {
        "cluster_id": "abc",
        "controller_id": 2,
        "brokers": [1, 2, 3],
        "broker_count": 3,
        "min_brokers": 3,
    }


def test_fewer_brokers_than_expected_is_degraded() -> None:
    result = check_brokers(admin(cluster=ClusterDescription("abc", 1, BROKERS[:2])), min_brokers=3)
    assert (result.status, result.detail) == (DEGRADED, "only 2 of the 3 expected brokers are up ([1, 2])")


def test_no_controller_is_failed() -> None:
    result = check_brokers(admin(cluster=ClusterDescription("abc", None, BROKERS[:1])))
    assert (result.status, result.detail) == (FAILED, "1 broker answered, but no controller is elected")


def test_unreachable_cluster_is_failed_with_the_error() -> None:
    error = KafkaTimeoutError("describing the cluster at k1:9092: Local: Timed out [_TIMED_OUT]")
    result = check_brokers(admin(cluster=error))
    assert (result.status, result.detail, result.data) == (FAILED, str(error), {"error": "KafkaTimeoutError"})


# --- topic ---------------------------------------------------------------------------------------------


def _topic(*partitions: PartitionDescription, min_isr: int | None = 2) -> TopicDescription:
    return TopicDescription("orders", "id", False, partitions, TopicConfig(604800000, min_isr, "delete"))


def test_topic_ok_mentions_under_replication() -> None:
    topic = _topic(
        PartitionDescription(0, 1, (1, 2, 3), (1, 2, 3)), PartitionDescription(1, 2, (1, 2, 3), (2, 3))
    )
    result = check_topic(admin(topics={"orders": topic}), "orders")
    assert (result.name, result.status) == ("topic:orders", OK)
    assert result.detail == (
        "2 partitions, all with a leader, in-sync replicas >= min.insync.replicas=2 (1 under-replicated)"
    )
    assert result.data["under_replicated_partitions"] == [1]
    assert result.data["replication_factor"] == 3
    assert result.data["leaders"] == {"0": 1, "1": 2}


def test_isr_below_min_insync_replicas_is_degraded() -> None:
    topic = _topic(
        PartitionDescription(0, 1, (1, 2, 3), (1, 2, 3)), PartitionDescription(1, 2, (1, 2, 3), (2,))
    )
    result = check_topic(admin(topics={"orders": topic}), "orders")
    assert result.status is DEGRADED
    assert result.detail == (
        "partitions [1] have fewer in-sync replicas than min.insync.replicas=2; "
        "acks=all producers fail on them"
    )


def test_offline_partition_is_failed() -> None:
    topic = _topic(PartitionDescription(0, None, (1, 2, 3), ()), PartitionDescription(1, 2, (1, 2, 3), (2,)))
    result = check_topic(admin(topics={"orders": topic}), "orders")
    assert (result.status, result.detail) == (FAILED, "1 of 2 partitions are offline (no leader): [0]")


def test_missing_topic_is_failed() -> None:
    error = TopicError("describing topic 'orders' at k:9092: Unknown topic [UNKNOWN_TOPIC_OR_PART]")
    error.code = "UNKNOWN_TOPIC_OR_PART"
    result = check_topic(admin(topics={"orders": error}), "orders")
    assert (result.status, result.detail, result.data) == (
        FAILED,
        "topic 'orders' does not exist",
        {"exists": False},
    )


def test_unreadable_topic_is_failed_with_the_error() -> None:
    error = TopicError("describing topic 'orders' at k:9092: Topic authorization failed")
    result = check_topic(admin(topics={"orders": error}), "orders")
    assert (result.status, result.detail) == (FAILED, str(error))


# --- consumer group ------------------------------------------------------------------------------------


def _lag(
    committed: dict[TopicPartition, int],
    ends: dict[TopicPartition, int],
    *,
    members: dict[TopicPartition, str] | None = None,
    state: GroupState = GroupState.STABLE,
) -> ConsumerGroupLag:
    by_member: dict[str, list[TopicPartition]] = {}
    for tp, member in (members or {}).items():
        by_member.setdefault(member, []).append(tp)
    description = ConsumerGroupDescription(
        "g",
        state,
        GroupType.CLASSIC,
        False,
        "range",
        None,
        tuple(GroupMember(m, "app", "/10.0.0.1", tuple(tps)) for m, tps in by_member.items()),
    )
    return compute_group_lag(
        "g",
        description,
        {tp: CommittedOffset(o, None) for tp, o in committed.items()},
        {tp: Watermarks(0, e) for tp, e in ends.items()},
    )


def group_check(*samples: ConsumerGroupLag, **kwargs: Any) -> Any:
    fake = FakeAdmin(lag_samples=list(samples))
    return check_consumer_group(fake, "g", sample_interval_s=0, **kwargs), fake


def test_caught_up_group_is_ok_without_a_second_sample() -> None:
    result, fake = group_check(_lag({T0: 10}, {T0: 10}, members={T0: "m1"}))
    assert (result.name, result.status, result.detail) == ("group:g", OK, "Stable, 1 member, lag 0")
    assert fake.calls == ["consumer_group_lag"]
    assert result.data["moving"] is None


def test_moving_group_is_ok() -> None:
    members = {T0: "m1", T1: "m1"}
    result, _ = group_check(
        _lag({T0: 10, T1: 3}, {T0: 20, T1: 5}, members=members),
        _lag({T0: 15, T1: 5}, {T0: 22, T1: 5}, members=members),
    )
    assert result.status is OK
    assert result.detail == "Stable, 1 member, lag 7, consuming (+7 committed in 0 s)"
    assert (result.data["committed_progress"], result.data["lag_change"], result.data["moving"]) == (
        7,
        -5,
        True,
    )


def test_stalled_group_is_degraded() -> None:
    sample = _lag({T0: 10}, {T0: 30}, members={T0: "m1"})
    result, fake = group_check(sample, sample)
    assert (result.status, result.detail) == (
        DEGRADED,
        "stalled: lag is 20 and no committed offset moved in 0 s (1 member)",
    )
    assert fake.calls == ["consumer_group_lag", "consumer_group_lag"]
    assert result.data["moving"] is False


def test_lag_without_members_is_degraded() -> None:
    sample = _lag({T0: 10}, {T0: 30}, state=GroupState.EMPTY)
    result, _ = group_check(sample, sample)
    assert (result.status, result.detail) == (
        DEGRADED,
        "no active members while lag is 20: nothing is consuming it",
    )


def test_lag_over_max_lag_is_failed() -> None:
    sample = _lag({T0: 10}, {T0: 30}, state=GroupState.EMPTY)
    result, _ = group_check(sample, sample, max_lag=5)
    assert result.status is FAILED
    assert result.detail.endswith("; lag 20 exceeds max_lag 5")


def test_rebalancing_group_is_degraded() -> None:
    result, _ = group_check(
        _lag({T0: 30}, {T0: 30}, members={T0: "m1"}, state=GroupState.PREPARING_REBALANCE)
    )
    assert (result.status, result.detail) == (DEGRADED, "rebalancing (state PreparingRebalance)")


def test_lagging_partition_without_owner_is_degraded() -> None:
    first = _lag({T0: 1, T1: 1}, {T0: 9, T1: 9}, members={T0: "m1"})
    second = _lag({T0: 5, T1: 1}, {T0: 9, T1: 9}, members={T0: "m1"})
    result, _ = group_check(first, second)
    assert (result.status, result.detail) == (DEGRADED, "1 lagging partitions have no member: t[1]")


def test_missing_group_is_failed() -> None:
    result, _ = group_check(_lag({}, {}, state=GroupState.DEAD))
    assert (result.status, result.detail) == (
        FAILED,
        "group 'g' does not exist (no members, no committed offsets)",
    )


@pytest.mark.parametrize("interval", [0.05])
def test_second_sample_waits_the_interval(interval: float) -> None:
    sample = _lag({T0: 10}, {T0: 30}, members={T0: "m1"})
    fake = FakeAdmin(lag_samples=[sample, sample])
    result = check_consumer_group(fake, "g", sample_interval_s=interval)
    assert result.duration_s >= interval
    assert result.data["sample_interval_s"] == interval
