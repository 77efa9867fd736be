"""A live workload on an embedded broker, for demos: what an on-call screen should have something to show.

:class:`DemoWorkload` starts (or borrows) an :class:`~kafka_client.testing.embedded.EmbeddedKafka` and
runs, each in a background thread:

* an instrumented :class:`~kafka_client.Producer` (metrics on, as every client by default) writing JSON
  orders to ``orders`` at ``rate`` messages per second, with a few bad ones among them: undecodable
  bytes (poison pills) and orders with a negative amount;
* a healthy consumer group, ``billing``, keeping up; its handler rejects negative amounts, so with a
  :class:`~kafka_client.resilience.RetryPolicy` and a :class:`~kafka_client.resilience.DeadLetterQueue`
  the bad orders end up in ``orders.dlq`` (grouped there by two exception types);
* a deliberately slow group, ``analytics-slow``, that spends ``slow_delay_s`` on each message, so its
  lag grows while it keeps committing; its commits carry the processed record's timestamp
  (:func:`~kafka_client.admin.format_commit_metadata`), so its lag in seconds is exact, while
  ``billing``'s is estimated from sampled offsets.

It also creates a few ACLs (the broker runs the StandardAuthorizer), so every kafka-top screen has data.
``kafka-top --demo`` opens the UI on it; ``kafka-client demo --duration S`` runs it headless and
prints :meth:`DemoWorkload.summary`. :meth:`DemoWorkload.stop` ends the threads, then the broker::

    with DemoWorkload() as demo:
        time.sleep(30)
        print("\\n".join(demo.summary().lines()))
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from kafka_client.testing.embedded import EmbeddedKafka

__all__ = ["DEMO_ACLS", "DemoSummary", "DemoWorkload", "GroupSummary", "RejectedOrderError"]

TOPIC = "orders"
DLQ_TOPIC = "orders.dlq"
HEALTHY_GROUP = "billing"
SLOW_GROUP = "analytics-slow"
POISON_PILL = b"\x00\xffnot-json{"

DEMO_ACLS: tuple[tuple[str, str, str, str, str], ...] = (
    ("TOPIC", TOPIC, "User:alice", "READ", "LITERAL"),
    ("GROUP", HEALTHY_GROUP, "User:alice", "READ", "LITERAL"),
    ("TOPIC", TOPIC, "User:bob", "WRITE", "LITERAL"),
    ("GROUP", "analytics-", "User:bob", "READ", "PREFIXED"),
)
"""The ACLs the demo creates: ``(resource type, name, principal, operation, pattern type)``."""


class RejectedOrderError(ValueError):
    """The healthy group's handler refuses an order with a negative amount (it goes to the DLQ)."""


@dataclass(frozen=True)
class GroupSummary:
    """One consumer group at the end of the run: messages its handler saw, and its lag then."""

    group_id: str
    handled: int
    lag: int | None


