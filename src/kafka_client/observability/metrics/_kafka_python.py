"""kafka-python's ``metrics()`` (Java-client-style sensors) mapped onto the same metric names.

kafka-python keeps windowed rates, averages and maxima, not lifetime totals, so only gauges have
counterparts here (see docs/metrics.md for the table of what each backend provides). Times are in
milliseconds there and seconds here; non-finite values (``-inf`` for an empty max window) are skipped.
The backend adds a ``kafka-client`` group with what only it knows (its bounded queue's fill).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from kafka_client.observability.metrics import names as n
from kafka_client.observability.metrics._librdkafka import each
from kafka_client.observability.metrics._snapshot import Snapshot

#: Older kafka-python releases name per-partition lag ``<topic>-<partition>.records-lag`` or
#: ``TopicPartition(topic='t', partition=0).records-lag``; 3.x keeps only ``records-lag-max``.
_PARTITION_LAG = re.compile(
    r"^(?:TopicPartition\(topic='(?P<t1>[^']+)', partition=(?P<p1>\d+)\)"
    r"|(?P<t2>.+)-(?P<p2>\d+))\.records-lag$"
)
_NODE_GROUP = re.compile(r"^(?:producer|consumer)-node-metrics\.node-(?P<node>.+)$")


def _finite(metrics: Mapping[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def map_kafka_python(
    stats: Mapping[str, Any], snap: Snapshot, client_id: str, role: str, per_partition: bool
) -> int:
    """Add the snapshot's series for one client; return how many metric groups were malformed."""
    c = (client_id,)
    cr = (client_id, role)

    def map_group(group: str, metrics: Mapping[str, Any]) -> None:
        if group in ("producer-metrics", "consumer-metrics"):
            connections = _finite(metrics, "connection-count")
            if connections is not None:
                snap.add(n.CONNECTIONS, cr, connections)
        if group == "producer-metrics":
            _producer(metrics, snap, c)
        elif group == "consumer-fetch-manager-metrics":
            _fetch_manager(metrics, snap, c, per_partition)
        elif group == "kafka-client":
            for key, family in (
                ("queued-messages", n.PRODUCER_QUEUED_MESSAGES),
                ("max-queued-messages", n.PRODUCER_QUEUE_MAX_MESSAGES),
            ):
                value = _finite(metrics, key)
                if value is not None:
                    snap.add(family, c, value)
        elif match := _NODE_GROUP.match(group):
            _node(metrics, snap, (*cr, match["node"]))

    return each(stats, "metrics", map_group)


def _producer(metrics: Mapping[str, Any], snap: Snapshot, c: tuple[str]) -> None:
    batch = _finite(metrics, "batch-size-avg")
    if batch is not None and batch > 0:
        snap.set_max(n.PRODUCER_BATCH_SIZE_AVG, (*c, ""), batch)
    # kafka-python's compression-rate is compressed / uncompressed; ours is the inverse.
    rate = _finite(metrics, "compression-rate-avg")
    if rate is not None and rate > 0:
        snap.set_max(n.PRODUCER_COMPRESSION_RATIO, c, 1.0 / rate)


def _fetch_manager(metrics: Mapping[str, Any], snap: Snapshot, c: tuple[str], per_partition: bool) -> None:
    lag_max = _finite(metrics, "records-lag-max")
    if lag_max is not None and lag_max >= 0:
        snap.set_max(n.CONSUMER_RECORDS_LAG_MAX, c, lag_max)
    for name in metrics:
        match = _PARTITION_LAG.match(str(name))
        lag = _finite(metrics, name) if match else None
        if match is None or lag is None or lag < 0:
            continue
        topic = match["t1"] or match["t2"]
        partition = match["p1"] or match["p2"]
        snap.add(n.CONSUMER_RECORDS_LAG, (*c, topic, partition if per_partition else ""), lag)


def _node(metrics: Mapping[str, Any], snap: Snapshot, labels: tuple[str, str, str]) -> None:
    rtt = _finite(metrics, "request-latency-avg")
    throttle_avg = _finite(metrics, "throttle-time-avg")
    throttle_max = _finite(metrics, "throttle-time-max")
    if rtt is not None:
        snap.set_max(n.BROKER_RTT_AVG, labels, rtt / 1000)
    if throttle_avg is not None:
        snap.set_max(n.BROKER_THROTTLE_AVG, labels, throttle_avg / 1000)
    if throttle_max is not None:
        snap.set_max(n.BROKER_THROTTLE_MAX, labels, throttle_max / 1000)
