"""DeadLetterReader on the in-memory cluster: typed entries, filters, grouping, replay and loop detection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kafka_client import Consumer, Message, Producer
from kafka_client.errors import TopicError
from kafka_client.resilience import (
    REPLAYED_FROM,
    DeadLetter,
    DeadLetterQueue,
    DeadLetterReader,
    RetryPolicy,
    group_by_exception,
)
from kafka_client.testing.memory import MemoryCluster

FAILED_AT = dt.datetime(2025, 6, 1, 12, 0, 0, 250000, tzinfo=dt.UTC)


def _dead_letter_some(settings: dict[str, Any], cluster: MemoryCluster) -> None:
    """orders: 0 ok, 1 ValueError, 2 poison (json), 3 ok, 4 KeyError, 5 ValueError -> 4 dead letters."""
    for n in range(6):
        value = b"not json" if n == 2 else b'{"n": %d}' % n
        cluster.inject_record("orders", 0, b"k%d" % n, value, [("tenant", b"eu")] if n == 2 else None)

    def handler(message: Message[Any, Any]) -> None:
        n = message.value["n"]
        if n in (1, 5):
            raise ValueError(f"bad {n}")
        if n == 4:
            raise KeyError("missing")

    with (
        Producer(settings) as dlq_producer,
        Consumer(settings, group_id="billing", topics=["orders"], value_deserializer="json") as consumer,
    ):
        dlq = DeadLetterQueue(dlq_producer, clock=lambda: FAILED_AT)
        consumer.run(
            handler,
            retry=RetryPolicy(max_attempts=2, initial_backoff_s=0.001),
            dead_letter_queue=dlq,
            max_messages=6,
        )


def test_entries_are_typed_with_every_header_parsed(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    _dead_letter_some(settings, memory_cluster)
    with DeadLetterReader(settings, "orders.dlq") as reader:
        entries = reader.list_entries()
    assert [(e.dlq_offset, e.original_offset, e.exception_type, e.attempts) for e in entries] == [
        (0, 1, "ValueError", 2),
        (1, 2, "kafka_client.errors.DeserializationError", 0),
        (2, 4, "KeyError", 2),
        (3, 5, "ValueError", 2),
    ]
    poison = entries[1]
    assert (poison.key, poison.value, poison.headers) == (b"k2", b"not json", [("tenant", b"eu")])
    assert (poison.original_topic, poison.original_partition, poison.stage, poison.error_field) == (
        "orders",
        0,
        "deserialization",
        "value",
    )
    assert poison.consumer_group == "billing"
    assert poison.failed_at == FAILED_AT
    assert poison.original_timestamp_ms is not None
    assert poison.traceback is not None
    assert "DeserializationError" in poison.traceback
    assert entries[0].exception_message == "bad 1"
    assert entries[0].coordinates == "orders.dlq:0:0"
    assert entries[0].original == "orders[0]@1"
    assert entries[0].replayed_from == ()
    assert all(k.startswith("kafka-client-dlq-") for k, _ in entries[0].dlq_headers)


def test_filters_offset_ranges_and_grouping(memory_cluster: MemoryCluster, settings: dict[str, Any]) -> None:
    _dead_letter_some(settings, memory_cluster)
    with DeadLetterReader(settings, "orders.dlq") as reader:
        assert [e.dlq_offset for e in reader.list_entries(from_offset=1, to_offset=2)] == [1, 2]
        assert [e.dlq_offset for e in reader.list_entries(exception_type="ValueError")] == [0, 3]
        assert [e.dlq_offset for e in reader.list_entries(exception_type="DeserializationError")] == [1]
        assert [e.dlq_offset for e in reader.list_entries(where=lambda e: e.original_offset == 4)] == [2]
        assert reader.list_entries(partitions=[0], from_offset=10) == []
        found = reader.get(0, 2)
        assert found is not None
        assert found.exception_type == "KeyError"
        assert reader.get(0, 99) is None
        groups = reader.group_by_exception()
    assert {kind: [e.dlq_offset for e in items] for kind, items in groups.items()} == {
        "ValueError": [0, 3],
        "KeyError": [2],
        "kafka_client.errors.DeserializationError": [1],
    }
    assert list(groups) == ["ValueError", "KeyError", "kafka_client.errors.DeserializationError"]


def test_a_missing_topic_is_a_topic_error(memory_cluster: MemoryCluster, settings: dict[str, Any]) -> None:
    with pytest.raises(TopicError):
        DeadLetterReader(settings, "nope.dlq").list_entries()


def test_replay_is_a_dry_run_by_default_and_writes_nothing(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    _dead_letter_some(settings, memory_cluster)
    before = memory_cluster.end_offsets("orders")
    with DeadLetterReader(settings, "orders.dlq") as reader:
        report = reader.replay()
    assert report.dry_run
    assert report.ok
    assert [(a.status, a.target_topic, a.target_partition) for a in report.actions] == [
        ("would_replay", "orders", 0)
    ] * 4
    assert memory_cluster.end_offsets("orders") == before


def test_replay_round_trip_then_loop_detection(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    _dead_letter_some(settings, memory_cluster)
    with DeadLetterReader(settings, "orders.dlq") as reader:
        report = reader.replay(lambda e: e.exception_type == "ValueError", dry_run=False)
    assert report.to_dict()["counts"] == {"would_replay": 0, "replayed": 2, "skipped": 0, "failed": 0}
    assert [a.written_offset for a in report.actions] == [6, 7]
    replayed = memory_cluster.records("orders")[6:]
    assert [(r.key, r.value, r.headers) for r in replayed] == [
        (b"k1", b'{"n": 1}', [(REPLAYED_FROM, b"orders.dlq:0:0")]),
        (b"k5", b'{"n": 5}', [(REPLAYED_FROM, b"orders.dlq:0:3")]),
    ]

    # The fix is not deployed yet: both fail again and come back to the DLQ, carrying the replay header.
    with (
        Producer(settings) as dlq_producer,
        Consumer(settings, group_id="billing", topics=["orders"], value_deserializer="json") as consumer,
    ):
        consumer.run(
            lambda m: (_ for _ in ()).throw(ValueError("still bad")),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            max_messages=2,
        )
    with DeadLetterReader(settings, "orders.dlq") as reader:
        again = reader.list_entries(from_offset=4)
        assert [e.replayed_from for e in again] == [("orders.dlq:0:0",), ("orders.dlq:0:3",)]
        report = reader.replay(again, dry_run=False)
        assert [a.status for a in report.actions] == ["skipped", "skipped"]
        assert not report.ok
        assert report.actions[0].reason is not None
        assert "already replayed from orders.dlq:0:0" in report.actions[0].reason
        assert memory_cluster.end_offsets("orders")[0] == 8  # nothing written
        forced = reader.replay(again[:1], dry_run=False, allow_repeat=True)
    assert [a.status for a in forced.actions] == ["replayed"]
    last = memory_cluster.records("orders")[-1]
    assert last.headers == [(REPLAYED_FROM, b"orders.dlq:0:0"), (REPLAYED_FROM, b"orders.dlq:0:4")]


def test_an_entry_naming_its_own_offset_is_a_loop_even_when_repeats_are_not_the_question(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.inject_record("x.dlq", 0, b"k", b"v", [(REPLAYED_FROM, b"x.dlq:0:0")])
    memory_cluster.inject_record("x.dlq", 0, b"k", b"v", [("kafka-client-dlq-original-topic", b"x")])
    with DeadLetterReader(settings, "x.dlq") as reader:
        report = reader.replay(to_topic="elsewhere")
        to_original = reader.replay()
    assert [a.status for a in report.actions] == ["skipped", "would_replay"]
    assert report.actions[0].reason is not None
    assert "its own DLQ offset" in report.actions[0].reason
    assert report.actions[1].target_partition is None  # another topic: partitioned by key
    assert [(a.status, a.target_topic) for a in to_original.actions] == [
        ("skipped", None),
        ("would_replay", "x"),
    ]
    assert to_original.actions[0].reason == "no original topic header; give to_topic"


def test_replay_to_another_topic_partitions_by_key(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    _dead_letter_some(settings, memory_cluster)
    memory_cluster.create_topic("orders-retry", partitions=3)
    with DeadLetterReader(settings, "orders.dlq") as reader:
        report = reader.replay(to_topic="orders-retry", dry_run=False, exception_type="KeyError")
    assert [(a.status, a.target_topic) for a in report.actions] == [("replayed", "orders-retry")]
    [record] = memory_cluster.records("orders-retry")
    assert (record.key, record.value) == (b"k4", b'{"n": 4}')


def test_a_failed_replay_write_is_reported_and_the_others_still_go(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    from kafka_client import AuthorizationError

    _dead_letter_some(settings, memory_cluster)
    memory_cluster.fail_next_deliveries(1, AuthorizationError("denied"), topic="orders")
    with DeadLetterReader(settings, "orders.dlq") as reader:
        report = reader.replay(dry_run=False)
    assert [a.status for a in report.actions] == ["failed", "replayed", "replayed", "replayed"]
    assert not report.ok
    assert "denied" in (report.actions[0].reason or "")


def test_group_by_exception_names_unknown_types() -> None:
    letters = [
        DeadLetter("d", 0, i, None, None, None, exception_type=kind)
        for i, kind in enumerate(["A", None, "A", "B", None, None])
    ]
    grouped = group_by_exception(letters)
    assert {k: len(v) for k, v in grouped.items()} == {"<unknown>": 3, "A": 2, "B": 1}


_header_names = st.one_of(
    st.sampled_from(
        [
            "kafka-client-dlq-original-topic",
            "kafka-client-dlq-original-partition",
            "kafka-client-dlq-original-offset",
            "kafka-client-dlq-original-timestamp",
            "kafka-client-dlq-attempts",
            "kafka-client-dlq-failed-at",
            "kafka-client-dlq-exception-type",
            REPLAYED_FROM,
        ]
    ),
    st.text(max_size=20),
)


@hsettings(max_examples=300, deadline=None)
@given(
    headers=st.lists(st.tuples(_header_names, st.one_of(st.none(), st.binary(max_size=64))), max_size=12),
    key=st.one_of(st.none(), st.binary(max_size=16)),
    value=st.one_of(st.none(), st.binary(max_size=64)),
)
def test_parsing_arbitrary_headers_never_raises(
    headers: list[tuple[str, bytes | None]], key: Any, value: Any
) -> None:
    letter = DeadLetter.from_record(Message("t.dlq", 0, 7, key, value, headers, None))
    assert letter.dlq_offset == 7
    for number in (letter.attempts, letter.original_offset, letter.original_partition):
        assert number is None or isinstance(number, int)
    assert letter.failed_at is None or letter.failed_at.tzinfo is not None
    letter.to_dict()  # JSON-ready whatever the bytes


def test_json_view_keeps_binary_safe(memory_cluster: MemoryCluster) -> None:
    letter = DeadLetter.from_record(Message("t.dlq", 0, 1, b"\xff", b"text", [("h", b"\x00\xfe")], None))
    data = letter.to_dict()
    assert (data["key"], data["value"], data["headers"]) == ("base64:/w==", "text", [["h", "base64:AP4="]])
