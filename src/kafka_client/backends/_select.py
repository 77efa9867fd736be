"""Choosing and building a backend from settings: the one place that knows both backends exist."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from kafka_client.backends.base import ConsumerBackend, ProducerBackend, StatsCallback
from kafka_client.errors import KafkaClientError, MissingDependencyError

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings

_log = logging.getLogger("kafka_client")
ResolvedBackend = Literal["confluent", "kafka-python", "memory"]
ErrorCallback = Callable[[KafkaClientError], None]


def resolve_backend(name: str) -> ResolvedBackend:
    """``confluent`` or ``kafka-python``; ``auto`` prefers confluent-kafka when it is importable."""
    if name == "confluent":
        return "confluent"
    if name == "kafka-python":
        return "kafka-python"
    if name == "memory":
        return "memory"
    if importlib.util.find_spec("confluent_kafka") is not None:
        _log.info("backend auto: using confluent-kafka")
        return "confluent"
    if importlib.util.find_spec("kafka") is not None:
        _log.info("backend auto: confluent-kafka is not installed, using the kafka-python fallback")
        return "kafka-python"
    raise MissingDependencyError(
        "confluent-kafka", "confluent", "kafka_client (no Kafka backend is installed)"
    )


def create_producer_backend(
    settings: KafkaClientSettings,
    *,
    on_stats: StatsCallback | None = None,
    on_error: ErrorCallback | None = None,
) -> ProducerBackend:
    """Build the producer backend the settings ask for, with its native configuration."""
    from kafka_client.config import to_confluent_config, to_kafka_python_config

    chosen = resolve_backend(settings.backend)
    if chosen == "memory":
        from kafka_client.testing.memory import memory_cluster

        return memory_cluster(settings.bootstrap_servers[0]).producer_backend(
            transactional_id=settings.producer.transactional_id,
            max_queued=settings.producer.queue_buffering_max_messages,
        )
    if chosen == "confluent":
        from kafka_client.backends.confluent import ConfluentProducer

        return ConfluentProducer(
            to_confluent_config(settings, "producer"),
            on_stats=on_stats,
            on_error=on_error,
            fail_queued_on_auth_error=settings.producer.fail_queued_on_auth_error,
        )
    from kafka_client.backends.kafka_python import KafkaPythonProducer

    return KafkaPythonProducer(
        to_kafka_python_config(settings, "producer"),
        on_stats=on_stats,
        on_error=on_error,
        max_queued=settings.producer.queue_buffering_max_messages,
        stats_interval_s=_stats_interval_s(settings),
    )


def create_consumer_backend(
    settings: KafkaClientSettings,
    *,
    on_stats: StatsCallback | None = None,
    on_error: ErrorCallback | None = None,
) -> ConsumerBackend:
    """Build the consumer backend the settings ask for, with its native configuration."""
    from kafka_client.config import to_confluent_config, to_kafka_python_config

    chosen = resolve_backend(settings.backend)
    if chosen == "memory":
        from kafka_client.testing.memory import memory_cluster

        consumer = settings.consumer
        return memory_cluster(settings.bootstrap_servers[0]).consumer_backend(
            consumer.group_id,
            isolation_level=consumer.isolation_level,
            auto_offset_reset="none" if consumer.auto_offset_reset == "error" else consumer.auto_offset_reset,
            max_poll_records=consumer.max_poll_records,
        )
    if chosen == "confluent":
        from kafka_client.backends.confluent import ConfluentConsumer

        return ConfluentConsumer(
            to_confluent_config(settings, "consumer"), on_stats=on_stats, on_error=on_error
        )
    from kafka_client.backends.kafka_python import KafkaPythonConsumer

    return KafkaPythonConsumer(
        to_kafka_python_config(settings, "consumer"),
        on_stats=on_stats,
        on_error=on_error,
        stats_interval_s=_stats_interval_s(settings),
    )


def _stats_interval_s(settings: KafkaClientSettings) -> float:
    """kafka-python has no statistics callback: its backend reports ``metrics()`` at this interval."""
    interval_ms = settings.observability.statistics_interval_ms
    return interval_ms / 1000 if interval_ms > 0 else 5.0
