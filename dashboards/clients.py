"""The "Producer clients" and "Consumer clients" dashboards, from the library's own metrics
(:mod:`kafka_client.observability.metrics.names`) scraped from the applications."""

from __future__ import annotations

from dashboards._model import Dashboard, Panel, Row, Scope, Target, Variable, red_above, target_variables
from dashboards._options import Options
from kafka_client.observability.metrics import names as n

S = Scope({"client_id": "client_id", "topic": "topic"})
TARGETS = 'job=~"$job",instance=~"$instance",cluster=~"$cluster"'


def _quantiles(histogram: str, by: str) -> list[Target]:
    """p50, p95 and p99 of ``histogram`` per ``by`` label."""
    bucket = S.rate(histogram + "_bucket")
    legend = "{{" + by + "}}"
    return [
        Target(f"histogram_quantile({q}, sum by ({by}, le) ({bucket}))", f"{legend} p{p}")
        for q, p in ((0.5, "50"), (0.95, "95"), (0.99, "99"))
    ]


def _broker_row(role: str) -> Row:
    return Row(
        "Brokers as the client sees them",
        [
            Panel(
                "Broker round-trip time",
                "Mean and p99 request round-trip time per broker, from the client's statistics window. "
                "High everywhere: the network or the brokers are slow; one broker: that broker.",
                "s",
                [
                    Target(f"max by (broker) ({S(n.BROKER_RTT_AVG, role=role)})", "{{broker}} avg"),
                    Target(f"max by (broker) ({S(n.BROKER_RTT_P99, role=role)})", "{{broker}} p99"),
                ],
                width=8,
            ),
            Panel(
                "Broker throttling",
                "Time brokers held responses back because a quota was exceeded (mean and max of the "
                "window). Above 0: the client hits a produce/fetch quota; ask for a bigger one or slow down.",
                "s",
                [
                    Target(f"max by (broker) ({S(n.BROKER_THROTTLE_AVG, role=role)})", "{{broker}} avg"),
                    Target(f"max by (broker) ({S(n.BROKER_THROTTLE_MAX, role=role)})", "{{broker}} max"),
                ],
                width=8,
                thresholds=red_above(0.001),
            ),
            Panel(
                "Connections",
                "Open broker connections per client. Zero: the client cannot reach the cluster.",
                "short",
                [Target(f"sum by (client_id) ({S(n.CONNECTIONS, role=role)})", "{{client_id}}")],
                width=8,
            ),
            Panel(
                "Errors by type",
                "Errors reported to the client's observers per second, by kafka_client exception class and "
                "native error code. The code names the cause (e.g. _MSG_TIMED_OUT, MSG_SIZE_TOO_LARGE).",
                "ops",
                [
                    Target(
                        f"sum by (error_type, code) ({S.rate(n.ERRORS, role=role)})",
                        "{{error_type}} {{code}}",
                    )
                ],
                width=12,
                thresholds=red_above(0.0001),
            ),
            Panel(
                "Statistics age",
                "Seconds since the backend last reported statistics. Much older than "
                "statistics_interval_ms: the client is not polling (confluent consumer) or is stuck.",
                "s",
                [Target(f"max by (client_id) ({S(n.STATISTICS_AGE, role=role)})", "{{client_id}}")],
                width=12,
            ),
        ],
    )


