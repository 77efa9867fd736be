"""``DeadLetterQueue``: park a message that cannot be processed in a topic, with why, losing nothing.

The dead letter is the original record, byte for byte (key and value as they arrived, the original
headers first), plus headers saying where it came from and what went wrong. :meth:`DeadLetterQueue.send`
returns only once the broker has acknowledged the write, so a consumer may then commit past the original:
a message leaves its partition only when it is safely somewhere else.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from kafka_client._records import Headers, Message, RecordMetadata
from kafka_client.errors import (
    ConfigError,
    ConfigProblem,
    DeserializationError,
    KafkaClientError,
    ProducerError,
)
from kafka_client.resilience import _headers as h
from kafka_client.resilience._retry import RetryPolicy

if TYPE_CHECKING:
    from kafka_client.producer import AsyncProducer, Producer

__all__ = ["DeadLetterQueue", "DeadLetterQueueError", "FailureStage"]

_log = logging.getLogger("kafka_client.resilience")

FailureStage = Literal["deserialization", "handler"]
"""Where a dead letter failed: decoding the record (a poison pill) or in the user's handler."""


class DeadLetterQueueError(ProducerError):
    """Writing a failed message to its dead-letter topic failed; the original is NOT committed.

    ``topic``/``partition``/``offset`` locate the original message, ``dlq_topic`` the destination;
    the producer's error is ``__cause__`` (e.g. an :class:`AuthorizationError` for a denied ACL).
    """

    def __init__(
        self, message: str, *, topic: str, partition: int, offset: int, dlq_topic: str, retriable: bool
    ) -> None:
        super().__init__(message)
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.dlq_topic = dlq_topic
        self.retriable = retriable


