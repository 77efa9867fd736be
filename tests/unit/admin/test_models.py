"""The admin result values: derived flags, JSON-ready fields, group states."""

from __future__ import annotations

import dataclasses
import json

from kafka_client import TopicPartition
from kafka_client.admin import (
    BrokerInfo,
    ClusterDescription,
    ConsumerGroupDescription,
    GroupMember,
    GroupState,
    GroupType,
    PartitionDescription,
    TopicConfig,
    TopicDescription,
)


def test_partition_flags_follow_leader_and_isr() -> None:
    healthy = PartitionDescription(0, leader=1, replicas=(1, 2, 3), isr=(1, 2, 3))
    lagging = PartitionDescription(1, leader=1, replicas=(1, 2, 3), isr=(1,))
    offline = PartitionDescription(2, leader=None, replicas=(1, 2, 3), isr=())
    assert (healthy.offline, healthy.under_replicated) == (False, False)
    assert (lagging.offline, lagging.under_replicated) == (False, True)
    assert (offline.offline, offline.under_replicated) == (True, True)


def test_topic_lists_offline_under_replicated_and_under_min_isr_partitions() -> None:
    topic = TopicDescription(
        "orders",
        "id",
        False,
        (
            PartitionDescription(0, 1, (1, 2, 3), (1, 2, 3)),
            PartitionDescription(1, 2, (1, 2, 3), (2, 3)),
            PartitionDescription(2, 3, (1, 2, 3), (3,)),
            PartitionDescription(3, None, (1, 2, 3), ()),
        ),
        TopicConfig(retention_ms=-1, min_insync_replicas=2, cleanup_policy="delete"),
    )
    assert topic.offline_partitions == (3,)
    assert topic.under_replicated_partitions == (1, 2, 3)
    assert topic.under_min_isr_partitions == (2,)  # offline partitions are counted as offline only


def test_no_min_isr_known_means_no_under_min_isr_partitions() -> None:
    topic = TopicDescription("t", None, False, (PartitionDescription(0, 1, (1, 2), (1,)),))
    assert topic.under_min_isr_partitions == ()


def test_results_are_json_ready_through_asdict() -> None:
    topic = TopicDescription("t", None, False, (PartitionDescription(0, 1, (1,), (1,)),))
    data = dataclasses.asdict(topic)
    assert data["partitions"][0] == {
        "partition": 0,
        "leader": 1,
        "replicas": (1,),
        "isr": (1,),
        "offline": False,
        "under_replicated": False,
    }
    json.dumps(data)


def test_cluster_controller_is_looked_up_among_brokers() -> None:
    brokers = (BrokerInfo(1, "a", 9092), BrokerInfo(2, "b", 9093, "rack-2"))
    assert ClusterDescription("c", 2, brokers).controller == brokers[1]
    assert ClusterDescription("c", None, brokers).controller is None
    assert brokers[1].address == "b:9093"


def test_group_owners_and_states() -> None:
    tp0, tp1 = TopicPartition("t", 0), TopicPartition("t", 1)
    group = ConsumerGroupDescription(
        "g",
        GroupState.STABLE,
        GroupType.CLASSIC,
        False,
        "range",
        None,
        (GroupMember("m1", "c1", "/10.0.0.1", (tp0,)), GroupMember("m2", "c2", "/10.0.0.2", (tp1,))),
    )
    assert {tp: m.member_id for tp, m in group.owners().items()} == {tp0: "m1", tp1: "m2"}
    assert GroupState.PREPARING_REBALANCE.rebalancing
    assert GroupState.RECONCILING.rebalancing
    assert not GroupState.STABLE.rebalancing
    assert str(GroupState.COMPLETING_REBALANCE) == "CompletingRebalance"
