"""The native client settings the library derives for a preset, handed to the raw contenders.

Raw confluent-kafka and kafka-python get exactly what ``kafka_client`` would configure (acks=all,
idempotence, linger, compression, batch size...), minus the library's own statistics, so a ratio
measures the wrapper and not a different configuration.
"""

from __future__ import annotations

from typing import Any

from kafka_client.config import load_settings, to_confluent_config, to_kafka_python_config

# Settings only the library uses, or that a raw consumer handles its own way.
_NOT_RAW = ("statistics.interval.ms", "client.id", "enable.auto.offset.store")


def native_configs(bootstrap: str, preset: str) -> dict[str, Any]:
    """Producer and consumer settings for confluent-kafka and kafka-python, for ``preset``.

    The consumer's group id is left out (each measurement uses a fresh group), and kafka-python's
    assignor classes become a name, so the result is plain JSON.
    """
    settings = load_settings(
        preset=None if preset == "default" else preset,
        bootstrap_servers=bootstrap,
        consumer={"group_id": "placeholder"},
    )
    confluent_producer = to_confluent_config(settings, "producer")
    confluent_consumer = to_confluent_config(settings, "consumer")
    kp_producer = to_kafka_python_config(settings, "producer")
    kp_consumer = to_kafka_python_config(settings, "consumer")
    for conf in (confluent_producer, confluent_consumer):
        for key in _NOT_RAW:
            conf.pop(key, None)
    confluent_consumer.pop("group.id")
    for kwargs in (kp_producer, kp_consumer):
        kwargs.pop("client_id", None)
    kp_consumer.pop("group_id")
    kp_consumer["partition_assignment_strategy"] = settings.consumer.partition_assignment_strategy
    return {
        "confluent_producer": confluent_producer,
        "confluent_consumer": confluent_consumer,
        "kafka_python_producer": kp_producer,
        "kafka_python_consumer": kp_consumer,
    }