@dataclass(frozen=True)
class DemoSummary:
    """What the demo did: messages produced (bad ones among them), each group, the DLQ by exception."""

    duration_s: float
    produced: int
    bad_sent: int
    groups: tuple[GroupSummary, ...]
    dead_letters: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The summary as the lines ``kafka-client demo --duration`` prints."""
        produced = f"produced {self.produced} messages to {TOPIC!r} ({self.bad_sent} bad)"
        out = [f"ran {self.duration_s:.1f} s: {produced}"]
        for group in self.groups:
            lag = "unknown" if group.lag is None else str(group.lag)
            out.append(f"group {group.group_id!r}: handled {group.handled} messages, lag now {lag}")
        total = sum(self.dead_letters.values())
        kinds = ", ".join(f"{name} {count}" for name, count in self.dead_letters.items()) or "none"
        out.append(f"dead letters in {DLQ_TOPIC!r}: {total} ({kinds})")
        return out


class DemoWorkload:
    """A producer, a healthy group, a slow group and a DLQ on an embedded broker (see the module doc).

    Args:
        rate: messages per second the producer writes.
        slow_delay_s: seconds the slow group spends on each message (``1 / slow_delay_s`` per second
            is its pace, so its lag grows while ``rate`` is higher).
        bad_every: every ``bad_every``-th message is bad (alternately a poison pill and a negative
            amount), up to ``max_bad`` of them.
        kafka: a running broker to use instead of starting one (it is then not stopped either).
        progress: called with a line of text at each startup step (the broker takes a few seconds).
        capture_logs: send every log line (the library's, librdkafka's) to :attr:`log_path` in the
            broker's folder while the workload runs, instead of stderr (where a UI is drawing).
    """

    def __init__(
        self,
        *,
        rate: float = 20.0,
        slow_delay_s: float = 0.25,
        bad_every: int = 25,
        max_bad: int = 4,
        kafka: EmbeddedKafka | None = None,
        progress: Callable[[str], None] | None = None,
        capture_logs: bool = False,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be above 0 messages per second, got {rate}")
        self.rate = rate
        self.slow_delay_s = slow_delay_s
        self.bad_every = bad_every
        self.max_bad = max_bad
        self._own_kafka = kafka is None
        self.kafka = (
            kafka if kafka is not None else EmbeddedKafka(sasl=False, tls=False, authorizer=True, heap="512m")
        )
        self._progress = progress or (lambda line: None)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._consumers: list[Any] = []
        self._lock = threading.Lock()
        self._started_at: float | None = None
        self.produced = 0
        self.bad_sent = 0
        self.handled: dict[str, int] = {HEALTHY_GROUP: 0, SLOW_GROUP: 0}
        self.errors: list[BaseException] = []
        self.capture_logs = capture_logs
        self._log_handler: logging.Handler | None = None

    # --- lifecycle ----------------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka.bootstrap_servers

    @property
    def settings(self) -> dict[str, Any]:
        """Client settings for the demo's broker (PLAINTEXT; a super user, so ACLs never deny)."""
        return {"bootstrap_servers": self.bootstrap_servers}

    @property
    def log_path(self) -> Path:
        """Where the workload's log lines go with ``capture_logs`` (removed with the broker's folder)."""
        return self.kafka.work_dir / "demo.log"

    def start(self) -> DemoWorkload:
        """Start the broker (unless given one), create topics and ACLs, then the three threads."""
        from kafka_client.admin import (
            AclBinding,
            AclOperation,
            KafkaAdmin,
            NewTopicSpec,
            PatternType,
            ResourceType,
        )

        if self._own_kafka and not self.kafka.is_running:
            self._progress("starting an embedded Apache Kafka broker (the first run downloads its jars)...")
            self.kafka.start()
            self._progress(f"Kafka {self.kafka.kafka_version} ready at {self.bootstrap_servers}")
        if self.capture_logs and self._log_handler is None:
            self._log_handler = logging.FileHandler(self.log_path, encoding="utf-8")
            self._log_handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
            )
            logging.getLogger().addHandler(self._log_handler)
        with KafkaAdmin(self.settings, timeout=30) as admin:
            admin.create_topics([NewTopicSpec(TOPIC, 3), NewTopicSpec(DLQ_TOPIC, 1)], exist_ok=True)
            admin.create_acls(
                AclBinding(
                    ResourceType(kind),
                    name,
                    principal,
                    AclOperation(operation),
                    pattern_type=PatternType(pattern),
                )
                for kind, name, principal, operation, pattern in DEMO_ACLS
            )
        self._started_at = time.monotonic()
        for name, target in (
            ("demo-producer", self._produce),
            ("demo-billing", self._consume_healthy),
            ("demo-analytics-slow", self._consume_slow),
        ):
            thread = threading.Thread(target=self._guarded, args=(target,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._progress(f"demo workload running: producer, groups {HEALTHY_GROUP!r} and {SLOW_GROUP!r}")
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the threads (each closes its client, committing what it processed), then the broker."""
        self._stop.set()
        with self._lock:
            consumers = list(self._consumers)
        for consumer in consumers:
            consumer.stop()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        self._threads.clear()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None
        if self._own_kafka:
            self.kafka.stop()

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (returns early once :meth:`stop` was called)."""
        self._stop.wait(seconds)

    def __enter__(self) -> DemoWorkload:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- the threads --------------------------------------------------------------------------------

    def _guarded(self, target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # a demo thread that dies says so in the summary, not on the screen
            if not self._stop.is_set():
                self.errors.append(exc)

    def _order(self, n: int) -> bytes:
        if self.bad_every > 0 and n % self.bad_every == self.bad_every - 1 and self.bad_sent < self.max_bad:
            self.bad_sent += 1
            if self.bad_sent % 2 == 1:
                return POISON_PILL
            return json.dumps({"order": n, "amount": -1.0, "currency": "EUR"}).encode()
        return json.dumps({"order": n, "amount": round(5 + (n % 17) * 1.25, 2), "currency": "EUR"}).encode()

    def _produce(self) -> None:
        from kafka_client import Producer

        interval = 1.0 / self.rate
        with Producer(self.settings, key_serializer="str", client_id="demo-producer") as producer:
            next_at = time.monotonic()
            n = 0
            while not self._stop.is_set():
                producer.send(TOPIC, self._order(n), key=f"customer-{n % 10}")
                n += 1
                self.produced = n
                next_at += interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))
            producer.flush(10)

    def _register(self, consumer: Any) -> None:
        with self._lock:
            self._consumers.append(consumer)
        if self._stop.is_set():
            consumer.stop()

    def _consume_healthy(self) -> None:
        from kafka_client import Consumer, Message, Producer
        from kafka_client.resilience import DeadLetterQueue, RetryPolicy

        def bill(message: Message[Any, Any]) -> None:
            if message.value["amount"] < 0:
                raise RejectedOrderError(f"order {message.value['order']} has a negative amount")
            self.handled[HEALTHY_GROUP] += 1

        retry = RetryPolicy(max_attempts=2, initial_backoff_s=0.05, max_backoff_s=0.1)
        with (
            Producer(self.settings, client_id="demo-dlq") as dlq_producer,
            Consumer(
                self.settings, group_id=HEALTHY_GROUP, topics=[TOPIC], value_deserializer="json"
            ) as consumer,
        ):
            self._register(consumer)
            consumer.run(bill, retry=retry, dead_letter_queue=DeadLetterQueue(dlq_producer))

    def _consume_slow(self) -> None:
        from kafka_client import Consumer, Message, TopicPartitionOffset
        from kafka_client.admin import format_commit_metadata

        with Consumer(
            self.settings, group_id=SLOW_GROUP, topics=[TOPIC], commit_strategy="manual"
        ) as consumer:

            def analyse(message: Message[Any, Any]) -> None:
                self._stop.wait(self.slow_delay_s)
                self.handled[SLOW_GROUP] += 1
                # The processed record's timestamp in the commit: lag in seconds is then exact, not estimated.
                metadata = format_commit_metadata(message.timestamp_ms) if message.timestamp_ms else None
                position = TopicPartitionOffset(
                    message.topic, message.partition, message.offset + 1, metadata
                )
                consumer.commit(offsets=[position], asynchronous=True)

            self._register(consumer)
            consumer.run(analyse)

    # --- what happened ------------------------------------------------------------------------------

    def summary(self) -> DemoSummary:
        """Messages produced and handled, each group's lag now, and the dead letters by exception type."""
        from kafka_client.admin import KafkaAdmin
        from kafka_client.resilience import DeadLetterReader

        with KafkaAdmin(self.settings, timeout=30) as admin:
            lags = admin.consumer_group_lag([HEALTHY_GROUP, SLOW_GROUP], partial=True)
        with DeadLetterReader(self.settings, DLQ_TOPIC, timeout_s=30) as reader:
            by_type = reader.group_by_exception()
        elapsed = time.monotonic() - self._started_at if self._started_at is not None else 0.0
        groups = tuple(
            GroupSummary(g, self.handled[g], lags[g].total_lag if lags[g].error is None else None)
            for g in (HEALTHY_GROUP, SLOW_GROUP)
        )
        dead = {name.rsplit(".", 1)[-1]: len(entries) for name, entries in by_type.items()}
        return DemoSummary(elapsed, self.produced, self.bad_sent, groups, dead)
