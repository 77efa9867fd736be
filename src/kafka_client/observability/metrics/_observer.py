"""``MetricsObserver``: the Prometheus metrics plugin, one per client.

The hooks only bump plain ints in dicts and lists (no prometheus_client object, no label lookup on the
message path); statistics callbacks only keep a reference to the latest snapshot. Everything else (mapping
statistics, building metric families) happens when somebody scrapes.

Threads: delivery reports arrive on one thread (the producer's poller, kafka-python's I/O thread or the
event loop), consumer hooks on the thread that polls, scrapes on the HTTP server's thread. Each counter
has one writer, and ``x += 1`` on a plain int cannot lose an update made by another writer when there is
none; the scraper copies the dicts (a C-level copy, atomic under the GIL) and may see a delivery counted
in one series and not yet in another, never a counter going backwards.
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from time import monotonic, perf_counter_ns
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kafka_client.errors import QueueFullError
from kafka_client.observability.metrics import names as n
from kafka_client.observability.metrics._collector import (
    PROCESS_COLLECTOR,
    ClientMetricsCollector,
    collector_for,
)
from kafka_client.observability.metrics._families import COMMIT_BUCKETS, DELIVERY_BUCKETS, PROCESSING_BUCKETS
from kafka_client.observability.metrics._kafka_python import map_kafka_python
from kafka_client.observability.metrics._librdkafka import map_librdkafka
from kafka_client.observability.metrics._snapshot import Snapshot, build_families

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import CollectorRegistry

    from kafka_client._records import Message, RecordMetadata, TopicPartition, TopicPartitionOffset
    from kafka_client.config import KafkaClientSettings
    from kafka_client.errors import KafkaClientError

_log = logging.getLogger("kafka_client.observability.metrics")

StatsMapper = Callable[[Mapping[str, Any], Snapshot, str, str, bool], int]
_MAPPERS: dict[str, StatsMapper] = {"confluent": map_librdkafka, "kafka-python": map_kafka_python}

# Histograms are plain lists: one count per bucket (the last bucket is +Inf), then the sum in ns.
_DELIVERY_NS = tuple(int(b * 1e9) for b in DELIVERY_BUCKETS)
_PROCESSING_NS = tuple(int(b * 1e9) for b in PROCESSING_BUCKETS)
_COMMIT_NS = tuple(int(b * 1e9) for b in COMMIT_BUCKETS)
_DELIVERY_SLOTS = len(_DELIVERY_NS) + 2


def _new_histogram(bounds: tuple[int, ...]) -> list[int]:
    return [0] * (len(bounds) + 2)


def _histogram_data(counts: list[int]) -> tuple[list[int], float]:
    return counts[:-1], counts[-1] / 1e9


def _error_labels(error: BaseException) -> tuple[str, str]:
    """(error class, native code): both bounded — our exception classes and the client library's names."""
    code = getattr(error, "code", None)
    return type(error).__name__, code if isinstance(code, str) else ""


def _delivered_from_stats(
    stats: Mapping[str, Any], failed: Mapping[tuple[str, str, str], int]
) -> dict[str, int]:
    """Messages delivered per topic when librdkafka reports only failures: produced to the partition
    (``msgs``), minus those still queued or in flight, minus the failures reported to us."""
    failures: dict[str, int] = {}
    for (topic, _, _), count in failed.items():
        failures[topic] = failures.get(topic, 0) + count
    delivered: dict[str, int] = {}
    for topic, entry in (stats.get("topics") or {}).items():
        done = 0
        for partition, p in (entry.get("partitions") or {}).items():
            if partition == "-1":  # the not-yet-partitioned queue: its messages are counted where they land
                continue
            pending = p.get("msgq_cnt", 0) + p.get("xmit_msgq_cnt", 0) + p.get("msgs_inflight", 0)
            done += p.get("msgs", 0) - pending
        delivered[topic] = max(0, done - failures.get(topic, 0))
    return delivered


class _ProcessingTimes:
    """The processing-time histogram and failure count of one consumer."""

    __slots__ = ("counts", "failures")

    def __init__(self) -> None:
        self.counts = _new_histogram(_PROCESSING_NS)
        self.failures = 0


class _ProcessingTimer:
    """The context ``process_scope`` returns: one small object per message, since messages of different
    partitions may be processed concurrently (``AsyncConsumer.run(concurrency=N)``)."""

    __slots__ = ("_start", "_times")

    def __init__(self, times: _ProcessingTimes) -> None:
        self._times = times
        self._start = perf_counter_ns()  # made right before entering: ``with hooks.processing(message):``

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        elapsed = perf_counter_ns() - self._start
        times = self._times
        if exc_type is not None:
            if issubclass(exc_type, GeneratorExit):
                return  # the loop was abandoned, not a message processed
            times.failures += 1
        counts = times.counts
        counts[bisect_left(_PROCESSING_NS, elapsed)] += 1
        counts[-1] += elapsed


