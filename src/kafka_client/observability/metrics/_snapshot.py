"""Plain-data snapshots of a client's metrics, merged across clients, turned into Prometheus families.

Observers fill a :class:`Snapshot` at scrape time from their plain counters and the latest statistics;
the collector merges the snapshots of every client it serves and only then builds prometheus_client
metric families, so no prometheus object is touched on the message path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kafka_client.observability.metrics._families import BY_NAME, FAMILIES

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

LabelValues = tuple[str, ...]
#: Non-cumulative bucket counts (the last one is +Inf) and the sum of observations, in seconds.
HistogramData = tuple[list[int], float]


class Snapshot:
    """Sample values by family name and label values (in the family's label order)."""

    __slots__ = ("histograms", "values")

    def __init__(self) -> None:
        self.values: dict[str, dict[LabelValues, float]] = {}
        self.histograms: dict[str, dict[LabelValues, HistogramData]] = {}

    def add(self, name: str, labels: LabelValues, value: float) -> None:
        """Add ``value`` to the sample (summing, e.g. partitions into their topic)."""
        samples = self.values.setdefault(name, {})
        samples[labels] = samples.get(labels, 0.0) + value

    def set(self, name: str, labels: LabelValues, value: float) -> None:
        self.values.setdefault(name, {})[labels] = value

    def set_max(self, name: str, labels: LabelValues, value: float) -> None:
        samples = self.values.setdefault(name, {})
        current = samples.get(labels)
        if current is None or value > current:
            samples[labels] = value

    def histogram(self, name: str, labels: LabelValues, counts: list[int], total_seconds: float) -> None:
        self.histograms.setdefault(name, {})[labels] = (counts, total_seconds)

    def value(self, name: str, labels: LabelValues) -> float | None:
        """One sample's value, or None when absent (for tests and health checks)."""
        return self.values.get(name, {}).get(labels)

    def merge(self, other: Snapshot) -> None:
        """Fold another client's snapshot in; equal label values combine by the family's merge rule."""
        for name, samples in other.values.items():
            mode = BY_NAME[name].merge if name in BY_NAME else "sum"
            mine = self.values.setdefault(name, {})
            for labels, value in samples.items():
                current = mine.get(labels)
                if current is None:
                    mine[labels] = value
                elif mode == "sum":
                    mine[labels] = current + value
                elif mode == "max":
                    mine[labels] = max(current, value)
                else:
                    mine[labels] = min(current, value)
        for name, hists in other.histograms.items():
            mine_h = self.histograms.setdefault(name, {})
            for labels, (counts, total) in hists.items():
                existing = mine_h.get(labels)
                if existing is None:
                    mine_h[labels] = (list(counts), total)
                else:
                    merged = [a + b for a, b in zip(existing[0], counts, strict=True)]
                    mine_h[labels] = (merged, existing[1] + total)


def build_families(snapshot: Snapshot) -> list[Metric]:
    """Prometheus metric families for a snapshot, in a stable order; families without samples are left out."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

    families: list[Metric] = []
    for family in FAMILIES:
        labels = list(family.labels)
        if family.kind == "histogram":
            hists = snapshot.histograms.get(family.name)
            if not hists:
                continue
            bounds = [repr(float(b)) for b in family.buckets] + ["+Inf"]
            hist = HistogramMetricFamily(family.name, family.help, labels=labels)
            for label_values, (counts, total) in sorted(hists.items()):
                cumulative: list[tuple[str, float]] = []
                running = 0
                for bound, count in zip(bounds, counts, strict=True):
                    running += count
                    cumulative.append((bound, running))
                hist.add_metric(list(label_values), cumulative, total)
            families.append(hist)
            continue
        samples = snapshot.values.get(family.name)
        if not samples:
            continue
        metric: CounterMetricFamily | GaugeMetricFamily
        if family.kind == "counter":
            metric = CounterMetricFamily(family.name, family.help, labels=labels)
        else:
            metric = GaugeMetricFamily(family.name, family.help, labels=labels)
        for label_values, value in sorted(samples.items()):
            metric.add_metric(list(label_values), value)
        families.append(metric)
    return families


def merged(snapshots: Iterable[Snapshot]) -> Snapshot:
    total = Snapshot()
    for snapshot in snapshots:
        total.merge(snapshot)
    return total
