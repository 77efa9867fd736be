"""``configure_logging``: one structured log stream for the application, kafka_client and Kafka libraries."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any, Literal, TextIO

import structlog

from kafka_client.observability.logging._processors import (
    add_kafka_context,
    add_trace_context,
    redact_secrets,
)

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings

__all__ = ["configure_logging"]

LogFormat = Literal["json", "console"]


class _KafkaClientHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler configure_logging installs (recognised, and replaced, on the next call)."""


def configure_logging(
    level: str | int | None = None,
    format: LogFormat | None = None,
    *,
    stream: TextIO | None = None,
    settings: KafkaClientSettings | None = None,
) -> None:
    """Render every log line (structlog's and stdlib ``logging``'s, including kafka_client's, librdkafka's
    and kafka-python's) through one structlog pipeline: JSON lines, or a console renderer in development.

    Each line carries ``timestamp``, ``level``, ``logger``, ``event`` and, where they apply,
    ``correlation_id``, ``trace_id``, ``span_id``, ``topic``, ``partition``, ``offset``, ``client_id``;
    secrets are redacted. ``level`` and ``format`` default to ``settings.observability.log_level`` /
    ``log_format`` when ``settings`` is given, else ``INFO`` / ``json``. Output goes to ``stream``
    (default: stderr). Call it once at start-up; calling again replaces the previous configuration.

    ::

        from kafka_client.observability.logging import configure_logging

        configure_logging("INFO", "json")
        structlog.get_logger().info("order placed", order_id=7)   # inside a handler: + correlation_id...
    """
    observability = settings.observability if settings is not None else None
    if level is None:
        level = observability.log_level if observability is not None else "INFO"
    if format is None:
        format = observability.log_format if observability is not None else "json"
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
    out = stream if stream is not None else sys.stderr

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_kafka_context,
        add_trace_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        context_class=dict,
        cache_logger_on_first_use=True,
    )
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if format == "console":
        final += [redact_secrets, structlog.dev.ConsoleRenderer(colors=_is_tty(out))]
    else:
        final += [structlog.processors.format_exc_info, redact_secrets, structlog.processors.JSONRenderer()]
    formatter = structlog.stdlib.ProcessorFormatter(
        # stdlib records: their `extra` fields join the event, then the same context as structlog's own
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=final,
    )
    handler = _KafkaClientHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _KafkaClientHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level)


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