def producer_dashboard(options: Options) -> Dashboard:
    """The producer clients dashboard."""
    del options
    delivered = S.rate(n.PRODUCER_MESSAGES_DELIVERED)
    traffic = Row(
        "Sending",
        [
            Panel(
                "Send, deliver and fail rates",
                "Messages per second transmitted to brokers (retries count again), acknowledged, and "
                "failed (by error code). Failures above 0: see the ProducerDeliveryFailures runbook.",
                "mps",
                [
                    Target(f"sum by (topic) ({S.rate(n.PRODUCER_MESSAGES_SENT)})", "{{topic}} sent"),
                    Target(f"sum by (topic) ({delivered})", "{{topic}} delivered"),
                    Target(
                        f"sum by (topic, code) ({S.rate(n.PRODUCER_MESSAGES_FAILED)})",
                        "{{topic}} failed {{code}}",
                    ),
                ],
                width=12,
            ),
            Panel(
                "Delivery latency",
                "send() to broker acknowledgement, p50/p95/p99 per topic, successful deliveries only. "
                "Rising: broker or network slowness, or linger/batching settings.",
                "s",
                _quantiles(n.PRODUCER_DELIVERY_LATENCY, "topic"),
                width=12,
            ),
            Panel(
                "Queue fill",
                "Messages queued or in flight as a share of the local queue's capacity. Near 100%: sends "
                "will block or fail with QueueFullError; the brokers cannot keep up.",
                "percentunit",
                [
                    Target(
                        f"max by (client_id) ({S(n.PRODUCER_QUEUED_MESSAGES)}) / "
                        f"max by (client_id) ({S(n.PRODUCER_QUEUE_MAX_MESSAGES)})",
                        "{{client_id}}",
                    )
                ],
                width=8,
                thresholds=red_above(0.9, 0.5),
            ),
            Panel(
                "Queue full events",
                "QueueFullError reported per second. Above 0: producers outrun the brokers.",
                "ops",
                [Target(f"sum by (client_id) ({S.rate(n.PRODUCER_QUEUE_FULL)})", "{{client_id}}")],
                width=8,
                thresholds=red_above(0.0001),
            ),
            Panel(
                "Request retries",
                "Produce requests retried per second per broker. Sustained retries: broker errors or "
                "timeouts; check the errors panel.",
                "reqps",
                [
                    Target(
                        f"sum by (broker) ({S.rate(n.BROKER_REQUEST_RETRIES, role='producer')})", "{{broker}}"
                    )
                ],
                width=8,
            ),
        ],
    )
    batching = Row(
        "Batching and compression",
        [
            Panel(
                "Batch size",
                "Mean and p99 batch size in bytes per topic (last statistics window). Small batches at high "
                "rates: raise linger_ms.",
                "bytes",
                [
                    Target(f"max by (topic) ({S(n.PRODUCER_BATCH_SIZE_AVG)})", "{{topic}} avg"),
                    Target(f"max by (topic) ({S(n.PRODUCER_BATCH_SIZE_P99)})", "{{topic}} p99"),
                ],
                width=8,
            ),
            Panel(
                "Messages per batch",
                "Mean and p99 messages per batch per topic (last statistics window).",
                "short",
                [
                    Target(f"max by (topic) ({S(n.PRODUCER_BATCH_RECORDS_AVG)})", "{{topic}} avg"),
                    Target(f"max by (topic) ({S(n.PRODUCER_BATCH_RECORDS_P99)})", "{{topic}} p99"),
                ],
                width=8,
            ),
            Panel(
                "Compression ratio",
                "Uncompressed bytes per byte written to brokers. About 1: compression saves nothing "
                "(or is off).",
                "none",
                [Target(f"max by (client_id) ({S(n.PRODUCER_COMPRESSION_RATIO)})", "{{client_id}}")],
                width=8,
            ),
        ],
    )
    return Dashboard(
        uid="kafka-client-producers",
        title="Kafka / Producer clients",
        description="kafka_client producers: throughput, failures, delivery latency, queue, batching, "
        "compression, brokers and errors, from the library's metrics.",
        tags=["kafka", "kafka-client", "producer"],
        variables=_client_variables(n.PRODUCER_QUEUED_MESSAGES, n.PRODUCER_MESSAGES_DELIVERED),
        rows=[traffic, batching, _broker_row("producer")],
    )


