"""The names of every metric kafka_client exports, as constants (dashboards and alert rules import them).

Conventions (DESIGN.md): prefix ``kafka_client_``, base units (seconds, bytes) as the suffix, counters end
in ``_total``, and labels are bounded: ``client_id``, ``role`` (producer/consumer, on families both
roles emit), ``topic``, ``partition`` (opt-in), ``broker``, ``error_type``/``code`` (error class and
native error name), ``kind``, ``state``, ``direction``, ``breaker`` (a circuit breaker's name),
``to_state``. Never a key, an offset or a message id.

Window gauges (``*_avg_*``, ``*_p50_*``, ``*_p99_*``, ``*_max_*``) summarise the last statistics
interval only (librdkafka's rolling windows, kafka-python's sampled windows); they cannot be
re-aggregated into histograms.
"""

from __future__ import annotations

PREFIX = "kafka_client_"

# --- producer: from the delivery hooks (exact) -----------------------------------------------------
PRODUCER_MESSAGES_DELIVERED = "kafka_client_producer_messages_delivered_total"
PRODUCER_MESSAGES_FAILED = "kafka_client_producer_messages_failed_total"
PRODUCER_DELIVERY_LATENCY = "kafka_client_producer_delivery_latency_seconds"
PRODUCER_QUEUE_FULL = "kafka_client_producer_queue_full_total"

# --- producer: from the backend's statistics --------------------------------------------------------
PRODUCER_MESSAGES_SENT = "kafka_client_producer_messages_sent_total"
PRODUCER_SENT_BYTES = "kafka_client_producer_sent_bytes_total"
PRODUCER_QUEUED_MESSAGES = "kafka_client_producer_queued_messages"
PRODUCER_QUEUE_MAX_MESSAGES = "kafka_client_producer_queue_max_messages"
PRODUCER_INFLIGHT_MESSAGES = "kafka_client_producer_inflight_messages"
PRODUCER_BATCH_SIZE_AVG = "kafka_client_producer_batch_size_avg_bytes"
PRODUCER_BATCH_SIZE_P99 = "kafka_client_producer_batch_size_p99_bytes"
PRODUCER_BATCH_RECORDS_AVG = "kafka_client_producer_batch_records_avg"
PRODUCER_BATCH_RECORDS_P99 = "kafka_client_producer_batch_records_p99"
PRODUCER_COMPRESSION_RATIO = "kafka_client_producer_compression_ratio"

# --- consumer: from the consume/processing/commit/rebalance hooks (exact) ---------------------------
CONSUMER_MESSAGES_CONSUMED = "kafka_client_consumer_messages_consumed_total"
CONSUMER_CONSUMED_BYTES = "kafka_client_consumer_consumed_bytes_total"
CONSUMER_PROCESSING_DURATION = "kafka_client_consumer_processing_duration_seconds"
CONSUMER_PROCESSING_FAILURES = "kafka_client_consumer_processing_failures_total"
CONSUMER_COMMIT_LATENCY = "kafka_client_consumer_commit_latency_seconds"
CONSUMER_COMMIT_FAILURES = "kafka_client_consumer_commit_failures_total"
CONSUMER_REBALANCES = "kafka_client_consumer_rebalances_total"
CONSUMER_ASSIGNED_PARTITIONS = "kafka_client_consumer_assigned_partitions"
CONSUMER_LAST_MESSAGE_AGE = "kafka_client_consumer_last_message_age_seconds"
CONSUMER_DLQ_MESSAGES = "kafka_client_consumer_dlq_messages_total"

# --- consumer: from the backend's statistics --------------------------------------------------------
CONSUMER_RECORDS_LAG = "kafka_client_consumer_records_lag"
CONSUMER_RECORDS_LAG_MAX = "kafka_client_consumer_records_lag_max"

# --- both roles: errors, connections, brokers --------------------------------------------------------
ERRORS = "kafka_client_errors_total"
CONNECTIONS = "kafka_client_connections"
BROKER_CONNECTION_STATE = "kafka_client_broker_connection_state"
BROKER_CONNECTS = "kafka_client_broker_connects_total"
BROKER_DISCONNECTS = "kafka_client_broker_disconnects_total"
BROKER_REQUESTS_SENT = "kafka_client_broker_requests_sent_total"
BROKER_RESPONSES_RECEIVED = "kafka_client_broker_responses_received_total"
BROKER_SENT_BYTES = "kafka_client_broker_sent_bytes_total"
BROKER_RECEIVED_BYTES = "kafka_client_broker_received_bytes_total"
BROKER_REQUEST_RETRIES = "kafka_client_broker_request_retries_total"
BROKER_REQUEST_TIMEOUTS = "kafka_client_broker_request_timeouts_total"
BROKER_REQUEST_ERRORS = "kafka_client_broker_request_errors_total"
BROKER_INFLIGHT_REQUESTS = "kafka_client_broker_inflight_requests"
BROKER_RTT_AVG = "kafka_client_broker_rtt_avg_seconds"
BROKER_RTT_P50 = "kafka_client_broker_rtt_p50_seconds"
BROKER_RTT_P99 = "kafka_client_broker_rtt_p99_seconds"
BROKER_THROTTLE_AVG = "kafka_client_broker_throttle_time_avg_seconds"
BROKER_THROTTLE_MAX = "kafka_client_broker_throttle_time_max_seconds"

# --- both roles: circuit breakers the client's run() (or the application) reports to its observers ----
CIRCUIT_BREAKER_STATE = "kafka_client_circuit_breaker_state"
CIRCUIT_BREAKER_TRANSITIONS = "kafka_client_circuit_breaker_transitions_total"

# --- the metrics plugin itself ------------------------------------------------------------------------
STATISTICS_AGE = "kafka_client_statistics_age_seconds"
METRICS_COLLECT_ERRORS = "kafka_client_metrics_collect_errors_total"

#: The values the ``state`` label of :data:`BROKER_CONNECTION_STATE` takes (one series each, 1 = current).
CONNECTION_STATES = ("up", "connecting", "down")

#: The values the ``state`` label of :data:`CIRCUIT_BREAKER_STATE` takes (one series each, 1 = current),
#: and the ``to_state`` label of :data:`CIRCUIT_BREAKER_TRANSITIONS`: ``CircuitState``'s values.
CIRCUIT_STATES = ("closed", "half_open", "open")
