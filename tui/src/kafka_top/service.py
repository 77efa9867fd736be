"""All Kafka I/O kafka-top does, as blocking calls on the library's APIs (run from workers only).

Screens receive a :class:`ClusterService` and never touch a client directly, so a test can hand them
a subclass that returns fixed data.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka_client import Message, TopicPartition
from kafka_client.admin import (
    AclBinding,
    AclBindingFilter,
    ClusterDescription,
    ConsumerGroupLag,
    KafkaAdmin,
    TopicDescription,
)
from kafka_client.config import KafkaClientSettings
from kafka_client.health import HealthCheck, HealthReport, run_health_checks, standard_checks
from kafka_top.browse import BrowseStart, read_records

if TYPE_CHECKING:
    from kafka_client.resilience import DeadLetter, ReplayReport

__all__ = ["DLQ_TOPIC", "ClusterService", "TopicSummary", "is_dlq_topic"]

DLQ_TOPIC = re.compile(r"(\.dlq$|(^|[._-])dlq([._-]|$)|dead[._-]?letter)", re.IGNORECASE)
"""What a dead-letter topic is called: the library's default ``{topic}.dlq``, or any name saying DLQ."""


def is_dlq_topic(name: str) -> bool:
    """Whether ``name`` looks like a dead-letter topic (see :data:`DLQ_TOPIC`); the DLQ view lists those."""
    return DLQ_TOPIC.search(name) is not None


@dataclass(frozen=True)
class TopicSummary:
    """A topic with its partitions and how many records its partitions hold now."""

    description: TopicDescription
    messages: int | None

    @property
    def replication(self) -> int:
        return max((len(p.replicas) for p in self.description.partitions), default=0)


class ClusterService:
    """One cluster's data for kafka-top. Thread-safe: workers of several screens call it at once.

    ``timeout`` bounds each call, so a dead cluster turns into a stale screen within seconds.
    """

    def __init__(
        self,
        settings: KafkaClientSettings,
        *,
        timeout: float = 10.0,
        health_sample_s: float = 1.0,
        max_health_subjects: int = 25,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.health_sample_s = health_sample_s
        self.max_health_subjects = max_health_subjects
        self._admin: KafkaAdmin | None = None
        self._lock = threading.Lock()

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(self.settings.bootstrap_servers)

    @property
    def admin(self) -> KafkaAdmin:
        with self._lock:
            if self._admin is None:
                self._admin = KafkaAdmin(self.settings, timeout=self.timeout)
            return self._admin

    # --- groups -------------------------------------------------------------------------------------

    def group_lags(self) -> dict[str, ConsumerGroupLag]:
        """Every group's lag; a group that cannot be read comes back with ``error`` set."""
        return self.admin.consumer_group_lag(partial=True)

    def group_lag(self, group_id: str) -> ConsumerGroupLag:
        return self.admin.consumer_group_lag([group_id], partial=True)[group_id]

    # --- health -------------------------------------------------------------------------------------

    def health(self) -> HealthReport:
        """Brokers first; when they answer, every topic and group (up to ``max_health_subjects`` each),
        checked in parallel."""
        admin = self.admin
        checks = standard_checks(timeout=self.timeout)
        first = run_health_checks(checks=checks, admin=admin)
        if not first.ok:
            return first
        topics = [t.name for t in admin.list_topics()][: self.max_health_subjects]
        groups = [g.group_id for g in admin.list_groups()][: self.max_health_subjects]
        more: list[HealthCheck] = standard_checks(
            topics=topics, groups=groups, sample_interval_s=self.health_sample_s, timeout=self.timeout
        )[1:]
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="kafka-top-health") as pool:
            reports = list(pool.map(lambda check: run_health_checks(checks=[check], admin=admin), more))
        results = first.results + tuple(r for report in reports for r in report.results)
        return HealthReport(results, first.duration_s + max((r.duration_s for r in reports), default=0.0))

    # --- topics and brokers ---------------------------------------------------------------------------

    def cluster(self) -> ClusterDescription:
        return self.admin.describe_cluster()

    def topics(self, include_internal: bool = False) -> list[TopicSummary]:
        admin = self.admin
        names = [t.name for t in admin.list_topics(include_internal)]
        if not names:
            return []
        described = admin.describe_topics(names)
        partitions = [
            (name, p.partition)
            for name, topic in described.items()
            for p in topic.partitions
            if not p.offline
        ]
        marks = admin.watermarks([TopicPartition(t, p) for t, p in partitions])
        counts: dict[str, int] = {}
        for tp, mark in marks.items():
            counts[tp.topic] = counts.get(tp.topic, 0) + max(0, mark.latest - mark.earliest)
        return [TopicSummary(described[n], counts.get(n)) for n in names if n in described]

    def browse(
        self, topic: str, partitions: Sequence[int], start: BrowseStart, limit: int = 200
    ) -> list[Message[bytes | None, bytes | None]]:
        return read_records(self.settings, self.admin, topic, partitions, start, limit=limit)

    # --- dead-letter queues (kafka_client.resilience) ---------------------------------------------------

    def dlq_topics(self) -> list[TopicSummary]:
        """The topics that are dead-letter queues, with their depth."""
        return [t for t in self.topics() if is_dlq_topic(t.description.name)]

    def dlq_entries(self, topic: str, limit: int = 1000) -> list[DeadLetter]:
        """The first ``limit`` dead letters of ``topic``, oldest first, parsed with their error headers."""
        from kafka_client.resilience import DeadLetterReader

        with DeadLetterReader(self.settings, topic, timeout_s=self.timeout) as reader:
            return list(itertools.islice(reader.entries(), limit))

    def dlq_replay(self, topic: str, entries: Sequence[DeadLetter], *, dry_run: bool) -> ReplayReport:
        """Replay ``entries`` to their original topics (``dry_run``: only say what would happen)."""
        from kafka_client.resilience import DeadLetterReader

        with DeadLetterReader(self.settings, topic, timeout_s=self.timeout) as reader:
            return reader.replay(list(entries), dry_run=dry_run)

    # --- ACLs ---------------------------------------------------------------------------------------

    def acls(self, acl_filter: AclBindingFilter | None = None) -> list[AclBinding]:
        return self.admin.describe_acls(acl_filter)

    def create_acls(self, bindings: Iterable[AclBinding]) -> None:
        self.admin.create_acls(bindings)

    def delete_acls(self, bindings: Iterable[AclBinding]) -> list[AclBinding]:
        return self.admin.delete_acls(bindings)

    def close(self) -> None:
        with self._lock:
            if self._admin is not None:
                self._admin.close()
                self._admin = None
