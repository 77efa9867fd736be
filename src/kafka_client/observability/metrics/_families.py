"""What each metric family is: type, help text, label names, buckets, and how clients sharing labels merge.

Kept free of prometheus_client so building a client never imports it; only a scrape does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from kafka_client.observability.metrics import names as n

Kind = Literal["counter", "gauge", "histogram"]
Merge = Literal["sum", "max", "min"]

#: Delivery latency (send → delivery report): 0.5 ms .. 30 s.
DELIVERY_BUCKETS: tuple[float, ...] = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip
#: Handler time per message: 100 µs .. 60 s.
PROCESSING_BUCKETS: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    10.0, 30.0, 60.0,
)  # fmt: skip
#: Commit call time: 100 µs (an asynchronous commit only queues) .. 30 s.
COMMIT_BUCKETS: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    10.0, 30.0,
)  # fmt: skip


@dataclass(frozen=True)
class Family:
    """One metric family the library exports: what dashboards, alert rules and docs are generated from.

    ``name`` (a constant of :mod:`~kafka_client.observability.metrics.names`), ``kind`` (counter, gauge,
    histogram), ``help``, ``labels`` (the label names, in order; the scrape adds job/instance),
    ``buckets`` (histograms' upper bounds, in seconds), and ``merge``: how two clients with the same
    label values combine in a shared registry (same ``client_id`` twice in a process): counts add up,
    window statistics take the max.
    """

    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...]
    merge: Merge = "sum"
    buckets: tuple[float, ...] = ()


_C = ("client_id",)
_CR = ("client_id", "role")
_CRB = ("client_id", "role", "broker")

#: Every family, in exposition order (see :func:`metric_families` for the lookup by name).
FAMILIES: tuple[Family, ...] = (
    # producer, from hooks
    Family(n.PRODUCER_MESSAGES_DELIVERED, "counter", "Messages acknowledged by the broker.", (*_C, "topic")),
    Family(
        n.PRODUCER_MESSAGES_FAILED,
        "counter",
        "Messages whose delivery failed, by error class and native error code.",
        (*_C, "topic", "error_type", "code"),
    ),
    Family(
        n.PRODUCER_DELIVERY_LATENCY,
        "histogram",
        "Time from send() to the broker's acknowledgement (successful deliveries only).",
        (*_C, "topic"),
        buckets=DELIVERY_BUCKETS,
    ),
    Family(n.PRODUCER_QUEUE_FULL, "counter", "QueueFullError events reported to observers.", _C),
    # producer, from statistics
    Family(n.PRODUCER_MESSAGES_SENT, "counter", "Messages transmitted to brokers.", (*_C, "topic")),
    Family(n.PRODUCER_SENT_BYTES, "counter", "Message bytes transmitted to brokers.", (*_C, "topic")),
    Family(n.PRODUCER_QUEUED_MESSAGES, "gauge", "Messages queued or in flight, not yet reported.", _C),
    Family(n.PRODUCER_QUEUE_MAX_MESSAGES, "gauge", "Capacity of the producer's local queue.", _C),
    Family(n.PRODUCER_INFLIGHT_MESSAGES, "gauge", "Messages in flight to brokers.", _C),
    Family(n.PRODUCER_BATCH_SIZE_AVG, "gauge", "Mean batch size (window).", (*_C, "topic"), "max"),
    Family(n.PRODUCER_BATCH_SIZE_P99, "gauge", "99th percentile batch size (window).", (*_C, "topic"), "max"),
    Family(n.PRODUCER_BATCH_RECORDS_AVG, "gauge", "Mean messages per batch (window).", (*_C, "topic"), "max"),
    Family(
        n.PRODUCER_BATCH_RECORDS_P99,
        "gauge",
        "99th percentile messages per batch (window).",
        (*_C, "topic"),
        "max",
    ),
    Family(
        n.PRODUCER_COMPRESSION_RATIO,
        "gauge",
        "Uncompressed message bytes per byte written to brokers (>1: compression saves).",
        _C,
        "max",
    ),
    # consumer, from hooks
    Family(n.CONSUMER_MESSAGES_CONSUMED, "counter", "Messages fetched by the application.", (*_C, "topic")),
    Family(n.CONSUMER_CONSUMED_BYTES, "counter", "Key and value bytes fetched.", (*_C, "topic")),
    Family(
        n.CONSUMER_PROCESSING_DURATION,
        "histogram",
        "Time the application spent on one message (handler or loop body).",
        _C,
        buckets=PROCESSING_BUCKETS,
    ),
    Family(n.CONSUMER_PROCESSING_FAILURES, "counter", "Messages whose processing raised.", _C),
    Family(
        n.CONSUMER_COMMIT_LATENCY,
        "histogram",
        "Time an offset commit call took (asynchronous commits: the time to queue it).",
        _C,
        buckets=COMMIT_BUCKETS,
    ),
    Family(n.CONSUMER_COMMIT_FAILURES, "counter", "Offset commits that failed.", (*_C, "error_type", "code")),
    Family(
        n.CONSUMER_REBALANCES,
        "counter",
        "Rebalance callbacks, by kind (assign, revoke, lost).",
        (*_C, "kind"),
    ),
    Family(n.CONSUMER_ASSIGNED_PARTITIONS, "gauge", "Partitions assigned by the group.", _C),
    Family(n.CONSUMER_LAST_MESSAGE_AGE, "gauge", "Seconds since the last message was fetched.", _C, "min"),
    Family(
        n.CONSUMER_DLQ_MESSAGES,
        "counter",
        "Messages routed to a dead-letter topic.",
        (*_C, "topic", "dlq_topic"),
    ),
    # consumer, from statistics
    Family(
        n.CONSUMER_RECORDS_LAG,
        "gauge",
        "Messages between the consumer's position and the partition end, as the client sees it "
        "(summed per topic unless per-partition metrics are on).",
        (*_C, "topic", "partition"),
    ),
    Family(n.CONSUMER_RECORDS_LAG_MAX, "gauge", "The largest lag of any assigned partition.", _C, "max"),
    # both roles
    Family(n.ERRORS, "counter", "Errors reported to the client's observers.", (*_CR, "error_type", "code")),
    Family(n.CONNECTIONS, "gauge", "Open broker connections.", _CR),
    Family(
        n.BROKER_CONNECTION_STATE,
        "gauge",
        "1 for the broker connection's current state (up, connecting, down), 0 for the others.",
        (*_CRB, "state"),
        "max",
    ),
    Family(n.BROKER_CONNECTS, "counter", "Connection attempts.", _CRB),
    Family(n.BROKER_DISCONNECTS, "counter", "Disconnections.", _CRB),
    Family(n.BROKER_REQUESTS_SENT, "counter", "Requests sent.", _CRB),
    Family(n.BROKER_RESPONSES_RECEIVED, "counter", "Responses received.", _CRB),
    Family(n.BROKER_SENT_BYTES, "counter", "Bytes sent, on the wire.", _CRB),
    Family(n.BROKER_RECEIVED_BYTES, "counter", "Bytes received, on the wire.", _CRB),
    Family(n.BROKER_REQUEST_RETRIES, "counter", "Requests retried.", _CRB),
    Family(n.BROKER_REQUEST_TIMEOUTS, "counter", "Requests timed out.", _CRB),
    Family(n.BROKER_REQUEST_ERRORS, "counter", "Transmit and receive errors.", (*_CRB, "direction")),
    Family(n.BROKER_INFLIGHT_REQUESTS, "gauge", "Requests awaiting a response.", _CRB),
    Family(n.BROKER_RTT_AVG, "gauge", "Mean request round-trip time (window).", _CRB, "max"),
    Family(n.BROKER_RTT_P50, "gauge", "Median request round-trip time (window).", _CRB, "max"),
    Family(n.BROKER_RTT_P99, "gauge", "99th percentile request round-trip time (window).", _CRB, "max"),
    Family(n.BROKER_THROTTLE_AVG, "gauge", "Mean broker throttle time (window).", _CRB, "max"),
    Family(n.BROKER_THROTTLE_MAX, "gauge", "Largest broker throttle time (window).", _CRB, "max"),
    # both roles: circuit breakers (on_circuit_state)
    Family(
        n.CIRCUIT_BREAKER_STATE,
        "gauge",
        "1 for the circuit breaker's current state (closed, half_open, open), 0 for the others.",
        (*_CR, "breaker", "state"),
        "max",
    ),
    Family(
        n.CIRCUIT_BREAKER_TRANSITIONS,
        "counter",
        "Circuit breaker state changes, by the state entered.",
        (*_CR, "breaker", "to_state"),
    ),
    # the plugin itself
    Family(n.STATISTICS_AGE, "gauge", "Seconds since the backend last reported statistics.", _CR, "max"),
    Family(
        n.METRICS_COLLECT_ERRORS,
        "counter",
        "Parts of a statistics snapshot that could not be mapped (those series are left out).",
        _CR,
    ),
)

BY_NAME: dict[str, Family] = {family.name: family for family in FAMILIES}
_READ_ONLY = MappingProxyType(BY_NAME)


def metric_families() -> Mapping[str, Family]:
    """Every metric family the library exports, by name, in exposition order (read-only).

    For code generated from the metrics, like the Grafana dashboards and alert rules in ``dashboards/``::

        from kafka_client.observability.metrics import metric_families, names

        metric_families()[names.CONSUMER_DLQ_MESSAGES].labels  # ('client_id', 'topic', 'dlq_topic')
    """
    return _READ_ONLY