class DeadLetterQueue:
    """Send failed messages to a dead-letter topic, untouched, with headers saying what went wrong.

    ::

        with Producer(bootstrap_servers="localhost:9092") as dlq_producer:   # no serializers: bytes in, out
            dlq = DeadLetterQueue(dlq_producer)                            # orders -> orders.dlq
            consumer.run(handle, retry=RetryPolicy(max_attempts=3), dead_letter_queue=dlq)

    Args:
        producer: a :class:`Producer` or :class:`AsyncProducer` WITHOUT key/value serializers (the dead
            letter is the original bytes; a serializer would change them). Its settings decide
            durability; the defaults (acks=all, idempotence) are what a DLQ wants.
        topic_template: the dead-letter topic for a message, formatted with ``topic`` and ``partition``:
            ``"{topic}.dlq"`` (default) or one shared topic such as ``"dead-letters"``.
        include_traceback_lines: how many of the traceback's last lines go in a header (0: none).
        timeout_s: how long to wait for the broker's acknowledgement of each write.
        retry: retry the write itself (a DLQ write failing is serious: the consumer stops), e.g.
            ``RetryPolicy(max_attempts=5)``; None: the producer's own retries only.
        clock: returns the failure time (inject a fixed one in tests).

    Headers (text; see ``docs/reliability.md``): ``kafka-client-dlq-original-topic``, ``-original-partition``,
    ``-original-offset``, ``-original-timestamp`` (ms), ``-exception-type``, ``-exception-message`` (cut to
    1000 characters), ``-exception-traceback`` (the last lines), ``-attempts``, ``-consumer-group``,
    ``-failed-at`` (ISO 8601 UTC), ``-stage`` (``deserialization``/``handler``) and, for a poison pill,
    ``-error-field`` (``key``/``value``). The original key is the dead letter's key.
    """

    def __init__(
        self,
        producer: Producer[Any, Any] | AsyncProducer[Any, Any],
        topic_template: str = "{topic}.dlq",
        include_traceback_lines: int = 20,
        *,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        problems = []
        core = getattr(producer, "_core", None)
        if core is None:
            problems.append(
                ConfigProblem("producer", "must be a kafka_client Producer or AsyncProducer", repr(producer))
            )
        elif core.key_serializer is not None or core.value_serializer is not None:
            problems.append(
                ConfigProblem(
                    "producer",
                    "has a key or value serializer; the dead letter must be the original bytes",
                    None,
                    "give the DeadLetterQueue its own Producer without serializers",
                )
            )
        try:
            topic_template.format(topic="t", partition=0)
        except (KeyError, IndexError, ValueError) as exc:
            problems.append(
                ConfigProblem(
                    "topic_template",
                    f"is not a valid template ({exc!r})",
                    repr(topic_template),
                    "use the fields {topic} and {partition}, e.g. '{topic}.dlq'",
                )
            )
        if include_traceback_lines < 0:
            problems.append(
                ConfigProblem(
                    "include_traceback_lines", "must not be negative", repr(include_traceback_lines)
                )
            )
        if problems:
            raise ConfigError(problems, source="DeadLetterQueue")
        self.producer = producer
        self.topic_template = topic_template
        self.include_traceback_lines = include_traceback_lines
        self.timeout_s = timeout_s
        self.retry = retry
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._is_async = type(producer).__name__ == "AsyncProducer"
        #: dead letters written by this queue so far
        self.sent = 0

    def topic_for(self, message: Message[Any, Any]) -> str:
        """The dead-letter topic of ``message``."""
        return self.topic_template.format(topic=message.topic, partition=message.partition)

    def headers_for(
        self,
        message: Message[Any, Any],
        exc: BaseException,
        attempts: int,
        group_id: str | None,
        stage: FailureStage = "handler",
    ) -> Headers:
        """The dead letter's headers: the original ones first, then the ``kafka-client-dlq-*`` ones."""
        headers: Headers = list(message.headers or ())
        added: list[tuple[str, str | None]] = [
            (h.ORIGINAL_TOPIC, message.topic),
            (h.ORIGINAL_PARTITION, str(message.partition)),
            (h.ORIGINAL_OFFSET, str(message.offset)),
            (h.ORIGINAL_TIMESTAMP, None if message.timestamp_ms is None else str(message.timestamp_ms)),
            (h.EXCEPTION_TYPE, h.exception_type_name(exc)),
            (h.EXCEPTION_MESSAGE, h.truncate(str(exc), h.MAX_MESSAGE_CHARS)),
            (h.EXCEPTION_TRACEBACK, h.format_traceback(exc, self.include_traceback_lines) or None),
            (h.ATTEMPTS, str(attempts)),
            (h.CONSUMER_GROUP, group_id),
            (h.FAILED_AT, h.iso_utc(self._clock())),
            (h.STAGE, stage),
        ]
        if isinstance(exc, DeserializationError) and exc.field:
            added.append((h.ERROR_FIELD, exc.field))
        headers.extend((name, value.encode("utf-8")) for name, value in added if value is not None)
        return headers

    def _failed(self, message: Message[Any, Any], topic: str, exc: BaseException) -> DeadLetterQueueError:
        error = DeadLetterQueueError(
            f"could not write the message at {message.topic}[{message.partition}]@{message.offset} to the "
            f"dead-letter topic {topic!r}: {exc}; it stays uncommitted",
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            dlq_topic=topic,
            retriable=bool(getattr(exc, "retriable", False)),
        )
        return error

    def _log_sent(self, message: Message[Any, Any], topic: str, exc: BaseException, attempts: int) -> None:
        self.sent += 1
        _log.warning(
            "dead-lettered %s[%d]@%d to %r after %d attempt(s): %s: %s",
            message.topic,
            message.partition,
            message.offset,
            topic,
            attempts,
            type(exc).__name__,
            h.truncate(str(exc), 200),
        )

    def send(
        self,
        message: Message[Any, Any],
        exc: BaseException,
        attempts: int,
        group_id: str | None,
        *,
        stage: FailureStage = "handler",
    ) -> RecordMetadata:
        """Write ``message`` (its raw key and value) to its dead-letter topic and wait for the broker's ack.

        Returns where the dead letter was stored. Raises :class:`DeadLetterQueueError` (the producer's
        error as ``__cause__``) when the write failed: the caller must not commit past ``message``.
        """
        if self._is_async:
            raise ConfigError(
                [
                    ConfigProblem(
                        "producer",
                        "is an AsyncProducer; use 'await send_async(...)' (AsyncConsumer.run does)",
                    )
                ],
                source="DeadLetterQueue.send",
            )
        topic = self.topic_for(message)
        headers = self.headers_for(message, exc, attempts, group_id, stage)
        producer: Any = self.producer

        def write() -> RecordMetadata:
            future = producer.send(topic, message.raw_value, key=message.raw_key, headers=headers)
            meta: RecordMetadata = future.result(timeout=self.timeout_s)
            return meta

        try:
            meta = self.retry.call(write) if self.retry is not None else write()
        except KafkaClientError as error:
            raise self._failed(message, topic, error) from error
        self._log_sent(message, topic, exc, attempts)
        return meta

    async def send_async(
        self,
        message: Message[Any, Any],
        exc: BaseException,
        attempts: int,
        group_id: str | None,
        *,
        stage: FailureStage = "handler",
    ) -> RecordMetadata:
        """:meth:`send` for asyncio code: awaits an AsyncProducer's write, or runs a sync one in a thread."""
        if not self._is_async:
            return await asyncio.to_thread(self.send, message, exc, attempts, group_id, stage=stage)
        topic = self.topic_for(message)
        headers = self.headers_for(message, exc, attempts, group_id, stage)
        producer: Any = self.producer

        async def write() -> RecordMetadata:
            sent = producer.send(topic, message.raw_value, key=message.raw_key, headers=headers)
            meta: RecordMetadata = await asyncio.wait_for(sent, self.timeout_s)
            return meta

        try:
            meta = await (self.retry.call_async(write) if self.retry is not None else write())
        except (KafkaClientError, TimeoutError) as error:
            raise self._failed(message, topic, error) from error
        self._log_sent(message, topic, exc, attempts)
        return meta

    def __repr__(self) -> str:
        return f"<DeadLetterQueue {self.topic_template!r} sent={self.sent}>"
