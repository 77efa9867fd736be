"""``Producer``: the synchronous producer."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from time import perf_counter_ns
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from kafka_client._records import TopicPartitionOffset
from kafka_client._settings_input import client_from_config, resolve_settings
from kafka_client.backends.base import ProducerBackend
from kafka_client.errors import QueueFullError
from kafka_client.producer._core import (
    POLL_EVERY,
    ErrorCallback,
    HeadersInput,
    build_producer_core,
)
from kafka_client.producer._future import DeliveryFuture, DeliveryListener

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings

# Unannotated clients are Producer[Any, Any] / Consumer[Any, Any] (PEP 696 defaults).
K = TypeVar("K", default=Any)
V = TypeVar("V", default=Any)


class Producer(Generic[K, V]):
    """Send messages to Kafka, with production defaults (acks=all, idempotence) and typed errors.

    Construct it with a settings object, a mapping, keyword overrides, or YAML files; every path goes through
    the configuration system, so ``KAFKA_CLIENT_*`` environment variables and presets apply::

        with Producer(bootstrap_servers="localhost:9092", value_serializer="json") as producer:
            producer.send("orders", {"id": 1}, key=b"customer-7").result(timeout=10)

    Delivery reports are served by a background thread, so futures complete without calling ``poll()``.
    A failed delivery raises from ``future.result()`` and reaches ``on_error``; ``close()`` flushes, and
    fails whatever could not be delivered in time: no message disappears silently.
    """

    def __init__(
        self,
        settings: KafkaClientSettings | Mapping[str, Any] | None = None,
        *,
        key_serializer: Any = None,
        value_serializer: Any = None,
        on_error: ErrorCallback | None = None,
        observers: Sequence[Any] | None = None,
        transport: ProducerBackend | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = resolve_settings(settings, overrides)
        self._core = build_producer_core(
            self.settings,
            transport=transport,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            on_error=on_error,
            observers=observers,
        )

    @classmethod
    def from_config(cls, *files: str | Path, **kwargs: Any) -> Producer[Any, Any]:
        """A producer configured from YAML files (merged in order), then env vars and ``kwargs`` overrides."""
        return client_from_config(cls, files, kwargs)  # type: ignore[no-any-return]

    @property
    def backend_name(self) -> str:
        """``confluent`` or ``kafka-python``."""
        return self._core.backend.name

    def send(
        self,
        topic: str,
        value: V | None = None,
        key: K | None = None,
        headers: HeadersInput = None,
        partition: int | None = None,
        timestamp: int | float | dt.datetime | None = None,
        on_delivery: DeliveryListener | None = None,
    ) -> DeliveryFuture:
        """Queue one message; return a future of where it was stored.

        ``timestamp`` is ms since the epoch (int), seconds (float) or an aware datetime. ``on_delivery(err,
        meta)`` is called from the reporting thread. Raises :class:`QueueFullError` (policy ``raise``, or
        ``block`` timing out), :class:`SerializationError`, or :class:`KafkaClientError` when closed.
        """
        core = self._core
        if core.errors_only:
            core.refuse_futures()
        sent_ns = perf_counter_ns() if core.hooks.after_delivery else 0
        raw_value, raw_key, native_headers, timestamp = core.prepare(
            topic, value, key, headers, timestamp, sent_ns
        )
        future = DeliveryFuture(topic, core, on_delivery, sent_ns)
        # The client library's own report goes straight to the future when the backend can convert it.
        report = future._deliver_native if core.native_report is not None else future._deliver
        try:
            core.send_produce(topic, raw_value, raw_key, native_headers, partition, timestamp, report)
        except QueueFullError:
            core.produce_when_full(
                topic, raw_value, raw_key, native_headers, partition, timestamp, report, core.send_produce
            )
        core.sends += 1
        if not core.sends & (POLL_EVERY - 1) and core.inline_poll is not None:
            core.inline_poll(0)
        return future

    def produce(
        self,
        topic: str,
        value: V | None = None,
        key: K | None = None,
        headers: HeadersInput = None,
        partition: int | None = None,
        timestamp: int | float | dt.datetime | None = None,
    ) -> None:
        """Queue one message, fire-and-forget: the fastest way to send.

        No future: a failed delivery reaches ``on_error``, the metrics (messages failed, by error type)
        and the logs, so nothing fails silently. With ``producer.delivery_reports: errors`` the client
        library does not even report successful deliveries (see docs/producer.md). Raises like
        :meth:`send` when the message cannot be queued.
        """
        core = self._core
        plain = core.fire_plain
        if (
            plain is not None
            and headers is None
            and partition is None
            and timestamp is None
            and type(value) is bytes
            and (key is None or type(key) is bytes)
            and (core.send_guard is None or core.send_guard.get() is None)
        ):
            try:
                plain(topic, value, key)  # type: ignore[arg-type]  # checked above: bytes or None
            except core.fire_errors:
                # raises the translated error, or waits for room, as configured
                core.fire_message(topic, value, key, None, None, None)  # type: ignore[arg-type]
                return
            core.sends += 1
            if not core.sends & (POLL_EVERY - 1) and core.inline_poll is not None:
                core.inline_poll(0)
            return
        raw_value, raw_key, native_headers, timestamp = core.prepare(topic, value, key, headers, timestamp, 0)
        core.fire_message(topic, raw_value, raw_key, native_headers, partition, timestamp)

    def send_batch(
        self,
        topic: str,
        values: Iterable[V],
        *,
        keys: Iterable[K] | None = None,
        headers: HeadersInput = None,
    ) -> list[DeliveryFuture]:
        """Send many values (with matching keys, if given) in order; return their futures."""
        if keys is None:
            return [self.send(topic, value, headers=headers) for value in values]
        return [
            self.send(topic, value, key=key, headers=headers) for key, value in zip(keys, values, strict=True)
        ]

    def flush(self, timeout: float = 30.0) -> int:
        """Wait for every queued message's delivery report; return how many are still undelivered (0: all)."""
        return self._core.flush(timeout)

    def __len__(self) -> int:
        """Messages queued or in flight."""
        return self._core.queued()

    def close(self, timeout: float = 30.0) -> None:
        """Flush (up to ``timeout`` s), then release the client. Idempotent.

        Messages still undelivered then are failed: their futures raise and ``on_error`` hears of each.
        """
        self._core.close(timeout)

    # --- transactions -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, timeout: float = 60.0) -> Iterator[Producer[K, V]]:
        """Run the block in a transaction: committed on exit, aborted if the block raises.

        Needs ``producer.transactional_id``. Messages sent inside are visible to ``read_committed``
        consumers only after the commit.
        """
        self._core.begin_transaction(timeout)
        try:
            yield self
        except BaseException:
            self._core.abort_transaction(timeout)
            raise
        self._core.commit_transaction(timeout)

    def send_offsets_to_transaction(
        self, offsets: Iterable[TopicPartitionOffset], group_metadata: object, timeout: float = 30.0
    ) -> None:
        """Commit a consumer's offsets as part of the open transaction (consume-transform-produce)."""
        self._core.send_offsets(list(offsets), group_metadata, timeout)

    def __enter__(self) -> Producer[K, V]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Producer backend={self.backend_name} bootstrap={','.join(self.settings.bootstrap_servers)}>"
