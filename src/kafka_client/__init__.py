"""kafka_client: one Kafka producer/consumer API over confluent-kafka and kafka-python.

Production defaults (acks=all, idempotence, commit after processing), typed settings from YAML, env vars
and presets, typed errors, and observability built in. Everything public is re-exported here::

    from kafka_client import Producer, Consumer

    with Producer(bootstrap_servers="localhost:9092") as producer:
        producer.send("orders", b"hello").result(timeout=10)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kafka_client._records import (
        Message,
        RawRecord,
        RecordMetadata,
        TopicPartition,
        TopicPartitionOffset,
    )
    from kafka_client.config import KafkaClientSettings, load_settings
    from kafka_client.consumer import AsyncConsumer, Consumer
    from kafka_client.errors import (
        AuthenticationError,
        AuthorizationError,
        BrokerUnavailableError,
        CommitError,
        ConfigError,
        ConsumerError,
        DeliveryError,
        DeserializationError,
        FeatureNotSupportedError,
        KafkaClientError,
        KafkaTimeoutError,
        MissingDependencyError,
        ProducerError,
        QueueFullError,
        SerializationError,
        TopicError,
        TransactionError,
    )
    from kafka_client.producer import AsyncProducer, DeliveryFuture, Producer

__version__ = "0.1.0"
"""The library's version (the ``generic-kafka-producer`` distribution)."""

# Names are imported on first use, so ``import kafka_client`` stays cheap (and the pytest plugin does
# not pull the whole library in before coverage measurement starts).
_LAZY: dict[str, str] = {
    "AsyncConsumer": "kafka_client.consumer",
    "AsyncProducer": "kafka_client.producer",
    "AuthenticationError": "kafka_client.errors",
    "AuthorizationError": "kafka_client.errors",
    "BrokerUnavailableError": "kafka_client.errors",
    "CommitError": "kafka_client.errors",
    "ConfigError": "kafka_client.errors",
    "Consumer": "kafka_client.consumer",
    "ConsumerError": "kafka_client.errors",
    "DeliveryError": "kafka_client.errors",
    "DeliveryFuture": "kafka_client.producer",
    "DeserializationError": "kafka_client.errors",
    "FeatureNotSupportedError": "kafka_client.errors",
    "KafkaClientError": "kafka_client.errors",
    "KafkaClientSettings": "kafka_client.config",
    "KafkaTimeoutError": "kafka_client.errors",
    "Message": "kafka_client._records",
    "MissingDependencyError": "kafka_client.errors",
    "Producer": "kafka_client.producer",
    "ProducerError": "kafka_client.errors",
    "QueueFullError": "kafka_client.errors",
    "RawRecord": "kafka_client._records",
    "RecordMetadata": "kafka_client._records",
    "SerializationError": "kafka_client.errors",
    "TopicError": "kafka_client.errors",
    "TopicPartition": "kafka_client._records",
    "TopicPartitionOffset": "kafka_client._records",
    "TransactionError": "kafka_client.errors",
    "load_settings": "kafka_client.config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kafka_client' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AsyncConsumer",
    "AsyncProducer",
    "AuthenticationError",
    "AuthorizationError",
    "BrokerUnavailableError",
    "CommitError",
    "ConfigError",
    "Consumer",
    "ConsumerError",
    "DeliveryError",
    "DeliveryFuture",
    "DeserializationError",
    "FeatureNotSupportedError",
    "KafkaClientError",
    "KafkaClientSettings",
    "KafkaTimeoutError",
    "Message",
    "MissingDependencyError",
    "Producer",
    "ProducerError",
    "QueueFullError",
    "RawRecord",
    "RecordMetadata",
    "SerializationError",
    "TopicError",
    "TopicPartition",
    "TopicPartitionOffset",
    "TransactionError",
    "__version__",
    "load_settings",
]
