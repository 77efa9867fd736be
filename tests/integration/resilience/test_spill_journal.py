"""The spill journal against a real broker that dies: with the broker SIGKILLed, every message sent
through the journal fails its (short) delivery timeout and lands in the journal, exactly; after the
broker is back and the service "restarts" (a new journal object on the same file, a new producer),
``replay`` delivers each once, the journal ends empty, and consuming the topic shows every message
exactly once with its key, value and headers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from kafka_client import Consumer, Producer, TopicPartition, TopicPartitionOffset
from kafka_client.backends.confluent import NewTopicSpec, create_topics
from kafka_client.resilience import SpillJournal
from kafka_client.testing.embedded import EmbeddedKafka

BEFORE, DURING = 100, 500
PARTITIONS = 2


@pytest.fixture(params=["confluent", "kafka-python"])
def spill_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _read(settings: dict[str, Any], topic: str) -> list[Any]:
    records: list[Any] = []
    with Consumer(settings, group_id="spill-reader", commit_strategy="manual") as consumer:
        ends = {p: consumer.watermarks(TopicPartition(topic, p))[1] for p in range(PARTITIONS)}
        consumer.assign([TopicPartitionOffset(topic, p, 0) for p in range(PARTITIONS)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            records.extend(consumer.consume_batch(1_000, 0.5))
            positions = consumer.position()
            if all((positions.get(TopicPartition(topic, p)) or 0) >= ends[p] for p in range(PARTITIONS)):
                break
    return records


def test_undeliverable_messages_are_journaled_then_replayed_exactly_once(
    own_broker: EmbeddedKafka, spill_backend: str, tmp_path: Path
) -> None:
    topic = f"spill-{spill_backend}"
    create_topics(
        {"bootstrap.servers": own_broker.bootstrap_servers}, [NewTopicSpec(topic, PARTITIONS, 1, {})]
    )
    settings = {"bootstrap_servers": own_broker.bootstrap_servers, "backend": spill_backend}
    short = {"request_timeout_ms": 2_000, "delivery_timeout_ms": 6_000, "linger_ms": 5}
    path = tmp_path / "orders.journal"

    def message(i: int) -> tuple[bytes, bytes, list[tuple[str, bytes | None]]]:
        return f"v{i}".encode(), f"k{i % 7}".encode(), [("n", str(i).encode()), ("empty", b"")]

    with SpillJournal(path) as journal, Producer(settings, producer=short) as producer:
        for i in range(BEFORE):
            value, key, headers = message(i)
            journal.send(producer, topic, value, key=key, headers=headers)
        assert producer.flush(30) == 0
        assert len(journal) == 0, [r.reason for r in journal.pending()][:3]
        own_broker.kill()
        futures = []
        for i in range(BEFORE, BEFORE + DURING):
            value, key, headers = message(i)
            futures.append(journal.send(producer, topic, value, key=key, headers=headers))
        producer.flush(30)
        failed = sum(f is None or f.exception(30) is not None for f in futures)
        spilled = len(journal)
        assert (failed, spilled, journal.spilled) == (DURING, DURING, DURING)
        # in the order the failures were reported (per partition, not across): compare as sets of messages
        journaled = sorted(
            (int(r.value[1:]), r.key, r.headers, r.topic) for r in journal.pending() if r.value
        )
        assert journaled == [(i, *message(i)[1:], topic) for i in range(BEFORE, BEFORE + DURING)]

    own_broker.start()
    with SpillJournal(path) as journal, Producer(settings) as producer:  # the service restarted
        assert len(journal) == DURING
        assert journal.recovered_problems == []
        report = journal.replay(producer)
        assert tuple(report) == (DURING, 0, 0)
    with SpillJournal(path) as journal:
        assert len(journal) == 0, [r.reason for r in journal.pending()][:3]

    records = _read(settings, topic)
    seen = sorted((int(r.value[1:]), r.key, list(r.headers)) for r in records)
    expected = [(i, message(i)[1], message(i)[2]) for i in range(BEFORE + DURING)]
    duplicated = len(records) - len({s[0] for s in seen})
    lost = BEFORE + DURING - len({s[0] for s in seen})
    print(
        f"\n| broker SIGKILLed, delivery timeout 6 s, spill journal ({spill_backend}) | {BEFORE + DURING} "
        f"| {len(records)} | {lost} | {duplicated} | journaled {spilled}, replayed {report.delivered} |"
    )
    assert seen == expected
