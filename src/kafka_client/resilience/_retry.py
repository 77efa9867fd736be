"""Retry policies: exponential backoff with jitter, attempt and time budgets, retriable vs fatal errors.

One :class:`RetryPolicy` describes *how* to retry; each operation being retried gets its own
:class:`RetrySchedule` (attempts made, time spent), so one policy object is shared safely by many
messages, threads and tasks. The consumer's ``run()`` drives a schedule itself (its sleeps must be
interruptible by ``stop()`` and its breaker may pause the partitions instead); :meth:`RetryPolicy.call`
and :meth:`RetryPolicy.call_async` drive one for any other callable, e.g. a producer send.

The jitter formulas are the ones from AWS's "Exponential Backoff And Jitter" (Marc Brooker, 2015): with
``base = initial_backoff_s``, ``cap = max_backoff_s`` and ``exp = min(cap, base * multiplier ** n)``:

- ``none``: ``exp``
- ``full``: ``uniform(0, exp)`` (the default: spreads retries of many clients the most)
- ``equal``: ``exp / 2 + uniform(0, exp / 2)`` (never less than half the exponential delay)
- ``decorrelated``: ``min(cap, uniform(base, previous * multiplier))`` (AWS uses a factor of 3)
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Literal, ParamSpec, TypeVar

from kafka_client.errors import ConfigError, ConfigProblem, KafkaClientError

__all__ = ["Jitter", "RetryPolicy", "RetrySchedule"]

_log = logging.getLogger("kafka_client.resilience")

Jitter = Literal["full", "equal", "decorrelated", "none"]
"""How a retry delay is randomised (AWS's backoff-and-jitter variants), so retrying clients spread out."""
JITTERS: tuple[str, ...] = ("full", "equal", "decorrelated", "none")

P = ParamSpec("P")
T = TypeVar("T")
ExceptionTypes = tuple[type[BaseException], ...]


def _types(value: type[BaseException] | ExceptionTypes | None) -> ExceptionTypes:
    if value is None:
        return ()
    return (value,) if isinstance(value, type) else tuple(value)


class RetryPolicy:
    """How to retry a failing operation: how often, how long to wait between attempts, and for what.

    ::

        policy = RetryPolicy(max_attempts=5, initial_backoff_s=0.2, max_backoff_s=10, jitter="full")
        meta = policy.call(lambda: producer.send("orders", b"...").result(timeout=10))

    Args:
        max_attempts: attempts in all, the first included (1: no retry; None: no limit, then
            ``max_elapsed_s`` should be set).
        max_elapsed_s: give up rather than start a wait that would end more than this many seconds after
            the first attempt began (None: no time limit).
        initial_backoff_s: the first delay before jitter.
        max_backoff_s: no delay is longer than this.
        multiplier: each delay grows by this factor (before jitter).
        jitter: ``"full"`` (default), ``"equal"``, ``"decorrelated"`` or ``"none"`` (see the module doc).
        retry_on: the exception types worth retrying. None (default): any ``Exception``, except a
            :class:`~kafka_client.errors.KafkaClientError` whose ``retriable`` is False (a denied ACL or a
            bad configuration will not heal by waiting).
        fatal: exception types never retried, even if they match ``retry_on`` (checked first).
        rng: the random source for jitter; pass a seeded ``random.Random`` for deterministic tests.

    Raises ConfigError for impossible values (negative delays, no attempt at all, an unknown jitter).
    """

    __slots__ = (
        "fatal",
        "initial_backoff_s",
        "jitter",
        "max_attempts",
        "max_backoff_s",
        "max_elapsed_s",
        "multiplier",
        "retry_on",
        "rng",
    )

    def __init__(
        self,
        max_attempts: int | None = 3,
        max_elapsed_s: float | None = None,
        initial_backoff_s: float = 0.1,
        max_backoff_s: float = 30.0,
        multiplier: float = 2.0,
        jitter: Jitter = "full",
        retry_on: type[BaseException] | ExceptionTypes | None = None,
        fatal: type[BaseException] | ExceptionTypes | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        problems = []
        if max_attempts is not None and max_attempts < 1:
            problems.append(ConfigProblem("max_attempts", "must be at least 1 (or None)", repr(max_attempts)))
        if max_elapsed_s is not None and max_elapsed_s < 0:
            problems.append(ConfigProblem("max_elapsed_s", "must not be negative", repr(max_elapsed_s)))
        if initial_backoff_s < 0:
            problems.append(
                ConfigProblem("initial_backoff_s", "must not be negative", repr(initial_backoff_s))
            )
        if max_backoff_s < initial_backoff_s:
            problems.append(
                ConfigProblem("max_backoff_s", "must be at least initial_backoff_s", repr(max_backoff_s))
            )
        if multiplier < 1:
            problems.append(ConfigProblem("multiplier", "must be at least 1", repr(multiplier)))
        if jitter not in JITTERS:
            problems.append(
                ConfigProblem("jitter", "unknown jitter", repr(jitter), f"use one of: {', '.join(JITTERS)}")
            )
        if problems:
            raise ConfigError(problems, source="RetryPolicy")
        self.max_attempts = max_attempts
        self.max_elapsed_s = max_elapsed_s
        self.initial_backoff_s = float(initial_backoff_s)
        self.max_backoff_s = float(max_backoff_s)
        self.multiplier = float(multiplier)
        self.jitter: Jitter = jitter
        self.retry_on: ExceptionTypes | None = _types(retry_on) if retry_on is not None else None
        self.fatal: ExceptionTypes = _types(fatal)
        self.rng = rng if rng is not None else random.Random()

    @classmethod
    def no_retry(cls) -> RetryPolicy:
        """One attempt only: failures go straight to the dead-letter queue (or propagate)."""
        return cls(max_attempts=1)

    def is_retriable(self, exc: BaseException) -> bool:
        """Whether ``exc`` is worth another attempt (``fatal`` wins over ``retry_on``)."""
        if self.fatal and isinstance(exc, self.fatal):
            return False
        if self.retry_on is not None:
            return isinstance(exc, self.retry_on)
        if isinstance(exc, KafkaClientError):
            return bool(exc.retriable)
        return isinstance(exc, Exception)

    def delays(self) -> Iterator[float]:
        """The waits between attempts, in seconds: ``max_attempts - 1`` of them (endless if unlimited).

        Each call starts a new sequence (decorrelated jitter depends on the previous delay).
        """
        base, cap, mult, rng = self.initial_backoff_s, self.max_backoff_s, self.multiplier, self.rng
        count = None if self.max_attempts is None else self.max_attempts - 1
        previous = base
        n = 0
        while count is None or n < count:
            exponential = min(cap, base * mult**n) if n < 1024 else cap  # mult**n overflows floats
            if self.jitter == "none":
                delay = exponential
            elif self.jitter == "full":
                delay = rng.uniform(0.0, exponential)
            elif self.jitter == "equal":
                delay = exponential / 2 + rng.uniform(0.0, exponential / 2)
            else:
                delay = min(cap, rng.uniform(base, max(base, previous * mult)))
            previous = delay
            n += 1
            yield delay

    def start(self, clock: Callable[[], float] = time.monotonic) -> RetrySchedule:
        """A fresh schedule for one operation, its clock started now."""
        return RetrySchedule(self, clock)

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``fn(*args, **kwargs)``, retrying per this policy with ``time.sleep`` between attempts.

        Returns the first successful result. When the policy gives up, the last exception is raised
        unchanged, with a note saying how many attempts were made.
        """
        schedule = self.start()
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                delay = schedule.failed(exc)
                if delay is None:
                    raise
                time.sleep(delay)

    async def call_async(self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)``, retrying per this policy with ``asyncio.sleep`` between attempts."""
        schedule = self.start()
        while True:
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                delay = schedule.failed(exc)
                if delay is None:
                    raise
                await asyncio.sleep(delay)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_attempts={self.max_attempts}, max_elapsed_s={self.max_elapsed_s}, "
            f"initial_backoff_s={self.initial_backoff_s}, max_backoff_s={self.max_backoff_s}, "
            f"multiplier={self.multiplier}, jitter={self.jitter!r})"
        )


class RetrySchedule:
    """The retries of one operation: call :meth:`failed` after each failed attempt to learn whether, and
    after how long, to try again.

    ::

        schedule = policy.start()
        while True:
            try:
                return operation()
            except Exception as exc:
                delay = schedule.failed(exc)
                if delay is None:
                    raise
                time.sleep(delay)
    """

    __slots__ = ("_clock", "_delays", "_started", "attempts", "gave_up_because", "policy")

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._started = clock()
        self._delays = policy.delays()
        #: attempts made so far (failed ones, once :meth:`failed` has been told)
        self.attempts = 0
        #: why the last :meth:`failed` returned None: "fatal", "attempts" or "elapsed"
        self.gave_up_because: str | None = None

    @property
    def elapsed_s(self) -> float:
        """Seconds since the schedule started (the first attempt)."""
        return self._clock() - self._started

    def failed(self, exc: BaseException) -> float | None:
        """Record a failed attempt; return the delay before the next one, or None to give up.

        Giving up adds a note to ``exc`` (``gave up after 3 attempts in 1.20 s``) so the traceback says
        why it was not retried further.
        """
        self.attempts += 1
        policy = self.policy
        reason = None
        delay = None
        if not policy.is_retriable(exc):
            reason = "fatal"
        else:
            delay = next(self._delays, None)
            if delay is None:
                reason = "attempts"
            elif policy.max_elapsed_s is not None and self.elapsed_s + delay > policy.max_elapsed_s:
                reason = "elapsed"
        if reason is not None:
            self.gave_up_because = reason
            why = {
                "fatal": "not retriable",
                "attempts": "no attempts left",
                "elapsed": f"max_elapsed_s={policy.max_elapsed_s} reached",
            }[reason]
            exc.add_note(f"gave up after {self.attempts} attempt(s) in {self.elapsed_s:.2f} s ({why})")
            return None
        assert delay is not None
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "attempt %d failed (%s: %s); retrying in %.3f s",
                self.attempts,
                type(exc).__name__,
                _short(exc),
                delay,
            )
        return delay


def _short(exc: BaseException, limit: int = 200) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 3] + "..."
