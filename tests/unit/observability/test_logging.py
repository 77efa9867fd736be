"""Logging: correlation IDs across producer -> handler -> downstream producer, context in every log line,
errors logged once at the right level, nothing per message at INFO, secrets never rendered."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kafka_client import (
    AsyncConsumer,
    AsyncProducer,
    BrokerUnavailableError,
    CommitError,
    Consumer,
    DeliveryError,
    Message,
    Producer,
    TopicPartition,
    TopicPartitionOffset,
)
from kafka_client.config import KafkaClientSettings
from kafka_client.observability import build_hooks, correlation_id, correlation_scope, default_observers
from kafka_client.observability.logging import (
    LIBRDKAFKA_LOGGER,
    REDACTED,
    LoggingObserver,
    configure_logging,
    redact_secrets,
    register_secret,
)
from kafka_client.observability.tracing import TracingObserver
from kafka_client.testing.memory import MemoryCluster

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging and the observers change process-wide logging state; put it back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = ("kafka_client", LIBRDKAFKA_LOGGER, "kafka")
    levels = {name: logging.getLogger(name).level for name in names}
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
    structlog.configure(**config)


@pytest.fixture
def logs() -> io.StringIO:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    return stream


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def settings(**values: Any) -> KafkaClientSettings:
    return KafkaClientSettings(bootstrap_servers="memory:9092", backend="memory", client_id="svc", **values)


def producer(cluster: MemoryCluster, *extra: Any, **values: Any) -> Producer[Any, Any]:
    s = settings(**values)
    return Producer(
        s, transport=cluster.producer_backend(), observers=[LoggingObserver(s, "producer"), *extra]
    )


def consumer(cluster: MemoryCluster, *extra: Any, **values: Any) -> Consumer[Any, Any]:
    s = settings(consumer={"group_id": "billing"}, **values)
    return Consumer(
        s,
        topics=["orders"],
        transport=cluster.consumer_backend("billing"),
        observers=[*extra, LoggingObserver(s, "consumer")],
    )


def header(cluster: MemoryCluster, topic: str, name: str = "correlation-id") -> list[bytes | None]:
    return [v for record in cluster.records(topic) for k, v in record.headers if k == name]


# --- correlation IDs --------------------------------------------------------------------------------


def test_the_producers_id_reaches_the_handler_its_logs_and_its_own_sends(logs: io.StringIO) -> None:
    cluster = MemoryCluster()
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    traced = settings(consumer={"group_id": "billing"}, observability={"trace_sample_ratio": 1.0})
    tracing = TracingObserver(traced, "consumer", tracer_provider=provider)  # every root span offered
    with producer(cluster) as upstream, correlation_scope("req-42"):
        upstream.send("orders", b"v").result(5)
    assert header(cluster, "orders") == [b"req-42"]

    downstream = producer(cluster)
    seen = []

    def handle(message: Message[Any, Any]) -> None:
        seen.append(correlation_id())
        structlog.get_logger("billing").info("order handled", amount=3)
        downstream.send("invoices", b"i").result(5)

    with consumer(cluster, tracing) as c:
        c.run(handle, max_messages=1)
    downstream.close()
    assert seen == ["req-42"]
    assert correlation_id() is None  # the scope ended with the message
    assert header(cluster, "invoices") == [b"req-42"]
    (handled,) = [line for line in lines(logs) if line["event"] == "order handled"]
    (span,) = exporter.get_finished_spans()
    assert handled == {
        "event": "order handled",
        "amount": 3,
        "correlation_id": "req-42",
        "topic": "orders",
        "partition": 0,
        "offset": 0,
        "client_id": "svc",
        "trace_id": f"{span.context.trace_id:032x}",
        "span_id": f"{span.context.span_id:016x}",
        "level": "info",
        "logger": "billing",
        "timestamp": handled["timestamp"],
    }


def test_with_no_current_id_the_producer_adds_nothing_and_the_consumer_makes_one() -> None:
    cluster = MemoryCluster()
    with producer(cluster) as p:
        p.send("orders", b"v").result(5)
    assert cluster.records("orders")[0].headers == []
    downstream = producer(cluster)
    seen: list[str | None] = []

    def handle(message: Message[Any, Any]) -> None:
        seen.append(correlation_id())
        downstream.send("invoices", b"i").result(5)

    with consumer(cluster) as c:
        c.run(handle, max_messages=1)
    downstream.close()
    assert HEX32.fullmatch(seen[0] or "")
    assert header(cluster, "invoices") == [(seen[0] or "").encode()]


def test_an_id_set_by_the_caller_is_kept_and_the_header_name_is_configurable() -> None:
    cluster = MemoryCluster()
    with (
        producer(cluster, observability={"correlation_id_header": "x-request-id"}) as p,
        correlation_scope("from-context"),
    ):
        p.send("orders", b"v", headers={"x-request-id": "explicit"}).result(5)
        p.send("orders", b"w").result(5)
    assert header(cluster, "orders", "x-request-id") == [b"explicit", b"from-context"]


def test_a_consumer_without_the_header_uses_the_surrounding_id() -> None:
    cluster = MemoryCluster()
    cluster.inject_record("orders", 0, None, b"v")
    seen = []
    with consumer(cluster) as c, correlation_scope("batch-job-7"):
        c.run(lambda m: seen.append(correlation_id()), max_messages=1)
    assert seen == ["batch-job-7"]


async def test_async_handlers_see_the_id_across_await() -> None:
    cluster = MemoryCluster()
    s = settings(consumer={"group_id": "billing"})
    async with AsyncProducer(
        s, transport=cluster.producer_backend(), observers=[LoggingObserver(s, "producer")]
    ) as p:
        with correlation_scope("req-async"):
            await p.send("orders", b"v")
        seen = []

        async def handle(message: Message[Any, Any]) -> None:
            await p.send("invoices", b"i")
            seen.append(correlation_id())

        async with AsyncConsumer(
            s,
            topics=["orders"],
            transport=cluster.consumer_backend("billing"),
            observers=[LoggingObserver(s, "consumer")],
        ) as c:
            await c.run(handle, max_messages=1)
    assert seen == ["req-async"]
    assert header(cluster, "invoices") == [b"req-async"]


# --- what is logged, at which level -----------------------------------------------------------------


def test_a_failed_delivery_is_logged_once_at_error_without_the_payload(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cluster = MemoryCluster()
    cluster.fail_next_deliveries(1)
    caplog.set_level(logging.DEBUG)
    with producer(cluster) as p:
        future = p.send("orders", b"card=4111-1111", key=b"customer-7")
        with pytest.raises(DeliveryError):
            future.result(5)
    ours = [r for r in caplog.records if r.name.startswith("kafka_client") and r.levelno >= logging.WARNING]
    assert [(r.levelname, r.getMessage()) for r in ours] == [
        (
            "ERROR",
            "delivery to 'orders' failed: delivery failed: injected by MemoryCluster.fail_next_deliveries",
        )
    ]
    record = ours[0].__dict__
    assert (record["topic"], record["error_type"], record["retriable"], record["client_id"]) == (
        "orders",
        "DeliveryError",
        True,
        "svc",
    )
    assert "4111" not in caplog.text
    assert "customer-7" not in caplog.text


def test_successful_deliveries_are_logged_only_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cluster = MemoryCluster()
    with producer(cluster) as p:
        p.send("orders", b"v").result(5)
    assert [r for r in caplog.records if r.name == "kafka_client.producer"] == []
    with producer(cluster, observability={"log_level": "DEBUG"}) as p:
        p.send("orders", b"v").result(5)
    (delivered,) = [r for r in caplog.records if r.name == "kafka_client.producer"]
    assert (delivered.levelname, delivered.getMessage()) == ("DEBUG", "delivered")
    assert (delivered.__dict__["partition"], delivered.__dict__["offset"]) == (0, 1)


def test_the_producer_observer_has_no_per_message_hook_beyond_the_header_and_the_report() -> None:
    s = settings()
    hooks = build_hooks([LoggingObserver(s, "producer")], client_id="svc", role="producer", backend="memory")
    assert (len(hooks.before_send), len(hooks.after_delivery), hooks.process_scope) == (1, 1, [])
    hooks = build_hooks([LoggingObserver(s, "consumer")], client_id="svc", role="consumer", backend="memory")
    assert (hooks.before_send, hooks.after_delivery, len(hooks.process_scope)) == ([], [], 1)


def test_rebalances_commit_failures_and_client_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    observer = LoggingObserver(settings(), "consumer")
    observer.bind("svc", "consumer", "memory")
    observer.on_rebalance("assign", [TopicPartition("orders", 0), TopicPartition("orders", 1)])
    observer.on_rebalance("lost", [TopicPartition("orders", 1)])
    observer.on_commit([TopicPartitionOffset("orders", 0, 5)], None, 0.01)  # fine: nothing logged
    failed = CommitError("commit failed: REBALANCE_IN_PROGRESS")
    observer.on_commit([TopicPartitionOffset("orders", 0, 5)], failed, 0.01)
    observer.on_error(failed)  # the same error, reported again by the core: not logged twice
    observer.on_error(BrokerUnavailableError("all brokers are down"))
    got = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "kafka_client.consumer"]
    assert got == [
        ("INFO", "partitions assigned: orders[0], orders[1]"),
        ("WARNING", "partitions lost: orders[1]"),
        ("WARNING", "commit failed: commit failed: REBALANCE_IN_PROGRESS"),
        ("WARNING", "all brokers are down"),
    ]
    assigned = caplog.records[0].__dict__
    assert (assigned["rebalance"], assigned["partition_count"], assigned["client_id"]) == ("assign", 2, "svc")


def test_log_level_applies_to_the_library_loggers() -> None:
    observer = LoggingObserver(settings(observability={"log_level": "WARNING"}), "consumer")
    build_hooks([observer], client_id="svc", role="consumer", backend="memory")
    assert logging.getLogger("kafka_client").level == logging.WARNING


@pytest.mark.parametrize(
    ("backend", "kafka_level"), [("confluent", logging.NOTSET), ("kafka-python", logging.DEBUG)]
)
def test_debug_contexts_open_the_kafka_libraries_debug_logs(backend: str, kafka_level: int) -> None:
    logging.getLogger("kafka").setLevel(logging.NOTSET)
    logging.getLogger(LIBRDKAFKA_LOGGER).setLevel(logging.NOTSET)
    observer = LoggingObserver(settings(observability={"debug": "broker,protocol"}), "producer")
    build_hooks([observer], client_id="svc", role="producer", backend=backend)
    assert logging.getLogger(LIBRDKAFKA_LOGGER).level == logging.DEBUG
    assert logging.getLogger("kafka").level == kafka_level


def test_default_observers_include_logging_unless_turned_off() -> None:
    on = default_observers(settings(), "consumer")
    off = default_observers(settings(observability={"logging_enabled": False}), "consumer")
    assert any(isinstance(o, LoggingObserver) for o in on)
    assert not any(isinstance(o, LoggingObserver) for o in off)


# --- configure_logging ------------------------------------------------------------------------------


def test_stdlib_records_render_as_json_with_their_extras_and_context(logs: io.StringIO) -> None:
    with correlation_scope("req-1"):
        logging.getLogger("kafka_client.librdkafka").warning(
            "%s [%s] %s", "FAIL", "rdkafka#producer-1", "down"
        )
        logging.getLogger("app").info("plain", extra={"order_id": 7})
    first, second = lines(logs)
    assert (first["event"], first["level"], first["logger"], first["correlation_id"]) == (
        "FAIL [rdkafka#producer-1] down",
        "warning",
        "kafka_client.librdkafka",
        "req-1",
    )
    assert (second["event"], second["order_id"]) == ("plain", 7)
    assert "trace_id" not in second  # no span: no trace fields


def test_exceptions_are_rendered_in_the_json_line(logs: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        structlog.get_logger().exception("failed")
    (line,) = lines(logs)
    assert "RuntimeError: boom" in line["exception"]


def test_configuring_again_replaces_the_handler_and_settings_give_the_defaults() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(stream=first)
    configure_logging(
        stream=second, settings=settings(observability={"log_level": "WARNING", "log_format": "console"})
    )
    logging.getLogger("app").warning("once")
    logging.getLogger("app").info("filtered")
    assert first.getvalue() == ""
    assert "once" in second.getvalue()
    assert "filtered" not in second.getvalue()
    assert not second.getvalue().startswith("{")  # the console renderer
    assert logging.getLogger().level == logging.WARNING


def test_secrets_from_the_settings_never_reach_the_output(logs: io.StringIO) -> None:
    s = KafkaClientSettings(
        bootstrap_servers="memory:9092",
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "SCRAM-SHA-512", "username": "svc", "password": "hunter2-s3cret"},
        },
        native={"ssl.key.password": "key-pass-123"},
    )
    LoggingObserver(s, "producer")
    log = logging.getLogger("kafka_client.librdkafka")
    log.warning("connecting with sasl.password=hunter2-s3cret and key-pass-123")
    structlog.get_logger().info("config", password="anything", api_key="k", settings=str(s.native))
    output = logs.getvalue()
    assert "hunter2-s3cret" not in output
    assert "key-pass-123" not in output
    first, second = lines(logs)
    assert first["event"] == f"connecting with sasl.password={REDACTED} and {REDACTED}"
    assert (second["password"], second["api_key"]) == (REDACTED, REDACTED)


def test_redaction_rules() -> None:
    register_secret("abc")  # too short to scrub inside text: it would blank out ordinary words
    event = redact_secrets(
        None,
        "info",
        {"event": "abc", "sasl.password": "x", "access_token": "t", "token_count": 3, "topic": "orders"},
    )
    assert event == {
        "event": "abc",
        "sasl.password": REDACTED,
        "access_token": REDACTED,
        "token_count": 3,
        "topic": "orders",
    }


def test_log_lines_outside_any_span_or_message_carry_no_kafka_fields(logs: io.StringIO) -> None:
    assert trace.get_current_span() is trace.INVALID_SPAN
    structlog.get_logger().info("idle")
    (line,) = lines(logs)
    assert set(line) == {"event", "level", "logger", "timestamp"}


def test_a_message_without_a_header_gets_its_id_only_when_something_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import contextvars
    import threading

    from kafka_client.observability import correlation

    made: list[str] = []
    real = correlation.new_correlation_id
    monkeypatch.setattr(correlation, "new_correlation_id", lambda: made.append(real()) or made[-1])
    hooks = build_hooks(
        [LoggingObserver(settings(), "consumer")], client_id="svc", role="consumer", backend="m"
    )
    quiet = Message("orders", 0, 1, None, b"v", [], None)
    with hooks.processing(quiet):
        pass
    assert made == []  # processed, nothing logged or sent: no ID was made
    seen: list[str | None] = []
    with hooks.processing(Message("orders", 0, 2, None, b"v", [], None)):
        context = contextvars.copy_context()
        thread = threading.Thread(target=lambda: seen.append(context.run(correlation_id)))
        thread.start()
        thread.join()
        seen.append(correlation_id())
        seen.append(correlation_id())
    assert len(made) == 1
    assert seen == [made[0]] * 3  # the copy read it first; this context sees the same ID
    assert correlation_id() is None
    with correlation_scope("outer"), hooks.processing(quiet):
        assert correlation_id() == "outer"
    with hooks.processing(Message("orders", 0, 3, None, b"v", [("correlation-id", b"from-header")], None)):
        assert correlation_id() == "from-header"
    assert len(made) == 1
