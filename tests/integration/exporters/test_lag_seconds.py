"""Lag in seconds against the true age of the oldest unconsumed message, on the real broker.

The truth is the record timestamp (CreateTime) of the message at the committed offset; the stated
bound for the interpolated estimate is the time between the two samples around that message's append
(at most one collection interval) plus the producer's send-to-append latency.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kafka_client import DeliveryFuture, Producer, TopicPartition, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import Exporter, format_commit_metadata
from kafka_client_exporter import metric_names as m
from tests.integration.admin.conftest import commit_offsets, wait_until_described
from tests.integration.exporters.conftest import ExporterFactory, parse, value

INTERVAL = 0.25
SLACK = 0.1  # send-to-append latency and scheduling


class Background:
    """A producer thread: ``pattern()`` yields the pause before each message."""

    def __init__(self, bootstrap: str, topic: str, pause: Callable[[int], float]) -> None:
        self.futures: list[DeliveryFuture] = []
        self._stop = threading.Event()
        self._producer = Producer(bootstrap_servers=bootstrap, producer={"linger_ms": 0})
        self._thread = threading.Thread(target=self._run, args=(topic, pause), daemon=True)
        self._thread.start()

    def _run(self, topic: str, pause: Callable[[int], float]) -> None:
        i = 0
        while not self._stop.is_set():
            self.futures.append(self._producer.send(topic, b"x"))
            delay = pause(i)
            i += 1
            if delay:
                self._stop.wait(delay)

    def timestamps(self) -> dict[int, float]:
        """Offset -> record timestamp (s) of every message acknowledged so far."""
        out = {}
        for future in list(self.futures):
            if future.done():
                metadata = future.result()
                assert metadata.timestamp_ms is not None
                out[metadata.offset] = metadata.timestamp_ms / 1000.0
        return out

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._producer.close()


@pytest.fixture
def topic(admin: KafkaAdmin, prefix: str) -> str:
    name = f"{prefix}-stream"
    admin.create_topics([NewTopicSpec(name, 1, 1)])
    wait_until_described(admin, name)
    return name


@pytest.fixture
def start_producer(
    kafka_broker: KafkaBroker, topic: str
) -> Iterator[Callable[[Callable[[int], float]], Background]]:
    running: list[Background] = []

    def start(pause: Callable[[int], float]) -> Background:
        running.append(Background(kafka_broker.bootstrap_servers, topic, pause))
        return running[-1]

    yield start
    for producer in running:
        producer.close()


def wait_for_messages(producer: Background, count: int) -> dict[int, float]:
    deadline = time.monotonic() + 15
    while len(stamps := producer.timestamps()) < count:
        assert time.monotonic() < deadline, "the producer did not produce"
        time.sleep(0.1)
    return stamps


def check_error_bound(
    exporter: Exporter, producer: Background, bootstrap: str, topic: str, group: str
) -> list[float]:
    """Cycle for a while; once the group is parked at an offset appended after the first sample,
    every estimate must be within the bound. Returns the errors seen."""
    wait_for_messages(producer, 5)  # past the producer's start-up (its first sends wait for a producer id)
    first = exporter.collect_once()["main"]
    committed = None
    deadline = time.monotonic() + 15
    while committed is None:  # the first message appended well after the first sample
        assert time.monotonic() < deadline, "the producer did not produce"
        time.sleep(INTERVAL)
        exporter.collect_once()
        later = [o for o, ts in producer.timestamps().items() if ts > first.watermarks_time + 0.3]
        committed = min(later, default=None)
    commit_offsets(bootstrap, group, [TopicPartitionOffset(topic, 0, committed)])
    errors: list[float] = []
    previous = first.watermarks_time
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        time.sleep(INTERVAL)
        readings = exporter.collect_once()["main"]
        gap = readings.watermarks_time - previous
        previous = readings.watermarks_time
        (view,) = exporter.collectors[0].monitor.last_views[group]
        assert view.lag_time is not None
        assert view.lag_time.method == "interpolation"
        sampled_at = readings.watermark_times.get(TopicPartition(topic, 0), readings.watermarks_time)
        truth = sampled_at - producer.timestamps()[committed]
        errors.append(view.lag_time.seconds - truth)
        assert abs(errors[-1]) <= max(gap, INTERVAL * 2) + SLACK, (errors, gap)
    assert len(errors) >= 5
    print(f"lag-seconds errors (estimate - truth), s: {[round(e, 3) for e in errors]}")
    return errors


def test_steady_producer(
    kafka_broker: KafkaBroker,
    make_exporter: ExporterFactory,
    start_producer: Callable[..., Background],
    topic: str,
    prefix: str,
) -> None:
    producer = start_producer(lambda _i: 0.02)  # 50 messages per second
    errors = check_error_bound(
        make_exporter(), producer, kafka_broker.bootstrap_servers, topic, f"{prefix}-steady"
    )
    assert max(abs(e) for e in errors) <= INTERVAL + SLACK


def test_bursty_producer(
    kafka_broker: KafkaBroker,
    make_exporter: ExporterFactory,
    start_producer: Callable[..., Background],
    topic: str,
    prefix: str,
) -> None:
    producer = start_producer(lambda i: 0.6 if i % 40 == 39 else 0.0)  # bursts of 40, 0.6 s apart
    check_error_bound(make_exporter(), producer, kafka_broker.bootstrap_servers, topic, f"{prefix}-bursty")


def test_exact_lag_from_commit_metadata(
    kafka_broker: KafkaBroker,
    make_exporter: ExporterFactory,
    start_producer: Callable[..., Background],
    topic: str,
    prefix: str,
) -> None:
    producer = start_producer(lambda _i: 0.02)
    stamps = wait_for_messages(producer, 40)
    committed = max(stamps) - 20
    group = f"{prefix}-instrumented"
    last_processed_ms = round(stamps[committed - 1] * 1000)
    offsets = [TopicPartitionOffset(topic, 0, committed, format_commit_metadata(last_processed_ms))]
    commit_offsets(kafka_broker.bootstrap_servers, group, offsets)
    exporter = make_exporter()
    readings = exporter.collect_once()["main"]
    found = parse(exporter.metrics())
    labels = {"consumergroup": group, "topic": topic, "partition": 0}
    seconds = value(found, m.CONSUMERGROUP_LAG_SECONDS, method="metadata", **labels)
    assert seconds is not None
    truth = readings.groups_time - stamps[committed]
    assert truth <= seconds <= truth + 0.05  # over by at most the gap to the next record (20 ms)


def test_tables_survive_a_restart(
    kafka_broker: KafkaBroker,
    make_exporter: ExporterFactory,
    start_producer: Callable[..., Background],
    topic: str,
    prefix: str,
    tmp_path: Path,
) -> None:
    state = tmp_path / "exporter-state.json"
    producer = start_producer(lambda _i: 0.02)
    first = make_exporter(state_file=str(state))
    first.collect_once()
    stamps = wait_for_messages(producer, 20)
    group = f"{prefix}-restarted"
    commit_offsets(kafka_broker.bootstrap_servers, group, [TopicPartitionOffset(topic, 0, max(stamps))])
    for _ in range(3):
        time.sleep(INTERVAL)
        first.collect_once()
    first.stop()
    assert state.is_file()

    second = make_exporter(state_file=str(state))
    second.collect_once()  # the first cycle after the restart already has a lag in seconds
    labels = {"consumergroup": group, "topic": topic, "partition": 0}
    found = parse(second.metrics())
    assert value(found, m.CONSUMERGROUP_LAG_SECONDS, method="interpolation", **labels) is not None
