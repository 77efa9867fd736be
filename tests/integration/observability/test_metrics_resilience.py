"""On the real broker, both backends: a consumer run whose circuit breaker opens and whose failures go to
the dead-letter topic; the metrics server's scrape shows exactly those routings and transitions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client import Consumer, Message, Producer
from kafka_client.config import KafkaClientSettings
from kafka_client.observability import MetricsObserver, start_metrics_server
from kafka_client.observability.metrics import names
from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, RetryPolicy
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.observability.test_metrics import scrape, value


@pytest.fixture(params=["confluent", "kafka-python"])
def settings(request: pytest.FixtureRequest, kafka_broker: KafkaBroker) -> KafkaClientSettings:
    backend = str(request.param)
    return KafkaClientSettings(
        bootstrap_servers=[kafka_broker.bootstrap_servers],
        backend=backend,
        client_id=f"breaker-{backend}-{uuid.uuid4().hex[:6]}",
    )


def _handle(message: Message[Any, Any]) -> None:
    if message.value != b"ok":
        raise ConnectionError("the orders database is down")


def test_a_run_counts_its_dead_letters_and_its_breaker_transitions_exactly(
    settings: KafkaClientSettings, kafka_topic: Callable[..., str]
) -> None:
    topic, dlq_topic = kafka_topic(), kafka_topic()
    with Producer(settings, observers=()) as producer:
        for i, raw in enumerate((b"bad0", b"bad1", b"bad2", b"ok")):
            producer.send(topic, raw, key=f"k{i}".encode()).result(30)
    # bad0 fails while closed; bad1 opens it; bad2 is a failed probe (open again); "ok" closes it
    breaker = CircuitBreaker(
        failure_rate_threshold=1.0, window_size=2, minimum_calls=2, open_for_s=0.5, name="orders-db"
    )
    metrics = MetricsObserver(settings, "consumer")
    server = start_metrics_server(0)
    try:
        with (
            Producer(settings, observers=()) as dlq_producer,
            Consumer(
                settings, group_id=f"g-{uuid.uuid4().hex[:8]}", topics=[topic], observers=[metrics]
            ) as consumer,
        ):
            done = consumer.run(
                _handle,
                retry=RetryPolicy(max_attempts=1),
                dead_letter_queue=DeadLetterQueue(dlq_producer, topic_template=dlq_topic),
                circuit_breaker=breaker,
                max_messages=4,
                idle_timeout=60,
            )
            samples = scrape(server.url)
    finally:
        server.stop()
    assert done == 4
    client = {"client_id": settings.client_id}
    pair = {"topic": topic, "dlq_topic": dlq_topic}
    assert value(samples, names.CONSUMER_DLQ_MESSAGES, **client, **pair) == 3
    assert value(samples, names.CONSUMER_PROCESSING_FAILURES, **client) == 3
    labels = {**client, "role": "consumer", "breaker": "orders-db"}
    moved = {
        s: value(samples, names.CIRCUIT_BREAKER_TRANSITIONS, **labels, to_state=s)
        for s in names.CIRCUIT_STATES
    }
    now = {s: value(samples, names.CIRCUIT_BREAKER_STATE, **labels, state=s) for s in names.CIRCUIT_STATES}
    assert moved == {"closed": 1, "half_open": 2, "open": 2}
    assert now == {"closed": 1, "half_open": 0, "open": 0}
    assert breaker.times_opened == 2