def consumer_dashboard(options: Options) -> Dashboard:
    """The consumer clients dashboard."""
    storm = float(options.rebalance_storm_count)
    consuming = Row(
        "Consuming",
        [
            Panel(
                "Consume rate",
                "Messages handed to the application per second, per topic.",
                "mps",
                [Target(f"sum by (topic) ({S.rate(n.CONSUMER_MESSAGES_CONSUMED)})", "{{topic}}")],
                width=8,
            ),
            Panel(
                "Consumed bytes",
                "Key and value bytes handed to the application per second, per topic.",
                "Bps",
                [Target(f"sum by (topic) ({S.rate(n.CONSUMER_CONSUMED_BYTES)})", "{{topic}}")],
                width=8,
            ),
            Panel(
                "Client-side lag",
                "Messages between each consumer's position and the partition end, as the client sees it. "
                "For the group's committed lag use the Consumer lag dashboard.",
                "short",
                [
                    Target(
                        f"sum by (client_id, topic) ({S(n.CONSUMER_RECORDS_LAG)})", "{{client_id}} {{topic}}"
                    )
                ],
                width=8,
            ),
            Panel(
                "Processing time",
                "Time the application spent per message (handler or loop body), p50/p95/p99 per client. "
                "Rising: the handler or what it calls got slower; lag will follow.",
                "s",
                _quantiles(n.CONSUMER_PROCESSING_DURATION, "client_id"),
                width=12,
            ),
            Panel(
                "Commit latency",
                "Time an offset commit call took, p50/p95/p99 per client (asynchronous commits: the "
                "time to queue).",
                "s",
                _quantiles(n.CONSUMER_COMMIT_LATENCY, "client_id"),
                width=12,
            ),
            Panel(
                "Processing failures and dead-letter routings",
                "Messages whose handler raised, and messages routed to a dead-letter topic, per second. "
                "Above 0: look at the DLQ (kafka-client dlq) for the exception headers.",
                "mps",
                [
                    Target(
                        f"sum by (client_id) ({S.rate(n.CONSUMER_PROCESSING_FAILURES)})",
                        "{{client_id}} failures",
                    ),
                    Target(
                        f"sum by (client_id, topic, dlq_topic) ({S.rate(n.CONSUMER_DLQ_MESSAGES)})",
                        "{{topic}} -> {{dlq_topic}}",
                    ),
                ],
                width=12,
                thresholds=red_above(0.0001),
            ),
            Panel(
                "Rebalances",
                "Rebalance callbacks in the interval by kind (assign, revoke, lost). Many assigns: a "
                "rebalance storm; see the ConsumerRebalanceStorm runbook.",
                "short",
                [
                    Target(
                        f"sum by (client_id, kind) ({S.rate(n.CONSUMER_REBALANCES, 'increase')})", "{{kind}}"
                    )
                ],
                width=6,
                thresholds=red_above(storm),
            ),
            Panel(
                "Assigned partitions and last message age",
                "Partitions the group assigned to each client, and seconds since it last received a message. "
                "Age growing while lag exists: the consumer is stuck.",
                "short",
                [
                    Target(
                        f"sum by (client_id) ({S(n.CONSUMER_ASSIGNED_PARTITIONS)})",
                        "{{client_id}} partitions",
                    ),
                    Target(f"max by (client_id) ({S(n.CONSUMER_LAST_MESSAGE_AGE)})", "{{client_id}} age (s)"),
                ],
                width=6,
            ),
        ],
    )
    return Dashboard(
        uid="kafka-client-consumers",
        title="Kafka / Consumer clients",
        description="kafka_client consumers: consume rate, processing and commit latency, client-side "
        "lag, failures, dead-letter routings, rebalances, circuit breakers, brokers and errors, from the "
        "library's metrics.",
        tags=["kafka", "kafka-client", "consumer"],
        variables=_client_variables(n.CONSUMER_ASSIGNED_PARTITIONS, n.CONSUMER_MESSAGES_CONSUMED),
        rows=[consuming, circuit_breaker_row("consumer"), _broker_row("consumer")],
    )


#: The circuit breaker state as one number per breaker (the gauge has one 0/1 series per state).
CIRCUIT_STATE_CODES = {"closed": 0, "half_open": 1, "open": 2}


def circuit_breaker_row(role: str) -> Row:
    """The state and transitions of the circuit breakers the clients' ``run()`` reports."""
    half_open = S(n.CIRCUIT_BREAKER_STATE, role=role, state="half_open")
    is_open = S(n.CIRCUIT_BREAKER_STATE, role=role, state="open")
    mapping = {
        str(code): {"text": state.replace("_", "-"), "color": color, "index": code}
        for (state, code), color in zip(CIRCUIT_STATE_CODES.items(), ("green", "orange", "red"), strict=True)
    }
    return Row(
        "Circuit breakers",
        [
            Panel(
                "Circuit breaker state",
                "Each breaker a client's run() uses: 0 closed (calls flow), 1 half-open (probing), 2 open "
                "(the consumer paused its partitions). Open for minutes: the dependency the handler calls "
                "is down; see the KafkaClientCircuitBreakerOpen runbook.",
                "none",
                [
                    Target(
                        f"max by (client_id, breaker) ({half_open} + ignoring (state) 2 * {is_open})",
                        "{{client_id}} {{breaker}}",
                    )
                ],
                width=12,
                thresholds=red_above(2.0, 1.0),
                mappings=[{"type": "value", "options": mapping}],
            ),
            Panel(
                "Circuit breaker transitions",
                "State changes in the interval, by the state entered. Opens and half-opens alternating: "
                "every probe fails (the outage goes on); an open followed by a close: it recovered.",
                "short",
                [
                    Target(
                        f"sum by (client_id, breaker, to_state) "
                        f"({S.rate(n.CIRCUIT_BREAKER_TRANSITIONS, 'increase', role=role)})",
                        "{{breaker}} -> {{to_state}}",
                    )
                ],
                width=12,
            ),
        ],
    )


def _client_variables(anchor: str, topic_anchor: str) -> list[Variable]:
    scoped = f'{TARGETS},client_id=~"$client_id"'
    return [
        *target_variables(anchor, cluster_all=".*"),
        Variable("client_id", "Client", f"label_values({anchor}{{{TARGETS}}}, client_id)"),
        Variable("topic", "Topic", f"label_values({topic_anchor}{{{scoped}}}, topic)"),
    ]


__all__ = ["circuit_breaker_row", "consumer_dashboard", "producer_dashboard"]
