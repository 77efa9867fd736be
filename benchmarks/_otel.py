"""An OpenTelemetry SDK set-up shared by the traced contenders: 1% parent-based sampling, spans dropped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

SAMPLE_RATIO = 0.01
"""The share of new traces kept: the library's ``observability.trace_sample_ratio`` default."""


class NullSpanExporter(SpanExporter):
    """Accepts every batch and keeps nothing: the SDK's full cost, no exporter I/O or memory growth."""

    def __init__(self) -> None:
        self.exported = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Count the spans and drop them."""
        self.exported += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release."""


def sdk_tracer_provider() -> Any:
    """An SDK provider as a production service would run it, with :class:`NullSpanExporter`."""
    provider = TracerProvider(sampler=ParentBased(TraceIdRatioBased(SAMPLE_RATIO)))
    provider.add_span_processor(BatchSpanProcessor(NullSpanExporter()))
    return provider
