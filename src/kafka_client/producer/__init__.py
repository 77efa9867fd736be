"""Producers: :class:`Producer` (sync) and :class:`AsyncProducer` (asyncio), one core underneath."""

from kafka_client.producer._async import AsyncProducer
from kafka_client.producer._future import DeliveryFuture
from kafka_client.producer._sync import Producer

__all__ = ["AsyncProducer", "DeliveryFuture", "Producer"]
