"""The producer's one core, shared by the sync and asyncio facades.

It owns the backend, the serializers and the background poller; the facades only decide how a delivery
report reaches the caller (a :class:`DeliveryFuture`, or an asyncio future on the event loop).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from kafka_client._records import Headers, RecordMetadata, TopicPartitionOffset
from kafka_client.backends.base import DeliveryCallback, ProducerBackend
from kafka_client.errors import (
    AuthenticationError,
    FeatureNotSupportedError,
    KafkaClientError,
    QueueFullError,
    SerializationError,
    TransactionError,
)
from kafka_client.observability._hooks import ClientHooks
from kafka_client.serialization import MessageField, SerializationContext, get_serializer

_log = logging.getLogger("kafka_client.producer")

#: The sending thread serves delivery reports every this many sends (a power of two, for a cheap test).
POLL_EVERY = 64
#: How often the background thread checks whether the application is still sending.
ACTIVE_CHECK_S = 0.005

ErrorCallback = Callable[[KafkaClientError], None]
HeadersInput = Headers | dict[str, str | bytes | None] | None


def normalize_headers(headers: HeadersInput) -> Headers | None:
    """Headers as Kafka clients pass them: a list of ``(name, bytes)``; str values are UTF-8 encoded."""
    if headers is None:
        return None
    items = headers.items() if isinstance(headers, dict) else headers
    out: Headers = []
    for name, value in items:
        out.append((name, value.encode() if isinstance(value, str) else value))
    return out


def timestamp_ms(timestamp: int | float | dt.datetime | None) -> int | None:
    """Milliseconds since the epoch from an int (already ms), a float (seconds) or an aware datetime."""
    if timestamp is None or isinstance(timestamp, int):
        return timestamp
    if isinstance(timestamp, dt.datetime):
        if timestamp.tzinfo is None:
            raise ValueError("timestamp datetimes must be timezone-aware (e.g. datetime.now(UTC))")
        return int(timestamp.timestamp() * 1000)
    return int(timestamp * 1000)


class ProducerCore:
    """Serialize, produce, poll, flush, close and run transactions over one backend."""

    def __init__(
        self,
        backend: ProducerBackend,
        *,
        key_serializer: Any = None,
        value_serializer: Any = None,
        queue_full_policy: str = "block",
        queue_full_timeout_s: float = 5.0,
        transactional: bool = False,
        on_error: ErrorCallback | None = None,
        hooks: ClientHooks | None = None,
        errors_only: bool = False,
    ) -> None:
        self.backend = backend
        self.hooks = hooks or ClientHooks()
        self.key_serializer = get_serializer(key_serializer) if key_serializer is not None else None
        self.value_serializer = get_serializer(value_serializer) if value_serializer is not None else None
        # The backend's produce, bound once; swapped for a refusal when the producer closes.
        self.backend_produce: Callable[..., None] = backend.produce
        # Producer.send()'s way in: when the backend offers it, the client library's own report goes straight
        # to the future (``produce_native``), converted by ``native_report(err, msg, topic)``; no callback
        # object per message. Swapped for a refusal on close, like backend_produce.
        produce_native = getattr(backend, "produce_native", None)
        self.native_report: Callable[[Any, Any, str], tuple[Any, Any]] | None = (
            getattr(backend, "native_report", None) if produce_native is not None else None
        )
        self.send_produce: Callable[..., None] = (
            produce_native if produce_native is not None else backend.produce
        )
        self._block = queue_full_policy == "block"
        self._queue_full_timeout = queue_full_timeout_s
        self._transactional = transactional
        self._on_error = on_error
        # A rejected login (SASL, TLS) reported by the client library's error callback: flush() raises it
        # instead of waiting out the delivery timeout for messages that cannot leave.
        self._auth_failure: AuthenticationError | None = None
        self._closed = False
        self._in_transaction = False
        self._transactions_ready = False
        self._lock = threading.Lock()
        self._stop_polling = threading.Event()
        # Delivery reports: while the application is sending, the sending thread serves them in passing
        # (every POLL_EVERY sends, like a hand-written librdkafka loop); when it stops, a background thread
        # takes over. Two threads taking turns on every report would fight over the GIL on each one.
        self.sends = 0
        self.inline_poll: Callable[[float], int] | None = backend.poll if backend.needs_polling else None
        # Fire-and-forget sends (Producer.produce) share one report callback: no future, no callback
        # object per message. A backend without ``fire`` gets a small callback per message instead.
        self.errors_only = errors_only
        fire = getattr(backend, "fire", None)
        if fire is not None:
            backend.set_report(self.fired_report)  # type: ignore[attr-defined]
            self.fire: Callable[..., None] = fire
        else:
            self.fire = self._fire_with_callback
        # The fastest path (Producer.produce of bytes without headers, partition or timestamp): straight
        # into the client library when no serializer and no unguarded before_send hook stands between.
        self.fire_plain: Callable[[str, bytes | None, bytes | None], None] | None = None
        self.fire_errors: tuple[type[BaseException], ...] = ()
        self.send_guard = self.hooks.send_guard
        plain = getattr(backend, "fire_plain", None)
        if (
            plain is not None
            and self.key_serializer is None
            and self.value_serializer is None
            and (not self.hooks.before_send or self.send_guard is not None)
        ):
            self.fire_plain = plain
            self.fire_errors = backend.fire_errors  # type: ignore[attr-defined]
        self._poller: threading.Thread | None = None
        if backend.needs_polling:
            self._poller = threading.Thread(
                target=self._poll_loop, name="kafka-client-producer-poll", daemon=True
            )
            self._poller.start()

    # --- the hot path --------------------------------------------------------------------------------

    def prepare(
        self, topic: str, value: Any, key: Any, headers: HeadersInput, timestamp: Any, sent_ns: int
    ) -> tuple[bytes | None, bytes | None, Headers | None, int | None]:
        """What every send does before the backend: the observers' headers, key and value serialized
        (bytes pass through untouched when no serializer is set), the timestamp in ms.

        Returns ``(value, key, headers, timestamp_ms)`` as the backend takes them. Each branch is an
        attribute check, so the common case calls little but the backend.
        """
        native_headers = None if headers is None else normalize_headers(headers)
        hooks = self.hooks
        if hooks.before_send:
            native_headers = hooks.add_headers(topic, native_headers, sent_ns)
        key_ser, value_ser = self.key_serializer, self.value_serializer
        if key_ser is not None:
            raw_key = key_ser(key, SerializationContext(topic, MessageField.KEY, native_headers))
        elif key is None or type(key) is bytes:
            raw_key = key
        else:
            raw_key = as_bytes(key, topic, MessageField.KEY)
        if value_ser is not None:
            raw_value = value_ser(value, SerializationContext(topic, MessageField.VALUE, native_headers))
        elif value is None or type(value) is bytes:
            raw_value = value
        else:
            raw_value = as_bytes(value, topic, MessageField.VALUE)
        if timestamp is not None and type(timestamp) is not int:
            timestamp = timestamp_ms(timestamp)
        return raw_value, raw_key, native_headers, timestamp

    def refuse_futures(self) -> None:
        """``send()`` needs a report per message; with ``delivery_reports: errors`` there is none."""
        from kafka_client.errors import ConfigError, ConfigProblem

        raise ConfigError(
            [
                ConfigProblem(
                    "producer.delivery_reports",
                    "send() returns a future that needs a delivery report for every message, and the "
                    "client library reports only failures in this mode",
                    value="'errors'",
                    hint="use produce() (fire-and-forget: failures reach on_error, the metrics and the "
                    "logs), or set producer.delivery_reports: all",
                )
            ]
        )

    def fire_message(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp: int | None,
    ) -> None:
        """Queue one message whose report goes to :meth:`fired_report`, applying the queue-full policy."""
        try:
            self.fire(topic, value, key, headers, partition, timestamp)
        except QueueFullError:
            report = functools.partial(self.fired_report, topic)
            self.produce_when_full(topic, value, key, headers, partition, timestamp, report)
        self.sends += 1
        if not self.sends & (POLL_EVERY - 1) and self.inline_poll is not None:
            self.inline_poll(0)

    def _fire_with_callback(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp: int | None,
    ) -> None:
        report = functools.partial(self.fired_report, topic)
        self.backend_produce(topic, value, key, headers, partition, timestamp, report)

    def fired_report(self, topic: str, error: KafkaClientError | None, meta: RecordMetadata | None) -> None:
        """The report of a fire-and-forget message: observers (with no send time: ``sent_ns`` 0), and
        failures to ``on_error``."""
        if self.hooks.after_delivery:
            self.delivered(topic, error, meta, 0)
        if error is not None:
            self.report_error(error)

    def produce(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp: int | None,
        report: DeliveryCallback,
    ) -> None:
        """Hand one encoded message to the backend, applying the queue-full policy."""
        try:
            self.backend_produce(topic, value, key, headers, partition, timestamp, report)
        except QueueFullError:
            self.produce_when_full(topic, value, key, headers, partition, timestamp, report)

    def produce_when_full(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp: int | None,
        report: Callable[..., None],
        produce: Callable[..., None] | None = None,
    ) -> None:
        """The queue was full: raise (policy ``raise``) or wait for room (policy ``block``), then queue it
        with ``produce`` (default: the backend's ``produce``; ``report`` must be what that one takes)."""
        try:
            if not self._block:
                raise QueueFullError(
                    f"the producer's local queue is full ({self.backend.queued()} messages waiting, "
                    "producer.queue_buffering_max_messages); raise it, slow down, "
                    "or use queue_full_policy: block"
                )
            self._produce_when_room(
                topic, value, key, headers, partition, timestamp, report, produce or self.backend.produce
            )
        except QueueFullError as exc:
            # The caller gets the exception; the observers count it (queue-full events are a metric).
            for hook in self.hooks.on_error:
                hook(exc)
            raise

    def _produce_when_room(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp: int | None,
        report: Callable[..., None],
        produce: Callable[..., None],
    ) -> None:
        deadline = time.monotonic() + self._queue_full_timeout
        while True:
            # Serving delivery reports is what frees room in librdkafka's queue.
            self.backend.poll(0.005) if self.backend.needs_polling else time.sleep(0.005)
            try:
                produce(topic, value, key, headers, partition, timestamp, report)
                return
            except QueueFullError as exc:
                if time.monotonic() >= deadline:
                    raise QueueFullError(
                        f"the producer's local queue stayed full for {self._queue_full_timeout} s "
                        f"(producer.queue_full_timeout_s); {self.backend.queued()} messages are waiting. "
                        "The broker is slow or unreachable, or messages are sent faster than it accepts them."
                    ) from exc

    def report_error(self, error: KafkaClientError) -> None:
        """Tell the observers and the user's error callback about a failure; never raises (report threads)."""
        if isinstance(error, AuthenticationError):
            self._auth_failure = error
        self.hooks.report_error(error, self._on_error, "producer")

    def delivered(
        self, topic: str, error: KafkaClientError | None, meta: RecordMetadata | None, sent_ns: int
    ) -> None:
        """Run the observers' delivery hooks (metrics, logs) for one report."""
        for hook in self.hooks.after_delivery:
            try:
                hook(topic, error, meta, sent_ns)
            except Exception:
                _log.exception("an observer's after_delivery hook raised")

    def _poll_loop(self) -> None:
        stop = self._stop_polling
        while not stop.is_set():
            seen = self.sends
            if stop.wait(ACTIVE_CHECK_S) or self.sends != seen:
                continue  # the application is sending (and serving reports itself): stay out of its way
            try:
                self.backend.poll(0.1)
            except Exception:  # a user callback raised inside poll; keep serving reports
                _log.exception("a delivery callback raised")

    # --- lifecycle ----------------------------------------------------------------------------------

    def flush(self, timeout: float) -> int:
        """Wait up to ``timeout`` s for every queued message's report; return how many are still pending.

        Raises the :class:`AuthenticationError` (or :class:`TLSError`) the client library reported while
        messages are still waiting: they cannot leave until the credentials are fixed.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = self.backend.flush(max(0.0, min(0.5, deadline - time.monotonic())))
            if not remaining:
                return 0
            failure = self._auth_failure
            if failure is not None:
                self._auth_failure = None
                raise failure
            if time.monotonic() >= deadline:
                return remaining

    def queued(self) -> int:
        return self.backend.queued()

    def close(self, timeout: float) -> int:
        """Flush, then close. Messages not delivered in time are failed (their futures and the error
        callback see why) instead of vanishing. Returns how many messages were failed that way."""
        with self._lock:
            if self._closed:
                return 0
            self._closed = True
            self.backend_produce = _refuse_closed
            self.send_produce = _refuse_closed
            self.fire = _refuse_closed
            self.fire_plain = None
        if self._in_transaction:
            try:
                self.backend.abort_transaction(timeout)
            except KafkaClientError as exc:
                _log.warning("aborting the open transaction on close failed: %s", exc)
        try:
            remaining = self.backend.flush(timeout)
        except KafkaClientError as exc:  # a fatal producer error: what is left is failed below
            _log.error("flushing on close failed: %s", exc)
            remaining = self.backend.queued()
        self._stop_polling.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
        if remaining:
            _log.error("closing the producer with %d undelivered messages; failing them", remaining)
            self.backend.purge()
        self.backend.close(timeout=0.0)
        for hook in self.hooks.on_close:
            hook()
        return remaining

    # --- transactions -------------------------------------------------------------------------------

    def _require_transactional(self) -> None:
        if not self._transactional:
            raise FeatureNotSupportedError(
                "transactions",
                self.backend.name,
                "set producer.transactional_id (with idempotence on) to use transactions",
            )

    def begin_transaction(self, timeout: float) -> None:
        self._require_transactional()
        if not self._transactions_ready:
            self.backend.init_transactions(timeout)
            self._transactions_ready = True
        if self._in_transaction:
            raise TransactionError("a transaction is already open on this producer")
        self.backend.begin_transaction()
        self._in_transaction = True

    def commit_transaction(self, timeout: float) -> None:
        self.backend.commit_transaction(timeout)
        self._in_transaction = False

    def abort_transaction(self, timeout: float) -> None:
        try:
            self.backend.abort_transaction(timeout)
        finally:
            self._in_transaction = False

    def send_offsets(
        self, offsets: Sequence[TopicPartitionOffset], group_metadata: object, timeout: float
    ) -> None:
        if not self._in_transaction:
            raise TransactionError("send_offsets_to_transaction needs an open transaction")
        self.backend.send_offsets_to_transaction(offsets, group_metadata, timeout)


def build_producer_core(
    settings: Any,
    *,
    transport: ProducerBackend | None,
    key_serializer: Any,
    value_serializer: Any,
    on_error: ErrorCallback | None,
    observers: Sequence[Any] | None,
) -> ProducerCore:
    """The core both producer facades stand on: observers bound, backend built with their stats hook."""
    from kafka_client.backends._select import create_producer_backend, resolve_backend
    from kafka_client.observability import build_hooks, default_observers

    if observers is None:
        observers = default_observers(settings, "producer")
    backend_name = transport.name if transport is not None else resolve_backend(settings.backend)
    hooks = build_hooks(observers, client_id=settings.client_id, role="producer", backend=backend_name)
    core: ProducerCore | None = None

    def client_error(error: KafkaClientError) -> None:
        if core is not None:
            core.report_error(error)
        else:  # while the backend is built: a login it finds refused, before it raises that
            hooks.report_error(error, on_error, "producer")

    backend = transport or create_producer_backend(
        settings, on_stats=hooks.stats_callback(), on_error=client_error
    )
    producer = settings.producer
    core = ProducerCore(
        backend,
        key_serializer=key_serializer,
        value_serializer=value_serializer,
        queue_full_policy=producer.queue_full_policy,
        queue_full_timeout_s=producer.queue_full_timeout_s,
        transactional=producer.transactional_id is not None,
        on_error=on_error,
        hooks=hooks,
        errors_only=producer.delivery_reports == "errors" and backend.name == "confluent",
    )
    return core


def _refuse_closed(*args: Any) -> None:
    raise KafkaClientError("the producer is closed; create a new one")


def as_bytes(obj: Any, topic: str, field: MessageField) -> bytes | None:
    """Bytes as they are; bytearray/memoryview copied to bytes; anything else is a SerializationError."""
    if obj is None or type(obj) is bytes:
        return obj
    if isinstance(obj, (bytearray, memoryview)):
        return bytes(obj)
    raise SerializationError(
        f"cannot send a {type(obj).__name__} as the {field} of a message to {topic!r} without a serializer; "
        f"pass bytes, or set {field}_serializer (e.g. 'str' or 'json')"
    )
