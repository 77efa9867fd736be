"""Consumers: :class:`Consumer` (sync) and :class:`AsyncConsumer` (asyncio), one core underneath."""

from kafka_client.consumer._async import AsyncConsumer
from kafka_client.consumer._sync import Consumer

__all__ = ["AsyncConsumer", "Consumer"]
