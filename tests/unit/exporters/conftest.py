"""Synthetic cycle readings for the exporter's unit tests (no broker)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from kafka_client import TopicPartition
from kafka_client.admin import (
    BrokerInfo,
    ClusterDescription,
    ConsumerGroupLag,
    GroupState,
    PartitionDescription,
    PartitionLag,
    TopicDescription,
    Watermarks,
)
from kafka_client_exporter import ExporterSettings
from kafka_client_exporter._collect import Readings
from kafka_client_exporter._render import Exposition, SeriesWriter

Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def exporter_settings(**values: Any) -> ExporterSettings:
    return ExporterSettings(clusters=[{"name": "c1", "bootstrap_servers": "h:1"}], **values)  # type: ignore[list-item]


def row(
    group: str,
    topic: str,
    partition: int,
    committed: int | None,
    end: int | None,
    *,
    earliest: int | None = 0,
    member: str | None = None,
    metadata: str | None = None,
) -> PartitionLag:
    lag = max(0, end - committed) if committed is not None and end is not None else None
    owner = {"member_id": member, "client_id": "cid", "host": "/h"} if member else {}
    low = earliest if end is not None else None
    return PartitionLag(group, topic, partition, committed, end, low, lag, metadata=metadata, **owner)


def group(
    group_id: str, rows: Iterable[PartitionLag], members: int = 0, error: Any = None
) -> ConsumerGroupLag:
    state = GroupState.STABLE if members else GroupState.EMPTY
    return ConsumerGroupLag(group_id, state, members, tuple(rows), error)


def readings(
    groups: Iterable[ConsumerGroupLag] | None = (),
    marks: dict[tuple[str, int], tuple[int, int]] | None = None,
    *,
    at: float = 1000.0,
    topics: bool = True,
    **extra: Any,
) -> Readings:
    """A reachable cycle; ``marks`` maps (topic, partition) to (earliest, latest)."""
    watermarks = {TopicPartition(t, p): Watermarks(*m) for (t, p), m in (marks or {}).items()}
    described: dict[str, TopicDescription] | None = None
    if topics:
        described = {}
        for tp in watermarks:
            parts = described.get(tp.topic)
            partitions = (
                *(parts.partitions if parts else ()),
                PartitionDescription(tp.partition, 1, (1,), (1,)),
            )
            described[tp.topic] = TopicDescription(tp.topic, None, False, partitions)
    values: dict[str, Any] = {
        "started": at,
        "reachable": True,
        "cluster": ClusterDescription("cid-1", 1, (BrokerInfo(1, "b1", 9092),)),
        "groups": None if groups is None else {g.group_id: g for g in groups},
        "groups_time": at,
        "topics": described,
        "watermarks": watermarks if topics else {},
        "watermarks_time": at + 0.01,
        "acls": [],
    }
    values.update(extra)
    return Readings(**values)


def series(writer: SeriesWriter) -> Series:
    exposition = Exposition(writer.profile)
    exposition.update("x", writer)
    out: Series = {}
    for family in text_string_to_metric_families(exposition.render().decode()):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(found: Series, name: str, **labels: str | int) -> float | None:
    key = (name, frozenset((k, str(v)) for k, v in {"cluster": "c1", **labels}.items()))
    return found.get(key)


def names(found: Series) -> set[str]:
    return {name for name, _labels in found}
