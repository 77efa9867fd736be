"""Observability: the hook seam every plugin (metrics, tracing, logging) and user observer plugs into."""

from kafka_client.observability._defaults import default_observers
from kafka_client.observability._hooks import ClientHooks, Observer, build_hooks

__all__ = ["ClientHooks", "Observer", "build_hooks", "default_observers"]
