"""Tracing: OpenTelemetry spans for sends and processing, W3C trace context in message headers.

See ``docs/tracing.md``. Nothing here costs anything per message until an OpenTelemetry SDK is configured.
"""

from kafka_client.observability.tracing._headers import (
    KafkaHeadersGetter,
    KafkaHeadersSetter,
    header_getter,
    header_setter,
)
from kafka_client.observability.tracing._observer import MAX_BATCH_LINKS, TracingObserver
from kafka_client.observability.tracing._setup import DEFAULT_SAMPLE_RATIO, configure_tracing

__all__ = [
    "DEFAULT_SAMPLE_RATIO",
    "MAX_BATCH_LINKS",
    "KafkaHeadersGetter",
    "KafkaHeadersSetter",
    "TracingObserver",
    "configure_tracing",
    "header_getter",
    "header_setter",
]
