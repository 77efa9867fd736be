"""A consumer fed random garbage on the real broker: 400 good JSON records with 40 undecodable ones
(random bytes that are not JSON, and keys that are not UTF-8) mixed in. Every good record is handled
once and in order, every garbage record lands in the DLQ byte for byte with ``stage=deserialization``,
and the group is committed to the end: garbage never stops or crashes the consumer."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from kafka_client import Producer, TopicPartition
from kafka_client.resilience import DeadLetterQueue
from tests.integration.resilience.conftest import committed, produce, read_all, subscribed

GOOD, BAD = 400, 40


def _garbage(rng: random.Random) -> bytes:
    while True:
        data = rng.randbytes(rng.randint(1, 200))
        try:
            json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return data


def test_random_garbage_goes_to_the_dlq_and_consumption_continues(
    settings: dict[str, Any], topics: Callable[..., tuple[str, str]], group_id: str
) -> None:
    topic, dlq_topic = topics()
    rng = random.Random(8)
    bad_at = set(rng.sample(range(GOOD + BAD), BAD))
    records: list[tuple[bytes | None, bytes | None]] = []
    garbage: list[tuple[bytes | None, bytes | None]] = []
    n = 0
    for i in range(GOOD + BAD):
        if i in bad_at:
            # one in four has a key that is not UTF-8 and a good value; the rest a garbage value
            item = (
                (b"\xff\xfe" + rng.randbytes(4), b'{"n": -1}')
                if len(garbage) % 4 == 0
                else (b"k", _garbage(rng))
            )
            garbage.append(item)
            records.append(item)
        else:
            records.append((f"k{n}".encode(), json.dumps({"n": n}).encode()))
            n += 1
    produce(settings, topic, records)

    seen: list[int] = []
    with (
        Producer(settings) as dlq_producer,
        subscribed(settings, group_id, topic, key_deserializer="str", value_deserializer="json") as consumer,
    ):
        handled = consumer.run(
            lambda m: seen.append(m.value["n"]),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            max_messages=GOOD + BAD,
        )
    assert handled == GOOD + BAD  # handled or dead-lettered
    assert seen == list(range(GOOD))
    assert committed(settings, group_id, TopicPartition(topic, 0)) == GOOD + BAD

    letters = read_all(settings, dlq_topic, BAD)
    assert [(r.key, r.value) for r in letters] == garbage  # byte for byte, in order
    stages = {dict(r.headers).get("kafka-client-dlq-stage") for r in letters}
    fields = [dict(r.headers).get("kafka-client-dlq-error-field") for r in letters]
    assert stages == {b"deserialization"}
    assert fields == [b"key" if i % 4 == 0 else b"value" for i in range(BAD)]
    print(
        f"\n| garbage among good records ({settings['backend']}) | {GOOD + BAD} | {len(seen)} handled + "
        f"{len(letters)} dead-lettered | 0 | 0 |"
    )
