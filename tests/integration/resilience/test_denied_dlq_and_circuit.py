"""On the real broker: a DLQ write denied by an ACL stops the run with nothing committed past the message;
an open circuit pauses the partitions and resumes them for the probes; replay loop detection."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import AuthorizationError, Message, Producer, TopicPartition
from kafka_client.admin import AclBinding, KafkaAdmin
from kafka_client.resilience import (
    CircuitBreaker,
    DeadLetterQueue,
    DeadLetterQueueError,
    DeadLetterReader,
    RetryPolicy,
)
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.resilience.conftest import committed, produce, read_all, subscribed
from tests.unit.resilience.conftest import spy_on

FAST = RetryPolicy(max_attempts=2, initial_backoff_s=0.01, max_backoff_s=0.02)


@pytest.fixture(params=["confluent", "kafka-python"])
def backend(request: pytest.FixtureRequest) -> str:
    """ACLs and broker-side pausing exist only on a real broker (the memory backend's side is unit-tested)."""
    return str(request.param)


@pytest.fixture
def real_backend(backend: str) -> str:
    return backend


@pytest.fixture
def alice(kafka_broker: KafkaBroker, real_backend: str) -> dict[str, Any]:
    settings = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256")
    return {**settings, "backend": real_backend}


@pytest.fixture
def admin(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers, timeout=30) as client:
        yield client


def test_a_dlq_write_denied_by_an_acl_stops_the_run_and_commits_nothing_from_the_message_on(
    alice: dict[str, Any],
    settings: dict[str, Any],
    admin: KafkaAdmin,
    topics: Callable[..., tuple[str, str]],
    group_id: str,
) -> None:
    topic, dlq_topic = topics()
    produce(settings, topic, [(None, b"0"), (None, b"1"), (None, b"boom"), (None, b"3")])
    grants = [
        AclBinding("TOPIC", topic, "User:alice", "READ"),
        AclBinding("TOPIC", topic, "User:alice", "DESCRIBE"),
        AclBinding("GROUP", group_id, "User:alice", "READ"),
        AclBinding("TOPIC", dlq_topic, "User:alice", "DESCRIBE"),  # may see it, may not write it
        # WRITE on some topic lets an idempotent producer get its producer id (KIP-679), so the denial
        # that stops the run is the DLQ topic's own
        AclBinding("TOPIC", topic, "User:alice", "WRITE"),
    ]
    admin.create_acls(grants)
    handled: list[bytes] = []

    def handler(message: Message[Any, Any]) -> None:
        if message.value == b"boom":
            raise ValueError("boom")
        handled.append(message.value)

    try:
        with (
            Producer(alice) as dlq_producer,
            subscribed(alice, group_id, topic) as consumer,
        ):
            started = time.monotonic()
            with pytest.raises(DeadLetterQueueError) as raised:
                consumer.run(
                    handler, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer, timeout_s=30)
                )
            assert time.monotonic() - started < 30  # a denied write fails fast, it does not hang
    finally:
        admin.delete_acls(grants)
    assert handled == [b"0", b"1"]
    assert raised.value.offset == 2
    assert isinstance(raised.value.__cause__, AuthorizationError), repr(raised.value.__cause__)
    assert committed(settings, group_id, TopicPartition(topic, 0)) == 2  # not past the message
    assert read_all(settings, dlq_topic, 0, timeout=1) == []


