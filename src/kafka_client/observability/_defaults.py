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
    # metrics: (the metrics plugin adds itself here)
    # tracing: (the tracing plugin adds itself here)
    # logging: (the logging plugin adds itself here)
    del observability
    return observers
