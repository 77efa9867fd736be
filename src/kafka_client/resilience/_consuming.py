"""What ``Consumer.run`` / ``AsyncConsumer.run`` do with a message when retry, a dead-letter queue or a
circuit breaker is given: written once, as a plan of steps that a sync and an async driver carry out.

For each message the plan is: (circuit open? -> pause) call the handler; on failure ask the retry
schedule; retry after a backoff (an interruptible sleep), or give up and dead-letter it (committing past
it only once the DLQ acknowledged the write), or, without a DLQ, let the error propagate as before. A
poison pill (a record that failed to deserialize) goes to the DLQ at once: retrying cannot fix bytes.

While the circuit is open the consumer does not spin: the message in hand (and the rest of its batch) is
rewound with ``seek``, every assigned partition is paused, and the consumer keeps polling (serving
rebalances and staying in the group) until probes may run; then the partitions resume and the message is
fetched again, its attempt count carried over. The concurrent runner waits in place instead (its
queues keep the messages) while its fetch loop pauses the partitions.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Generator, Sequence
from typing import Any, NamedTuple

from kafka_client._records import Message, TopicPartition, TopicPartitionOffset
from kafka_client.consumer._core import ConsumerCore, PoisonPill
from kafka_client.resilience._breaker import CircuitBreaker, CircuitState
from kafka_client.resilience._dlq import DeadLetterQueue, FailureStage
from kafka_client.resilience._retry import RetryPolicy, RetrySchedule

__all__ = ["MessageHandling", "Outcome", "hold_while_open"]

_log = logging.getLogger("kafka_client.resilience")

_ONE_ATTEMPT = RetryPolicy(max_attempts=1)
_POLL_WHILE_OPEN_S = 0.2


class Outcome(enum.Enum):
    """How the handling of one message ended."""

    HANDLED = "handled"  # the handler succeeded; marked processed
    DEAD_LETTERED = "dead_lettered"  # written to the DLQ (acknowledged); marked processed
    REWOUND = "rewound"  # the circuit is open: rewound to be fetched again after the pause
    STOPPED = "stopped"  # stop() during a backoff or a wait: not processed, left for the next run


# --- the steps a plan asks its driver to take ---------------------------------------------------------


class _Call(NamedTuple):
    message: Message[Any, Any]  # reply: the exception the handler raised, or None


class _Sleep(NamedTuple):
    seconds: float  # reply: True when stop() was called meanwhile


class _WaitForCircuit(NamedTuple):
    message: Message[Any, Any]  # reply: True to abandon the message (stopping, or its partition revoked)


class _DeadLetter(NamedTuple):
    message: Message[Any, Any]
    error: BaseException
    attempts: int
    stage: FailureStage


_Step = _Call | _Sleep | _WaitForCircuit | _DeadLetter
Plan = Generator[_Step, Any, Outcome]


class MessageHandling:
    """One run's error handling: the retry policy, dead-letter queue and circuit breaker it was given.

    ``wait_in_place``: when the circuit is open, wait for it with the message in hand (the concurrent
    runner) instead of rewinding it (the sequential runs).
    """

    def __init__(
        self,
        core: ConsumerCore,
        *,
        retry: RetryPolicy | None,
        dead_letter_queue: DeadLetterQueue | None,
        circuit_breaker: CircuitBreaker | None,
        group_id: str | None,
        wait_in_place: bool = False,
    ) -> None:
        self.core = core
        self.retry = retry or _ONE_ATTEMPT
        self.dlq = dead_letter_queue
        self.breaker = circuit_breaker
        self.group_id = group_id
        self.wait_in_place = wait_in_place
        # A message rewound while the circuit was open keeps its attempts when it comes back.
        self._carried: dict[tuple[TopicPartition, int], RetrySchedule] = {}
        if circuit_breaker is not None:
            # the client's metrics and logs follow the breaker: its state now, then every change
            for observer in core.hooks.observers:
                circuit_breaker.add_observer(observer)

    def dead_lettered(self, step: _DeadLetter, dlq_topic: str) -> None:
        """Tell the client's observers that ``step``'s message is in ``dlq_topic`` (acknowledged)."""
        for hook in self.core.hooks.on_dead_letter:
            try:
                hook(step.message.topic, dlq_topic, step.error)
            except Exception:  # an observer's bug must not stop consumption: the write is done
                _log.exception("an observer's on_dead_letter hook raised")

    def plan(self, item: Message[Any, Any] | PoisonPill) -> Plan:
        """The steps for one fetched item; the generator's return value is its :class:`Outcome`."""
        core, breaker = self.core, self.breaker
        if isinstance(item, PoisonPill):
            if self.dlq is None:
                raise item.error  # as without error handling: a poison pill is never dropped silently
            yield _DeadLetter(item.record, item.error, 0, "deserialization")
            core.mark_processed(item.record)
            return Outcome.DEAD_LETTERED
        message = item
        key = (message.topic_partition, message.offset)
        schedule = self._carried.pop(key, None) or self.retry.start()
        while True:
            if breaker is not None and not breaker.try_acquire():
                if not self.wait_in_place:
                    self._carried[key] = schedule
                    return Outcome.REWOUND
                if (yield _WaitForCircuit(message)):
                    return Outcome.STOPPED
                continue
            try:
                error = yield _Call(message)
            except BaseException:  # KeyboardInterrupt, cancellation: the permit is not a verdict
                if breaker is not None:
                    breaker.release()
                raise
            if error is None:
                if breaker is not None:
                    breaker.record_success()
                core.mark_processed(message)
                return Outcome.HANDLED
            if breaker is not None:
                breaker.record_failure()
            delay = schedule.failed(error)
            if delay is None:
                if self.dlq is None:
                    raise error
                yield _DeadLetter(message, error, schedule.attempts, "handler")
                core.mark_processed(message)
                return Outcome.DEAD_LETTERED
            if breaker is not None and breaker.state is CircuitState.OPEN:
                continue  # the pause replaces the backoff
            if (yield _Sleep(delay)):
                return Outcome.STOPPED

    # --- the drivers --------------------------------------------------------------------------------

    def process(
        self,
        item: Message[Any, Any] | PoisonPill,
        handler: Callable[[Message[Any, Any]], Any],
        sleep: Callable[[float], bool],
    ) -> Outcome:
        """Carry out the plan for ``item`` on this thread. ``sleep(s)`` returns True if stopped meanwhile."""
        plan = self.plan(item)
        hooks = self.core.hooks
        reply: Any = None
        try:
            while True:
                step = plan.send(reply)
                reply = None
                if isinstance(step, _Call):
                    try:
                        with hooks.processing(step.message):
                            handler(step.message)
                    except Exception as exc:
                        reply = exc
                    except BaseException as exc:
                        plan.throw(exc)
                elif isinstance(step, _Sleep):
                    reply = sleep(step.seconds)
                elif isinstance(step, _DeadLetter):
                    assert self.dlq is not None
                    meta = self.dlq.send(
                        step.message, step.error, step.attempts, self.group_id, stage=step.stage
                    )
                    self.dead_lettered(step, meta.topic)
                else:  # pragma: no cover - only the concurrent (async) runner waits in place
                    raise AssertionError(f"unexpected step {step!r}")
        except StopIteration as done:
            outcome: Outcome = done.value
            return outcome

    async def process_async(
        self,
        item: Message[Any, Any] | PoisonPill,
        handler: Callable[[Message[Any, Any]], Awaitable[Any]],
        sleep: Callable[[float], Awaitable[bool]],
        wait_for_circuit: Callable[[Message[Any, Any]], Awaitable[bool]] | None = None,
    ) -> Outcome:
        """Carry out the plan for ``item`` on the event loop (handler awaited, sleeps and DLQ writes too)."""
        plan = self.plan(item)
        hooks = self.core.hooks
        reply: Any = None
        try:
            while True:
                step = plan.send(reply)
                reply = None
                if isinstance(step, _Call):
                    try:
                        with hooks.processing(step.message):
                            await handler(step.message)
                    except Exception as exc:
                        reply = exc
                    except BaseException as exc:
                        plan.throw(exc)
                elif isinstance(step, _Sleep):
                    reply = await sleep(step.seconds)
                elif isinstance(step, _DeadLetter):
                    assert self.dlq is not None
                    meta = await self.dlq.send_async(
                        step.message, step.error, step.attempts, self.group_id, stage=step.stage
                    )
                    self.dead_lettered(step, meta.topic)
                elif isinstance(step, _WaitForCircuit):
                    assert wait_for_circuit is not None
                    reply = await wait_for_circuit(step.message)
        except StopIteration as done:
            outcome: Outcome = done.value
            return outcome


