"""configure_tracing without the OpenTelemetry SDK installed: the error names the package and the extra."""

from __future__ import annotations

import sys

import pytest

from kafka_client.errors import MissingDependencyError
from kafka_client.observability.tracing import configure_tracing


def test_without_the_sdk_the_error_gives_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)  # as if not installed
    with pytest.raises(MissingDependencyError) as info:
        configure_tracing("billing", set_global=False)
    assert str(info.value) == (
        "configure_tracing() needs the 'opentelemetry-sdk' package, which is not installed. "
        "Install it with: pip install 'generic-kafka-producer[tracing]'"
    )


def test_the_root_sampler_describes_its_ratio_and_its_kafka_client_exception() -> None:
    provider = configure_tracing("billing", exporter=_NullExporter(), sample_ratio=0.25, set_global=False)
    try:
        description = provider.sampler.get_description()
    finally:
        provider.shutdown()
    assert description == (
        "ParentBased{root:KafkaClientRootSampler{0.25; kafka_client roots pre-sampled},"
        "remoteParentSampled:AlwaysOnSampler,remoteParentNotSampled:AlwaysOffSampler,"
        "localParentSampled:AlwaysOnSampler,localParentNotSampled:AlwaysOffSampler}"
    )


class _NullExporter:
    def export(self, spans: object) -> object:
        from opentelemetry.sdk.trace.export import SpanExportResult

        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
