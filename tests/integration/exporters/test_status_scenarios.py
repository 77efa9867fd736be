"""Every status produced by a real scenario on the broker: OK, WARN, STALL, STOP and REWIND."""

from __future__ import annotations

from kafka_client import Consumer, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import metric_names as m
from tests.integration.admin.conftest import (
    commit_offsets,
    produce,
    wait_for_assignment,
    wait_until_described,
)
from tests.integration.exporters.conftest import ExporterFactory, parse, value


def test_each_status_from_a_real_scenario(
    tool_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str
) -> None:
    bootstrap = tool_broker.bootstrap_servers
    topic = f"{prefix}-events"
    admin.create_topics([NewTopicSpec(topic, 1, 1)])
    wait_until_described(admin, topic)
    produce(bootstrap, topic, 30, 1)
    ok, warn, stall, stop, rewind = (f"{prefix}-{s}" for s in ("ok", "warn", "stall", "stop", "rewind"))
    commit_offsets(bootstrap, warn, [TopicPartitionOffset(topic, 0, 10)])
    commit_offsets(bootstrap, stop, [TopicPartitionOffset(topic, 0, 10)])
    commit_offsets(bootstrap, rewind, [TopicPartitionOffset(topic, 0, 25)])
    exporter = make_exporter(status_window=3)
    warn_offset = 10
    with (
        Consumer(
            bootstrap_servers=bootstrap, group_id=stall, topics=[topic], commit_strategy="manual"
        ) as stuck,
        Consumer(bootstrap_servers=bootstrap, group_id=ok, commit_strategy="manual") as keeper,
    ):
        wait_for_assignment(stuck, 1)
        stuck.commit(
            offsets=[TopicPartitionOffset(topic, 0, 12)]
        )  # then never again, while it stays a member
        for cycle in range(4):
            end = 30 + 5 * cycle
            keeper.commit(offsets=[TopicPartitionOffset(topic, 0, end)])  # always caught up
            exporter.collect_once()
            produce(bootstrap, topic, 5, 1)  # production goes on
            warn_offset += 1  # moving, but slower than the producer
            commit_offsets(bootstrap, warn, [TopicPartitionOffset(topic, 0, warn_offset)])
            if cycle == 1:  # offsets reset backwards with Kafka's own tool
                tool_broker.run_tool(  # type: ignore[attr-defined]
                    "kafka-consumer-groups", "--reset-offsets", "--group", rewind, "--topic", topic,
                    "--to-offset", "5", "--execute",
                )  # fmt: skip
        found = parse(exporter.metrics())

    def status(group: str) -> str:
        code = value(found, m.CONSUMERGROUP_STATUS_CODE, consumergroup=group)
        flags = {s: value(found, m.CONSUMERGROUP_STATUS, consumergroup=group, status=s) for s in STATUSES}
        assert sum(v or 0 for v in flags.values()) == 1, flags
        (name,) = (s for s, v in flags.items() if v == 1)
        assert code == STATUSES.index(name)
        partition = value(
            found, m.CONSUMERGROUP_PARTITION_STATUS_CODE, consumergroup=group, topic=topic, partition=0
        )
        assert partition == code
        return name

    assert {group: status(group) for group in (ok, warn, stall, stop, rewind)} == {
        ok: "OK",
        warn: "WARN",
        stall: "STALL",
        stop: "STOP",
        rewind: "REWIND",
    }
    assert value(found, m.CONSUMERGROUP_CURRENT_OFFSET, consumergroup=rewind, topic=topic, partition=0) == 5


STATUSES = ["OK", "WARN", "REWIND", "STALL", "STOP"]
