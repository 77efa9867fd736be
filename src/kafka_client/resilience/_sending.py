"""Sending with a retry policy (and optionally a circuit breaker): the producer side of resilience.

A retry here only follows a failure that the delivery report confirmed (the message is no longer queued),
or a full local queue (nothing was queued): it never re-sends a message that may still be on its way.
Waiting for the report has no short timeout of its own: the producer's ``delivery_timeout`` bounds it,
so a broker that is down surfaces as a failed report, then a retry after the backoff.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kafka_client._records import RecordMetadata
from kafka_client.errors import KafkaTimeoutError
from kafka_client.resilience._breaker import CircuitBreaker
from kafka_client.resilience._retry import RetryPolicy

if TYPE_CHECKING:
    from kafka_client.producer import AsyncProducer, Producer
    from kafka_client.producer._core import HeadersInput

__all__ = ["send_with_retry", "send_with_retry_async"]


def _guarded(retry: RetryPolicy) -> RetryPolicy:
    """``retry`` that never retries a timed-out wait (the message may still be delivered: a duplicate)."""
    if retry.fatal and any(issubclass(KafkaTimeoutError, f) for f in retry.fatal):
        return retry
    guarded = RetryPolicy.__new__(RetryPolicy)
    for name in RetryPolicy.__slots__:
        setattr(guarded, name, getattr(retry, name))
    guarded.fatal = (*retry.fatal, KafkaTimeoutError)
    return guarded


def send_with_retry(
    producer: Producer[Any, Any],
    topic: str,
    value: Any = None,
    key: Any = None,
    *,
    retry: RetryPolicy,
    headers: HeadersInput = None,
    partition: int | None = None,
    timestamp: int | float | dt.datetime | None = None,
    circuit_breaker: CircuitBreaker | None = None,
    timeout_s: float | None = None,
) -> RecordMetadata:
    """Send one message and wait for its delivery, retrying per ``retry``; return where it was stored.

    ::

        meta = send_with_retry(producer, "orders", {"id": 7}, retry=RetryPolicy(max_attempts=5))

    ``circuit_breaker``: each attempt goes through it, and an open circuit refuses at once with
    :class:`CircuitOpenError` (retried per ``retry``, like any retriable error). ``timeout_s`` bounds each
    wait for a delivery report (None: until the producer's delivery timeout reports); a wait that times
    out is never retried, because the message may still be delivered. The last error is raised when the
    policy gives up.
    """
    policy = _guarded(retry)

    def attempt() -> RecordMetadata:
        future = producer.send(
            topic, value, key=key, headers=headers, partition=partition, timestamp=timestamp
        )
        return future.result(timeout=timeout_s)

    if circuit_breaker is None:
        return policy.call(attempt)
    _follow(circuit_breaker, producer)
    return policy.call(circuit_breaker.call, attempt)


async def send_with_retry_async(
    producer: AsyncProducer[Any, Any],
    topic: str,
    value: Any = None,
    key: Any = None,
    *,
    retry: RetryPolicy,
    headers: HeadersInput = None,
    partition: int | None = None,
    timestamp: int | float | dt.datetime | None = None,
    circuit_breaker: CircuitBreaker | None = None,
) -> RecordMetadata:
    """:func:`send_with_retry` for an :class:`AsyncProducer` (backoff with ``asyncio.sleep``)."""
    policy = _guarded(retry)

    async def attempt() -> RecordMetadata:
        return await producer.send(
            topic, value, key=key, headers=headers, partition=partition, timestamp=timestamp
        )

    if circuit_breaker is None:
        return await policy.call_async(attempt)
    _follow(circuit_breaker, producer)
    return await policy.call_async(circuit_breaker.call_async, attempt)


def _follow(breaker: CircuitBreaker, producer: Producer[Any, Any] | AsyncProducer[Any, Any]) -> None:
    """The producer's metrics and logs follow the breaker (added once; see CircuitBreaker.add_observer)."""
    for observer in producer._core.hooks.observers:
        breaker.add_observer(observer)
