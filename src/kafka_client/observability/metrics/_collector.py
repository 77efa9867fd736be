"""The collector that serves the live clients' metrics to a registry (ProcessCollector style).

It holds weak references to metrics observers: a client joins when it is built and leaves when it is
closed (or garbage-collected), and each scrape builds fresh metric families from the members' snapshots.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from kafka_client.observability.metrics._snapshot import Snapshot, build_families, merged

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import CollectorRegistry

_log = logging.getLogger("kafka_client.observability.metrics")


class SnapshotSource(Protocol):
    def snapshot(self) -> Snapshot: ...


class ClientMetricsCollector:
    """A prometheus_client collector over a changing set of clients (held weakly).

    Register it in any registry: ``prometheus_client.REGISTRY.register(PROCESS_COLLECTOR)`` serves every
    client of the process from your existing exposition. ``describe()`` is empty on purpose: the family
    names depend on which clients are alive, and registering must not scrape.
    """

    def __init__(self) -> None:
        self._members: weakref.WeakSet[SnapshotSource] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, member: SnapshotSource) -> None:
        with self._lock:
            self._members.add(member)

    def discard(self, member: SnapshotSource) -> None:
        with self._lock:
            self._members.discard(member)

    def members(self) -> list[SnapshotSource]:
        with self._lock:
            return list(self._members)

    def snapshot(self) -> Snapshot:
        """Every live member's snapshot, merged; a member that fails is left out (and logged)."""
        return merged(self._snapshots(self.members()))

    @staticmethod
    def _snapshots(members: Iterable[SnapshotSource]) -> Iterable[Snapshot]:
        for member in members:
            try:
                yield member.snapshot()
            except Exception:  # never fail a scrape because of one client
                _log.exception("collecting the metrics of %r failed", member)

    def collect(self) -> Iterable[Metric]:
        return build_families(self.snapshot())

    def describe(self) -> Iterable[Metric]:
        return []


#: The collector serving every client in the process (what ``start_metrics_server`` exposes).
PROCESS_COLLECTOR = ClientMetricsCollector()

_BY_REGISTRY: weakref.WeakKeyDictionary[CollectorRegistry, ClientMetricsCollector] = (
    weakref.WeakKeyDictionary()
)
_BY_REGISTRY_LOCK = threading.Lock()


def collector_for(registry: CollectorRegistry) -> ClientMetricsCollector:
    """The one collector of kafka_client metrics registered in ``registry`` (created on first use), so many
    clients can share a registry without registering the same family names twice."""
    with _BY_REGISTRY_LOCK:
        collector = _BY_REGISTRY.get(registry)
        if collector is None:
            collector = _BY_REGISTRY[registry] = ClientMetricsCollector()
            registry.register(collector)
        return collector
