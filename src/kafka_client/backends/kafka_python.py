"""The kafka-python backend: the pure-Python fallback.

This module and ``confluent.py`` are the only ones that import a Kafka client library. kafka-python runs
delivery callbacks on its own I/O thread, so this backend needs no polling; a local buffer lets
``poll()`` hand out one record at a time from kafka-python's batched fetches.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from kafka_client._records import Headers, RawRecord, RecordMetadata, TopicPartition, TopicPartitionOffset
from kafka_client.backends._kafka_python_redaction import install_sasl_redaction
from kafka_client.backends._kafka_python_refusals import RefusalWatch
from kafka_client.backends.base import DeliveryCallback, RebalanceListener, StatsCallback
from kafka_client.errors import (
    AuthenticationError,
    AuthorizationError,
    BrokerUnavailableError,
    CommitError,
    ConsumerError,
    DeliveryError,
    FeatureNotSupportedError,
    KafkaClientError,
    KafkaTimeoutError,
    MissingDependencyError,
    QueueFullError,
    TopicError,
    TransactionError,
)

ErrorCallback = Callable[[KafkaClientError], None]
_log = logging.getLogger("kafka_client.backends.kafka_python")
# How long subscribe() waits for the metadata of a just-created topic (see _await_partitions).
METADATA_WAIT_S = 2.0


def _kafka() -> Any:
    try:
        import kafka
        import kafka.consumer.subscription_state
        import kafka.errors
        import kafka.structs
    except ImportError as exc:
        raise MissingDependencyError("kafka-python", "kafka-python", "The kafka-python backend") from exc
    install_sasl_redaction()  # its DEBUG request logs would show SASL passwords and tokens
    return kafka


def _classify(exc: BaseException, default: type[KafkaClientError]) -> type[KafkaClientError]:
    errors = _kafka().errors
    if isinstance(exc, errors.KafkaTimeoutError) and "bootstrap" in str(exc):
        return BrokerUnavailableError
    names: list[tuple[str, type[KafkaClientError]]] = [
        ("AuthorizationError", AuthorizationError),
        ("SaslAuthenticationFailedError", AuthenticationError),
        ("CommitFailedError", CommitError),
        ("ProducerFencedError", TransactionError),
        ("InvalidTxnStateError", TransactionError),
        ("TransactionAbortableError", TransactionError),
        ("UnknownTopicOrPartitionError", TopicError),
        ("TopicAlreadyExistsError", TopicError),
        ("NoBrokersAvailable", BrokerUnavailableError),  # kafka-python 2.x
        ("KafkaConnectionError", BrokerUnavailableError),
        ("KafkaTimeoutError", KafkaTimeoutError),
        ("RequestTimedOutError", KafkaTimeoutError),
    ]
    for name, ours in names:
        native = getattr(errors, name, None)
        if native is not None and isinstance(exc, native):
            return ours
    return default


def translate(
    exc: BaseException, what: str, default: type[KafkaClientError] = KafkaClientError
) -> KafkaClientError:
    """Map a kafka-python exception to the kafka_client exception naming the problem."""
    cls = _classify(exc, default)
    text = f"{what}: {exc} [{type(exc).__name__}]"
    if cls is AuthorizationError:
        from kafka_client.backends._confluent_errors import authorization_detail

        # kafka-python puts the denied topic or group after the error's description.
        named = str(exc).rpartition(": ")[2].strip() if ": " in str(exc) else None
        text += authorization_detail(type(exc).__name__, what, None if "'" in what else named)
    result: KafkaClientError
    if cls is TransactionError:
        abortable = isinstance(exc, _kafka().errors.TransactionAbortableError)
        result = TransactionError(text, abortable=abortable, retriable=bool(getattr(exc, "retriable", False)))
    else:
        result = cls(text)
        result.retriable = bool(getattr(exc, "retriable", False)) or cls.retriable
    result.code = type(exc).__name__  # type: ignore[attr-defined]
    return result


@contextlib.contextmanager
def _translating(what: str, default: type[KafkaClientError] = KafkaClientError) -> Iterator[None]:
    errors = _kafka().errors
    try:
        yield
    except errors.KafkaError as exc:
        raise translate(exc, what, default) from exc


def _refusal_watch(
    role: str, config: Mapping[str, Any], client_class: Any, on_error: ErrorCallback | None
) -> RefusalWatch:
    native = config.get("kafka_client") or client_class.DEFAULT_CONFIG["kafka_client"]
    return RefusalWatch(role, config, native, on_error)


@contextlib.contextmanager
def _creating(
    watch: RefusalWatch, what: str, default: type[KafkaClientError], on_error: ErrorCallback | None
) -> Iterator[None]:
    """Create a kafka-python client: a refused TLS handshake or SASL login raises the typed error the watch
    gave up with (and ``on_error`` hears it first, as from the confluent backend); whatever kafka-python
    had started (the consumer's I/O thread, sockets) is closed when creating it fails."""
    try:
        with _translating(what, default):
            yield
    except KafkaClientError as exc:
        watch.close_client()
        if exc is watch.gave_up and on_error is not None:
            try:
                on_error(exc)
            except Exception:
                _log.exception("the on_error callback raised")
        raise


class _StatsReporter:
    """kafka-python has no statistics callback: this hands the client's ``metrics()`` to ``on_stats`` every
    ``interval_s`` seconds. With ``thread``, from a daemon thread (the producer is thread-safe); without,
    from :meth:`maybe_report` on the thread that polls (``KafkaConsumer`` is not thread-safe, and like
    librdkafka's, its statistics then flow only while the application polls).
    """

    def __init__(
        self, read: Callable[[], Mapping[str, Any]], on_stats: StatsCallback, interval_s: float, thread: bool
    ) -> None:
        self._read = read
        self._on_stats = on_stats
        self._interval = interval_s
        self._due = time.monotonic() + interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if thread:
            self._thread = threading.Thread(target=self._run, name="kafka-client-stats", daemon=True)
            self._thread.start()

    @classmethod
    def start(
        cls,
        read: Callable[[], Mapping[str, Any]],
        on_stats: StatsCallback | None,
        interval_s: float,
        *,
        thread: bool,
    ) -> _StatsReporter | None:
        if on_stats is None or interval_s <= 0:
            return None
        return cls(read, on_stats, interval_s, thread)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.report()

    def maybe_report(self) -> None:
        now = time.monotonic()
        if now >= self._due:
            self._due = now + self._interval
            self.report()

    def report(self) -> None:
        try:
            self._on_stats(self._read())
        except Exception:  # a closing client, or an observer's bug: never break the client over it
            _log.debug("reporting kafka-python metrics failed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()


class KafkaPythonProducer:
    """A :class:`~kafka_client.backends.base.ProducerBackend` over ``kafka.KafkaProducer``.

    With ``on_stats``, the producer's ``metrics()`` (plus a ``kafka-client`` group with the bounded queue's
    fill) are reported every ``stats_interval_s`` seconds from a daemon thread.
    """

    name: ClassVar[str] = "kafka-python"
    needs_polling: ClassVar[bool] = False

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        on_stats: StatsCallback | None = None,
        on_error: ErrorCallback | None = None,
        max_queued: int = 100_000,
        stats_interval_s: float = 5.0,
    ) -> None:
        kafka = _kafka()
        watch = _refusal_watch("producer", config, kafka.KafkaProducer, on_error)
        with _creating(watch, "creating the producer", KafkaClientError, on_error):
            self._producer = kafka.KafkaProducer(**{**config, "kafka_client": watch.client_factory})
        self._watch = watch
        # kafka-python 3 has no bound on its record accumulator; bound it here, in messages, like librdkafka.
        self._max_queued = max_queued
        self._errors = kafka.errors
        self._in_flight = 0
        self._lock = threading.Lock()
        self._on_stats = on_stats
        self._stats = _StatsReporter.start(self._metrics, on_stats, stats_interval_s, thread=True)

    def _metrics(self) -> Mapping[str, Any]:
        metrics = dict(self._producer.metrics() or {})
        metrics["kafka-client"] = {
            "queued-messages": float(self._in_flight),
            "max-queued-messages": float(self._max_queued),
        }
        return metrics

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
        if headers and any(v is None for _, v in headers):
            raise FeatureNotSupportedError(
                "null header values",
                self.name,
                "send b'' instead of None, or use the confluent backend (backend: confluent)",
            )
        if key is None and value is None:
            raise FeatureNotSupportedError(
                "a record with neither key nor value",
                self.name,
                "give it a key, or use the confluent backend",
            )
        if self._in_flight >= self._max_queued:
            raise QueueFullError(
                f"the producer's local queue is full ({self._in_flight} messages waiting, "
                "producer.queue_buffering_max_messages); raise it or slow down"
            )
        try:
            future = self._producer.send(
                topic, value=value, key=key, headers=headers, partition=partition, timestamp_ms=timestamp_ms
            )
        except self._errors.KafkaTimeoutError as exc:
            if "allocate memory" in str(exc) or "buffer" in str(exc).lower():
                raise QueueFullError(f"the producer's buffer is full: {exc}") from exc
            raise translate(exc, f"producing to {topic!r}") from exc
        except self._errors.KafkaError as exc:
            raise translate(exc, f"producing to {topic!r}") from exc
        except ValueError as exc:  # kafka-python checks partitions and topic names with ValueError
            raise TopicError(f"producing to {topic!r}: {exc}") from exc
        with self._lock:
            self._in_flight += 1

        def done(meta: Any) -> None:
            with self._lock:
                self._in_flight -= 1
            on_delivery(None, RecordMetadata(meta.topic, meta.partition, meta.offset, meta.timestamp))

        def failed(exc: BaseException) -> None:
            with self._lock:
                self._in_flight -= 1
            on_delivery(translate(exc, f"delivery to {topic!r} failed", DeliveryError), None)

        future.add_callback(done)
        future.add_errback(failed)

    def poll(self, timeout: float) -> int:
        return 0

    def flush(self, timeout: float) -> int:
        with contextlib.suppress(self._errors.KafkaTimeoutError):
            self._producer.flush(timeout=timeout)
        return self.queued()

    def queued(self) -> int:
        return self._in_flight

    def init_transactions(self, timeout: float) -> None:
        with _translating("initialising transactions", TransactionError):
            self._producer.init_transactions()

    def begin_transaction(self) -> None:
        with _translating("beginning a transaction", TransactionError):
            self._producer.begin_transaction()

    def commit_transaction(self, timeout: float) -> None:
        with _translating("committing the transaction", TransactionError):
            self._producer.commit_transaction()  # bounded by the producer's own transaction timeout

    def abort_transaction(self, timeout: float) -> None:
        with _translating("aborting the transaction", TransactionError):
            self._producer.abort_transaction()

    def send_offsets_to_transaction(
        self, offsets: Sequence[TopicPartitionOffset], group_metadata: object, timeout: float
    ) -> None:
        structs = _kafka().structs
        native = {
            structs.TopicPartition(o.topic, o.partition): structs.OffsetAndMetadata(
                o.offset, o.metadata or "", -1
            )
            for o in offsets
        }
        with _translating("sending offsets to the transaction", TransactionError):
            self._producer.send_offsets_to_transaction(native, group_metadata)

    def purge(self) -> None:
        self._watch.stop_reporting()
        if self._stats is not None:
            self._stats.stop()
        # kafka-python aborts unfinished batches (failing their futures) when closed with no time left.
        with _translating("purging the producer"):
            self._producer.close(timeout=0)

    def close(self, timeout: float) -> None:
        self._watch.stop_reporting()
        if self._stats is not None:
            self._stats.stop()
        with _translating("closing the producer"):
            self._producer.close(timeout=timeout)


class _RebalanceAdapter:
    """Forwards kafka-python's rebalance calls to our listener.

    kafka-python 3 runs listeners inside its own network event loop, where a blocking commit cannot run.
    So while our listener's ``on_revoke`` runs, the backend collects the commits it asks for, and the
    adapter awaits them on kafka-python's loop before the partitions are handed over.
    """

    def __init__(self, backend: KafkaPythonConsumer, listener: RebalanceListener) -> None:
        self.backend = backend
        self.listener = listener

    @staticmethod
    def _parts(partitions: Any) -> list[TopicPartition]:
        return sorted(TopicPartition(p.topic, p.partition) for p in partitions)

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.listener.on_assign(self._parts(assigned))

    async def on_partitions_revoked(self, revoked: Any) -> None:
        parts = self._parts(revoked)
        self.backend._drop_buffered(parts)
        deferred = self.backend._defer_commits()
        try:
            self.listener.on_revoke(parts)
        finally:
            self.backend._deferred = None
        if deferred:
            coordinator = self.backend._consumer._coordinator
            try:
                await coordinator._commit_offsets_sync_async(self.backend._native_offsets(deferred))
            except Exception as exc:  # reported, never raised out of kafka-python's loop
                self.backend._revoke_commit_failed(deferred, exc)

    async def on_partitions_lost(self, lost: Any) -> None:
        parts = self._parts(lost)
        self.backend._drop_buffered(parts)
        self.listener.on_lost(parts)


class KafkaPythonConsumer:
    """A :class:`~kafka_client.backends.base.ConsumerBackend` over ``kafka.KafkaConsumer``.

    With ``on_stats``, the consumer's ``metrics()`` are reported every ``stats_interval_s`` seconds, from
    the thread that polls (when a fetch is due anyway).
    """

    name: ClassVar[str] = "kafka-python"

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        on_stats: StatsCallback | None = None,
        on_error: ErrorCallback | None = None,
        stats_interval_s: float = 5.0,
    ) -> None:
        self._kafka = _kafka()
        self._structs = self._kafka.structs
        watch = _refusal_watch("consumer", config, self._kafka.KafkaConsumer, on_error)
        with _creating(watch, "creating the consumer", ConsumerError, on_error):
            self._consumer = self._kafka.KafkaConsumer(**{**config, "kafka_client": watch.client_factory})
        self._watch = watch
        self._buffer: collections.deque[RawRecord] = collections.deque()
        self._deferred: list[TopicPartitionOffset] | None = None
        self._on_error = on_error
        self._max_records = int(config.get("max_poll_records", 500))
        self._stats = _StatsReporter.start(
            lambda: self._consumer.metrics() or {}, on_stats, stats_interval_s, thread=False
        )

    def _tp(self, tp: TopicPartition) -> Any:
        return self._structs.TopicPartition(tp.topic, tp.partition)

    def _drop_buffered(self, partitions: Sequence[TopicPartition]) -> None:
        gone = set(partitions)
        if gone and self._buffer:
            self._buffer = collections.deque(
                r for r in self._buffer if TopicPartition(r.topic, r.partition) not in gone
            )

    def _defer_commits(self) -> list[TopicPartitionOffset]:
        self._deferred = []
        return self._deferred

    def _revoke_commit_failed(self, offsets: Sequence[TopicPartitionOffset], exc: Exception) -> None:
        """The commit made while partitions were being revoked failed (the group was rebalancing again, or
        the coordinator moved): the processed messages after the last successful commit will be delivered
        again (at-least-once). Said to ``on_error`` and the log; raising it would only make kafka-python
        fail the rebalance or the close, and lose nothing more."""
        where = ", ".join(f"{o.topic}[{o.partition}]@{o.offset}" for o in offsets)
        error = (
            translate(exc, f"committing {where} on revocation", CommitError)
            if isinstance(exc, self._kafka.errors.KafkaError)
            else CommitError(f"committing {where} on revocation failed: {exc!r}")
        )
        _log.warning("%s; these partitions' messages after their last commit will be delivered again", error)
        if self._on_error is not None:
            self._on_error(error)

    def _native_offsets(self, offsets: Sequence[TopicPartitionOffset]) -> dict[Any, Any]:
        return {
            self._structs.TopicPartition(o.topic, o.partition): self._structs.OffsetAndMetadata(
                o.offset, o.metadata or "", -1
            )
            for o in offsets
        }

    def subscribe(self, topics: Sequence[str], pattern: str | None, listener: RebalanceListener) -> None:
        # kafka-python insists on an instance of its own (async, in kafka-python 3) listener class.
        base = self._kafka.consumer.subscription_state.AsyncConsumerRebalanceListener
        adapter = type("_Listener", (_RebalanceAdapter, base), {})(self, listener)
        with _translating("subscribing", ConsumerError):
            if pattern is not None:
                self._consumer.subscribe(pattern=pattern, listener=adapter)
            else:
                self._consumer.subscribe(topics=list(topics), listener=adapter)
                self._await_partitions(topics, METADATA_WAIT_S)

    def _await_partitions(self, topics: Sequence[str], timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the metadata lists each topic's partitions.

        kafka-python's group leader assigns only the partitions its metadata knows, and refreshes metadata
        only every ``metadata_max_age_ms`` (5 minutes): a topic created just before subscribing, whose
        leaders were not elected yet, would stay unassigned that long. A topic that does not exist yet is
        subscribed to anyway once the wait is over (it is assigned when it appears).
        """
        deadline = time.monotonic() + timeout
        for topic in topics:
            while not self._consumer.partitions_for_topic(topic) and time.monotonic() < deadline:
                time.sleep(0.05)

    def assign(self, partitions: Sequence[TopicPartitionOffset]) -> None:
        with _translating("assigning partitions", ConsumerError):
            self._consumer.assign([self._structs.TopicPartition(p.topic, p.partition) for p in partitions])
            for p in partitions:
                if p.offset >= 0:
                    self._consumer.seek(self._structs.TopicPartition(p.topic, p.partition), p.offset)

    def unsubscribe(self) -> None:
        self._buffer.clear()
        with _translating("unsubscribing", ConsumerError):
            self._consumer.unsubscribe()

    def _fetch(self, max_records: int, timeout: float) -> None:
        with _translating("consuming", ConsumerError):
            batches = self._consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        for records in batches.values():
            for r in records:
                self._buffer.append(
                    RawRecord(
                        r.topic,
                        r.partition,
                        r.offset,
                        r.key,
                        r.value,
                        list(r.headers or []),
                        r.timestamp if r.timestamp is not None and r.timestamp >= 0 else None,
                        r.leader_epoch if getattr(r, "leader_epoch", -1) not in (None, -1) else None,
                    )
                )
        if self._stats is not None:
            self._stats.maybe_report()

    def poll(self, timeout: float) -> RawRecord | None:
        if not self._buffer:
            self._fetch(self._max_records, timeout)
        return self._buffer.popleft() if self._buffer else None

    def consume(self, max_records: int, timeout: float) -> list[RawRecord]:
        if not self._buffer:
            self._fetch(max_records, timeout)
        count = min(max_records, len(self._buffer))
        return [self._buffer.popleft() for _ in range(count)]

    def commit(self, offsets: Sequence[TopicPartitionOffset], asynchronous: bool) -> None:
        if not offsets:
            return
        if (
            self._deferred is not None
        ):  # inside a revoke callback: committed by the adapter, on kafka-python's loop
            self._deferred.extend(offsets)
            return
        native = self._native_offsets(offsets)
        with _translating("committing offsets", CommitError):
            if asynchronous:
                self._consumer.commit_async(native)
            else:
                self._consumer.commit(native)

    def committed(
        self, partitions: Sequence[TopicPartition], timeout: float
    ) -> dict[TopicPartition, int | None]:
        with _translating("reading committed offsets", ConsumerError):
            return {tp: self._consumer.committed(self._tp(tp)) for tp in partitions}

    def position(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int | None]:
        # kafka-python's position is its fetch position, past the records we hold but have not handed
        # out yet; the application's position (as librdkafka reports it) is the first of those.
        held: dict[TopicPartition, int] = {}
        for record in self._buffer:
            held.setdefault(TopicPartition(record.topic, record.partition), record.offset)
        with _translating("reading positions", ConsumerError):
            return {
                tp: held[tp] if tp in held else self._consumer.position(self._tp(tp)) for tp in partitions
            }

    def seek(self, position: TopicPartitionOffset) -> None:
        tp = TopicPartition(position.topic, position.partition)
        self._drop_buffered([tp])
        with _translating(f"seeking {tp}", ConsumerError):
            self._consumer.seek(self._tp(tp), position.offset)

    def seek_to_beginning(self, partitions: Sequence[TopicPartition]) -> None:
        self._drop_buffered(partitions)
        with _translating("seeking to the beginning", ConsumerError):
            native = [self._tp(tp) for tp in partitions]
            self._consumer.seek_to_beginning(*native)
            for tp in native:
                self._consumer.position(tp)

    def seek_to_end(self, partitions: Sequence[TopicPartition]) -> None:
        self._drop_buffered(partitions)
        with _translating("seeking to the end", ConsumerError):
            native = [self._tp(tp) for tp in partitions]
            self._consumer.seek_to_end(*native)
            for tp in native:  # resolve "the end" now, as the confluent backend does, not at the next fetch
                self._consumer.position(tp)

    def pause(self, partitions: Sequence[TopicPartition]) -> None:
        # Records already buffered for these partitions go back: the fetch position is rewound to them.
        first: dict[TopicPartition, int] = {}
        for r in self._buffer:
            first.setdefault(TopicPartition(r.topic, r.partition), r.offset)
        with _translating("pausing partitions", ConsumerError):
            self._consumer.pause(*[self._tp(tp) for tp in partitions])
            for tp in partitions:
                if tp in first:
                    self._consumer.seek(self._tp(tp), first[tp])
        self._drop_buffered(partitions)

    def resume(self, partitions: Sequence[TopicPartition]) -> None:
        with _translating("resuming partitions", ConsumerError):
            self._consumer.resume(*[self._tp(tp) for tp in partitions])

    def assignment(self) -> list[TopicPartition]:
        return sorted(TopicPartition(p.topic, p.partition) for p in self._consumer.assignment())

    def offsets_for_times(
        self, timestamps_ms: Mapping[TopicPartition, int], timeout: float
    ) -> dict[TopicPartition, int | None]:
        with _translating("looking up offsets for times", ConsumerError):
            result = self._consumer.offsets_for_times({self._tp(tp): ts for tp, ts in timestamps_ms.items()})
        return {
            TopicPartition(tp.topic, tp.partition): (found.offset if found is not None else None)
            for tp, found in result.items()
        }

    def watermarks(self, partition: TopicPartition, timeout: float) -> tuple[int, int]:
        native = self._tp(partition)
        with _translating(f"reading watermarks of {partition}", ConsumerError):
            low = self._consumer.beginning_offsets([native])[native]
            high = self._consumer.end_offsets([native])[native]
        return int(low), int(high)

    def group_metadata(self) -> object:
        return self._consumer.group_metadata()

    def close(self) -> None:
        self._watch.stop_reporting()
        self._buffer.clear()
        with _translating("closing the consumer", ConsumerError):
            self._consumer.close()
