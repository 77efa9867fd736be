"""Cluster, topics, offsets and groups on the real broker: exact values."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from kafka_client import Consumer, TopicError, TopicPartition, TopicPartitionOffset
from kafka_client.admin import (
    BrokerInfo,
    CommittedOffset,
    GroupState,
    GroupType,
    KafkaAdmin,
    NewTopicSpec,
    PartitionDescription,
    TopicConfig,
    TopicListing,
    Watermarks,
)
from kafka_client.backends import _confluent_admin
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.admin.conftest import commit_offsets, produce, wait_for_assignment


def test_describe_cluster_names_the_one_broker_and_its_controller(
    admin: KafkaAdmin, kafka_broker: KafkaBroker
) -> None:
    cluster = admin.describe_cluster()
    host, port = kafka_broker.bootstrap_servers.rsplit(":", 1)
    assert cluster.brokers == (BrokerInfo(1, host, int(port), None),)
    assert cluster.controller_id == 1
    assert cluster.controller == cluster.brokers[0]
    assert cluster.cluster_id
    if hasattr(kafka_broker, "cluster_id"):
        assert cluster.cluster_id == kafka_broker.cluster_id


def test_describe_topics_exactly(admin: KafkaAdmin, kafka_topic: Callable[..., str]) -> None:
    topic = kafka_topic(3, config={"retention.ms": "60000"})
    compacted = kafka_topic(1, config={"cleanup.policy": "compact", "min.insync.replicas": "1"})
    described = admin.describe_topics([topic, compacted])
    assert described[topic].partitions == tuple(PartitionDescription(p, 1, (1,), (1,)) for p in range(3))
    assert described[topic].config == TopicConfig(
        retention_ms=60000, min_insync_replicas=1, cleanup_policy="delete"
    )
    assert described[topic].internal is False
    assert described[topic].topic_id
    assert (described[topic].offline_partitions, described[topic].under_replicated_partitions) == ((), ())
    assert described[compacted].config.cleanup_policy == "compact"


def test_describe_a_missing_topic_is_a_topic_error(admin: KafkaAdmin) -> None:
    with pytest.raises(
        TopicError, match=r"describing topic 'no-such-topic-x1' at 127\.0\.0\.1:\d+: .*UNKNOWN_TOPIC"
    ):
        admin.describe_topics(["no-such-topic-x1"])


def test_list_topics_hides_internal_ones_unless_asked(
    admin: KafkaAdmin, kafka_topic: Callable[..., str], kafka_broker: KafkaBroker, group_id: Callable[[], str]
) -> None:
    topic = kafka_topic(2)
    # A commit makes sure __consumer_offsets exists.
    commit_offsets(kafka_broker.bootstrap_servers, group_id(), [TopicPartitionOffset(topic, 0, 0)])
    visible = admin.list_topics()
    assert TopicListing(topic, 2, False) in visible
    assert all(not t.name.startswith("__consumer_offsets") for t in visible)
    everything = {t.name: t for t in admin.list_topics(include_internal=True)}
    assert everything["__consumer_offsets"] == TopicListing("__consumer_offsets", 10, True)


def test_create_and_delete_topics(admin: KafkaAdmin, group_id: Callable[[], str]) -> None:
    name = f"admin-created-{group_id()}"
    admin.create_topics([NewTopicSpec(name, 4, 1, {"retention.ms": "120000"})])
    try:
        assert len(admin.describe_topics([name])[name].partitions) == 4
        with pytest.raises(TopicError, match=f"creating topic '{name}'.*TOPIC_ALREADY_EXISTS"):
            admin.create_topics([NewTopicSpec(name, 4)])
        admin.create_topics([name], exist_ok=True)
    finally:
        admin.delete_topics([name])
    deadline = time.monotonic() + 10
    while name in {t.name for t in admin.list_topics()}:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_watermarks_committed_offsets_and_offsets_for_times(
    admin: KafkaAdmin, kafka_topic: Callable[..., str], kafka_broker: KafkaBroker, group_id: Callable[[], str]
) -> None:
    topic = kafka_topic(3)
    before = int(time.time() * 1000) - 1000
    produce(kafka_broker.bootstrap_servers, topic, 30, 3)
    parts = [TopicPartition(topic, p) for p in range(3)]
    assert admin.watermarks(parts) == {tp: Watermarks(0, 10) for tp in parts}
    group = group_id()
    commit_offsets(
        kafka_broker.bootstrap_servers,
        group,
        [TopicPartitionOffset(topic, 0, 4, "ts=1700000000000"), TopicPartitionOffset(topic, 2, 9)],
    )
    assert admin.committed_offsets(group) == {
        parts[0]: CommittedOffset(4, "ts=1700000000000"),
        parts[2]: CommittedOffset(9, None),
    }
    future = int(time.time() * 1000) + 3_600_000
    assert admin.offsets_for_times({parts[0]: before, parts[1]: future}) == {parts[0]: 0, parts[1]: None}


@pytest.mark.parametrize("native", [True, False], ids=["native-request", "public-list-offsets"])
def test_watermarks_in_several_requests_and_through_the_public_call(
    admin: KafkaAdmin,
    kafka_topic: Callable[..., str],
    kafka_broker: KafkaBroker,
    monkeypatch: pytest.MonkeyPatch,
    native: bool,
) -> None:
    """Requests of 2 partitions each; without the client's native ListOffsets call (another
    confluent-kafka release) the public one gives the same values and errors."""
    monkeypatch.setattr(_confluent_admin, "OFFSETS_BATCH", 2)
    if not native:
        monkeypatch.setattr(admin._backend, "_native_list_offsets", None)
    topic = kafka_topic(5)
    produce(kafka_broker.bootstrap_servers, topic, 15, 5)
    parts = [TopicPartition(topic, p) for p in range(5)]
    assert admin.watermarks(parts) == {tp: Watermarks(0, 3) for tp in parts}
    in_an_hour = int(time.time() * 1000) + 3_600_000
    assert admin.offsets_for_times(dict.fromkeys(parts, in_an_hour)) == dict.fromkeys(parts)
    # An unknown partition fails alone; a request of unknown ones only fails whole (no leader to ask).
    unknown = [TopicPartition(topic, 7), TopicPartition(topic, 8)]
    asked = [*parts[:4], *unknown, parts[4]]
    assert admin.watermarks(asked, partial=True) == {tp: Watermarks(0, 3) for tp in parts}
    with pytest.raises(TopicError, match=rf"listing offsets of {topic}\[7\] and 1 more partitions"):
        admin.watermarks(asked)
    assert admin.watermarks([parts[0], unknown[0]], partial=True) == {parts[0]: Watermarks(0, 3)}


def test_groups_list_and_describe_a_live_member(
    admin: KafkaAdmin, kafka_topic: Callable[..., str], kafka_broker: KafkaBroker, group_id: Callable[[], str]
) -> None:
    topic = kafka_topic(3)
    group = group_id()
    with Consumer(
        bootstrap_servers=kafka_broker.bootstrap_servers,
        client_id="described-client",
        group_id=group,
        topics=[topic],
        commit_strategy="manual",
    ) as consumer:
        wait_for_assignment(consumer, 3)
        listed = {g.group_id: g for g in admin.list_groups()}
        assert (listed[group].state, listed[group].type, listed[group].simple) == (
            GroupState.STABLE,
            GroupType.CLASSIC,
            False,
        )
        description = admin.describe_groups([group, "no-such-group-x1"])
        live = description[group]
        assert (live.state, live.coordinator.id if live.coordinator else None) == (GroupState.STABLE, 1)
        assert live.partition_assignor
        (member,) = live.members
        assert (member.client_id, member.host) == ("described-client", "/127.0.0.1")
        assert member.assignment == tuple(TopicPartition(topic, p) for p in range(3))
        assert (description["no-such-group-x1"].state, description["no-such-group-x1"].members) == (
            GroupState.DEAD,
            (),
        )
