"""The ``run()`` loops used when retry, a dead-letter queue or a circuit breaker is given.

Kept out of the consumer facades so that a run without them stays exactly what it was; with them, the
loop is the same shape (fetch, handle, count, stop/idle/limit checks) with each message carried out by
:class:`~kafka_client.resilience._consuming.MessageHandling`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kafka_client._records import Message
from kafka_client.consumer._rate import RateLimiter
from kafka_client.resilience._breaker import CircuitBreaker
from kafka_client.resilience._consuming import MessageHandling, Outcome, hold_while_open, sleep_unless_stopped
from kafka_client.resilience._dlq import DeadLetterQueue
from kafka_client.resilience._retry import RetryPolicy

if TYPE_CHECKING:
    from kafka_client.consumer import AsyncConsumer, Consumer

__all__ = ["build_handling", "run_async_with_handling", "run_with_handling"]


def build_handling(
    consumer: Consumer[Any, Any] | AsyncConsumer[Any, Any],
    *,
    retry: RetryPolicy | None,
    dead_letter_queue: DeadLetterQueue | None,
    circuit_breaker: CircuitBreaker | None,
    wait_in_place: bool = False,
) -> MessageHandling:
    """The error handling of one run, with the consumer's group named in dead-letter headers."""
    core = consumer._core
    group_id = consumer.settings.consumer.group_id or getattr(core.backend, "group_id", None)
    return MessageHandling(
        core,
        retry=retry,
        dead_letter_queue=dead_letter_queue,
        circuit_breaker=circuit_breaker,
        group_id=group_id,
        wait_in_place=wait_in_place,
    )


def run_with_handling(
    consumer: Consumer[Any, Any],
    handler: Callable[[Message[Any, Any]], Any],
    handling: MessageHandling,
    *,
    max_messages: int | None,
    rate_limit: float | None,
    idle_timeout: float | None,
) -> int:
    """``Consumer.run`` with error handling; returns how many messages were handled or dead-lettered."""
    core = consumer._core
    stop = consumer._stop
    limiter = RateLimiter(rate_limit) if rate_limit else None
    done = 0
    idle_since = time.monotonic()
    while not stop.is_set() and (max_messages is None or done < max_messages):
        items = core.fetch(1, 0.2)
        if not items:
            if idle_timeout is not None and time.monotonic() - idle_since >= idle_timeout:
                break
            continue
        item = items[0]
        try:
            outcome = handling.process(item, handler, stop.wait)
        except BaseException:
            if core.commit_strategy != "manual":
                core.commit_processed()  # what came before the failure; nothing from it on
            raise
        if outcome is Outcome.REWOUND:
            assert handling.breaker is not None
            hold_while_open(core, handling.breaker, [item], stop.is_set)
            idle_since = time.monotonic()
            continue
        if outcome is Outcome.STOPPED:
            break
        done += 1
        idle_since = time.monotonic()
        if limiter is not None:
            limiter.wait()
    return done


async def run_async_with_handling(
    consumer: AsyncConsumer[Any, Any],
    handler: Callable[[Message[Any, Any]], Awaitable[Any]],
    handling: MessageHandling,
    *,
    max_messages: int | None,
    idle_timeout: float | None,
) -> int:
    """``AsyncConsumer.run`` (one at a time) with error handling; returns how many were handled or
    dead-lettered."""
    core = consumer._core
    loop = asyncio.get_running_loop()

    def stopped() -> bool:
        return consumer._stopping

    async def sleep(seconds: float) -> bool:
        return await sleep_unless_stopped(seconds, stopped)

    done = 0
    idle_since = loop.time()
    while not consumer._stopping and (max_messages is None or done < max_messages):
        want = (
            consumer._fetch_batch if max_messages is None else min(consumer._fetch_batch, max_messages - done)
        )
        batch = await consumer._call(core.fetch, want, 0.2)
        if not batch:
            if idle_timeout is not None and loop.time() - idle_since >= idle_timeout:
                break
            continue
        for index, item in enumerate(batch):
            try:
                outcome = await handling.process_async(item, handler, sleep)
            except BaseException:
                if core.commit_strategy != "manual":
                    await consumer._call(core.commit_processed)
                raise
            if outcome is Outcome.REWOUND:
                assert handling.breaker is not None
                await consumer._call(hold_while_open, core, handling.breaker, batch[index:], stopped)
                break
            if outcome is Outcome.STOPPED:
                return done
            done += 1
        idle_since = loop.time()
    return done
