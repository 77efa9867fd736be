"""librdkafka's statistics JSON (``statistics.interval.ms``, already parsed) mapped onto our metric names.

Runs at scrape time, never in the statistics callback. Rules from the librdkafka STATISTICS.md and
research notes: partition ``-1`` is the internal unassigned partition (skipped); offsets of ``-1001`` and
a ``consumer_lag`` of ``-1`` mean "not known yet" (skipped); window statistics (``rtt``, ``throttle``,
``batchsize``, ``batchcnt``) describe the last interval only and are exported as gauges, and only when
the window saw at least one event (``cnt > 0``), since librdkafka reports 0 for an empty window.
Each broker and each topic is mapped on its own: a malformed one is counted and left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from kafka_client.observability.metrics import names as n
from kafka_client.observability.metrics._snapshot import Snapshot

#: librdkafka broker states, coarsened to the ``state`` label's three values.
_UP_STATES = frozenset({"UP", "UPDATE"})
_DOWN_STATES = frozenset({"INIT", "DOWN"})


def number(section: Mapping[str, Any], key: str) -> float | None:
    """A numeric field, or None when absent; a non-numeric or non-finite value is malformed (raises)."""
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"statistics field {key!r} is not a finite number: {value!r}")
    return float(value)


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"statistics {what} is not an object")
    return value


def each(section: object, what: str, map_one: Callable[[str, Mapping[str, Any]], None]) -> int:
    """Map every entry of a JSON object; return how many failed (each failure drops only its series)."""
    if section is None:
        return 0
    try:
        entries = _mapping(section, what)
    except ValueError:
        return 1
    errors = 0
    for key, entry in entries.items():
        try:
            map_one(str(key), _mapping(entry, f"{what}[{key!r}]"))
        except (ValueError, TypeError, KeyError, AttributeError):
            errors += 1
    return errors


def broker_label(name: str, broker: Mapping[str, Any]) -> str:
    """Brokers learned from metadata are labelled by node id ("1"); bootstrap and logical ones
    ("host:9092/bootstrap", "GroupCoordinator") by librdkafka's name for them."""
    nodeid = broker.get("nodeid")
    if isinstance(nodeid, int) and not isinstance(nodeid, bool) and nodeid >= 0:
        return str(nodeid)
    return str(broker.get("name", name))


def connection_state(state: object) -> str:
    if state in _UP_STATES:
        return "up"
    if state in _DOWN_STATES:
        return "down"
    return "connecting"


def map_librdkafka(
    stats: Mapping[str, Any], snap: Snapshot, client_id: str, role: str, per_partition: bool
) -> int:
    """Add the snapshot's series for one client; return how many sections were malformed."""
    errors = 0
    c = (client_id,)
    cr = (client_id, role)
    try:
        if role == "producer":
            _top_level_producer(stats, snap, c)
    except (ValueError, TypeError):
        errors += 1
    connections = 0

    def map_broker(name: str, broker: Mapping[str, Any]) -> None:
        nonlocal connections
        labels = (*cr, broker_label(name, broker))
        # Validate first, so a malformed broker adds nothing at all.
        fields = {key: number(broker, key) for key in _BROKER_COUNTERS}
        request_errors = {"send": number(broker, "txerrs"), "receive": number(broker, "rxerrs")}
        inflight = number(broker, "waitresp_cnt")
        rtt = _window(broker.get("rtt"), ("avg", "p50", "p99"), 1e-6)
        throttle = _window(broker.get("throttle"), ("avg", "max"), 1e-3)
        state = connection_state(broker.get("state"))
        for key, family in _BROKER_COUNTERS.items():
            value = fields[key]
            if value is not None:
                snap.add(family, labels, value)
        for direction, value in request_errors.items():
            if value is not None:
                snap.add(n.BROKER_REQUEST_ERRORS, (*labels, direction), value)
        if inflight is not None:
            snap.add(n.BROKER_INFLIGHT_REQUESTS, labels, inflight)
        for family, value in zip((n.BROKER_RTT_AVG, n.BROKER_RTT_P50, n.BROKER_RTT_P99), rtt, strict=True):
            if value is not None:
                snap.set_max(family, labels, value)
        for family, value in zip((n.BROKER_THROTTLE_AVG, n.BROKER_THROTTLE_MAX), throttle, strict=True):
            if value is not None:
                snap.set_max(family, labels, value)
        for each_state in n.CONNECTION_STATES:
            snap.set_max(
                n.BROKER_CONNECTION_STATE, (*labels, each_state), 1.0 if each_state == state else 0.0
            )
        if state == "up":
            connections += 1

    errors += each(stats.get("brokers"), "brokers", map_broker)
    if isinstance(stats.get("brokers"), Mapping):
        snap.add(n.CONNECTIONS, cr, connections)

    def map_topic(name: str, topic: Mapping[str, Any]) -> None:
        topic_name = str(topic.get("topic", name))
        if role == "producer":
            _producer_topic(topic, snap, (client_id, topic_name))
        else:
            _consumer_topic(topic, snap, (client_id, topic_name), per_partition)

    errors += each(stats.get("topics"), "topics", map_topic)
    return errors


