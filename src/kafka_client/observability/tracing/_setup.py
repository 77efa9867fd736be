"""``configure_tracing``: an OpenTelemetry SDK set up in one call, for applications that have none."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from kafka_client.errors import MissingDependencyError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from kafka_client.config import KafkaClientSettings

__all__ = ["DEFAULT_SAMPLE_RATIO", "configure_tracing"]

#: The share of new traces recorded when neither ``sample_ratio`` nor settings say otherwise.
DEFAULT_SAMPLE_RATIO = 0.01


def configure_tracing(
    service_name: str,
    exporter: Any = None,
    *,
    sample_ratio: float | None = None,
    settings: KafkaClientSettings | None = None,
    set_global: bool = True,
) -> TracerProvider:
    """Create an SDK tracer provider (and make it the global one) so kafka_client's spans are recorded.

    Sampling is parent-based: a message whose producer's trace was sampled is always traced, and new
    traces are kept with probability ``sample_ratio`` (default: ``settings.observability.trace_sample_ratio``,
    else 1%). ``exporter`` is any SDK ``SpanExporter``, batched; by default OTLP over HTTP (the
    ``OTEL_EXPORTER_OTLP_*`` variables apply), which needs ``opentelemetry-exporter-otlp-proto-http``.

    Call it before creating clients: a client decides at construction whether it traces. Applications
    that already set up OpenTelemetry do not need it; their provider and sampler are used as they are.

    ::

        from kafka_client.observability.tracing import configure_tracing

        configure_tracing("billing", sample_ratio=0.05)
    """
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBased
    except ImportError as exc:
        raise MissingDependencyError("opentelemetry-sdk", "tracing", "configure_tracing()") from exc
    if sample_ratio is None:
        sample_ratio = (
            settings.observability.trace_sample_ratio if settings is not None else DEFAULT_SAMPLE_RATIO
        )
    if not 0.0 <= sample_ratio <= 1.0:
        raise ValueError(f"sample_ratio must be between 0 and 1, got {sample_ratio}")
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=ParentBased(_root_sampler(sample_ratio)),
    )
    provider.add_span_processor(BatchSpanProcessor(exporter if exporter is not None else _otlp_exporter()))
    if set_global:
        trace.set_tracer_provider(provider)
    return provider


_KAFKA_CLIENT_KINDS = (trace.SpanKind.PRODUCER, trace.SpanKind.CONSUMER)


def _root_sampler(ratio: float) -> Any:
    """New traces kept with probability ``ratio``, except those kafka_client's spans start (producer
    sends, consumer processing): the tracing observer already offers only ``ratio`` of its roots (see
    TracingObserver), so it keeps them all instead of applying the ratio twice."""
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Sampler, TraceIdRatioBased

    by_ratio = TraceIdRatioBased(ratio)

    class KafkaClientRootSampler(Sampler):
        def should_sample(
            self,
            parent_context: Any,
            trace_id: int,
            name: str,
            kind: Any = None,
            attributes: Any = None,
            links: Any = None,
            trace_state: Any = None,
        ) -> Any:
            chosen: Sampler = by_ratio
            if kind in _KAFKA_CLIENT_KINDS and attributes and attributes.get("messaging.system") == "kafka":
                chosen = ALWAYS_ON
            return chosen.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

        def get_description(self) -> str:
            return f"KafkaClientRootSampler{{{ratio}; kafka_client roots pre-sampled}}"

    return KafkaClientRootSampler()


def _otlp_exporter() -> Any:
    try:
        module = importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    except ImportError as exc:
        raise MissingDependencyError(
            "opentelemetry-exporter-otlp-proto-http", "tracing", "configure_tracing() without an exporter"
        ) from exc
    return module.OTLPSpanExporter()
