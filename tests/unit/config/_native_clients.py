"""Building real native clients from a configuration, offline, to prove every key is accepted.

librdkafka rejects unknown properties at construction and logs a CONFWARN for a property of the
wrong role; kafka-python rejects unknown keyword arguments. Brokers are addressed on the loopback
interface only (a closed port), and kafka-python is given ``api_version`` so it does not bootstrap.
"""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

LOOPBACK = "127.0.0.1:1"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def confluent_warnings(role: str, config: dict[str, Any]) -> list[str]:
    """Construct the confluent-kafka client for ``role``; return its configuration warnings."""
    handler = _Records()
    logger = logging.getLogger(f"tests.librdkafka.{role}.{id(handler)}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    conf = {**config, "logger": logger}
    if role == "producer":
        producer = Producer(conf)
        producer.poll(0)
        producer.flush(0)
    elif role == "consumer":
        consumer = Consumer(conf)
        consumer.poll(0)
        consumer.close()
    else:
        admin = AdminClient(conf)
        admin.poll(0)
    return [message for message in handler.messages if "CONFWARN" in message]


def build_kafka_python(role: str, kwargs: dict[str, Any]) -> None:
    """Construct the kafka-python producer or consumer, or check admin keys against its defaults."""
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

    if role == "admin":
        unknown = set(kwargs) - set(KafkaAdminClient.DEFAULT_CONFIG)
        assert not unknown, unknown
        return
    client_class = KafkaProducer if role == "producer" else KafkaConsumer
    client = client_class(**{**kwargs, "api_version": (3, 0)})
    client.close(timeout=0) if role == "producer" else client.close()
