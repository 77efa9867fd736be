"""Producing through broker faults, on a broker of our own (never the session one): 200k keyed
idempotent messages while the broker is SIGKILLed and restarted, or SIGSTOPped for longer than the
request timeout. Afterwards every message is in the topic exactly once, in per-key order, and every
delivery callback fired exactly once, successfully.

| fault | sent | received | lost | duplicated |  (asserted below, per backend)
|---|---|---|---|---|
| SIGKILL + restart mid-stream | 200 000 | 200 000 | 0 | 0 |
| SIGSTOP > request timeout, then SIGCONT | 200 000 | 200 000 | 0 | 0 |
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import (
    Consumer,
    KafkaClientError,
    Producer,
    RecordMetadata,
    TopicPartition,
    TopicPartitionOffset,
)
from kafka_client.backends.confluent import NewTopicSpec, create_topics
from kafka_client.testing.embedded import EmbeddedKafka

COUNT = 200_000
KEYS = 1_000
PARTITIONS = 3


@pytest.fixture(params=["confluent", "kafka-python"])
def fault_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Deliveries:
    """Counts delivery callbacks per message index (thread-safe), and the acks so far."""

    def __init__(self) -> None:
        self.calls = [0] * COUNT
        self.errors: list[tuple[int, KafkaClientError]] = []
        self.acked = 0
        self._lock = threading.Lock()

    def callback(self, index: int) -> Callable[[KafkaClientError | None, RecordMetadata | None], None]:
        def report(error: KafkaClientError | None, meta: RecordMetadata | None) -> None:
            with self._lock:
                self.calls[index] += 1
                if error is not None:
                    self.errors.append((index, error))
                else:
                    self.acked += 1

        return report


def _produce_through(
    broker: EmbeddedKafka, backend: str, topic: str, fault: Callable[[], None]
) -> Deliveries:
    settings = {"bootstrap_servers": broker.bootstrap_servers, "backend": backend}
    deliveries = Deliveries()
    faulted = threading.Event()

    def inject() -> None:
        while deliveries.acked < COUNT // 4:
            time.sleep(0.01)
        fault()
        faulted.set()

    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    with Producer(
        settings,
        producer={
            "request_timeout_ms": 5_000,
            "delivery_timeout_ms": 180_000,
            "queue_full_timeout_s": 180.0,
            "linger_ms": 20,
        },
    ) as producer:
        for i in range(COUNT):
            key = i % KEYS
            producer.send(
                topic, f"{key}:{i}".encode(), key=str(key).encode(), on_delivery=deliveries.callback(i)
            )
        assert producer.flush(180) == 0
    injector.join(timeout=120)
    assert faulted.is_set(), "the fault was never injected (the stream ended first)"
    return deliveries


def _read_all(broker: EmbeddedKafka, backend: str, topic: str) -> list[Any]:
    settings = {"bootstrap_servers": broker.bootstrap_servers, "backend": backend}
    records: list[Any] = []
    with Consumer(settings, group_id="fault-reader", commit_strategy="manual") as consumer:
        ends = {p: consumer.watermarks(TopicPartition(topic, p))[1] for p in range(PARTITIONS)}
        consumer.assign([TopicPartitionOffset(topic, p, 0) for p in range(PARTITIONS)])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            records.extend(consumer.consume_batch(5_000, 0.5))
            positions = consumer.position()
            if all((positions.get(TopicPartition(topic, p)) or 0) >= ends[p] for p in range(PARTITIONS)):
                break
    return records


def _check(deliveries: Deliveries, records: list[Any]) -> None:
    assert deliveries.errors == []
    assert deliveries.calls.count(1) == COUNT  # every callback fired, exactly once
    seqs_by_key: dict[bytes, list[int]] = {}
    seen: set[int] = set()
    duplicates = 0
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        key, seq = record.value.decode().split(":")
        index = int(seq)
        duplicates += index in seen
        seen.add(index)
        seqs_by_key.setdefault(record.key, []).append(index)
    lost = COUNT - len(seen)
    assert (len(records), lost, duplicates) == (COUNT, 0, 0)
    assert len(seqs_by_key) == KEYS
    for key, seqs in seqs_by_key.items():
        assert seqs == sorted(seqs), f"key {key!r} out of order"


def _new_topic(broker: EmbeddedKafka, name: str) -> str:
    create_topics({"bootstrap.servers": broker.bootstrap_servers}, [NewTopicSpec(name, PARTITIONS, 1, {})])
    return name


def test_sigkill_and_restart_mid_stream_loses_and_duplicates_nothing(
    own_broker: EmbeddedKafka, fault_backend: str
) -> None:
    topic = _new_topic(own_broker, f"fault-kill-{fault_backend}")

    def kill_and_restart() -> None:
        own_broker.kill()
        time.sleep(1.0)
        own_broker.start()

    deliveries = _produce_through(own_broker, fault_backend, topic, kill_and_restart)
    _check(deliveries, _read_all(own_broker, fault_backend, topic))


def test_sigstop_longer_than_the_request_timeout_loses_and_duplicates_nothing(
    own_broker: EmbeddedKafka, fault_backend: str
) -> None:
    topic = _new_topic(own_broker, f"fault-stop-{fault_backend}")

    def freeze() -> None:
        own_broker.pause()
        time.sleep(8.0)  # > request_timeout_ms (5 s): requests time out and are retried
        own_broker.resume()

    deliveries = _produce_through(own_broker, fault_backend, topic, freeze)
    _check(deliveries, _read_all(own_broker, fault_backend, topic))
