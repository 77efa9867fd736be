"""Committed offsets of many groups in one OffsetFetch per coordinator (kafka-python), on the real broker.

The batched answer must equal the per-group one (librdkafka, one request per group) partition by
partition, metadata included, for groups committed by either backend and for a group that never
committed; kafka-python's routine log lines must stay out of the application's logs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import TopicPartition, TopicPartitionOffset
from kafka_client.admin import CommittedOffset, KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.admin.conftest import commit_offsets, produce


def _commit(bootstrap: str, group: str, offsets: list[TopicPartitionOffset], backend: str) -> None:
    from kafka_client import Consumer

    with Consumer(
        bootstrap_servers=bootstrap, backend=backend, group_id=group, commit_strategy="manual"
    ) as consumer:
        consumer.commit(offsets=offsets)


def _spy_batched_reads(admin: KafkaAdmin) -> list[int]:
    """Count the kafka-python ``list_group_offsets`` calls (each: one OffsetFetch per coordinator) and the
    groups each carried; the real call runs."""
    reader = admin._backend._batched_offsets
    assert reader is not None
    calls: list[int] = []
    connected = reader._connected

    def spying_connected(timeout: float) -> Any:
        client = connected(timeout)
        if client is not None and not hasattr(client, "_spied"):
            real = client.list_group_offsets

            def list_group_offsets(groups: list[str]) -> Any:
                calls.append(len(groups))
                return real(groups)

            client.list_group_offsets = list_group_offsets
            client._spied = True
        return client

    reader._connected = spying_connected  # type: ignore[method-assign]
    return calls


def test_batched_offsets_equal_the_per_group_ones(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = kafka_topic(3)
    produce(bootstrap, topic, 30, 3)
    by_confluent, by_kafka_python, by_tool, never = (group_id() for _ in range(4))
    _commit(
        bootstrap,
        by_confluent,
        [TopicPartitionOffset(topic, 0, 4, "ts=1700000000000"), TopicPartitionOffset(topic, 2, 9)],
        "confluent",
    )
    _commit(
        bootstrap, by_kafka_python, [TopicPartitionOffset(topic, 1, 6, "ts=1700000000500")], "kafka-python"
    )
    commit_offsets(bootstrap, by_tool, [TopicPartitionOffset(topic, p, 10) for p in range(3)])
    groups = [by_confluent, by_kafka_python, by_tool, never]
    t0, t1, t2 = (TopicPartition(topic, p) for p in range(3))
    expected = {
        by_confluent: {t0: CommittedOffset(4, "ts=1700000000000"), t2: CommittedOffset(9, None)},
        by_kafka_python: {t1: CommittedOffset(6, "ts=1700000000500")},
        by_tool: {tp: CommittedOffset(10, None) for tp in (t0, t1, t2)},
        never: {},
    }
    with KafkaAdmin(bootstrap_servers=bootstrap, timeout=30, batch_group_offsets=False) as per_group:
        read = per_group._backend.committed_offsets(groups, 30)
        assert per_group._backend._batched_offsets is None
    # librdkafka reads commit metadata as a C string: metadata written without a terminating NUL (by
    # kafka-python, Java) can come back with whatever bytes follow it in memory (seen in CI:
    # 'ts=170000000050027a4a'). The batched path reads the exact bytes (asserted below).
    garbled = read[by_kafka_python][t1]
    assert garbled.offset == 6
    assert garbled.metadata is not None
    assert garbled.metadata.startswith("ts=1700000000500")
    assert {g: r for g, r in read.items() if g != by_kafka_python} == {
        g: r for g, r in expected.items() if g != by_kafka_python
    }
    with KafkaAdmin(bootstrap_servers=bootstrap, timeout=30) as batched:
        calls = _spy_batched_reads(batched)
        assert batched._backend.committed_offsets(groups, 30) == expected
        assert batched.committed_offsets(by_tool) == expected[by_tool]
        lag = batched.consumer_group_lag(groups)
        assert {g: lag[g].total_lag for g in groups} == {
            by_confluent: 7,
            by_kafka_python: 4,
            by_tool: 0,
            never: 0,
        }
        assert calls == [4, 1, 4]
        reader = batched._backend._batched_offsets
        assert reader is not None
        assert reader.disabled is None
    assert reader.disabled == "closed"
    assert reader._client is None


def test_kafka_pythons_routine_lines_stay_out_of_the_logs(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], group_id: Callable[[], str], caplog: Any
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = kafka_topic(1)
    groups = [group_id() for _ in range(3)]
    for group in groups:
        commit_offsets(bootstrap, group, [TopicPartitionOffset(topic, 0, 0)])
    caplog.set_level(logging.INFO)
    with KafkaAdmin(bootstrap_servers=bootstrap, timeout=30) as admin:
        assert len(admin._backend.committed_offsets(groups, 30)) == 3
        assert admin._backend._batched_offsets._client is not None  # type: ignore[union-attr]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kafka.")] == []
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="kafka")
    with KafkaAdmin(bootstrap_servers=bootstrap, timeout=30) as admin:
        admin._backend.committed_offsets(groups, 30)
    coordinator_lines = [r for r in caplog.records if r.getMessage().startswith("Coordinator for GROUP/")]
    # the coordinators found for this client: shown once kafka-python's DEBUG logging is on, as DEBUG
    assert {r.levelname for r in coordinator_lines} == {"DEBUG"}
    assert {r.getMessage().split("/")[1].split(" ")[0] for r in coordinator_lines} >= set(groups)


@pytest.mark.parametrize("batch", [True, False], ids=["batched", "per-group"])
def test_an_unreachable_cluster_still_answers_with_a_typed_error_in_time(batch: bool) -> None:
    """No broker: the kafka-python path is not even tried before the cluster answered once."""
    from kafka_client import KafkaClientError

    with KafkaAdmin(bootstrap_servers="127.0.0.1:1", timeout=2, batch_group_offsets=batch) as admin:
        result = admin._backend.committed_offsets(["g"], 2)
        assert isinstance(result["g"], KafkaClientError)
        reader = admin._backend._batched_offsets
        assert reader is None or reader._client is None


def test_an_admin_dropped_without_close_closes_its_kafka_python_client(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], group_id: Callable[[], str]
) -> None:
    import gc
    import threading

    group = group_id()
    commit_offsets(kafka_broker.bootstrap_servers, group, [TopicPartitionOffset(kafka_topic(1), 0, 1)])
    admin = KafkaAdmin(
        bootstrap_servers=kafka_broker.bootstrap_servers, client_id="dropped-admin", timeout=30
    )
    assert len(admin.committed_offsets(group)) == 1
    reader = admin._backend._batched_offsets
    assert reader is not None
    assert reader._client is not None
    assert [t.name for t in threading.enumerate() if t.name == "kafka-io-dropped-admin"] == [
        "kafka-io-dropped-admin"
    ]
    del admin
    gc.collect()
    assert (reader.disabled, reader._client) == ("closed", None)
    deadline = time.monotonic() + 10
    while any(t.name == "kafka-io-dropped-admin" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the kafka-python I/O thread outlived its admin client"
        time.sleep(0.05)
