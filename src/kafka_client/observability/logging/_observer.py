"""The logging observer: correlation IDs in headers, Kafka context for the handler's logs, lifecycle logs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import structlog

from kafka_client._records import Headers, Message, RecordMetadata, TopicPartition, TopicPartitionOffset
from kafka_client.errors import KafkaClientError
from kafka_client.observability.correlation import DeferredCorrelationId, resolved
from kafka_client.observability.correlation import _current as _correlation_id
from kafka_client.observability.logging._processors import (
    add_kafka_context,
    add_trace_context,
    message_scope,
    register_settings_secrets,
)

if TYPE_CHECKING:
    from contextvars import Token

    from kafka_client.config import KafkaClientSettings

__all__ = ["LIBRDKAFKA_LOGGER", "LoggingObserver"]

#: The stdlib logger librdkafka's own log lines are routed to (confluent backend).
LIBRDKAFKA_LOGGER = "kafka_client.librdkafka"
#: kafka-python's root logger.
KAFKA_PYTHON_LOGGER = "kafka"

_REBALANCE_MESSAGES = {
    "assign": "partitions assigned",
    "revoke": "partitions revoked",
    "lost": "partitions lost",
}


class LoggingObserver:
    """Structured logs of what matters, and a correlation ID that follows each message.

    - Producer: a message sent while a correlation ID is current
      (:func:`~kafka_client.observability.correlation.correlation_scope`, or inside a consumer's handler)
      carries it in the header named by ``observability.correlation_id_header``; a header the caller set
      is kept. A failed delivery is logged at ERROR (topic, error type, never the
      payload); successful deliveries only at DEBUG, and only if DEBUG was on when the client was built.
    - Consumer: while a message is processed, its correlation ID (from the header, else the current one,
      else a new one) is current, and log lines carry ``topic``, ``partition``, ``offset``, ``client_id``,
      ``correlation_id`` (plus ``trace_id``/``span_id`` when traced). Rebalances are logged at INFO (lost
      partitions at WARNING), commit failures and client errors at WARNING.
    - Circuit breakers (``on_circuit_state``; a consumer's ``run(..., circuit_breaker=...)`` reports to
      it): each state change of a breaker, with ``breaker`` and ``state`` fields, at WARNING when it
      opens and INFO otherwise; the report of a breaker's unchanged (initial) state is not logged.
    - ``observability.log_level`` sets the level of the ``kafka_client`` loggers; ``observability.debug``
      turns on librdkafka's / kafka-python's debug logs. Secrets in the settings are registered for
      redaction. Events go to stdlib ``logging`` (loggers ``kafka_client.producer`` /
      ``kafka_client.consumer``) with structured fields as ``extra``, so they render through
      :func:`~kafka_client.observability.logging.configure_logging` or any handler the application has.

    One observer serves one client.
    """

    def __init__(self, settings: KafkaClientSettings, role: str = "producer") -> None:
        observability = settings.observability
        self._settings = settings
        self._header = observability.correlation_id_header
        self._level = logging.getLevelName(observability.log_level)
        self._client_id = settings.client_id
        self._last_logged: object = None
        self._circuit_states: dict[str, str] = {}
        register_settings_secrets(settings)

    def bind(self, client_id: str, role: str, backend: str) -> None:
        """Set the library's log level, bind the client's identity, and expose the hooks for ``role``."""
        self._client_id = client_id
        library = logging.getLogger("kafka_client")
        library.setLevel(self._level)
        if self._settings.observability.debug:
            logging.getLogger(LIBRDKAFKA_LOGGER).setLevel(logging.DEBUG)
            if backend == "kafka-python":
                logging.getLogger(KAFKA_PYTHON_LOGGER).setLevel(logging.DEBUG)
        stdlib_logger = logging.getLogger(f"kafka_client.{role}")
        self._log: structlog.stdlib.BoundLogger = structlog.wrap_logger(
            stdlib_logger,
            processors=[add_kafka_context, add_trace_context, structlog.stdlib.render_to_log_kwargs],
            wrapper_class=structlog.stdlib.BoundLogger,
            context_class=dict,
        ).bind(client_id=client_id)
        self._stdlib_logger = stdlib_logger
        self.on_error = self._log_error
        if role == "producer":
            self.before_send = self._add_correlation_id
            # It adds a header only inside a correlation scope: the producer skips it (and may take its
            # fastest path) while this context variable is unset.
            self.send_guard = _correlation_id
            debug = stdlib_logger.isEnabledFor(logging.DEBUG)
            self.after_delivery = self._log_every_delivery if debug else self._log_failed_delivery
        elif role == "consumer":
            self.process_scope = self._message_scope
            self.on_commit = self._log_failed_commit
            self.on_rebalance = self._log_rebalance

    # --- producer ----------------------------------------------------------------------------------

    def _add_correlation_id(self, topic: str, headers: Headers | None, sent_ns: int = 0) -> Headers | None:
        # Outside any unit of work nothing is added: an ID made up here would correlate nothing on this
        # side (no log line of ours carries it) and cost ~45 incompressible bytes per message; the
        # consumer makes one up instead, and a correlation_scope() around the sends gives them one.
        current = resolved(_correlation_id.get())
        if current is None:
            return headers
        name = self._header
        if headers is None:
            return [(name, current.encode())]
        for key, _ in headers:
            if key == name:
                return headers
        headers.append((name, current.encode()))  # the core's own list: normalize_headers copies
        return headers

    def _log_failed_delivery(
        self, topic: str, error: KafkaClientError | None, meta: RecordMetadata | None, sent_ns: int
    ) -> None:
        if error is None:
            return
        self._last_logged = error  # the same error reaches on_error next: logged once
        text = str(error)  # the backends' errors already say "delivery to ... failed"
        self._log.error(
            text if text.startswith("delivery to ") else f"delivery to {topic!r} failed: {text}",
            topic=topic,
            error_type=type(error).__name__,
            retriable=error.retriable,
        )

    def _log_every_delivery(
        self, topic: str, error: KafkaClientError | None, meta: RecordMetadata | None, sent_ns: int
    ) -> None:
        if error is not None:
            self._log_failed_delivery(topic, error, meta, sent_ns)
        elif meta is not None:
            self._log.debug("delivered", topic=topic, partition=meta.partition, offset=meta.offset)

    # --- consumer ----------------------------------------------------------------------------------

    def _message_scope(self, message: Message[Any, Any]) -> _MessageScope:
        return _MessageScope(self, message)

    def _log_failed_commit(
        self, offsets: Sequence[TopicPartitionOffset], error: KafkaClientError | None, seconds: float
    ) -> None:
        if error is None:
            return
        self._last_logged = error
        self._log.warning(
            f"commit failed: {error}",
            error_type=type(error).__name__,
            partitions=len(offsets),
            retriable=error.retriable,
        )

    def _log_rebalance(self, kind: str, partitions: list[TopicPartition]) -> None:
        level = logging.WARNING if kind == "lost" else logging.INFO
        if not self._stdlib_logger.isEnabledFor(level):
            return
        message = _REBALANCE_MESSAGES.get(kind, f"rebalance: {kind}")
        listed = ", ".join(f"{p.topic}[{p.partition}]" for p in partitions) or "none"
        self._log.log(level, f"{message}: {listed}", rebalance=kind, partition_count=len(partitions))

    # --- both --------------------------------------------------------------------------------------

    def on_circuit_state(self, name: str, state: str) -> None:
        """Log a circuit breaker's state change (one line per change; a breaker starts closed)."""
        value = str(state)
        previous = self._circuit_states.get(name, "closed")
        self._circuit_states[name] = value
        if value == previous:
            return
        level = logging.WARNING if value == "open" else logging.INFO
        log = getattr(self, "_log", None)
        if log is None:  # told before bind(): a breaker given this observer directly
            return
        log.log(level, f"circuit breaker {name!r}: {previous} -> {value}", breaker=name, state=value)

    def _log_error(self, error: KafkaClientError) -> None:
        if error is self._last_logged:
            return
        self._log.warning(str(error), error_type=type(error).__name__, retriable=error.retriable)


class _MessageScope(DeferredCorrelationId):
    """While a message is processed: its correlation ID (the header's, else the one current around the
    consumer, else one made when first read) and its Kafka coordinates are the logging context."""

    __slots__ = ("_correlation_token", "_observer", "_scope_token", "message")
    _correlation_token: Token[str | DeferredCorrelationId | None]
    _scope_token: Token[Any]

    def __init__(self, observer: LoggingObserver, message: Message[Any, Any]) -> None:
        self._value = None
        self._observer = observer
        self.message = message

    @property
    def client_id(self) -> str:
        return self._observer._client_id

    def __enter__(self) -> DeferredCorrelationId:
        name = self._observer._header
        found: bytes | None = None
        for key, value in self.message.headers:
            if key == name:
                found = value
        if found:
            self._value = found.decode("utf-8", "replace")
        else:
            self._value = resolved(_correlation_id.get())  # None: made when first read
        self._correlation_token = _correlation_id.set(self)
        self._scope_token = message_scope.set(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            message_scope.reset(self._scope_token)
            _correlation_id.reset(self._correlation_token)
        except ValueError:
            pass  # exited in another context (an async generator closed by the garbage collector)
