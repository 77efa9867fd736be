"""Prometheus metrics for kafka_client's producers and consumers (see docs/metrics.md).

- :class:`MetricsObserver`: the per-client plugin (on by default through ``observability.metrics_enabled``).
- :data:`PROCESS_COLLECTOR`: every live client's metrics, for any registry you already serve.
- :func:`start_metrics_server`, :func:`metrics_app` (ASGI), :func:`metrics_wsgi_app` (WSGI): serve them.
- :mod:`~kafka_client.observability.metrics.names`: the metric names, as constants.
- :func:`metric_families` / :data:`FAMILIES`: every family's type, help, labels and buckets (a
  :class:`Family` each), for code that generates dashboards or documentation from them.

prometheus_client is imported only when something is served or collected, not when a client is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kafka_client.observability.metrics import names
from kafka_client.observability.metrics._collector import PROCESS_COLLECTOR, ClientMetricsCollector
from kafka_client.observability.metrics._families import FAMILIES, Family, metric_families
from kafka_client.observability.metrics._observer import MetricsObserver
from kafka_client.observability.metrics._snapshot import Snapshot

if TYPE_CHECKING:
    from kafka_client.observability.metrics._exposition import (
        PROCESS_REGISTRY,
        MetricsServer,
        metrics_app,
        metrics_wsgi_app,
        start_metrics_server,
    )

_EXPOSITION = ("PROCESS_REGISTRY", "MetricsServer", "metrics_app", "metrics_wsgi_app", "start_metrics_server")


def __getattr__(name: str) -> Any:
    if name not in _EXPOSITION:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("kafka_client.observability.metrics._exposition"), name)
    globals()[name] = value
    return value


__all__ = [
    "FAMILIES",
    "PROCESS_COLLECTOR",
    "PROCESS_REGISTRY",
    "ClientMetricsCollector",
    "Family",
    "MetricsObserver",
    "MetricsServer",
    "Snapshot",
    "metric_families",
    "metrics_app",
    "metrics_wsgi_app",
    "names",
    "start_metrics_server",
]