def test_an_open_circuit_pauses_the_assigned_partitions_and_resumes_them_for_the_probe(
    real_backend: str, settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    topic, _ = topics(partitions=2)
    produce(settings, topic, [(f"k{i}".encode(), str(i).encode()) for i in range(40)])
    timeline: list[tuple[str, Any, float]] = []
    breaker = CircuitBreaker(window_size=2, minimum_calls=2, open_for_s=1.0, name="payments")
    breaker.add_listener(lambda b, old, new: timeline.append(("circuit", new.value, time.monotonic())))
    failures_left = 3
    handled: list[tuple[int, int]] = []

    def handler(message: Message[Any, Any]) -> None:
        nonlocal failures_left
        timeline.append(("handler", (message.partition, message.offset), time.monotonic()))
        if failures_left:
            failures_left -= 1
            raise ConnectionError("payments service down")
        handled.append((message.partition, message.offset))

    events: list[tuple[str, Any]] = []
    retry = RetryPolicy(max_attempts=None, max_elapsed_s=120, initial_backoff_s=0.01, max_backoff_s=0.02)
    with subscribed(settings, group_id, topic, 2) as consumer:
        spy = spy_on(consumer, events)
        done = consumer.run(handler, retry=retry, circuit_breaker=breaker, max_messages=40)
        assigned = sorted(consumer.assignment())
    assert done == 40
    assert sorted(handled) == sorted(set(handled))  # each once
    assert len(handled) == 40
    assert breaker.times_opened == 2
    assert [e[1] for e in timeline if e[0] == "circuit"] == [
        "open",
        "half_open",
        "open",
        "half_open",
        "closed",
    ]
    pauses = [parts for kind, parts in events if kind == "pause"]
    resumes = [parts for kind, parts in events if kind == "resume"]
    assert pauses[:2] == [assigned, assigned]  # every assigned partition, each time it opened
    assert resumes == [assigned, assigned]
    # While open (from opening to half-open), the handler never ran.
    changes = [(state, at) for kind, state, at in timeline if kind == "circuit"]
    open_windows = [(a, b) for (s1, a), (s2, b) in itertools.pairwise(changes) if s1 == "open"]
    assert len(open_windows) == 2
    for kind, _, at in timeline:
        if kind == "handler":
            assert not any(start < at < end for start, end in open_windows)
    assert all(end - start >= 0.99 for start, end in open_windows)
    assert spy.polls_while_paused > 0  # it kept polling (staying in the group) while paused
    # Whatever was fetched despite the pause (prefetched) was put back, not handled twice or lost.
    for record in spy.fetched_while_paused:
        assert ("seek", (record.topic, record.partition, record.offset)) in events
    assert [committed(settings, group_id, TopicPartition(topic, p)) for p in range(2)] == [
        sum(1 for p, _ in handled if p == 0),
        sum(1 for p, _ in handled if p == 1),
    ]


def test_replay_loop_detection_on_the_real_broker(
    real_backend: str, settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    topic, dlq_topic = topics()
    produce(settings, topic, [(b"order-7", b"payload")], headers={"trace": "t-1"})

    def always_fails(message: Message[Any, Any]) -> None:
        raise ValueError("still broken")

    def fail_once_more() -> None:
        with (
            Producer(settings) as dlq_producer,
            subscribed(settings, group_id, topic) as consumer,
        ):
            consumer.run(always_fails, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=1)

    fail_once_more()
    with DeadLetterReader(settings, dlq_topic) as reader:
        first = reader.replay(dry_run=False)
    assert [a.status for a in first.actions] == ["replayed"]
    fail_once_more()  # the replayed copy fails again and comes back
    with DeadLetterReader(settings, dlq_topic) as reader:
        entries = reader.list_entries()
        assert [e.replayed_from for e in entries] == [(), (f"{dlq_topic}:0:0",)]
        assert [e.headers for e in entries] == [
            [("trace", b"t-1")],
            [("trace", b"t-1"), ("kafka-client-replayed-from", f"{dlq_topic}:0:0".encode())],
        ]
        second = reader.replay(entries[1:], dry_run=False)
    assert [a.status for a in second.actions] == ["skipped"]
    assert read_all(settings, topic, 2)[-1].headers[-1] == (
        "kafka-client-replayed-from",
        f"{dlq_topic}:0:0".encode(),
    )
    assert len(read_all(settings, topic, 2)) == 2  # the original and one replay; the loop was cut
