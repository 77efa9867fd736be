"""Producer, consumer and observability settings, with production defaults.

Each default is chosen for a service that must not lose or duplicate data and must survive broker
restarts and rebalances; docs/configuration.md gives the reason for every one. Values are named as in
the Java client (``linger_ms``, ``session_timeout_ms``) so Kafka documentation applies unchanged.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from kafka_client.config._base import SettingsSection, lower_if_str, upper_if_str
from kafka_client.config._problems import problem, raise_if_problems
from kafka_client.errors import ConfigProblem

Acks = Literal[0, 1, "all"]
Compression = Literal["none", "gzip", "snappy", "lz4", "zstd"]
Partitioner = Literal[
    "murmur2_random", "murmur2", "consistent_random", "consistent", "random", "fnv1a", "fnv1a_random"
]
OffsetReset = Literal["earliest", "latest", "error"]
AssignmentStrategy = Literal["cooperative-sticky", "range", "roundrobin"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["json", "console"]
DebugContext = Literal[
    "all",
    "generic",
    "broker",
    "topic",
    "metadata",
    "feature",
    "queue",
    "msg",
    "protocol",
    "cgrp",
    "security",
    "fetch",
    "interceptor",
    "plugin",
    "consumer",
    "admin",
    "eos",
    "mock",
    "assignor",
    "conf",
    "telemetry",
]

_MAX_IDEMPOTENT_IN_FLIGHT = 5


class ProducerSettings(SettingsSection):
    """How messages are batched, acknowledged and retried.

    The defaults give an idempotent producer (no duplicates, no reordering on retry) that waits for all
    in-sync replicas and keeps retrying until ``delivery_timeout_ms``. ``queue_full_policy`` says what
    ``produce()`` does when the local queue is full: ``block`` for up to ``queue_full_timeout_s``
    (back-pressure), or ``raise`` ``QueueFullError`` at once. ``delivery_reports: errors`` makes the
    client library report only failed deliveries (librdkafka's ``delivery.report.only.error``): the
    fastest fire-and-forget mode, for ``Producer.produce()``; ``send()`` then refuses, since its future
    needs a report for every message. ``fail_queued_on_auth_error`` (confluent backend): when the broker
    refuses the login or the TLS handshake, the messages still waiting in the client's queue fail at
    once with that ``AuthenticationError`` / ``TLSError`` (as Java's producer does) instead of at
    ``delivery_timeout_ms``; ``false`` keeps them queued until the credentials work or the timeout.
    """

    acks: Acks = "all"
    enable_idempotence: bool = True
    transactional_id: str | None = Field(default=None, min_length=1)
    # None: delivery_timeout_ms, which librdkafka requires to be <= the transaction timeout.
    transaction_timeout_ms: PositiveInt | None = None
    delivery_timeout_ms: PositiveInt = 120_000
    request_timeout_ms: PositiveInt = 30_000
    retries: NonNegativeInt = 2_147_483_647
    retry_backoff_ms: PositiveInt = 100
    retry_backoff_max_ms: PositiveInt = 1_000
    linger_ms: NonNegativeInt = 5
    batch_size: PositiveInt = 1_000_000
    compression: Compression = "lz4"
    partitioner: Partitioner = "murmur2_random"
    max_in_flight: PositiveInt = 5
    queue_buffering_max_messages: PositiveInt = 100_000
    queue_full_policy: Literal["block", "raise"] = "block"
    queue_full_timeout_s: float = Field(default=5.0, ge=0)
    delivery_reports: Literal["all", "errors"] = "all"
    fail_queued_on_auth_error: bool = True

    @field_validator("acks", mode="before")
    @classmethod
    def _normalise_acks(cls, value: object) -> object:
        # Environment variables are strings, and -1 is the wire value of "all".
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("0", "1"):
                return int(text)
            return "all" if text == "-1" else text
        if isinstance(value, int) and not isinstance(value, bool) and value == -1:
            return "all"
        return value

    @field_validator("compression", "partitioner", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        return lower_if_str(value)

    @model_validator(mode="after")
    def _check_delivery_guarantees(self) -> Self:
        problems: list[ConfigProblem] = []
        if self.transactional_id is not None and not self.enable_idempotence:
            problems.append(
                problem(
                    "enable_idempotence",
                    f"transactions (transactional_id {self.transactional_id!r}) need an idempotent producer",
                    "set producer.enable_idempotence: true, or remove producer.transactional_id",
                    self.enable_idempotence,
                )
            )
        transaction_timeout = self.transaction_timeout_ms
        if (
            self.transactional_id is not None
            and transaction_timeout
            and self.delivery_timeout_ms > transaction_timeout
        ):
            problems.append(
                problem(
                    "delivery_timeout_ms",
                    f"must not exceed transaction_timeout_ms ({transaction_timeout}) when transactional",
                    "lower producer.delivery_timeout_ms, or raise producer.transaction_timeout_ms "
                    "(up to the brokers' transaction.max.timeout.ms, 900000 by default)",
                    self.delivery_timeout_ms,
                )
            )
        if self.enable_idempotence:
            if self.acks != "all":
                problems.append(
                    problem(
                        "acks",
                        "an idempotent producer needs acks 'all'",
                        "set producer.acks: all, or producer.enable_idempotence: false "
                        "(retries may then duplicate messages)",
                        self.acks,
                    )
                )
            if self.max_in_flight > _MAX_IDEMPOTENT_IN_FLIGHT:
                problems.append(
                    problem(
                        "max_in_flight",
                        f"idempotence allows at most {_MAX_IDEMPOTENT_IN_FLIGHT} in-flight requests",
                        f"set producer.max_in_flight to {_MAX_IDEMPOTENT_IN_FLIGHT} or less",
                        self.max_in_flight,
                    )
                )
            if self.retries == 0:
                problems.append(
                    problem(
                        "retries",
                        "an idempotent producer needs retries",
                        "remove producer.retries (retrying is bounded by delivery_timeout_ms)",
                        self.retries,
                    )
                )
        if self.delivery_timeout_ms < self.linger_ms + self.request_timeout_ms:
            problems.append(
                problem(
                    "delivery_timeout_ms",
                    "must be at least linger_ms + request_timeout_ms "
                    f"({self.linger_ms} + {self.request_timeout_ms})",
                    "raise producer.delivery_timeout_ms, or lower linger_ms / request_timeout_ms",
                    self.delivery_timeout_ms,
                )
            )
        if self.retry_backoff_max_ms < self.retry_backoff_ms:
            problems.append(
                problem(
                    "retry_backoff_max_ms",
                    f"must be at least retry_backoff_ms ({self.retry_backoff_ms})",
                    "raise producer.retry_backoff_max_ms, or lower producer.retry_backoff_ms",
                    self.retry_backoff_max_ms,
                )
            )
        raise_if_problems(problems)
        return self


class ConsumerSettings(SettingsSection):
    """How the consumer joins its group, fetches, and where it starts without a committed offset.

    ``enable_auto_commit`` is off: offsets are committed after the handler has processed a message
    (at-least-once), never before. ``group_id`` is required to consume with the confluent backend.
    """

    group_id: str | None = Field(default=None, min_length=1)
    auto_offset_reset: OffsetReset = "earliest"
    enable_auto_commit: bool = False
    session_timeout_ms: PositiveInt = 45_000
    heartbeat_interval_ms: PositiveInt = 3_000
    max_poll_interval_ms: PositiveInt = 300_000
    fetch_min_bytes: PositiveInt = 1
    # Well under the clients' request/socket timeouts (30 s in kafka-python, 60 s in librdkafka).
    fetch_max_wait_ms: int = Field(default=500, ge=0, le=10_000)
    # librdkafka waits this long before fetching again once its local queue holds queued.min.messages;
    # its default (1000 ms) leaves a consumer that drains the queue quickly idle for most of a second.
    fetch_queue_backoff_ms: int = Field(default=50, ge=0, le=300_000)
    max_poll_records: PositiveInt = 500
    isolation_level: Literal["read_committed", "read_uncommitted"] = "read_committed"
    partition_assignment_strategy: AssignmentStrategy = "cooperative-sticky"
    group_instance_id: str | None = Field(default=None, min_length=1)

    @field_validator("auto_offset_reset", "isolation_level", "partition_assignment_strategy", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        return lower_if_str(value)

    @model_validator(mode="after")
    def _check_timeouts(self) -> Self:
        problems: list[ConfigProblem] = []
        if self.heartbeat_interval_ms >= self.session_timeout_ms:
            problems.append(
                problem(
                    "heartbeat_interval_ms",
                    f"must be lower than session_timeout_ms ({self.session_timeout_ms})",
                    "use about a third of consumer.session_timeout_ms",
                    self.heartbeat_interval_ms,
                )
            )
        if self.session_timeout_ms > self.max_poll_interval_ms:
            problems.append(
                problem(
                    "session_timeout_ms",
                    f"must not exceed max_poll_interval_ms ({self.max_poll_interval_ms})",
                    "lower consumer.session_timeout_ms, or raise consumer.max_poll_interval_ms",
                    self.session_timeout_ms,
                )
            )
        raise_if_problems(problems)
        return self


class ObservabilitySettings(SettingsSection):
    """Which observability plugins are on, and their knobs; all on by default at negligible cost.

    ``statistics_interval_ms`` is how often librdkafka emits the statistics that metrics are built
    from (0 turns them off). ``metrics_per_partition`` labels lag with ``partition`` (more series;
    summed per topic otherwise). ``correlation_id_header`` names the message header carrying the
    correlation ID propagated from producer to consumer. ``trace_sample_ratio`` is the share of new
    traces ``configure_tracing()`` records (an application's own OpenTelemetry sampler is never
    overridden). ``log_format`` is what ``configure_logging(settings=...)`` renders: ``json`` lines, or
    ``console`` for development. ``debug`` lists librdkafka debug contexts (``broker``, ``protocol``,
    ``cgrp``..., or ``all``), whose logs, like kafka-python's debug logs, go to the logging pipeline.
    """

    metrics_enabled: bool = True
    metrics_per_partition: bool = False
    statistics_interval_ms: NonNegativeInt = 5_000
    tracing_enabled: bool = True
    logging_enabled: bool = True
    log_level: LogLevel = "INFO"
    correlation_id_header: str = Field(default="correlation-id", min_length=1)
    trace_sample_ratio: float = Field(default=0.01, ge=0.0, le=1.0)
    log_format: LogFormat = "json"
    debug: list[DebugContext] = Field(default_factory=list)

    @field_validator("log_level", mode="before")
    @classmethod
    def _normalise_level(cls, value: object) -> object:
        return upper_if_str(value)

    @field_validator("log_format", mode="before")
    @classmethod
    def _normalise_format(cls, value: object) -> object:
        return lower_if_str(value)

    @field_validator("debug", mode="before")
    @classmethod
    def _split_debug(cls, value: object) -> object:
        if isinstance(value, str):  # "broker,protocol", as librdkafka and env vars write it
            return [item.strip().lower() for item in value.split(",") if item.strip()]
        return value
