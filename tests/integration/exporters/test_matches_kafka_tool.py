"""Per partition, the exporter's committed offsets, log end offsets and lag equal what Kafka's own
``kafka-consumer-groups --describe`` prints, for every kind of group."""

from __future__ import annotations

from typing import Any

from kafka_client import Consumer, TopicPartition, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import metric_names as m
from tests.integration.admin.conftest import (
    commit_offsets,
    produce,
    wait_for_assignment,
    wait_until_described,
)
from tests.integration.exporters.conftest import ExporterFactory, Series, parse, value

Row = tuple[int | None, int | None, int | None]


def _cell(text: str) -> int | None:
    return None if text == "-" else int(text)


def tool_rows(broker: KafkaBroker, group: str) -> dict[TopicPartition, Row]:
    """CURRENT-OFFSET, LOG-END-OFFSET, LAG per partition, '-' as None."""
    output = broker.run_tool("kafka-consumer-groups", "--describe", "--group", group).stdout  # type: ignore[attr-defined]
    rows: dict[TopicPartition, Row] = {}
    for line in output.splitlines():
        fields = line.split()
        if len(fields) == 9 and fields[0] == group:
            rows[TopicPartition(fields[1], int(fields[2]))] = (
                _cell(fields[3]),
                _cell(fields[4]),
                _cell(fields[5]),
            )
    return rows


def exporter_rows(found: Series, group: str, partitions: Any) -> dict[TopicPartition, Row]:
    rows: dict[TopicPartition, Row] = {}
    for tp in partitions:
        labels = {"consumergroup": group, "topic": tp.topic, "partition": tp.partition}
        current = value(found, m.CONSUMERGROUP_CURRENT_OFFSET, **labels)
        uncommitted = value(found, m.CONSUMERGROUP_PARTITION_UNCOMMITTED, **labels)
        assert (current is None) == (uncommitted == 1), (tp, current, uncommitted)
        end = value(found, m.TOPIC_PARTITION_CURRENT_OFFSET, topic=tp.topic, partition=tp.partition)
        lag = value(found, m.CONSUMERGROUP_LAG, **labels)
        rows[tp] = tuple(None if v is None else int(v) for v in (current, end, lag))  # type: ignore[assignment]
    return rows


def partitions_of(found: Series, group: str) -> set[TopicPartition]:
    names = (m.CONSUMERGROUP_CURRENT_OFFSET, m.CONSUMERGROUP_PARTITION_UNCOMMITTED)
    return {
        TopicPartition(dict(labels)["topic"], int(dict(labels)["partition"]))
        for name, labels in found
        if name in names and dict(labels)["consumergroup"] == group
    }


def test_every_kind_of_group_matches_the_tool(
    tool_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str
) -> None:
    bootstrap = tool_broker.bootstrap_servers
    topic, doomed = f"{prefix}-orders", f"{prefix}-doomed"
    admin.create_topics([NewTopicSpec(topic, 3, 1), NewTopicSpec(doomed, 1, 1)])
    wait_until_described(admin, topic)
    wait_until_described(admin, doomed)
    produce(bootstrap, topic, 30, 3)
    produce(bootstrap, doomed, 4, 1)
    caught_up, lagging, partial, empty, orphan = (
        f"{prefix}-{kind}" for kind in ("caught-up", "lagging", "partial", "empty", "orphan")
    )
    commit_offsets(bootstrap, caught_up, [TopicPartitionOffset(topic, p, 10) for p in range(3)])
    commit_offsets(bootstrap, empty, [TopicPartitionOffset(topic, p, 2 + p) for p in range(3)])
    commit_offsets(bootstrap, orphan, [TopicPartitionOffset(doomed, 0, 3)])
    admin.delete_topics([doomed])
    exporter = make_exporter()
    with (
        Consumer(
            bootstrap_servers=bootstrap, group_id=lagging, topics=[topic], commit_strategy="manual"
        ) as live,
        Consumer(
            bootstrap_servers=bootstrap, group_id=partial, topics=[topic], commit_strategy="manual"
        ) as half,
    ):
        wait_for_assignment(live, 3)
        live.commit(offsets=[TopicPartitionOffset(topic, p, 1 + p) for p in range(3)])
        wait_for_assignment(half, 3)
        half.commit(offsets=[TopicPartitionOffset(topic, 0, 4), TopicPartitionOffset(topic, 1, 9)])
        exporter.collect_once()
        found = parse(exporter.metrics())
        for group in (caught_up, lagging, partial, empty, orphan):
            expected = tool_rows(tool_broker, group)
            assert expected or group == orphan, group
            assert exporter_rows(found, group, expected) == expected, group
            assert partitions_of(found, group) == set(expected), group
        assert value(found, m.CONSUMERGROUP_MEMBERS, consumergroup=lagging) == 1
        assert value(found, m.CONSUMERGROUP_STATE, consumergroup=lagging, state="Stable") == 1
        assert value(found, m.CONSUMERGROUP_ASSIGNED_PARTITIONS, consumergroup=partial, topic=topic) == 3

    for group, expected_lag in ((caught_up, 0), (lagging, 24), (empty, 21)):
        assert value(found, m.CONSUMERGROUP_LAG_SUM, consumergroup=group, topic=topic) == expected_lag
    assert (
        value(found, m.CONSUMERGROUP_PARTITION_UNCOMMITTED, consumergroup=partial, topic=topic, partition=2)
        == 1
    )
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup=partial, topic=topic, partition=2) is None
    assert value(found, m.CONSUMERGROUP_MEMBERS, consumergroup=empty) == 0
    assert value(found, m.CONSUMERGROUP_STATE, consumergroup=empty, state="Empty") == 1
    # The deleted topic: its committed offset is shown while the broker still has it (like the tool),
    # but never a lag, and no topic series.
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup=orphan, topic=doomed, partition=0) is None
    assert value(found, m.TOPIC_PARTITIONS, topic=doomed) is None
    assert value(found, m.TOPIC_PARTITIONS, topic=topic) == 3
    assert value(found, m.EXPORTER_UP) == 1

    # A group that is gone leaves no series behind.
    tool_broker.run_tool("kafka-consumer-groups", "--delete", "--group", empty)  # type: ignore[attr-defined]
    exporter.collect_once()
    assert not any(dict(labels).get("consumergroup") == empty for _n, labels in parse(exporter.metrics()))