_BROKER_COUNTERS: dict[str, str] = {
    "connects": n.BROKER_CONNECTS,
    "disconnects": n.BROKER_DISCONNECTS,
    "tx": n.BROKER_REQUESTS_SENT,
    "rx": n.BROKER_RESPONSES_RECEIVED,
    "txbytes": n.BROKER_SENT_BYTES,
    "rxbytes": n.BROKER_RECEIVED_BYTES,
    "txretries": n.BROKER_REQUEST_RETRIES,
    "req_timeouts": n.BROKER_REQUEST_TIMEOUTS,
}


def _window(window: object, keys: tuple[str, ...], scale: float) -> tuple[float | None, ...]:
    """Selected values of a window statistic, scaled to base units; all None when the window is empty."""
    if window is None:
        return tuple(None for _ in keys)
    section = _mapping(window, "window")
    count = number(section, "cnt")
    if not count:
        return tuple(None for _ in keys)
    values = [number(section, key) for key in keys]
    return tuple(None if v is None else v * scale for v in values)


def _top_level_producer(stats: Mapping[str, Any], snap: Snapshot, c: tuple[str]) -> None:
    queued = number(stats, "msg_cnt")
    capacity = number(stats, "msg_max")
    message_bytes = number(stats, "txmsg_bytes")
    wire_bytes = number(stats, "tx_bytes")
    if queued is not None:
        snap.add(n.PRODUCER_QUEUED_MESSAGES, c, queued)
    if capacity is not None:
        snap.add(n.PRODUCER_QUEUE_MAX_MESSAGES, c, capacity)
    if message_bytes and wire_bytes:
        # Lifetime ratio: uncompressed message bytes over every byte written to the brokers. Request
        # framing and non-produce requests count in the denominator, so it slightly understates the codec.
        snap.set_max(n.PRODUCER_COMPRESSION_RATIO, c, message_bytes / wire_bytes)


def _partitions(topic: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    parts = topic.get("partitions")
    if parts is None:
        return []
    result = []
    for key, part in _mapping(parts, "partitions").items():
        part = _mapping(part, f"partition {key!r}")
        if str(key) == "-1" or part.get("partition") == -1:
            continue  # librdkafka's internal "unassigned" partition
        result.append(part)
    return result


def _producer_topic(topic: Mapping[str, Any], snap: Snapshot, ct: tuple[str, str]) -> None:
    size = _window(topic.get("batchsize"), ("avg", "p99"), 1.0)
    records = _window(topic.get("batchcnt"), ("avg", "p99"), 1.0)
    parts = [
        (number(p, "txmsgs"), number(p, "txbytes"), number(p, "msgs_inflight")) for p in _partitions(topic)
    ]
    families = (
        n.PRODUCER_BATCH_SIZE_AVG,
        n.PRODUCER_BATCH_SIZE_P99,
        n.PRODUCER_BATCH_RECORDS_AVG,
        n.PRODUCER_BATCH_RECORDS_P99,
    )
    for family, value in zip(families, (*size, *records), strict=True):
        if value is not None:
            snap.set_max(family, ct, value)
    for messages, message_bytes, inflight in parts:
        if messages is not None:
            snap.add(n.PRODUCER_MESSAGES_SENT, ct, messages)
        if message_bytes is not None:
            snap.add(n.PRODUCER_SENT_BYTES, ct, message_bytes)
        if inflight is not None:
            snap.add(n.PRODUCER_INFLIGHT_MESSAGES, ct[:1], inflight)


def _consumer_topic(
    topic: Mapping[str, Any], snap: Snapshot, ct: tuple[str, str], per_partition: bool
) -> None:
    lags: list[tuple[str, float]] = []
    for part in _partitions(topic):
        lag = number(part, "consumer_lag")
        if lag is None or lag < 0 or part.get("desired") is False:
            continue  # not known yet (-1), or no longer assigned (a stale value)
        lags.append((str(part.get("partition", "")), lag))
    for partition, lag in lags:
        snap.add(n.CONSUMER_RECORDS_LAG, (*ct, partition if per_partition else ""), lag)
        snap.set_max(n.CONSUMER_RECORDS_LAG_MAX, ct[:1], lag)
