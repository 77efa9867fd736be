"""Tracing: spans only when an SDK samples them, W3C context across producer -> consumer -> producer."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from opentelemetry.trace import SpanKind, StatusCode

from kafka_client import (
    AsyncConsumer,
    AsyncProducer,
    Consumer,
    DeliveryError,
    Message,
    Producer,
    RecordMetadata,
)
from kafka_client.config import KafkaClientSettings
from kafka_client.errors import MissingDependencyError
from kafka_client.observability import ClientHooks, build_hooks, default_observers
from kafka_client.observability.tracing import (
    MAX_BATCH_LINKS,
    TracingObserver,
    configure_tracing,
    header_getter,
    header_setter,
)
from kafka_client.testing.memory import MemoryCluster

# Whether the producers hand the send's key (sent_ns) to before_send, so a span can end at the ack.
SEAM_PASSES_SENT_NS = "sent_ns" in inspect.signature(ClientHooks.add_headers).parameters
SERVERS = "kafka-1.example.com:9092"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def no_global_sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process as an application without OpenTelemetry set up sees it."""
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.delenv("OTEL_PYTHON_TRACER_PROVIDER", raising=False)
    return


def settings(**values: Any) -> KafkaClientSettings:
    # Every root send offered to the (always-on) test sampler, unless a test says otherwise.
    values.setdefault("observability", {"trace_sample_ratio": 1.0})
    return KafkaClientSettings(bootstrap_servers=SERVERS, client_id="svc", **values)


def bound(role: str, provider: TracerProvider, **values: Any) -> TracingObserver:
    observer = TracingObserver(settings(**values), role, tracer_provider=provider)
    observer.bind("svc", role, "memory")
    return observer


def spans(exporter: InMemorySpanExporter, name: str | None = None) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if name is None or s.name == name]


def traceparent(headers: list[tuple[str, bytes | None]]) -> str:
    values = [v for k, v in headers if k == "traceparent"]
    assert len(values) == 1
    assert values[0] is not None
    return values[0].decode()


def memory_producer(cluster: MemoryCluster, provider: TracerProvider) -> Producer[Any, Any]:
    s = settings(backend="memory")
    return Producer(
        s,
        transport=cluster.producer_backend(),
        observers=[TracingObserver(s, "producer", tracer_provider=provider)],
    )


def memory_consumer(
    cluster: MemoryCluster, provider: TracerProvider, topics: list[str]
) -> Consumer[Any, Any]:
    s = settings(backend="memory", consumer={"group_id": "billing"})
    return Consumer(
        s,
        topics=topics,
        transport=cluster.consumer_backend("billing"),
        observers=[TracingObserver(s, "consumer", tracer_provider=provider)],
    )


# --- no SDK: no hooks -------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_global_sdk")
@pytest.mark.parametrize("role", ["producer", "consumer"])
def test_without_an_sdk_the_client_gathers_no_tracing_hooks(role: str) -> None:
    observer = TracingObserver(settings(), role)
    hooks = build_hooks([observer], client_id="svc", role=role, backend="memory")
    assert not observer.active
    assert (hooks.before_send, hooks.after_delivery, hooks.process_scope, hooks.batch_scope) == (
        [],
        [],
        [],
        [],
    )
    assert (hooks.on_close, hooks.on_error, hooks.on_stats) == ([], [], [])


@pytest.mark.usefixtures("no_global_sdk")
def test_default_observers_cost_nothing_per_message_without_an_sdk() -> None:
    s = settings(observability={"logging_enabled": False, "metrics_enabled": False})
    hooks = build_hooks(default_observers(s, "producer"), client_id="svc", role="producer", backend="memory")
    assert (hooks.before_send, hooks.after_delivery, hooks.process_scope) == ([], [], [])


def test_a_no_op_provider_is_the_same_as_no_sdk() -> None:
    observer = TracingObserver(settings(), "producer", tracer_provider=trace.NoOpTracerProvider())
    hooks = build_hooks([observer], client_id="svc", role="producer", backend="memory")
    assert hooks.before_send == []


