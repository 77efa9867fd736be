"""The metrics observer's hook-fed metrics: exact counts on the in-memory cluster, scraped and parsed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from kafka_client import AsyncProducer, CommitError, Consumer, DeliveryError, Producer, QueueFullError
from kafka_client.config import KafkaClientSettings
from kafka_client.observability import default_observers
from kafka_client.observability.metrics import MetricsObserver, names
from kafka_client.observability.metrics import _observer as observer_module
from kafka_client.testing.memory import MemoryCluster

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
ALLOWED_LABELS = {
    "client_id",
    "role",
    "topic",
    "partition",
    "broker",
    "error_type",
    "code",
    "kind",
    "state",
    "direction",
    "dlq_topic",
    "le",
}


def scrape(registry: CollectorRegistry) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in samples, f"duplicate series {key}"
            samples[key] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def bucket_counts(samples: Samples, name: str, **labels: str) -> dict[str, float]:
    bucket = name + "_bucket"
    wanted = set(labels.items())
    return {
        dict(key)["le"]: v
        for (sample, key), v in samples.items()
        if sample == bucket and wanted <= set(key) and len(key) == len(wanted) + 1
    }


@pytest.fixture
def settings() -> KafkaClientSettings:
    return KafkaClientSettings(bootstrap_servers=["memory:9092"], client_id="billing")


def test_producer_counts_deliveries_and_failures_exactly(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    observer = MetricsObserver(settings, "producer")
    with Producer(settings, transport=cluster.producer_backend(), observers=[observer]) as producer:
        for i in range(20):
            producer.send("orders", f"v{i}".encode())
        producer.flush(5)
        cluster.fail_next_deliveries(3, topic="orders")
        failed = [producer.send("orders", b"doomed") for _ in range(3)]
        for i in range(5):
            producer.send("refunds", f"r{i}".encode())
        producer.flush(5)
    assert all(f.exception(5) is not None for f in failed)
    samples = scrape(observer.registry)
    c = {"client_id": "billing"}
    assert value(samples, names.PRODUCER_MESSAGES_DELIVERED, **c, topic="orders") == 20
    assert value(samples, names.PRODUCER_MESSAGES_DELIVERED, **c, topic="refunds") == 5
    failures = {"topic": "orders", "error_type": "DeliveryError", "code": ""}
    assert value(samples, names.PRODUCER_MESSAGES_FAILED, **c, **failures) == 3
    assert value(samples, names.PRODUCER_MESSAGES_FAILED, **c, **{**failures, "topic": "refunds"}) is None
    latency = names.PRODUCER_DELIVERY_LATENCY
    assert value(samples, latency + "_count", **c, topic="orders") == 20
    assert value(samples, latency + "_count", **c, topic="refunds") == 5
    buckets = bucket_counts(samples, latency, **c, topic="orders")
    assert len(buckets) == 16
    assert buckets["+Inf"] == 20
    counts = list(buckets.values())
    assert counts == sorted(counts)  # cumulative
    assert value(samples, names.ERRORS, **c, role="producer", error_type="DeliveryError", code="") == 3
    assert value(samples, names.PRODUCER_QUEUE_FULL, **c) == 0


def test_a_native_error_code_becomes_the_code_label(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    error = DeliveryError("delivery to 'orders' failed: Local: Message timed out [_MSG_TIMED_OUT]")
    error.code = "_MSG_TIMED_OUT"  # type: ignore[attr-defined]
    observer = MetricsObserver(settings, "producer")
    with Producer(settings, transport=cluster.producer_backend(), observers=[observer]) as producer:
        cluster.fail_next_deliveries(2, error)
        futures = [producer.send("orders", b"x") for _ in range(2)]
        producer.flush(5)
    assert all(f.exception(5) is not None for f in futures)
    samples = scrape(observer.registry)
    labels = {"client_id": "billing", "topic": "orders", "error_type": "DeliveryError"}
    assert value(samples, names.PRODUCER_MESSAGES_FAILED, **labels, code="_MSG_TIMED_OUT") == 2


def test_delivery_latency_lands_in_its_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    now = 10_000_000_000
    monkeypatch.setattr(observer_module, "perf_counter_ns", lambda: now)
    observer = MetricsObserver()
    observer.bind("svc", "producer", "memory")
    for elapsed_ms in (0.2, 3, 3, 40, 45_000):
        observer.after_delivery("orders", None, None, now - int(elapsed_ms * 1_000_000))
    samples = scrape(observer.registry)
    buckets = bucket_counts(samples, names.PRODUCER_DELIVERY_LATENCY, client_id="svc", topic="orders")
    assert buckets["0.0005"] == 1
    assert buckets["0.0025"] == 1
    assert buckets["0.005"] == 3
    assert buckets["0.05"] == 4
    assert buckets["30.0"] == 4
    assert buckets["+Inf"] == 5
    total = value(samples, names.PRODUCER_DELIVERY_LATENCY + "_sum", client_id="svc", topic="orders")
    assert total == pytest.approx(45.0462)
    observer.on_close()


def test_async_producer_counts_deliveries(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    observer = MetricsObserver(settings, "producer")

    async def main() -> None:
        async with AsyncProducer(settings, transport=cluster.producer_backend(), observers=[observer]) as p:
            await asyncio.gather(*[p.send("orders", b"x") for _ in range(7)])

    asyncio.run(main())
    samples = scrape(observer.registry)
    assert value(samples, names.PRODUCER_MESSAGES_DELIVERED, client_id="billing", topic="orders") == 7


def _fill(cluster: MemoryCluster, topic: str, count: int, value_size: int, key: bytes | None = None) -> None:
    for _ in range(count):
        cluster.inject_record(topic, 0, key, b"v" * value_size)


def test_consumer_counts_messages_and_bytes_by_topic(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    _fill(cluster, "orders", 7, 10, key=b"kk")
    _fill(cluster, "refunds", 5, 3)
    observer = MetricsObserver(settings, "consumer")
    with Consumer(
        settings, transport=cluster.consumer_backend("g"), topics=["orders", "refunds"], observers=[observer]
    ) as consumer:
        got = 0
        while got < 12:
            got += len(consumer.consume_batch(4, 1.0))
    samples = scrape(observer.registry)
    c = {"client_id": "billing"}
    assert value(samples, names.CONSUMER_MESSAGES_CONSUMED, **c, topic="orders") == 7
    assert value(samples, names.CONSUMER_MESSAGES_CONSUMED, **c, topic="refunds") == 5
    assert value(samples, names.CONSUMER_CONSUMED_BYTES, **c, topic="orders") == 7 * 12
    assert value(samples, names.CONSUMER_CONSUMED_BYTES, **c, topic="refunds") == 5 * 3
    age = value(samples, names.CONSUMER_LAST_MESSAGE_AGE, **c)
    assert age is not None
    assert 0 <= age < 5


def test_on_consume_sums_interleaved_topics() -> None:
    from kafka_client import Message

    observer = MetricsObserver()
    observer.bind("svc", "consumer", "memory")
    batch = [
        Message(topic, 0, i, None, None, [], None, raw_key=b"k", raw_value=b"vv")
        for i, topic in enumerate(["a", "a", "b", "a", "b", "b", "b"])
    ]
    observer.on_consume(batch)
    observer.on_consume([])
    snapshot = observer.snapshot()
    assert snapshot.value(names.CONSUMER_MESSAGES_CONSUMED, ("svc", "a")) == 3
    assert snapshot.value(names.CONSUMER_MESSAGES_CONSUMED, ("svc", "b")) == 4
    assert snapshot.value(names.CONSUMER_CONSUMED_BYTES, ("svc", "a")) == 9
    assert snapshot.value(names.CONSUMER_CONSUMED_BYTES, ("svc", "b")) == 12
    observer.on_close()


def test_on_consume_of_one_topic_counts_missing_keys_and_values_as_no_bytes() -> None:
    from kafka_client import Message

    observer = MetricsObserver()
    observer.bind("svc", "consumer", "memory")
    keys_and_values = [(None, b"abc"), (b"k", None), (None, None), (b"key", b"value")]
    batch = [
        Message("a", 0, i, None, None, [], None, raw_key=k, raw_value=v)
        for i, (k, v) in enumerate(keys_and_values)
    ]
    observer.on_consume(batch)
    observer.on_consume(batch[:1])
    snapshot = observer.snapshot()
    assert snapshot.value(names.CONSUMER_MESSAGES_CONSUMED, ("svc", "a")) == 5
    assert snapshot.value(names.CONSUMER_CONSUMED_BYTES, ("svc", "a")) == 3 + 1 + 0 + 8 + 3
    observer.on_close()


def test_processing_time_and_failures_are_counted(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    _fill(cluster, "orders", 6, 1)
    observer = MetricsObserver(settings, "consumer")
    seen = []

    def handler(message: Any) -> None:
        seen.append(message.offset)
        if message.offset == 5:
            raise ValueError("poison")

    with (
        Consumer(
            settings, transport=cluster.consumer_backend("g"), topics=["orders"], observers=[observer]
        ) as consumer,
        pytest.raises(ValueError, match="poison"),
    ):
        consumer.run(handler, max_messages=10, idle_timeout=2)
    samples = scrape(observer.registry)
    duration = names.CONSUMER_PROCESSING_DURATION
    assert value(samples, duration + "_count", client_id="billing") == 6
    assert value(samples, names.CONSUMER_PROCESSING_FAILURES, client_id="billing") == 1
    assert bucket_counts(samples, duration, client_id="billing")["+Inf"] == 6


def test_breaking_out_of_iteration_is_neither_timed_nor_a_failure(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    _fill(cluster, "orders", 5, 1)
    observer = MetricsObserver(settings, "consumer")
    with Consumer(
        settings, transport=cluster.consumer_backend("g"), topics=["orders"], observers=[observer]
    ) as consumer:
        for count, _message in enumerate(consumer, start=1):
            if count == 3:
                break
    snapshot = observer.snapshot()
    assert snapshot.histograms[names.CONSUMER_PROCESSING_DURATION][("billing",)][0][-1] == 0
    assert sum(snapshot.histograms[names.CONSUMER_PROCESSING_DURATION][("billing",)][0]) == 2
    assert snapshot.value(names.CONSUMER_PROCESSING_FAILURES, ("billing",)) == 0


def test_commits_and_commit_failures(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    _fill(cluster, "orders", 3, 1)
    observer = MetricsObserver(settings, "consumer")
    with Consumer(
        settings,
        transport=cluster.consumer_backend("g"),
        topics=["orders"],
        commit_strategy="manual",
        observers=[observer],
    ) as consumer:
        messages = []
        while len(messages) < 3:
            messages.extend(consumer.consume_batch(3, 1.0))
        consumer.commit(messages[0])
        consumer.commit(messages[1])
        cluster.fail_next_commits(1)
        with pytest.raises(CommitError):
            consumer.commit(messages[2])
    samples = scrape(observer.registry)
    c = {"client_id": "billing"}
    assert value(samples, names.CONSUMER_COMMIT_LATENCY + "_count", **c) == 2
    assert value(samples, names.CONSUMER_COMMIT_FAILURES, **c, error_type="CommitError", code="") == 1


def test_rebalances_by_kind_and_assigned_partitions(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=3)
    observer = MetricsObserver(settings, "consumer")
    consumer: Consumer[Any, Any] = Consumer(
        settings, transport=cluster.consumer_backend("g"), topics=["orders"], observers=[observer]
    )
    consumer.poll(0.2)
    assert observer.snapshot().value(names.CONSUMER_ASSIGNED_PARTITIONS, ("billing",)) == 3
    cluster.trigger_rebalance("g")
    consumer.poll(0.2)
    consumer.close()
    samples = scrape(observer.registry)
    c = {"client_id": "billing"}
    assert value(samples, names.CONSUMER_REBALANCES, **c, kind="assign") == 2
    assert value(samples, names.CONSUMER_REBALANCES, **c, kind="revoke") == 2
    assert value(samples, names.CONSUMER_ASSIGNED_PARTITIONS, **c) == 0


def test_errors_by_type_queue_full_and_dlq_routings() -> None:
    observer = MetricsObserver()
    observer.bind("svc", "producer", "memory")
    observer.on_error(QueueFullError("full"))
    observer.on_error(QueueFullError("full"))
    observer.on_error(DeliveryError("boom"))
    samples = scrape(observer.registry)
    assert (
        value(samples, names.ERRORS, client_id="svc", role="producer", error_type="QueueFullError", code="")
        == 2
    )
    assert value(samples, names.PRODUCER_QUEUE_FULL, client_id="svc") == 2
    observer.on_close()
    consumer = MetricsObserver()
    consumer.bind("svc", "consumer", "memory")
    consumer.record_dlq("orders", "orders.dlq")
    consumer.on_dlq("orders", "orders.dlq")
    dlq = {"client_id": "svc", "topic": "orders", "dlq_topic": "orders.dlq"}
    assert value(scrape(consumer.registry), names.CONSUMER_DLQ_MESSAGES, **dlq) == 2
    consumer.on_close()


def test_label_sets_are_bounded(settings: KafkaClientSettings) -> None:
    cluster = MemoryCluster()
    producer_observer = MetricsObserver(settings, "producer")
    with Producer(settings, transport=cluster.producer_backend(), observers=[producer_observer]) as producer:
        for i in range(50):
            producer.send("orders", b"v", key=f"customer-{i}".encode())
    consumer_observer = MetricsObserver(settings, "consumer")
    with Consumer(
        settings, transport=cluster.consumer_backend("g"), topics=["orders"], observers=[consumer_observer]
    ) as consumer:
        consumer.run(lambda m: None, max_messages=50, idle_timeout=2)
    for observer in (producer_observer, consumer_observer):
        for (_name, labels), _v in scrape(observer.registry).items():
            assert {k for k, _ in labels} <= ALLOWED_LABELS
            assert not any(v.startswith("customer-") for _, v in labels)


def test_metrics_are_a_default_observer_unless_disabled() -> None:
    on = KafkaClientSettings(bootstrap_servers=["memory:9092"])
    off = KafkaClientSettings(bootstrap_servers=["memory:9092"], observability={"metrics_enabled": False})
    assert any(isinstance(o, MetricsObserver) for o in default_observers(on, "producer"))
    assert not any(isinstance(o, MetricsObserver) for o in default_observers(off, "consumer"))
    per_partition = KafkaClientSettings(
        bootstrap_servers=["memory:9092"], observability={"metrics_per_partition": True}
    )
    assert MetricsObserver(per_partition, "consumer").per_partition


def test_building_a_client_does_not_import_prometheus_client() -> None:
    code = (
        "import sys\n"
        "from kafka_client import Producer\n"
        "from kafka_client.testing.memory import MemoryCluster\n"
        "with Producer(bootstrap_servers='memory:9092', transport=MemoryCluster().producer_backend()) as p:\n"
        "    p.send('t', b'x').result(5)\n"
        "assert any(type(o).__name__ == 'MetricsObserver' for o in p._core.hooks.observers)\n"
        "print('prometheus_client' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_concurrent_processing_times_each_message(settings: KafkaClientSettings) -> None:
    from kafka_client import AsyncConsumer

    cluster = MemoryCluster()
    cluster.create_topic("orders", partitions=4)
    for partition in range(4):
        for _ in range(3):
            cluster.inject_record("orders", partition, None, b"v")
    observer = MetricsObserver(settings, "consumer")

    async def handler(message: Any) -> None:
        await asyncio.sleep(0.02)

    async def main() -> int:
        async with AsyncConsumer(
            settings, transport=cluster.consumer_backend("g"), topics=["orders"], observers=[observer]
        ) as consumer:
            return await consumer.run(handler, max_messages=12, concurrency=4, idle_timeout=5)

    assert asyncio.run(main()) == 12
    counts, total = observer.snapshot().histograms[names.CONSUMER_PROCESSING_DURATION][("billing",)]
    assert sum(counts) == 12
    # Each message slept 20 ms while others ran: interleaved timers would lose or double that time.
    assert 12 * 0.02 <= total < 12 * 0.2
    assert sum(counts[: _bucket_index(0.01)]) == 0


def _bucket_index(bound: float) -> int:
    from kafka_client.observability.metrics._families import PROCESSING_BUCKETS

    return PROCESSING_BUCKETS.index(bound) + 1
