"""Metrics against the real broker on both backends: exact counts, statistics, and a scrape over HTTP."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kafka_client import Consumer, Producer
from kafka_client.config import KafkaClientSettings, to_kafka_python_config
from kafka_client.observability import MetricsObserver, start_metrics_server
from kafka_client.observability.metrics import Snapshot, names
from kafka_client.testing.pytest_plugin import KafkaBroker

COUNT = 500
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(params=["confluent", "kafka-python"])
def settings(request: pytest.FixtureRequest, kafka_broker: KafkaBroker) -> KafkaClientSettings:
    backend = str(request.param)
    return KafkaClientSettings(
        bootstrap_servers=[kafka_broker.bootstrap_servers],
        backend=backend,
        client_id=f"metrics-{backend}-{uuid.uuid4().hex[:6]}",
        observability={"statistics_interval_ms": 200},
    )


def scrape(url: str) -> Samples:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in samples, f"duplicate series {key}"
            samples[key] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def wait_for(
    observer: MetricsObserver, check: Callable[[Snapshot], bool], poll: Callable[[], Any] = lambda: None
) -> Snapshot:
    deadline = time.monotonic() + 20
    while True:
        snapshot = observer.snapshot()
        if check(snapshot) or time.monotonic() > deadline:
            return snapshot
        poll()
        time.sleep(0.1)


def test_counts_match_what_was_produced_and_consumed(
    settings: KafkaClientSettings, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(partitions=3)
    client_id = settings.client_id
    producer_metrics = MetricsObserver(settings, "producer")
    consumer_metrics = MetricsObserver(settings, "consumer")
    producer: Producer[Any, Any] = Producer(settings, observers=[producer_metrics])
    consumer: Consumer[Any, Any] = Consumer(
        settings, group_id=f"g-{uuid.uuid4().hex[:8]}", topics=[topic], observers=[consumer_metrics]
    )
    try:
        futures = [producer.send(topic, b"x" * 100, key=str(i).encode()) for i in range(COUNT)]
        assert producer.flush(30) == 0
        assert all(f.exception(30) is None for f in futures)
        got = 0
        deadline = time.monotonic() + 60
        while got < COUNT and time.monotonic() < deadline:
            got += len(consumer.consume_batch(COUNT, 0.5))
        assert got == COUNT
        with start_metrics_server(0) as server:
            samples = scrape(server.url)
        assert value(samples, names.PRODUCER_MESSAGES_DELIVERED, client_id=client_id, topic=topic) == COUNT
        count = names.PRODUCER_DELIVERY_LATENCY + "_count"
        assert value(samples, count, client_id=client_id, topic=topic) == COUNT
        assert value(samples, names.CONSUMER_MESSAGES_CONSUMED, client_id=client_id, topic=topic) == COUNT
        assert value(samples, names.CONSUMER_CONSUMED_BYTES, client_id=client_id, topic=topic) == sum(
            100 + len(str(i)) for i in range(COUNT)
        )
        assert value(samples, names.CONSUMER_ASSIGNED_PARTITIONS, client_id=client_id) == 3
        assert not any(
            name == names.PRODUCER_MESSAGES_FAILED and ("client_id", client_id) in labels
            for name, labels in samples
        )
        if settings.backend == "confluent":
            _check_librdkafka_statistics(producer_metrics, consumer_metrics, consumer, client_id, topic)
    finally:
        producer.close()
        consumer.close()


def _check_librdkafka_statistics(
    producer_metrics: MetricsObserver,
    consumer_metrics: MetricsObserver,
    consumer: Consumer[Any, Any],
    client_id: str,
    topic: str,
) -> None:
    sent = wait_for(
        producer_metrics, lambda s: s.value(names.PRODUCER_MESSAGES_SENT, (client_id, topic)) == COUNT
    )
    assert sent.value(names.PRODUCER_MESSAGES_SENT, (client_id, topic)) == COUNT
    assert sent.value(names.PRODUCER_QUEUED_MESSAGES, (client_id,)) == 0
    assert sent.value(names.CONNECTIONS, (client_id, "producer")) == 1
    up = {labels: v for labels, v in sent.values[names.BROKER_CONNECTION_STATE].items() if labels[-1] == "up"}
    assert set(up.values()) == {1.0}
    assert sent.value(names.BROKER_REQUESTS_SENT, (client_id, "producer", "1")) >= 1  # type: ignore[operator]
    # Everything consumed: the lag librdkafka reports (hi_offset - app_offset) drops to 0 on every partition.
    lag = wait_for(
        consumer_metrics,
        lambda s: s.value(names.CONSUMER_RECORDS_LAG, (client_id, topic, "")) == 0,
        poll=lambda: consumer.poll(0.1),
    )
    assert lag.value(names.CONSUMER_RECORDS_LAG, (client_id, topic, "")) == 0
    assert lag.value(names.CONSUMER_RECORDS_LAG_MAX, (client_id,)) == 0


def test_kafka_python_metrics_reach_the_same_names(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    from kafka_client.backends.kafka_python import KafkaPythonConsumer, KafkaPythonProducer

    topic = kafka_topic()
    settings = KafkaClientSettings(
        bootstrap_servers=[kafka_broker.bootstrap_servers], backend="kafka-python", client_id="metrics-kp"
    )
    observer = MetricsObserver(settings, "producer")
    transport = KafkaPythonProducer(
        to_kafka_python_config(settings, "producer"), on_stats=observer.on_stats, stats_interval_s=0.2
    )
    with Producer(settings, transport=transport, observers=[observer]) as producer:
        for _ in range(50):
            producer.send(topic, b"x" * 100)
        assert producer.flush(30) == 0
        snapshot = wait_for(
            observer,
            lambda s: (
                names.BROKER_RTT_AVG in s.values
                and s.value(names.PRODUCER_QUEUED_MESSAGES, ("metrics-kp",)) == 0
            ),
        )
    assert snapshot.value(names.PRODUCER_QUEUED_MESSAGES, ("metrics-kp",)) == 0
    assert snapshot.value(names.PRODUCER_QUEUE_MAX_MESSAGES, ("metrics-kp",)) == 100_000
    assert snapshot.value(names.CONNECTIONS, ("metrics-kp", "producer")) >= 1  # type: ignore[operator]
    brokers = {labels[2] for labels in snapshot.values[names.BROKER_RTT_AVG]}
    assert "1" in brokers  # the embedded broker's node id, as librdkafka's statistics label it too
    assert snapshot.value(names.PRODUCER_MESSAGES_DELIVERED, ("metrics-kp", topic)) == 50
    assert snapshot.value(names.METRICS_COLLECT_ERRORS, ("metrics-kp", "producer")) == 0

    # The consumer reads its metrics() on the polling thread (KafkaConsumer is not thread-safe).
    consumer_settings = settings.model_copy(
        update={"consumer": settings.consumer.model_copy(update={"group_id": f"g-{uuid.uuid4().hex[:8]}"})}
    )
    consumer_metrics = MetricsObserver(consumer_settings, "consumer")
    backend = KafkaPythonConsumer(
        to_kafka_python_config(consumer_settings, "consumer"),
        on_stats=consumer_metrics.on_stats,
        stats_interval_s=0.2,
    )
    with Consumer(
        consumer_settings, transport=backend, topics=[topic], observers=[consumer_metrics]
    ) as consumer:
        got = 0
        deadline = time.monotonic() + 30
        while got < 50 and time.monotonic() < deadline:
            got += len(consumer.consume_batch(50, 0.5))
        assert got == 50
        seen = wait_for(
            consumer_metrics,
            lambda s: s.value(names.CONSUMER_RECORDS_LAG_MAX, ("metrics-kp",)) is not None,
            poll=lambda: consumer.poll(0.3),
        )
    assert seen.value(names.CONSUMER_RECORDS_LAG_MAX, ("metrics-kp",)) == 0
    assert seen.value(names.CONNECTIONS, ("metrics-kp", "consumer")) >= 1  # type: ignore[operator]
    assert seen.value(names.CONSUMER_MESSAGES_CONSUMED, ("metrics-kp", topic)) == 50