def test_messages_sent_without_an_sdk_carry_no_trace_headers(no_global_sdk: None) -> None:
    cluster = MemoryCluster()
    s = settings(backend="memory", observability={"logging_enabled": False})
    with Producer(s, transport=cluster.producer_backend()) as producer:
        producer.send("orders", b"v").result(5)
    assert cluster.records("orders")[0].headers == []


# --- producer ---------------------------------------------------------------------------------------


def test_a_sampled_send_gets_a_producer_span_with_messaging_attributes(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    with memory_producer(cluster, provider) as producer:
        producer.send("orders", b"v", headers={"source": "web"}).result(5)
    (span,) = spans(exporter)
    assert (span.name, span.kind) == ("orders send", SpanKind.PRODUCER)
    attributes = dict(span.attributes or {})
    assert {k: v for k, v in attributes.items() if k not in _DELIVERY_ATTRIBUTES} == {
        "messaging.system": "kafka",
        "messaging.operation.type": "send",
        "messaging.operation.name": "send",
        "messaging.destination.name": "orders",
        "messaging.client.id": "svc",
        "server.address": "kafka-1.example.com",
        "server.port": 9092,
    }
    assert span.status.status_code == StatusCode.UNSET
    headers = cluster.records("orders")[0].headers
    assert headers[0] == ("source", b"web")
    version, trace_id, span_id, flags = traceparent(headers).split("-")
    assert (version, trace_id, span_id) == (
        "00",
        f"{span.context.trace_id:032x}",
        f"{span.context.span_id:016x}",
    )
    assert int(flags, 16) & 1  # sampled


_DELIVERY_ATTRIBUTES = ("messaging.destination.partition.id", "messaging.kafka.offset")


@pytest.mark.skipif(not SEAM_PASSES_SENT_NS, reason="the producers do not pass sent_ns to before_send yet")
def test_through_the_producer_the_span_ends_at_the_delivery_report(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", 3)
    with memory_producer(cluster, provider) as producer:
        meta = producer.send("orders", b"v", partition=2).result(5)
    (span,) = spans(exporter)
    assert span.attributes is not None
    assert span.attributes["messaging.destination.partition.id"] == "2"
    assert span.attributes["messaging.kafka.offset"] == meta.offset


def test_the_span_times_send_to_ack_and_records_where_the_message_went(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider)
    headers = observer.before_send("orders", None, 1_000)
    assert headers is not None
    assert spans(exporter) == []  # still open: waiting for the broker
    observer.after_delivery("orders", None, RecordMetadata("orders", 2, 41, None), 1_000)
    (span,) = spans(exporter)
    assert span.attributes is not None
    assert span.attributes["messaging.destination.partition.id"] == "2"
    assert span.attributes["messaging.kafka.offset"] == 41
    assert traceparent(headers).split("-")[2] == f"{span.context.span_id:016x}"


def test_a_failed_delivery_sets_error_status_and_type(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider)
    observer.before_send("orders", [], 7)
    observer.after_delivery("orders", DeliveryError("delivery to 'orders' failed: timed out"), None, 7)
    (span,) = spans(exporter)
    assert span.status.status_code == StatusCode.ERROR
    assert span.status.description == "delivery to 'orders' failed: timed out"
    assert span.attributes is not None
    assert span.attributes["error.type"] == "DeliveryError"
    assert [e.name for e in span.events] == ["exception"]


def test_reports_for_other_messages_leave_an_open_span_alone(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider)
    observer.before_send("orders", None, 1)
    observer.after_delivery("orders", None, RecordMetadata("orders", 0, 0, None), 2)
    assert spans(exporter) == []
    observer.after_delivery("orders", None, RecordMetadata("orders", 0, 1, None), 1)
    assert len(spans(exporter)) == 1


def test_spans_still_waiting_at_close_end_with_an_error(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider)
    observer.before_send("orders", None, 5)
    observer.on_close()
    (span,) = spans(exporter)
    assert span.status.status_code == StatusCode.ERROR
    assert "closed before the delivery report" in (span.status.description or "")


def test_a_span_whose_report_never_comes_is_ended_once_stale(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider, producer={"delivery_timeout_ms": 40_000})
    observer.before_send("orders", None, 1)  # say the send then raised: no report will come
    observer.before_send("orders", None, 2 + 100 * 1_000_000_000)  # 100 s later: 40 s timeout + 60 s grace
    (orphan,) = spans(exporter)
    assert orphan.status.status_code == StatusCode.ERROR
    assert "no delivery report" in (orphan.status.description or "")


def test_without_a_delivery_key_the_span_ends_at_the_send(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider)
    observer.before_send("orders", None)  # a client that does not pass sent_ns
    observer.before_send("orders", None, 9)
    observer.before_send("orders", None, 9)  # the same key twice: the second cannot be tracked
    assert len(spans(exporter)) == 2


def test_an_unsampled_send_records_nothing_and_adds_no_header(exporter: InMemorySpanExporter) -> None:
    provider = TracerProvider(sampler=ALWAYS_OFF)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    observer = bound("producer", provider)
    assert observer.before_send("orders", None, 1) is None
    observer.after_delivery("orders", None, RecordMetadata("orders", 0, 0, None), 1)
    assert spans(exporter) == []


def test_an_unsampled_send_still_carries_the_callers_trace_context(exporter: InMemorySpanExporter) -> None:
    provider = TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    observer = bound("producer", provider)
    with provider.get_tracer("app").start_as_current_span("request") as request:
        headers = observer.before_send("orders", None, 1)
    assert headers is not None
    context = request.get_span_context()
    _version, trace_id, span_id, flags = traceparent(headers).split("-")
    assert (trace_id, span_id) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert int(flags, 16) & 1 == 0  # not sampled: the consumer's parent-based sampler agrees
    assert spans(exporter) == []


def test_baggage_travels_with_the_trace_context(provider: TracerProvider) -> None:
    observer = bound("producer", provider)
    token = otel_context.attach(baggage.set_baggage("tenant", "acme"))
    try:
        headers = observer.before_send("orders", None, 1)
    finally:
        otel_context.detach(token)
    assert headers is not None
    assert ("baggage", b"tenant=acme") in headers


def test_the_setter_replaces_a_forwarded_header_and_the_getter_reads_the_last() -> None:
    headers: list[tuple[str, bytes | None]] = [("traceparent", b"old"), ("x", b"1"), ("traceparent", b"old2")]
    header_setter.set(headers, "traceparent", "new")
    assert headers == [("x", b"1"), ("traceparent", b"new")]
    assert header_getter.get([("a", b"1"), ("a", None), ("a", b"2")], "a") == ["2"]
    assert header_getter.get([("a", None)], "a") is None
    assert header_getter.keys([("a", b"1"), ("b", None)]) == ["a", "b"]


# --- consumer ---------------------------------------------------------------------------------------


def test_a_trace_crosses_producer_consumer_and_the_handlers_own_send(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders", 2)
    with memory_producer(cluster, provider) as producer:
        with provider.get_tracer("app").start_as_current_span("checkout"):
            producer.send("orders", b"v", partition=1).result(5)
        downstream = memory_producer(cluster, provider)
        with memory_consumer(cluster, provider, ["orders"]) as consumer:
            seen: list[Any] = []

            def handle(message: Message[Any, Any]) -> None:
                seen.append(trace.get_current_span().get_span_context())
                downstream.send("invoices", b"i").result(5)

            consumer.run(handle, max_messages=1)
        downstream.close()
    checkout, send, process, downstream_send = (
        spans(exporter, n)[0] for n in ("checkout", "orders send", "orders process", "invoices send")
    )
    assert len({s.context.trace_id for s in (checkout, send, process, downstream_send)}) == 1
    assert send.parent is not None
    assert send.parent.span_id == checkout.context.span_id
    assert process.parent is not None
    assert process.parent.span_id == send.context.span_id
    assert process.parent.is_remote
    assert downstream_send.parent is not None
    assert downstream_send.parent.span_id == process.context.span_id
    assert seen[0].span_id == process.context.span_id  # the handler runs inside the process span
    assert process.kind == SpanKind.CONSUMER
    assert dict(process.attributes or {}) == {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": "orders",
        "messaging.destination.partition.id": "1",
        "messaging.kafka.offset": 0,
        "messaging.consumer.group.name": "billing",
        "messaging.client.id": "svc",
        "server.address": "kafka-1.example.com",
        "server.port": 9092,
    }


def test_a_message_without_trace_headers_starts_a_new_trace(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    cluster.inject_record("orders", 0, None, b"from elsewhere")
    with memory_consumer(cluster, provider, ["orders"]) as consumer:
        consumer.run(lambda m: None, max_messages=1)
    (process,) = spans(exporter, "orders process")
    assert process.parent is None


def test_a_handler_exception_marks_the_span_failed(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    cluster.inject_record("orders", 0, None, b"v")

    def fail(message: Message[Any, Any]) -> None:
        raise ValueError("bad order")

    with memory_consumer(cluster, provider, ["orders"]) as consumer, pytest.raises(ValueError, match="bad"):
        consumer.run(fail, max_messages=1)
    (process,) = spans(exporter, "orders process")
    assert process.status.status_code == StatusCode.ERROR
    assert process.status.description == "ValueError: bad order"
    assert (process.attributes or {})["error.type"] == "ValueError"
    (event,) = process.events
    assert event.name == "exception"
    assert (event.attributes or {})["exception.message"] == "bad order"


def test_iterating_puts_the_loop_body_inside_the_process_span(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    for i in range(2):
        cluster.inject_record("orders", 0, None, b"%d" % i)
    current = []
    with memory_consumer(cluster, provider, ["orders"]) as consumer:
        for message in consumer:
            current.append(trace.get_current_span().get_span_context().span_id)
            if message.offset == 1:
                break
        after_loop = trace.get_current_span()
    processed = spans(exporter, "orders process")
    assert [s.context.span_id for s in processed] == current
    assert after_loop is trace.INVALID_SPAN  # leaving the loop restored the context


def test_a_batch_gets_one_span_linked_to_every_producer_span_up_to_the_cap(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    count = MAX_BATCH_LINKS + 2
    with memory_producer(cluster, provider) as producer:
        for i in range(count):
            producer.send("orders", b"%d" % i)
        producer.flush(5)
    sends = spans(exporter, "orders send")
    consumer = memory_consumer(cluster, provider, ["orders"])
    batch = consumer.consume_batch(count, 5)
    hooks = build_hooks(
        [TracingObserver(consumer.settings, "consumer", tracer_provider=provider)],
        client_id="svc",
        role="consumer",
        backend="memory",
    )
    with hooks.processing_batch(batch) as span:
        assert trace.get_current_span() is span
    consumer.close()
    (process,) = spans(exporter, "orders process")
    assert process.kind == SpanKind.CONSUMER
    assert process.parent is None
    assert (process.attributes or {})["messaging.batch.message_count"] == count
    assert (process.attributes or {})["messaging.destination.name"] == "orders"
    assert [link.context.span_id for link in process.links] == [
        s.context.span_id for s in sends[:MAX_BATCH_LINKS]
    ]


def test_a_mixed_topic_batch_span_is_named_process_without_a_destination(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("consumer", provider, consumer={"group_id": "g"})
    messages = [Message("a", 0, 0, None, b"", [], None), Message("b", 0, 0, None, b"", [], None)]
    with observer.batch_scope(messages):
        pass
    with observer.batch_scope([]):
        pass
    (span,) = spans(exporter)
    assert span.name == "process"
    assert "messaging.destination.name" not in (span.attributes or {})
    assert span.links == ()


async def test_async_clients_carry_the_trace_across_await(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cluster = MemoryCluster()
    s = settings(backend="memory", consumer={"group_id": "billing"})
    producer: AsyncProducer[Any, Any] = AsyncProducer(
        s,
        transport=cluster.producer_backend(),
        observers=[TracingObserver(s, "producer", tracer_provider=provider)],
    )
    async with producer:
        with provider.get_tracer("app").start_as_current_span("request"):
            await producer.send("orders", b"v")
        consumer: AsyncConsumer[Any, Any] = AsyncConsumer(
            s,
            topics=["orders"],
            transport=cluster.consumer_backend("billing"),
            observers=[TracingObserver(s, "consumer", tracer_provider=provider)],
        )
        async with consumer:

            async def handle(message: Message[Any, Any]) -> None:
                await asyncio.sleep(0)
                await producer.send("invoices", b"i")

            await consumer.run(handle, max_messages=1)
    send, process, downstream = (
        spans(exporter, n)[0] for n in ("orders send", "orders process", "invoices send")
    )
    assert process.parent is not None
    assert process.parent.span_id == send.context.span_id
    assert downstream.parent is not None
    assert downstream.parent.span_id == process.context.span_id


# --- configure_tracing ------------------------------------------------------------------------------


def test_configure_tracing_builds_a_parent_based_ratio_sampler(exporter: InMemorySpanExporter) -> None:
    s = settings(observability={"trace_sample_ratio": 0.25})
    provider = configure_tracing("billing", exporter, settings=s, set_global=False)
    sampler = provider.sampler
    assert isinstance(sampler, ParentBased)
    assert "KafkaClientRootSampler{0.25;" in sampler.get_description()
    assert provider.resource.attributes["service.name"] == "billing"
    explicit = configure_tracing("billing", exporter, sample_ratio=1.0, set_global=False)
    with explicit.get_tracer("t").start_as_current_span("one"):
        pass
    explicit.force_flush()
    assert [s.name for s in exporter.get_finished_spans()] == ["one"]


def test_root_sends_are_offered_to_the_sampler_one_in_n_and_sends_in_a_trace_always(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("producer", provider, observability={"trace_sample_ratio": 0.25})
    for _ in range(8):
        observer.before_send("orders", None, 0)
    assert len(spans(exporter)) == 2  # sends 4 and 8 of 8, outside any trace
    with provider.get_tracer("app").start_as_current_span("request"):
        carried = [observer.before_send("orders", None, 0) for _ in range(3)]
    assert len(spans(exporter, "orders send")) == 5  # every send inside a trace gets its span
    assert all(h is not None and h[0][0] == "traceparent" for h in carried)
    never = bound("producer", provider, observability={"trace_sample_ratio": 0.0})
    for _ in range(10):
        assert never.before_send("orders", None, 0) is None
    assert len(spans(exporter, "orders send")) == 5


def test_configure_tracings_sampler_keeps_the_producer_and_consumer_roots_it_is_offered(
    exporter: InMemorySpanExporter,
) -> None:
    from opentelemetry.sdk.trace.sampling import Decision

    sampler = configure_tracing("svc", exporter, sample_ratio=0.0, set_global=False).sampler
    kafka = {"messaging.system": "kafka"}
    kept = sampler.should_sample(None, 1234, "orders send", trace.SpanKind.PRODUCER, kafka)
    processed = sampler.should_sample(None, 1234, "orders process", trace.SpanKind.CONSUMER, kafka)
    dropped = sampler.should_sample(None, 1234, "GET /", trace.SpanKind.SERVER, {})
    other_consumer = sampler.should_sample(None, 1234, "jobs", trace.SpanKind.CONSUMER, {})
    assert kept.decision is Decision.RECORD_AND_SAMPLE
    assert processed.decision is Decision.RECORD_AND_SAMPLE
    assert dropped.decision is Decision.DROP
    assert other_consumer.decision is Decision.DROP


def test_root_processing_is_offered_to_the_sampler_one_in_n_and_traced_messages_always(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    observer = bound("consumer", provider, observability={"trace_sample_ratio": 0.25})
    plain = Message("orders", 0, 1, None, b"v", [], None)
    current = []
    for _ in range(8):
        with observer.process_scope(plain) as span:
            current.append(trace.get_current_span() is span and span.get_span_context().is_valid)
    assert current == [False, False, False, True] * 2  # 4th and 8th offered; the others: no span
    assert len(spans(exporter, "orders process")) == 2
    with pytest.raises(ValueError, match="boom"), observer.process_scope(plain):
        raise ValueError("boom")  # not offered (9th): the error goes on, nothing to end
    producer = bound("producer", provider)
    traced = [
        Message("orders", 0, i, None, b"v", producer.before_send("orders", None, 0) or [], None)
        for i in range(3)
    ]
    for message in traced:
        with observer.process_scope(message):
            pass
    with provider.get_tracer("app").start_as_current_span("request"), observer.process_scope(plain):
        pass
    assert len(spans(exporter, "orders process")) == 2 + 3 + 1  # traced or inside a trace: always
    batches = [observer.batch_scope([plain, plain]) for _ in range(4)]
    for batch in batches:
        with batch:
            pass
    assert len(spans(exporter, "orders process")) == 6 + 1  # root batch spans: 1 in 4 as well
    never = bound("consumer", provider, observability={"trace_sample_ratio": 0.0})
    for _ in range(5):
        with never.process_scope(plain):
            pass
    assert len(spans(exporter, "orders process")) == 7


def test_configure_tracing_rejects_a_ratio_outside_0_1(exporter: InMemorySpanExporter) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        configure_tracing("svc", exporter, sample_ratio=2, set_global=False)


def test_configure_tracing_names_the_package_its_default_exporter_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> Any:
        if name.startswith("opentelemetry.exporter"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", missing)
    with pytest.raises(MissingDependencyError, match="opentelemetry-exporter-otlp-proto-http"):
        configure_tracing("svc", set_global=False)


async def test_breaking_out_of_async_iteration_ends_the_span_without_a_detach_error(
    provider: TracerProvider, exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    import gc

    cluster = MemoryCluster()
    cluster.inject_record("orders", 0, None, b"v")
    s = settings(backend="memory", consumer={"group_id": "billing"})
    async with AsyncConsumer(
        s,
        topics=["orders"],
        transport=cluster.consumer_backend("billing"),
        observers=[TracingObserver(s, "consumer", tracer_provider=provider)],
    ) as consumer:
        async for _ in consumer:
            break
        gc.collect()  # the suspended generator is finalized by asyncio, in another task
        await asyncio.sleep(0.05)
    assert [s.name for s in spans(exporter)] == ["orders process"]
    assert "Failed to detach context" not in caplog.text


def test_only_headers_the_propagator_reads_trigger_an_extraction(
    provider: TracerProvider, exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry import propagate
    from opentelemetry.propagators.textmap import TextMapPropagator
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    class OneHeader(TextMapPropagator):
        """A made-up propagator reading a span context from one 'x-trace' header: 'trace_id:span_id'."""

        fields = {"x-trace"}

        def extract(self, carrier: Any, context: Any = None, getter: Any = None) -> Any:
            (value,) = getter.get(carrier, "x-trace")
            trace_id, span_id = (int(part, 16) for part in value.split(":"))
            remote = SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(1))
            return trace.set_span_in_context(NonRecordingSpan(remote), context)

        def inject(self, carrier: Any, context: Any = None, setter: Any = None) -> None: ...

    observer = bound("consumer", provider, consumer={"group_id": "g"})
    plain = Message("orders", 0, 0, None, b"", [("correlation-id", b"c")], None)
    with observer.process_scope(plain):
        pass
    monkeypatch.setattr(propagate, "_HTTP_TEXT_FORMAT", OneHeader())  # swapped after the client was built
    traced = Message("orders", 0, 1, None, b"", [("x-trace", b"abc:def")], None)
    with observer.process_scope(traced):
        pass
    first, second = spans(exporter)
    assert first.parent is None
    assert second.parent is not None
    assert (second.parent.trace_id, second.parent.span_id) == (0xABC, 0xDEF)