def _position(item: Message[Any, Any] | PoisonPill) -> tuple[TopicPartition, int]:
    return TopicPartition(item.topic, item.partition), item.offset


def hold_while_open(
    core: ConsumerCore,
    breaker: CircuitBreaker,
    unprocessed: Sequence[Message[Any, Any] | PoisonPill],
    stopped: Callable[[], bool],
) -> None:
    """Rewind ``unprocessed`` (each partition to its first one), pause every assigned partition, and keep
    polling (rebalances served, commits made, nothing fetched) until the circuit lets probes through or
    ``stopped()``; then resume the partitions it paused. Blocking: run it on the consumer's thread.
    """
    backend = core.backend
    first: dict[TopicPartition, int] = {}
    for item in unprocessed:
        tp, offset = _position(item)
        first.setdefault(tp, offset)
    for tp, offset in first.items():
        backend.seek(TopicPartitionOffset(tp.topic, tp.partition, offset))
    paused = set(backend.assignment())
    backend.pause(sorted(paused))
    _log.warning(
        "circuit %r is open: paused %d partition(s) for %.2f s",
        breaker.name,
        len(paused),
        breaker.retry_after_s(),
    )
    try:
        while not stopped() and breaker.state is CircuitState.OPEN:
            core.maybe_commit()
            record = backend.poll(max(0.01, min(_POLL_WHILE_OPEN_S, breaker.retry_after_s())))
            if record is not None:
                # fetched before the pause took effect, or from a partition assigned meanwhile: put it back
                backend.seek(TopicPartitionOffset(record.topic, record.partition, record.offset))
            assigned = set(backend.assignment())
            fresh = assigned - paused
            if fresh or record is not None:
                more = fresh | ({TopicPartition(record.topic, record.partition)} if record else set())
                backend.pause(sorted(more & assigned))
                paused |= more
            paused &= assigned
    finally:
        still = sorted(paused & set(backend.assignment()))
        if still:
            backend.resume(still)
        _log.info("circuit %r: resumed %d partition(s)", breaker.name, len(still))


async def sleep_unless_stopped(seconds: float, stopped: Callable[[], bool], step: float = 0.05) -> bool:
    """``asyncio.sleep(seconds)`` that ends early once ``stopped()``; returns whether it did."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not stopped():
        left = deadline - loop.time()
        if left <= 0:
            return False
        await asyncio.sleep(min(step, left))
    return True
