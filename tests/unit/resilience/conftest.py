"""Shared fixtures for the resilience unit tests: clients on the in-memory cluster, and a backend spy."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from kafka_client import Producer
from kafka_client._records import RawRecord, TopicPartition, TopicPartitionOffset
from kafka_client.testing.memory import MemoryCluster

SETTINGS: dict[str, Any] = {"bootstrap_servers": "memory:9092", "backend": "memory"}


@pytest.fixture
def settings(memory_cluster: MemoryCluster) -> dict[str, Any]:
    """Settings for clients on the (fresh) registered in-memory cluster."""
    return dict(SETTINGS)


@pytest.fixture
def dlq_producer(settings: dict[str, Any]) -> Iterator[Producer[Any, Any]]:
    with Producer(settings) as producer:
        yield producer


def fill(settings: dict[str, Any], topic: str, values: Sequence[bytes], *, keys: bool = True) -> None:
    with Producer(settings) as producer:
        for i, value in enumerate(values):
            producer.send(topic, value, key=f"k{i}".encode() if keys else None).result(5)


class BackendSpy:
    """Wraps a consumer backend: records pause/resume/seek calls, and records fetched while paused."""

    def __init__(self, inner: Any, events: list[tuple[str, Any]] | None = None) -> None:
        self._inner = inner
        self.events = events if events is not None else []
        self.paused: set[TopicPartition] = set()
        self.fetched_while_paused: list[RawRecord] = []
        self.polls_while_paused = 0
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _saw(self, records: Sequence[RawRecord]) -> None:
        with self._lock:
            if self.paused:
                self.polls_while_paused += 1
            self.fetched_while_paused.extend(r for r in records if r.topic_partition in self.paused)

    def poll(self, timeout: float) -> RawRecord | None:
        record = self._inner.poll(timeout)
        self._saw([record] if record is not None else [])
        return record

    def consume(self, max_records: int, timeout: float) -> list[RawRecord]:
        records: list[RawRecord] = self._inner.consume(max_records, timeout)
        self._saw(records)
        return records

    def pause(self, partitions: Sequence[TopicPartition]) -> None:
        self._inner.pause(partitions)
        with self._lock:
            self.paused.update(partitions)
            self.events.append(("pause", sorted(partitions)))

    def resume(self, partitions: Sequence[TopicPartition]) -> None:
        self._inner.resume(partitions)
        with self._lock:
            self.paused.difference_update(partitions)
            self.events.append(("resume", sorted(partitions)))

    def seek(self, position: TopicPartitionOffset) -> None:
        self._inner.seek(position)
        self.events.append(("seek", (position.topic, position.partition, position.offset)))


def spy_on(consumer: Any, events: list[tuple[str, Any]] | None = None) -> BackendSpy:
    """Put a :class:`BackendSpy` between ``consumer``'s core and its backend."""
    spy = BackendSpy(consumer._core.backend, events)
    consumer._core.backend = spy
    return spy


def stop_after(consumer: Any, seconds: float) -> threading.Thread:
    def later() -> None:
        time.sleep(seconds)
        consumer.stop()

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread
