"""Lag seconds method ``timestamp``: the record at the committed offset is read, on the real broker.

Records are produced with known CreateTime timestamps (set by the test, hours in the past), so the
truth is exact: lag seconds = the cycle's sample time - the timestamp of the record at the committed
offset. Stated bound: 1 ms (float rounding only; nothing is estimated).
"""

from __future__ import annotations

import time

from kafka_client import Producer, TopicPartition, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import metric_names as m
from tests.integration.admin.conftest import commit_offsets, wait_until_described
from tests.integration.exporters.conftest import ExporterFactory, parse, samples_of, value

BOUND_S = 0.001
#: Record timestamps: partition p, offset o was created at BASE_MS + p * 1_000_000 + o * 1000.
BASE_MS = int(time.time() * 1000) - 3 * 3600 * 1000


def created_ms(partition: int, offset: int) -> int:
    return BASE_MS + partition * 1_000_000 + offset * 1000


def produce(bootstrap: str, topic: str, partitions: int, count: int) -> None:
    with Producer(bootstrap_servers=bootstrap) as producer:
        futures = [
            producer.send(topic, b"x", partition=p, timestamp=created_ms(p, o))
            for p in range(partitions)
            for o in range(count)
        ]
        producer.flush(30)
    assert [(f.result().partition, f.result().offset) for f in futures] == [
        (p, o) for p in range(partitions) for o in range(count)
    ]


def test_lag_seconds_from_the_record_at_the_committed_offset(
    kafka_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str
) -> None:
    topic = f"{prefix}-stamped"
    admin.create_topics([NewTopicSpec(topic, 3, 1)])
    wait_until_described(admin, topic)
    produce(kafka_broker.bootstrap_servers, topic, 3, 10)
    read_group, other_group = f"{prefix}-read", f"{prefix}-other"
    commits = {0: 2, 1: 7, 2: 10}  # partition 2 is caught up (lag 0): nothing to read
    commit_offsets(
        kafka_broker.bootstrap_servers,
        read_group,
        [TopicPartitionOffset(topic, p, o) for p, o in commits.items()],
    )
    commit_offsets(kafka_broker.bootstrap_servers, other_group, [TopicPartitionOffset(topic, 0, 4)])

    exporter = make_exporter(timestamp_reads={"groups": [f"^{read_group}$"], "timeout_s": 10})
    readings = exporter.collect_once()["main"]
    assert not readings.errors
    assert readings.record_timestamps == {
        (tp, o): created_ms(tp.partition, o)
        for tp, o in [(TopicPartition(topic, p), commits[p]) for p in (0, 1)]
    }
    found = parse(exporter.metrics())
    for partition in (0, 1):
        labels = {"consumergroup": read_group, "topic": topic, "partition": partition}
        seconds = value(found, m.CONSUMERGROUP_LAG_SECONDS, method="timestamp", **labels)
        assert seconds is not None
        truth = readings.groups_time - created_ms(partition, commits[partition]) / 1000
        assert abs(seconds - truth) <= BOUND_S
    caught_up = {"consumergroup": read_group, "topic": topic, "partition": 2}
    assert samples_of(found, m.CONSUMERGROUP_LAG_SECONDS, **caught_up) == {
        frozenset({("cluster", "main"), ("method", "interpolation"), *_labels(caught_up)}): 0.0
    }
    # A group outside the allow-list is never read: its first cycle has no lag seconds yet.
    other = {"consumergroup": other_group, "topic": topic, "partition": 0}
    assert samples_of(found, m.CONSUMERGROUP_LAG_SECONDS, **other) == {}
    assert value(found, m.EXPORTER_ERRORS, api="read_record_timestamps") is None


def test_the_cap_rotates_the_reads_over_cycles(
    kafka_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str
) -> None:
    topic = f"{prefix}-capped"
    admin.create_topics([NewTopicSpec(topic, 3, 1)])
    wait_until_described(admin, topic)
    produce(kafka_broker.bootstrap_servers, topic, 3, 5)
    group = f"{prefix}-capped-group"
    commit_offsets(
        kafka_broker.bootstrap_servers, group, [TopicPartitionOffset(topic, p, p + 1) for p in range(3)]
    )
    exporter = make_exporter(
        timestamp_reads={"groups": [f"^{group}$"], "max_reads_per_cycle": 2, "timeout_s": 10}
    )
    read_per_cycle = []
    for _ in range(3):
        readings = exporter.collect_once()["main"]
        read_per_cycle.append(sorted((tp.partition, o) for tp, o in readings.record_timestamps))
        for (tp, offset), stamp in readings.record_timestamps.items():
            assert stamp == created_ms(tp.partition, offset)
    assert read_per_cycle == [[(0, 1), (1, 2)], [(0, 1), (2, 3)], [(1, 2), (2, 3)]]


def _labels(labels: dict[str, str | int]) -> set[tuple[str, str]]:
    return {(k, str(v)) for k, v in labels.items()}
