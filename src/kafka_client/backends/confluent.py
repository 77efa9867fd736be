"""The confluent-kafka (librdkafka) backend: the primary one.

This module and ``kafka_python.py`` are the only ones that import a Kafka client library. Errors are
translated at this seam by :mod:`kafka_client.backends._confluent_errors`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kafka_client._records import (
    Headers,
    Message,
    RawRecord,
    RecordMetadata,
    TopicPartition,
    TopicPartitionOffset,
)
from kafka_client.backends._confluent_errors import (
    delivery_error,
    error_from_kafka_error,
    translate_errors,
)
from kafka_client.backends.base import DeliveryCallback, RebalanceListener, SharedReport, StatsCallback
from kafka_client.errors import (
    AuthenticationError,
    ConsumerError,
    KafkaClientError,
    KafkaTimeoutError,
    MissingDependencyError,
    QueueFullError,
    TopicError,
    TransactionError,
)

ErrorCallback = Callable[[KafkaClientError], None]
# kafka_client.observability.logging.LIBRDKAFKA_LOGGER (not imported: this module stays light)
LIBRDKAFKA_LOGGER = "kafka_client.librdkafka"

_OFFSET_INVALID = -1001
#: Purged-in-queue reports this soon after a refused login are that login's purge (see ConfluentProducer).
_REFUSAL_PURGE_WINDOW_S = 5.0


def _confluent() -> Any:
    try:
        import confluent_kafka
        import confluent_kafka.admin
    except ImportError as exc:
        raise MissingDependencyError("confluent-kafka", "confluent", "The confluent-kafka backend") from exc
    return confluent_kafka


def _with_callbacks(
    config: Mapping[str, Any], on_stats: StatsCallback | None, on_error: ErrorCallback | None, role: str
) -> dict[str, Any]:
    conf = dict(config)
    # librdkafka's log lines go to stdlib logging (served by poll), so they join the application's
    # log pipeline (configure_logging renders them as JSON) instead of raw lines on stderr.
    conf.setdefault("logger", logging.getLogger(LIBRDKAFKA_LOGGER))
    if on_stats is not None:
        conf["stats_cb"] = lambda raw: on_stats(json.loads(raw))
    if on_error is not None:
        conf["error_cb"] = lambda err: on_error(error_from_kafka_error(err, f"{role} error"))
    return conf


class ConfluentProducer:
    """A :class:`~kafka_client.backends.base.ProducerBackend` over ``confluent_kafka.Producer``."""

    name: ClassVar[str] = "confluent"
    needs_polling: ClassVar[bool] = True

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        on_stats: StatsCallback | None = None,
        on_error: ErrorCallback | None = None,
        fail_queued_on_auth_error: bool = False,
    ) -> None:
        ck = _confluent()
        #: The refused login (or TLS handshake) the queued messages were failed for, and when (see
        #: _failing_queued_on_auth_error).
        self._refused_login: AuthenticationError | None = None
        self._refused_at = 0.0
        self._purge_queue_code: int = ck.KafkaError._PURGE_QUEUE
        if fail_queued_on_auth_error:
            on_error = self._failing_queued_on_auth_error(on_error)
        conf = _with_callbacks(config, on_stats, on_error, "producer")
        # Messages queued by fire() carry no callback of their own: librdkafka reports them here.
        conf["on_delivery"] = self._shared_report
        self._report: SharedReport | None = None
        with translate_errors("creating the producer"):
            self._producer = ck.Producer(conf)
        self._kafka_exception = ck.KafkaException
        self._produce = self._producer.produce
        # The client library's own produce, for the producer's fastest path (bytes, no headers, no
        # partition, no timestamp): any of ``fire_errors`` raised by it means "call fire() instead",
        # which raises the translated error.
        self.fire_plain: Callable[[str, bytes | None, bytes | None], None] = self._producer.produce
        self.fire_errors: tuple[type[BaseException], ...] = (BufferError, ck.KafkaException)

    def _failing_queued_on_auth_error(self, on_error: ErrorCallback | None) -> ErrorCallback:
        """An error callback that, on a refused login or TLS handshake, fails the messages still waiting
        in librdkafka's queues at once (as Java's producer does, KIP-152) instead of at the delivery
        timeout: they cannot leave before the credentials are fixed. Messages already sent are left to
        their reports. Each purged message's report says why, with the login's error type."""

        def on_client_error(error: KafkaClientError) -> None:
            if isinstance(error, AuthenticationError):
                self._refused_login, self._refused_at = error, time.monotonic()
                # from librdkafka's error callback, served by poll(): no librdkafka lock is held here
                self._producer.purge(in_queue=True, in_flight=False, blocking=False)
            if on_error is not None:
                on_error(error)

        return on_client_error

    def _delivery_error(self, err: Any, topic: str) -> KafkaClientError:
        refused = self._refused_login
        # A purge's reports arrive with the next poll: one long after the last refusal (an aborted
        # transaction's, once the login works again) is not about the login.
        if (
            refused is not None
            and err.code() == self._purge_queue_code
            and time.monotonic() - self._refused_at < _REFUSAL_PURGE_WINDOW_S
        ):
            error = type(refused)(f"delivery to {topic!r} failed: not sent, since {refused}")
            error.__dict__.update(refused.__dict__)  # retriable, code
            return error
        return delivery_error(err, topic)

    def set_report(self, report: SharedReport) -> None:
        """Where the reports of messages queued by :meth:`fire` go."""
        self._report = report

    def _shared_report(self, err: Any, msg: Any) -> None:
        report = self._report
        if report is None:
            return
        topic = msg.topic()
        if err is not None:
            report(topic, self._delivery_error(err, topic), None)
        else:
            report(topic, None, RecordMetadata(topic, msg.partition(), msg.offset(), msg.timestamp()[1]))

    def _refused(self, exc: BaseException, topic: str) -> KafkaClientError:
        """Why librdkafka refused to queue a message: a full local queue, or a Kafka error."""
        if isinstance(exc, BufferError):
            return QueueFullError(
                f"the producer's local queue is full ({len(self._producer)} messages waiting); "
                "raise producer.queue_buffering_max_messages or slow down"
            )
        return error_from_kafka_error(exc.args[0], f"producing to {topic!r}")

    def fire(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp_ms: int | None,
    ) -> None:
        """Queue one message whose report goes to the shared report (no callback object per message)."""
        try:
            if headers is None and timestamp_ms is None:
                self._produce(topic, value, key, -1 if partition is None else partition)
            else:
                self._produce(
                    topic,
                    value,
                    key,
                    -1 if partition is None else partition,
                    timestamp=timestamp_ms or 0,
                    headers=headers,
                )
        except (BufferError, self._kafka_exception) as exc:
            raise self._refused(exc, topic) from exc

    def produce(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp_ms: int | None,
        on_delivery: DeliveryCallback,
    ) -> None:
        def report(err: Any, msg: Any) -> None:
            if err is not None:
                on_delivery(self._delivery_error(err, topic), None)
            else:
                on_delivery(None, RecordMetadata(topic, msg.partition(), msg.offset(), msg.timestamp()[1]))

        try:
            self._producer.produce(
                topic,
                value,
                key,
                -1 if partition is None else partition,
                on_delivery=report,
                timestamp=timestamp_ms or 0,
                headers=headers,
            )
        except (BufferError, self._kafka_exception) as exc:
            raise self._refused(exc, topic) from exc

    def produce_native(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp_ms: int | None,
        on_report: Callable[[Any, Any], None],
    ) -> None:
        """:meth:`produce` whose report reaches ``on_report(err, msg)`` as librdkafka gives it (convert it
        with :meth:`native_report`): no callback object per message."""
        try:
            if headers is None and timestamp_ms is None:
                self._produce(topic, value, key, -1 if partition is None else partition, on_report)
            else:
                self._produce(
                    topic,
                    value,
                    key,
                    -1 if partition is None else partition,
                    on_report,
                    timestamp=timestamp_ms or 0,
                    headers=headers,
                )
        except (BufferError, self._kafka_exception) as exc:
            raise self._refused(exc, topic) from exc

    def native_report(
        self, err: Any, msg: Any, topic: str
    ) -> tuple[KafkaClientError | None, RecordMetadata | None]:
        """A librdkafka delivery report as ``(error, metadata)``."""
        if err is not None:
            return self._delivery_error(err, topic), None
        return None, RecordMetadata(topic, msg.partition(), msg.offset(), msg.timestamp()[1])

    def poll(self, timeout: float) -> int:
        return int(self._producer.poll(timeout))

    def flush(self, timeout: float) -> int:
        # A fatal producer error (e.g. INVALID_TXN_STATE) makes librdkafka's flush raise: typed here.
        with translate_errors("flushing the producer"):
            return int(self._producer.flush(timeout))

    def queued(self) -> int:
        return len(self._producer)

    def init_transactions(self, timeout: float) -> None:
        with translate_errors("initialising transactions", TransactionError):
            self._producer.init_transactions(timeout)

    def begin_transaction(self) -> None:
        with translate_errors("beginning a transaction", TransactionError):
            self._producer.begin_transaction()

    def commit_transaction(self, timeout: float) -> None:
        with translate_errors("committing the transaction", TransactionError):
            self._producer.commit_transaction(timeout)

    def abort_transaction(self, timeout: float) -> None:
        with translate_errors("aborting the transaction", TransactionError):
            self._producer.abort_transaction(timeout)

    def send_offsets_to_transaction(
        self, offsets: Sequence[TopicPartitionOffset], group_metadata: object, timeout: float
    ) -> None:
        ck = _confluent()
        native = [ck.TopicPartition(o.topic, o.partition, o.offset) for o in offsets]
        with translate_errors("sending offsets to the transaction", TransactionError):
            self._producer.send_offsets_to_transaction(native, group_metadata, timeout)

    def purge(self) -> None:
        self._refused_login = None  # these are purged because the producer closes
        self._producer.purge(in_queue=True, in_flight=True, blocking=True)
        self._producer.poll(0)  # serve the purged messages' delivery reports now

    def close(self, timeout: float) -> None:
        # librdkafka releases the handle when the object is collected.
        self._producer.flush(0)


class _ConfluentMessage(Message[bytes | None, bytes | None]):
    """A consumed message that keeps librdkafka's ``None`` for "no headers" and turns it into an empty list
    only when the headers are first asked for (an empty list per message would be one more object for the
    garbage collector to count). Every other field is copied out of librdkafka's message when it is built,
    so the native message (and the fetch buffer it pins) is released at once. Copies and pickles are plain
    :class:`Message` objects.
    """

    __slots__ = ("_headers",)
    _headers: Headers | None

    @property
    def headers(self) -> Headers:
        headers = self._headers
        if headers is None:
            headers = self._headers = []
        return headers

    @headers.setter
    def headers(self, value: Headers) -> None:
        self._headers = value

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, tuple(getattr(self, name) for name in _MESSAGE_ARGS))


_MESSAGE_ARGS = (
    "topic",
    "partition",
    "offset",
    "key",
    "value",
    "headers",
    "timestamp_ms",
    "leader_epoch",
    "raw_key",
    "raw_value",
)
_new_message = object.__new__


def _record(native: Any) -> RawRecord:
    """One librdkafka message (without an error) as a :class:`Message`: attributes set directly, no call."""
    record: Any = _new_message(_ConfluentMessage)
    record._headers = native.headers()
    ts_type, ts = native.timestamp()
    record.timestamp_ms = ts if ts_type else None
    record.leader_epoch = native.leader_epoch()
    record.topic = native.topic()
    record.partition = native.partition()
    record.offset = native.offset()
    record.key = record.raw_key = native.key()
    record.value = record.raw_value = native.value()
    return record  # type: ignore[no-any-return]


class _RebalanceAdapter:
    """Turns confluent's (consumer, [TopicPartition]) callbacks into our listener's calls."""

    def __init__(self, listener: RebalanceListener) -> None:
        self.listener = listener

    @staticmethod
    def _parts(partitions: list[Any]) -> list[TopicPartition]:
        return [TopicPartition(p.topic, p.partition) for p in partitions]

    def on_assign(self, _consumer: Any, partitions: list[Any]) -> None:
        self.listener.on_assign(self._parts(partitions))

    def on_revoke(self, _consumer: Any, partitions: list[Any]) -> None:
        self.listener.on_revoke(self._parts(partitions))

    def on_lost(self, _consumer: Any, partitions: list[Any]) -> None:
        self.listener.on_lost(self._parts(partitions))


class ConfluentConsumer:
    """A :class:`~kafka_client.backends.base.ConsumerBackend` over ``confluent_kafka.Consumer``."""

    name: ClassVar[str] = "confluent"

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        on_stats: StatsCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._ck = _confluent()
        with translate_errors("creating the consumer"):
            self._consumer = self._ck.Consumer(_with_callbacks(config, on_stats, on_error, "consumer"))
        self._pending_error: KafkaClientError | None = None
        self._eof = self._ck.KafkaError._PARTITION_EOF
        self._on_error = on_error
        errors = self._ck.KafkaError
        # Broker answers the Kafka protocol calls retriable, which librdkafka retries on its own but still
        # hands to the application as consumer errors.
        self._transient_codes = frozenset(
            getattr(errors, name)
            for name in (
                "NOT_COORDINATOR",
                "COORDINATOR_LOAD_IN_PROGRESS",
                "COORDINATOR_NOT_AVAILABLE",
                "REBALANCE_IN_PROGRESS",
                "NOT_LEADER_FOR_PARTITION",
                "LEADER_NOT_AVAILABLE",
                "REQUEST_TIMED_OUT",
                "_TIMED_OUT_QUEUE",
            )
            if hasattr(errors, name)
        )

    def _native(self, partitions: Sequence[TopicPartition], offset: int = _OFFSET_INVALID) -> list[Any]:
        return [self._ck.TopicPartition(p.topic, p.partition, offset) for p in partitions]

    def subscribe(self, topics: Sequence[str], pattern: str | None, listener: RebalanceListener) -> None:
        adapter = _RebalanceAdapter(listener)
        names = list(topics)
        if pattern is not None:
            names.append(pattern if pattern.startswith("^") else f"^{pattern}")
        with translate_errors("subscribing", ConsumerError):
            self._consumer.subscribe(
                names, on_assign=adapter.on_assign, on_revoke=adapter.on_revoke, on_lost=adapter.on_lost
            )

    def assign(self, partitions: Sequence[TopicPartitionOffset]) -> None:
        native = [self._ck.TopicPartition(p.topic, p.partition, p.offset) for p in partitions]
        with translate_errors("assigning partitions", ConsumerError):
            self._consumer.assign(native)

    def unsubscribe(self) -> None:
        with translate_errors("unsubscribing", ConsumerError):
            self._consumer.unsubscribe()

    def _is_transient(self, err: Any) -> bool:
        """End of partition, or a retriable error librdkafka recovers from by itself (a coordinator
        moving, a leader election): reported to ``on_error``, not raised. Anything else is raised."""
        code = err.code()
        if code == self._eof:
            return True
        if (err.retriable() or code in self._transient_codes) and not err.fatal():
            if self._on_error is not None:
                self._on_error(error_from_kafka_error(err, "consuming (retrying)", ConsumerError))
            return True
        return False

    def _raise_pending(self) -> None:
        if self._pending_error is not None:
            error, self._pending_error = self._pending_error, None
            raise error

    def poll(self, timeout: float) -> RawRecord | None:
        if self._pending_error is not None:
            self._raise_pending()
        try:  # what translate_errors() does, without a context manager per message
            msg = self._consumer.poll(timeout)
        except self._ck.KafkaException as exc:
            raise error_from_kafka_error(exc.args[0], "polling", ConsumerError) from exc
        if msg is None:
            return None
        err = msg.error()
        if err is not None:
            if self._is_transient(err):
                return None
            raise error_from_kafka_error(err, "consuming", ConsumerError)
        return _record(msg)

    def consume(self, max_records: int, timeout: float) -> list[RawRecord]:
        self._raise_pending()
        with translate_errors("consuming", ConsumerError):
            messages = self._consumer.consume(max_records, timeout)
        # The per-message hot path of consuming, so _record's body is inlined here. Each native message
        # is dropped as soon as it is converted: CPython's collector runs once more objects are alive
        # than it saw freed (700 by default), and a batch of 500 natives plus 500 messages alive together
        # would set it off on every batch (then promote both into older generations, whose collections
        # walk every object of the process). Converted and dropped one by one, a batch costs what the raw
        # client's costs: 500 objects at a time.
        records: list[RawRecord] = []
        append = records.append
        new, kind = _new_message, _ConfluentMessage
        messages.reverse()
        pop = messages.pop
        while messages:
            msg = pop()
            err = msg.error()
            if err is None:
                record: Any = new(kind)
                record._headers = msg.headers()
                ts_type, ts = msg.timestamp()
                record.timestamp_ms = ts if ts_type else None
                record.leader_epoch = msg.leader_epoch()
                record.topic = msg.topic()
                record.partition = msg.partition()
                record.offset = msg.offset()
                record.key = record.raw_key = msg.key()
                record.value = record.raw_value = msg.value()
                append(record)
            elif not self._is_transient(err) and self._pending_error is None:
                # Hand back what came before the error; raise it on the next call.
                self._pending_error = error_from_kafka_error(err, "consuming", ConsumerError)
        if not records:
            self._raise_pending()
        return records

    def commit(self, offsets: Sequence[TopicPartitionOffset], asynchronous: bool) -> None:
        if not offsets:
            return
        native = [
            self._ck.TopicPartition(o.topic, o.partition, o.offset)
            if o.metadata is None
            else self._ck.TopicPartition(o.topic, o.partition, o.offset, metadata=o.metadata)
            for o in offsets
        ]
        if asynchronous:
            with translate_errors("committing offsets", ConsumerError):
                self._consumer.commit(offsets=native, asynchronous=True)
            return
        # A synchronous commit that meets a retriable broker answer (the group coordinator moving or still
        # loading) is retried with a short backoff, as the Java client does, instead of failing the caller.
        delay = 0.05
        deadline = time.monotonic() + 30.0
        while True:
            try:
                self._consumer.commit(offsets=native, asynchronous=False)
                return
            except self._ck.KafkaException as exc:
                err = exc.args[0]
                transient = (err.retriable() or err.code() in self._transient_codes) and not err.fatal()
                if not transient or time.monotonic() + delay > deadline:
                    raise error_from_kafka_error(err, "committing offsets", ConsumerError) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def committed(
        self, partitions: Sequence[TopicPartition], timeout: float
    ) -> dict[TopicPartition, int | None]:
        with translate_errors("reading committed offsets", ConsumerError):
            result = self._consumer.committed(self._native(partitions), timeout=timeout)
        return {TopicPartition(p.topic, p.partition): (p.offset if p.offset >= 0 else None) for p in result}

    def position(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int | None]:
        with translate_errors("reading positions", ConsumerError):
            result = self._consumer.position(self._native(partitions))
        return {TopicPartition(p.topic, p.partition): (p.offset if p.offset >= 0 else None) for p in result}

    def seek(self, position: TopicPartitionOffset) -> None:
        with translate_errors(f"seeking {position.topic}[{position.partition}]", ConsumerError):
            self._consumer.seek(self._ck.TopicPartition(position.topic, position.partition, position.offset))

    def seek_to_beginning(self, partitions: Sequence[TopicPartition]) -> None:
        self._seek_to_watermark(partitions, 0)

    def seek_to_end(self, partitions: Sequence[TopicPartition]) -> None:
        self._seek_to_watermark(partitions, 1)

    def _seek_to_watermark(self, partitions: Sequence[TopicPartition], which: int) -> None:
        # librdkafka resolves logical offsets (BEGINNING/END) later, at fetch time; resolve them now, so
        # "the end" means the end when this was called, as on the other backends.
        for tp in partitions:
            with translate_errors(f"seeking {tp}", ConsumerError):
                native = self._ck.TopicPartition(tp.topic, tp.partition)
                offset = self._consumer.get_watermark_offsets(native, timeout=10.0)[which]
                self._consumer.seek(self._ck.TopicPartition(tp.topic, tp.partition, offset))

    def pause(self, partitions: Sequence[TopicPartition]) -> None:
        with translate_errors("pausing partitions", ConsumerError):
            self._consumer.pause(self._native(partitions))

    def resume(self, partitions: Sequence[TopicPartition]) -> None:
        with translate_errors("resuming partitions", ConsumerError):
            self._consumer.resume(self._native(partitions))

    def assignment(self) -> list[TopicPartition]:
        with translate_errors("reading the assignment", ConsumerError):
            return [TopicPartition(p.topic, p.partition) for p in self._consumer.assignment()]

    def offsets_for_times(
        self, timestamps_ms: Mapping[TopicPartition, int], timeout: float
    ) -> dict[TopicPartition, int | None]:
        native = [self._ck.TopicPartition(tp.topic, tp.partition, ts) for tp, ts in timestamps_ms.items()]
        with translate_errors("looking up offsets for times", ConsumerError):
            result = self._consumer.offsets_for_times(native, timeout=timeout)
        return {TopicPartition(p.topic, p.partition): (p.offset if p.offset >= 0 else None) for p in result}

    def watermarks(self, partition: TopicPartition, timeout: float) -> tuple[int, int]:
        native = self._ck.TopicPartition(partition.topic, partition.partition)
        with translate_errors(f"reading watermarks of {partition}", ConsumerError):
            low, high = self._consumer.get_watermark_offsets(native, timeout=timeout)
        return int(low), int(high)

    def group_metadata(self) -> object:
        return self._consumer.consumer_group_metadata()

    def close(self) -> None:
        with translate_errors("closing the consumer", ConsumerError):
            self._consumer.close()


# --- administration used by the test fixtures and the CLI ---------------------------------------


@dataclass(frozen=True)
class NewTopicSpec:
    """A topic to create: name, partition count, replication factor and topic configuration."""

    name: str
    partitions: int = 1
    replication_factor: int = 1
    config: Mapping[str, str] = field(default_factory=dict)


def create_topics(config: Mapping[str, Any], topics: Sequence[NewTopicSpec], timeout: float = 30.0) -> None:
    """Create topics and wait until the controller confirms each; raise a typed error on the first failure."""
    ck = _confluent()
    admin = ck.admin.AdminClient(dict(config))
    new = [
        ck.admin.NewTopic(
            t.name,
            num_partitions=t.partitions,
            replication_factor=t.replication_factor,
            config=dict(t.config),
        )
        for t in topics
    ]
    for name, future in admin.create_topics(new, operation_timeout=timeout, request_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except ck.KafkaException as exc:
            raise error_from_kafka_error(exc.args[0], f"creating topic {name!r}", TopicError) from exc


def delete_topics(config: Mapping[str, Any], names: Sequence[str], timeout: float = 30.0) -> None:
    """Delete topics and wait for the controller to confirm."""
    ck = _confluent()
    admin = ck.admin.AdminClient(dict(config))
    for name, future in admin.delete_topics(list(names), operation_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except ck.KafkaException as exc:
            raise error_from_kafka_error(exc.args[0], f"deleting topic {name!r}", TopicError) from exc


def produce_values(
    config: Mapping[str, Any], topic: str, values: Sequence[bytes], timeout: float = 30.0
) -> list[tuple[int, int]]:
    """Produce ``values`` in order and wait for every delivery report; return each (partition, offset)."""
    producer = ConfluentProducer(config)
    results: list[tuple[int, int]] = []
    failures: list[KafkaClientError] = []

    def on_delivery(err: KafkaClientError | None, meta: RecordMetadata | None) -> None:
        if err is not None:
            failures.append(err)
        elif meta is not None:
            results.append((meta.partition, meta.offset))

    for value in values:
        producer.produce(topic, value, None, None, None, None, on_delivery)
        producer.poll(0)
    remaining = producer.flush(timeout)
    if failures:
        raise failures[0]
    if remaining:
        raise KafkaTimeoutError(f"{remaining} messages to {topic!r} were not delivered within {timeout} s")
    return results


def consume_values(
    config: Mapping[str, Any], topic: str, count: int, timeout: float = 30.0
) -> list[bytes | None]:
    """Read ``count`` values from the start of ``topic`` in a consumer group, committing after reading."""
    consumer = ConfluentConsumer({"auto.offset.reset": "earliest", "enable.auto.commit": False, **config})
    values: list[bytes | None] = []
    last: dict[TopicPartition, int] = {}
    deadline = time.monotonic() + timeout

    class _Quiet:
        def on_assign(self, partitions: list[TopicPartition]) -> None: ...
        def on_revoke(self, partitions: list[TopicPartition]) -> None: ...
        def on_lost(self, partitions: list[TopicPartition]) -> None: ...

    try:
        consumer.subscribe([topic], None, _Quiet())
        while len(values) < count and time.monotonic() < deadline:
            for record in consumer.consume(500, 0.2):
                values.append(record.value)
                last[TopicPartition(record.topic, record.partition)] = record.offset
        consumer.commit(
            [TopicPartitionOffset(tp.topic, tp.partition, off + 1) for tp, off in last.items()], False
        )
    finally:
        consumer.close()
    if len(values) < count:
        raise KafkaTimeoutError(f"read {len(values)} of {count} messages from {topic!r} within {timeout} s")
    return values
