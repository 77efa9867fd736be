"""Observability: the hook seam every plugin (metrics, tracing, logging) and user observer plugs into."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kafka_client.observability._defaults import default_observers
from kafka_client.observability._hooks import ClientHooks, Observer, build_hooks
from kafka_client.observability.correlation import correlation_id, correlation_scope, new_correlation_id

if TYPE_CHECKING:
    from kafka_client.observability.logging import LoggingObserver, configure_logging
    from kafka_client.observability.metrics import (
        MetricsObserver,
        MetricsServer,
        metrics_app,
        metrics_wsgi_app,
        start_metrics_server,
    )
    from kafka_client.observability.tracing import TracingObserver, configure_tracing

# Tracing and logging import opentelemetry / structlog: loaded on first use, so a client with both off
# (or code that only touches the seam) does not pay for them.
_LAZY: dict[str, str] = {
    "LoggingObserver": "kafka_client.observability.logging",
    "configure_logging": "kafka_client.observability.logging",
    "TracingObserver": "kafka_client.observability.tracing",
    "configure_tracing": "kafka_client.observability.tracing",
    "MetricsObserver": "kafka_client.observability.metrics",
    "MetricsServer": "kafka_client.observability.metrics",
    "metrics_app": "kafka_client.observability.metrics",
    "metrics_wsgi_app": "kafka_client.observability.metrics",
    "start_metrics_server": "kafka_client.observability.metrics",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kafka_client.observability' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ClientHooks",
    "LoggingObserver",
    "MetricsObserver",
    "MetricsServer",
    "Observer",
    "TracingObserver",
    "build_hooks",
    "configure_logging",
    "configure_tracing",
    "correlation_id",
    "correlation_scope",
    "default_observers",
    "metrics_app",
    "metrics_wsgi_app",
    "new_correlation_id",
    "start_metrics_server",
]
