"""Retry and the dead-letter queue on the real broker, on both backends (and the in-memory double)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from kafka_client import AsyncConsumer, AsyncProducer, Message, Producer, TopicPartition
from kafka_client.resilience import DeadLetterQueue, DeadLetterReader, RetryPolicy
from tests.integration.resilience.conftest import committed, produce, read_all, subscribed

FAST = RetryPolicy(max_attempts=3, initial_backoff_s=0.01, max_backoff_s=0.05, rng=random.Random(3))
POISON = b"\x00\xffnot-json{"


def _dlq_headers(record: Any) -> dict[str, bytes | None]:
    return {k: v for k, v in record.headers if k.startswith("kafka-client-dlq-")}


def test_a_poison_pill_is_dead_lettered_untouched_and_consumption_continues_after_it(
    settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    topic, dlq_topic = topics()
    good = [(f"k{i}".encode(), json.dumps({"n": i}).encode()) for i in range(10)]
    produce(settings, topic, good[:5])
    produce(settings, topic, [(b"poison-key", POISON)], headers={"origin": "legacy-system"})
    produce(settings, topic, good[5:])
    seen: list[int] = []
    with (
        Producer(settings) as dlq_producer,
        subscribed(settings, group_id, topic, value_deserializer="json") as consumer,
    ):
        dlq = DeadLetterQueue(dlq_producer)
        assert consumer.run(lambda m: seen.append(m.value["n"]), dead_letter_queue=dlq, max_messages=6) == 6
    assert seen == [0, 1, 2, 3, 4]
    assert committed(settings, group_id, TopicPartition(topic, 0)) == 6  # right after the poison message

    [letter] = read_all(settings, dlq_topic, 1)
    assert (letter.key, letter.value) == (b"poison-key", POISON)
    assert letter.headers[0] == ("origin", b"legacy-system")
    headers = _dlq_headers(letter)
    assert {
        k: headers[k]
        for k in headers
        if k
        not in (
            "kafka-client-dlq-exception-traceback",
            "kafka-client-dlq-exception-message",
            "kafka-client-dlq-failed-at",
            "kafka-client-dlq-original-timestamp",
        )
    } == {
        "kafka-client-dlq-original-topic": topic.encode(),
        "kafka-client-dlq-original-partition": b"0",
        "kafka-client-dlq-original-offset": b"5",
        "kafka-client-dlq-exception-type": b"kafka_client.errors.DeserializationError",
        "kafka-client-dlq-attempts": b"0",
        "kafka-client-dlq-consumer-group": group_id.encode(),
        "kafka-client-dlq-stage": b"deserialization",
        "kafka-client-dlq-error-field": b"value",
    }
    message = headers["kafka-client-dlq-exception-message"] or b""
    assert b"offset 5" in message
    assert int(headers["kafka-client-dlq-original-timestamp"] or b"0") > 1_600_000_000_000

    with subscribed(settings, group_id, topic, value_deserializer="json") as again:
        assert again.run(lambda m: seen.append(m.value["n"]), idle_timeout=3) == 5
    assert seen == list(range(10))
    assert committed(settings, group_id, TopicPartition(topic, 0)) == 11


def test_a_handler_failing_twice_then_succeeding_leaves_no_dead_letter(
    settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    topic, dlq_topic = topics()
    produce(settings, topic, [(None, b"a"), (None, b"b"), (None, b"c")])
    calls: list[bytes] = []

    def flaky(message: Message[Any, Any]) -> None:
        calls.append(message.value)
        if message.value == b"b" and calls.count(b"b") <= 2:
            raise ConnectionError("downstream hiccup")

    with (
        Producer(settings) as dlq_producer,
        subscribed(settings, group_id, topic) as consumer,
    ):
        assert (
            consumer.run(flaky, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=3)
            == 3
        )
    assert calls == [b"a", b"b", b"b", b"b", b"c"]
    assert read_all(settings, dlq_topic, 0, timeout=1) == []
    assert committed(settings, group_id, TopicPartition(topic, 0)) == 3


def test_an_always_failing_message_gives_exactly_one_dead_letter_with_its_attempts(
    settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    topic, dlq_topic = topics()
    produce(settings, topic, [(b"k0", b"ok"), (b"k1", b"bad"), (b"k2", b"ok")])

    def handler(message: Message[Any, Any]) -> None:
        if message.value == b"bad":
            raise ValueError("cannot process bad")

    with (
        Producer(settings) as dlq_producer,
        subscribed(settings, group_id, topic) as consumer,
    ):
        assert (
            consumer.run(handler, retry=FAST, dead_letter_queue=DeadLetterQueue(dlq_producer), max_messages=3)
            == 3
        )
    [letter] = read_all(settings, dlq_topic, 1)
    headers = _dlq_headers(letter)
    assert (letter.key, letter.value) == (b"k1", b"bad")
    assert headers["kafka-client-dlq-attempts"] == b"3"
    assert headers["kafka-client-dlq-exception-type"] == b"ValueError"
    assert headers["kafka-client-dlq-exception-message"] == b"cannot process bad"
    assert headers["kafka-client-dlq-original-offset"] == b"1"
    traceback = (headers["kafka-client-dlq-exception-traceback"] or b"").decode()
    assert "ValueError: cannot process bad\ngave up after 3 attempt(s)" in traceback
    assert committed(settings, group_id, TopicPartition(topic, 0)) == 3


def test_a_poison_message_among_10k_then_replay_after_the_fix_processes_it_once(
    settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str, backend: str
) -> None:
    topic, dlq_topic = topics(partitions=3)
    count = 10_000
    poison_at = 6_789
    with Producer(settings) as producer:
        for i in range(count + 1):
            value = POISON if i == poison_at else json.dumps({"n": i}).encode()
            producer.send(topic, value, key=f"k{i % 97}".encode())
        assert producer.flush(60) == 0
    seen: list[int] = []
    with (
        Producer(settings) as dlq_producer,
        subscribed(settings, group_id, topic, 3, value_deserializer="json") as consumer,
    ):
        done = consumer.run(
            lambda m: seen.append(m.value["n"]),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            max_messages=count + 1,
        )
    assert done == count + 1
    assert sorted(seen) == [i for i in range(count + 1) if i != poison_at]  # every good one, once

    with DeadLetterReader(settings, dlq_topic) as reader:
        [entry] = reader.list_entries()
        assert (entry.original_topic, entry.value, entry.key) == (
            topic,
            POISON,
            f"k{poison_at % 97}".encode(),
        )
        assert entry.stage == "deserialization"
        report = reader.replay(dry_run=False)
    assert [a.status for a in report.actions] == ["replayed"]

    fixed: list[Any] = []

    def tolerant(data: bytes | None, ctx: Any) -> Any:  # the fix: legacy payloads are accepted as-is
        try:
            return json.loads(data or b"null")
        except ValueError:
            return {"legacy": data}

    with subscribed(settings, group_id, topic, 3, value_deserializer=tolerant) as consumer:
        consumer.run(
            lambda m: fixed.append((m.value, m.header("kafka-client-replayed-from"))),
            max_messages=1,
            idle_timeout=30,
        )
    assert fixed == [({"legacy": POISON}, f"{dlq_topic}:0:0".encode())]
    partition = report.actions[0].target_partition
    assert partition == entry.original_partition
    assert partition is not None
    end = (report.actions[0].written_offset or 0) + 1
    assert (
        committed(settings, group_id, TopicPartition(topic, partition)) == end
    )  # processed once, nothing after


def test_async_concurrent_run_dead_letters_on_the_real_broker(
    settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    import asyncio

    topic, dlq_topic = topics(partitions=3)
    items = [(f"k{i}".encode(), b"bad" if i % 50 == 7 else b"ok") for i in range(300)]
    produce(settings, topic, items)

    async def main() -> int:
        async def handler(message: Message[Any, Any]) -> None:
            await asyncio.sleep(0)
            if message.value == b"bad":
                raise ValueError("bad")

        async with (
            AsyncProducer(settings) as producer,
            AsyncConsumer(settings, group_id=group_id) as consumer,
        ):
            await consumer.offsets_for_times(
                0, [TopicPartition(topic, p) for p in range(3)]
            )  # see subscribed()
            await consumer.subscribe([topic])
            return await consumer.run(
                handler,
                concurrency=3,
                retry=FAST,
                dead_letter_queue=DeadLetterQueue(producer),
                max_messages=300,
            )

    assert asyncio.run(main()) == 300
    letters = read_all(settings, dlq_topic, 6)
    assert sorted(r.key for r in letters) == sorted(f"k{i}".encode() for i in range(300) if i % 50 == 7)
    assert {_dlq_headers(r)["kafka-client-dlq-attempts"] for r in letters} == {b"3"}