class MetricsObserver:
    """Prometheus metrics for one producer or consumer (the built-in observer when ``metrics_enabled``).

    ::

        observer = MetricsObserver(settings, "producer")
        with Producer(settings, observers=[observer]) as producer:
            producer.send("orders", b"paid").result(10)
        print(prometheus_client.generate_latest(observer.registry).decode())

    ``registry``: where this client's metrics are served besides the process-wide collector (see
    :func:`start_metrics_server`). By default each observer has its own ``CollectorRegistry``
    (``observer.registry``), so tests see only their client; pass a shared registry to serve several
    clients from it. The client leaves the process collector and a shared registry when it is closed;
    its own registry keeps its final values. Use one observer per client.
    """

    def __init__(
        self,
        settings: KafkaClientSettings | None = None,
        role: str = "producer",
        *,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.client_id = settings.client_id if settings is not None else "kafka-client"
        self.role = role
        self.backend = ""
        self.per_partition = settings is not None and settings.observability.metrics_per_partition
        self._shared_registry = registry
        self._own_registry: CollectorRegistry | None = None
        self._registry_lock = threading.Lock()
        self._map_stats: StatsMapper | None = None
        self._stats: Mapping[str, Any] | None = None
        self._stats_at: float | None = None
        self._collect_errors = 0
        # producer
        self._delivery: dict[str, list[int]] = {}
        self._untimed: dict[str, int] = {}  # delivered fire-and-forget sends, by topic
        # delivery_reports: errors (librdkafka): successes are never reported, so "delivered" is read
        # from the statistics instead (see _delivered_from_stats).
        self._errors_only_reports = settings is not None and settings.producer.delivery_reports == "errors"
        self._failed: dict[tuple[str, str, str], int] = {}
        self._queue_full = 0
        # consumer
        self._consumed: dict[str, list[int]] = {}  # topic -> [messages, bytes]
        self._last_message_at: float | None = None
        self._processing = _ProcessingTimes()
        self._commits = _new_histogram(_COMMIT_NS)
        self._commit_failures: dict[tuple[str, str], int] = {}
        self._rebalances: dict[str, int] = {}
        self._assigned: set[TopicPartition] = set()
        self._dlq: dict[tuple[str, str], int] = {}
        # both
        self._errors: dict[tuple[str, str], int] = {}
        self._circuit_states: dict[str, str] = {}  # breaker name -> current state
        self._circuit_transitions: dict[tuple[str, str], int] = {}  # (breaker, state entered) -> count

    # --- exposition ---------------------------------------------------------------------------------

    @property
    def registry(self) -> CollectorRegistry:
        """The registry serving this client's metrics: the one passed in, or the observer's own."""
        if self._shared_registry is not None:
            return self._shared_registry
        with self._registry_lock:
            if self._own_registry is None:
                from prometheus_client.registry import CollectorRegistry

                collector = ClientMetricsCollector()
                collector.add(self)
                self._own_registry = CollectorRegistry(auto_describe=False)
                self._own_registry.register(collector)
            return self._own_registry

    def collect(self) -> list[Metric]:
        """This client's metric families, fresh."""
        return build_families(self.snapshot())

    def _collectors(self) -> list[ClientMetricsCollector]:
        collectors = [PROCESS_COLLECTOR]
        if self._shared_registry is not None:
            collectors.append(collector_for(self._shared_registry))
        return collectors

    # --- hooks: lifecycle ---------------------------------------------------------------------------

    def bind(self, client_id: str, role: str, backend: str) -> None:
        self.client_id = client_id
        self.role = role
        self.backend = backend
        self._map_stats = _MAPPERS.get(backend)
        for collector in self._collectors():
            collector.add(self)

    def on_close(self) -> None:
        for collector in self._collectors():
            collector.discard(self)

    def on_stats(self, stats: Mapping[str, Any]) -> None:
        """Keep the latest statistics; they are mapped to metrics at scrape time, not here."""
        self._stats = stats
        self._stats_at = monotonic()

    def on_error(self, error: KafkaClientError) -> None:
        labels = _error_labels(error)
        self._errors[labels] = self._errors.get(labels, 0) + 1
        if isinstance(error, QueueFullError):
            self._queue_full += 1

    # --- hooks: producer ----------------------------------------------------------------------------

    def after_delivery(
        self, topic: str, error: KafkaClientError | None, metadata: RecordMetadata | None, sent_ns: int
    ) -> None:
        """Per message: one dict lookup and two list increments (the count is the histogram's)."""
        if error is None:
            if not sent_ns:  # a fire-and-forget send (Producer.produce): counted, not timed
                self._untimed[topic] = self._untimed.get(topic, 0) + 1
                return
            elapsed = perf_counter_ns() - sent_ns
            counts = self._delivery.get(topic)
            if counts is None:
                counts = self._delivery[topic] = [0] * _DELIVERY_SLOTS
            counts[bisect_left(_DELIVERY_NS, elapsed)] += 1
            counts[-1] += elapsed
        else:
            key = (topic, *_error_labels(error))
            self._failed[key] = self._failed.get(key, 0) + 1

    # --- hooks: consumer ----------------------------------------------------------------------------

    def on_consume(self, messages: Sequence[Message[Any, Any]]) -> None:
        """Per fetch: counts and bytes summed per topic in locals, then one dict update per topic."""
        totals = self._consumed
        if not messages:
            return
        if len(messages) == 1:  # poll(): one message per call, so the shortest path
            message = messages[0]
            entry = totals.get(message.topic) or totals.setdefault(message.topic, [0, 0])
            value = message.raw_value
            key = message.raw_key
            entry[0] += 1
            entry[1] += (0 if value is None else len(value)) + (0 if key is None else len(key))
            self._last_message_at = monotonic()
            return
        topic = messages[0].topic
        size = 0
        for message in messages:  # the usual fetch holds one topic: one sum, no per-message count
            if message.topic != topic:
                self._consumed_by_topic(messages)
                return
            value = message.raw_value
            key = message.raw_key
            size += (0 if value is None else len(value)) + (0 if key is None else len(key))
        entry = totals.get(topic) or totals.setdefault(topic, [0, 0])
        entry[0] += len(messages)
        entry[1] += size
        self._last_message_at = monotonic()

    def _consumed_by_topic(self, messages: Sequence[Message[Any, Any]]) -> None:
        """:meth:`on_consume` for a fetch holding several topics."""
        totals = self._consumed
        topic = ""
        count = size = 0
        for message in messages:
            if message.topic != topic:
                if count:
                    entry = totals.get(topic) or totals.setdefault(topic, [0, 0])
                    entry[0] += count
                    entry[1] += size
                topic = message.topic
                count = size = 0
            count += 1
            value = message.raw_value
            key = message.raw_key
            size += (0 if value is None else len(value)) + (0 if key is None else len(key))
        if count:
            entry = totals.get(topic) or totals.setdefault(topic, [0, 0])
            entry[0] += count
            entry[1] += size
            self._last_message_at = monotonic()

    def process_scope(self, message: Message[Any, Any]) -> _ProcessingTimer:
        return _ProcessingTimer(self._processing)

    def on_commit(
        self, offsets: Sequence[TopicPartitionOffset], error: KafkaClientError | None, seconds: float
    ) -> None:
        if error is not None:
            labels = _error_labels(error)
            self._commit_failures[labels] = self._commit_failures.get(labels, 0) + 1
            return
        elapsed = int(seconds * 1e9)
        self._commits[bisect_left(_COMMIT_NS, elapsed)] += 1
        self._commits[-1] += elapsed

    def on_rebalance(self, kind: str, partitions: list[TopicPartition]) -> None:
        self._rebalances[kind] = self._rebalances.get(kind, 0) + 1
        if kind == "assign":
            self._assigned = self._assigned | set(partitions)
        else:
            self._assigned = self._assigned - set(partitions)

    def record_dlq(self, topic: str, dlq_topic: str) -> None:
        """Count one message routed from ``topic`` to the dead-letter topic ``dlq_topic``.

        ``Consumer.run(..., dead_letter_queue=...)`` counts its routings itself (``on_dead_letter``);
        call this only for messages the application dead-letters by other means.
        """
        key = (topic, dlq_topic)
        self._dlq[key] = self._dlq.get(key, 0) + 1

    on_dlq = record_dlq

    def on_dead_letter(self, topic: str, dlq_topic: str, error: BaseException) -> None:
        """A message of ``topic`` was written to ``dlq_topic`` (acknowledged) by the run's dead-letter
        queue: counted by topic pair; the error's class is in the dead letter's headers, not a label."""
        self.record_dlq(topic, dlq_topic)

    # --- hooks: circuit breakers (either role) ------------------------------------------------------

    def on_circuit_state(self, name: str, state: str) -> None:
        """The circuit breaker ``name`` is now in ``state`` (a ``CircuitState``, i.e. a str).

        Sets the state gauge, and counts a transition when the state differs from the last one this
        observer knew for the breaker (a breaker it has not heard of yet is closed, as every breaker
        starts): the report of the current state a consumer run sends when it starts using a breaker
        creates the series without counting a transition.
        """
        value = str(state)
        previous = self._circuit_states.get(name, "closed")
        self._circuit_states[name] = value
        if value != previous:
            key = (name, value)
            self._circuit_transitions[key] = self._circuit_transitions.get(key, 0) + 1

    # --- scrape time --------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """This client's samples now: the hooks' counters plus the latest statistics, mapped."""
        snap = Snapshot()
        try:
            self._snapshot_hooks(snap)
        except Exception:  # a bug here must cost series, not the scrape
            self._collect_errors += 1
            _log.exception("collecting %s %s metrics failed", self.role, self.client_id)
        stats, mapper = self._stats, self._map_stats
        if stats is not None and mapper is not None:
            try:
                self._collect_errors += mapper(stats, snap, self.client_id, self.role, self.per_partition)
            except Exception:
                self._collect_errors += 1
                _log.exception("mapping %s statistics failed", self.backend)
        now = monotonic()
        if self._stats_at is not None:
            snap.set(n.STATISTICS_AGE, (self.client_id, self.role), now - self._stats_at)
        snap.add(n.METRICS_COLLECT_ERRORS, (self.client_id, self.role), self._collect_errors)
        return snap

    def _snapshot_hooks(self, snap: Snapshot) -> None:
        c = (self.client_id,)
        cr = (self.client_id, self.role)
        for (error_type, code), count in self._errors.copy().items():
            snap.add(n.ERRORS, (*cr, error_type, code), count)
        transitions = self._circuit_transitions.copy()
        for breaker, current in self._circuit_states.copy().items():
            # every state's series from the start: increase() then sees a breaker's first opening
            for state in n.CIRCUIT_STATES:
                snap.set(n.CIRCUIT_BREAKER_STATE, (*cr, breaker, state), 1.0 if state == current else 0.0)
                count = transitions.get((breaker, state), 0)
                snap.add(n.CIRCUIT_BREAKER_TRANSITIONS, (*cr, breaker, state), count)
        if self.role == "producer":
            for topic, counts in self._delivery.copy().items():
                buckets, total = _histogram_data(list(counts))
                snap.add(n.PRODUCER_MESSAGES_DELIVERED, (*c, topic), sum(buckets))
                snap.histogram(n.PRODUCER_DELIVERY_LATENCY, (*c, topic), buckets, total)
            for topic, count in self._untimed.copy().items():
                snap.add(n.PRODUCER_MESSAGES_DELIVERED, (*c, topic), count)
            failed = self._failed.copy()
            for failure, count in failed.items():
                snap.add(n.PRODUCER_MESSAGES_FAILED, (*c, *failure), count)
            if self._errors_only_reports and self.backend == "confluent" and self._stats is not None:
                for topic, count in _delivered_from_stats(self._stats, failed).items():
                    snap.add(n.PRODUCER_MESSAGES_DELIVERED, (*c, topic), count)
            snap.add(n.PRODUCER_QUEUE_FULL, c, self._queue_full)
            return
        for topic, (count, size) in self._consumed.copy().items():
            snap.add(n.CONSUMER_MESSAGES_CONSUMED, (*c, topic), count)
            snap.add(n.CONSUMER_CONSUMED_BYTES, (*c, topic), size)
        timer = self._processing
        snap.histogram(n.CONSUMER_PROCESSING_DURATION, c, *_histogram_data(list(timer.counts)))
        snap.add(n.CONSUMER_PROCESSING_FAILURES, c, timer.failures)
        snap.histogram(n.CONSUMER_COMMIT_LATENCY, c, *_histogram_data(list(self._commits)))
        for error_labels, count in self._commit_failures.copy().items():
            snap.add(n.CONSUMER_COMMIT_FAILURES, (*c, *error_labels), count)
        for kind, count in self._rebalances.copy().items():
            snap.add(n.CONSUMER_REBALANCES, (*c, kind), count)
        snap.add(n.CONSUMER_ASSIGNED_PARTITIONS, c, len(self._assigned))
        for (topic, dlq_topic), count in self._dlq.copy().items():
            snap.add(n.CONSUMER_DLQ_MESSAGES, (*c, topic, dlq_topic), count)
        if self._last_message_at is not None:
            snap.set(n.CONSUMER_LAST_MESSAGE_AGE, c, monotonic() - self._last_message_at)

    def __repr__(self) -> str:
        return f"<MetricsObserver {self.role} client_id={self.client_id!r} backend={self.backend or '?'}>"
