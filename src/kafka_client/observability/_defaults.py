"""Which observers a client gets when the caller names none: those the settings turn on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings


def default_observers(settings: KafkaClientSettings, role: str) -> list[Any]:
    """The built-in observers enabled in ``settings.observability`` for a client of ``role``.

    Each plugin module is imported only when it is on, so a client with observability off imports none.
    """
    observability = settings.observability
    observers: list[Any] = []
    if observability.metrics_enabled:
        from kafka_client.observability.metrics import MetricsObserver

        observers.append(MetricsObserver(settings, role))
    if observability.tracing_enabled:
        from kafka_client.observability.tracing import TracingObserver

        observers.append(TracingObserver(settings, role))
    if observability.logging_enabled:
        from kafka_client.observability.logging import LoggingObserver

        observers.append(LoggingObserver(settings, role))
    del observability
    return observers
