"""Logging: structlog JSON (or console) logs with correlation IDs and Kafka and trace context.

See ``docs/logging.md``. This package is ``kafka_client.observability.logging``; it never shadows the
standard library's ``logging`` (imports are absolute).
"""

from kafka_client.observability.logging._observer import LIBRDKAFKA_LOGGER, LoggingObserver
from kafka_client.observability.logging._processors import (
    REDACTED,
    add_kafka_context,
    add_trace_context,
    redact_secrets,
    register_secret,
)
from kafka_client.observability.logging._setup import configure_logging

__all__ = [
    "LIBRDKAFKA_LOGGER",
    "REDACTED",
    "LoggingObserver",
    "add_kafka_context",
    "add_trace_context",
    "configure_logging",
    "redact_secrets",
    "register_secret",
]
