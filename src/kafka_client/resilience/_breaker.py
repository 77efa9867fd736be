"""A circuit breaker: stop calling something that keeps failing, and probe it again after a while.

Closed (calls flow; outcomes are counted in a sliding window of the last ``window_size`` calls) -> open
(the failure rate reached the threshold over at least ``minimum_calls``: calls are refused for
``open_for_s``) -> half-open (up to ``half_open_max_calls`` probe calls may run; when that many succeed
it closes, the first failure opens it again).

Every state change is logged on ``kafka_client.resilience`` (WARNING when opening, INFO otherwise), told
to the ``on_state_change`` listeners, and to every observer having an ``on_circuit_state(name, state)``
method (the metrics plugin exports them). The consumer's ``run(..., circuit_breaker=...)`` registers its
client's observers with the breaker, and pauses its partitions while the circuit is open, so a
downstream outage does not spin or flood the dead-letter queue.
"""

from __future__ import annotations

import collections
import enum
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from kafka_client.errors import ConfigError, ConfigProblem, KafkaClientError

__all__ = ["CircuitBreaker", "CircuitOpenError", "CircuitState", "StateListener"]

_log = logging.getLogger("kafka_client.resilience")

P = ParamSpec("P")
T = TypeVar("T")


class CircuitState(enum.StrEnum):
    """Where a :class:`CircuitBreaker` is: ``closed``, ``open`` (refusing calls), ``half_open`` (probing)."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


StateListener = Callable[["CircuitBreaker", CircuitState, CircuitState], None]
"""Called as ``listener(breaker, old_state, new_state)`` after every state change."""


class CircuitOpenError(KafkaClientError):
    """A call was refused because its circuit breaker is open; ``retry_after_s`` says when it may probe."""

    retriable = True

    def __init__(self, name: str, retry_after_s: float) -> None:
        super().__init__(f"circuit {name!r} is open; calls are refused for another {retry_after_s:.2f} s")
        self.name = name
        self.retry_after_s = retry_after_s


class CircuitBreaker:
    """Refuse calls to a failing dependency for a while, then let a few probes through.

    ::

        breaker = CircuitBreaker(failure_rate_threshold=0.5, window_size=20, minimum_calls=10, open_for_s=30)
        consumer.run(handle, circuit_breaker=breaker)          # partitions pause while it is open
        breaker.call(send_invoice, order)                       # or around any call: CircuitOpenError

    Args:
        failure_rate_threshold: open when at least this fraction (0 < x <= 1) of the windowed calls failed.
        window_size: how many of the most recent calls the failure rate is computed over.
        minimum_calls: no opening before this many calls are in the window (one early failure is no trend).
        open_for_s: how long an open circuit refuses calls before it lets probes through.
        half_open_max_calls: probe calls allowed at once while half-open; this many successes close it.
        name: names the circuit in logs, metrics and errors.
        clock: a monotonic clock in seconds (inject a fake one in tests).
        on_state_change: listeners called as ``listener(breaker, old, new)`` after each change.
        observers: objects told ``observer.on_circuit_state(name, state)`` after each change (those that
            lack the method are skipped), e.g. the Prometheus metrics observer. A consumer's ``run()``
            adds its client's observers itself (:meth:`add_observer`).
        ignore: exception types that :meth:`call` does not count as failures (nor as successes).

    Thread-safe: one lock guards the counts; listeners run outside it.
    """

    def __init__(
        self,
        failure_rate_threshold: float = 0.5,
        window_size: int = 20,
        minimum_calls: int = 10,
        open_for_s: float = 30.0,
        half_open_max_calls: int = 1,
        *,
        name: str = "default",
        clock: Callable[[], float] = time.monotonic,
        on_state_change: Sequence[StateListener] = (),
        observers: Sequence[Any] = (),
        ignore: tuple[type[BaseException], ...] = (),
    ) -> None:
        problems = []
        if not 0 < failure_rate_threshold <= 1:
            problems.append(
                ConfigProblem(
                    "failure_rate_threshold", "must be in (0, 1]", repr(failure_rate_threshold), "0.5 is 50%"
                )
            )
        if window_size < 1:
            problems.append(ConfigProblem("window_size", "must be at least 1", repr(window_size)))
        if not 1 <= minimum_calls <= max(window_size, 1):
            problems.append(
                ConfigProblem("minimum_calls", "must be between 1 and window_size", repr(minimum_calls))
            )
        if open_for_s < 0:
            problems.append(ConfigProblem("open_for_s", "must not be negative", repr(open_for_s)))
        if half_open_max_calls < 1:
            problems.append(
                ConfigProblem("half_open_max_calls", "must be at least 1", repr(half_open_max_calls))
            )
        if problems:
            raise ConfigError(problems, source="CircuitBreaker")
        self.name = name
        self.failure_rate_threshold = failure_rate_threshold
        self.window_size = window_size
        self.minimum_calls = minimum_calls
        self.open_for_s = open_for_s
        self.half_open_max_calls = half_open_max_calls
        self.ignore = ignore
        self._clock = clock
        self._listeners: list[StateListener] = list(on_state_change)
        self._observers = [o for o in observers if hasattr(o, "on_circuit_state")]
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._window: collections.deque[bool] = collections.deque(maxlen=window_size)  # True: failed
        self._failures = 0
        self._opened_at = 0.0
        self._probes = 0  # half-open permits handed out and not yet reported
        self._probe_successes = 0
        #: how many times the circuit opened (a cheap counter for tests and dashboards)
        self.times_opened = 0

    # --- listeners ----------------------------------------------------------------------------------

    def add_listener(self, listener: StateListener) -> None:
        """Call ``listener(breaker, old, new)`` after every future state change."""
        self._listeners.append(listener)

    def add_observer(self, observer: Any) -> bool:
        """Tell ``observer.on_circuit_state(name, state)`` the current state now, then every change.

        What ``Consumer.run(..., circuit_breaker=breaker)`` does with its client's observers, so their
        metrics and logs follow the breaker. Adding an observer twice (or one given to the constructor)
        changes nothing; an object without ``on_circuit_state`` is skipped. Returns whether it was added.
        """
        if not hasattr(observer, "on_circuit_state"):
            return False
        changes: list[tuple[CircuitState, CircuitState, str]] = []
        with self._lock:
            if any(known is observer for known in self._observers):
                return False
            self._refresh(changes)
            # copy on write: _changed() iterates the list outside the lock
            self._observers = [*self._observers, observer]
            state = self._state
        self._changed(changes)
        try:
            observer.on_circuit_state(self.name, state)
        except Exception:
            _log.exception("an observer's on_circuit_state hook raised")
        return True

    def remove_observer(self, observer: Any) -> None:
        """Stop telling ``observer`` about state changes (nothing happens if it was not told)."""
        with self._lock:
            self._observers = [known for known in self._observers if known is not observer]

    def _changed(self, changes: list[tuple[CircuitState, CircuitState, str]]) -> None:
        for old, new, why in changes:
            level = logging.WARNING if new is CircuitState.OPEN else logging.INFO
            _log.log(level, "circuit %r %s -> %s (%s)", self.name, old.value, new.value, why)
            for listener in self._listeners:
                try:
                    listener(self, old, new)
                except Exception:
                    _log.exception("a circuit breaker state listener raised")
            for observer in self._observers:
                try:
                    observer.on_circuit_state(self.name, new)
                except Exception:
                    _log.exception("an observer's on_circuit_state hook raised")

    # --- state (callers hold the lock) --------------------------------------------------------------

    def _set(
        self, new: CircuitState, why: str, changes: list[tuple[CircuitState, CircuitState, str]]
    ) -> None:
        old = self._state
        if old is new:
            return
        self._state = new
        if new is CircuitState.OPEN:
            self._opened_at = self._clock()
            self.times_opened += 1
        if new is not CircuitState.HALF_OPEN:
            self._probes = 0
        self._probe_successes = 0
        if new is CircuitState.CLOSED:
            self._window.clear()
            self._failures = 0
        changes.append((old, new, why))

    def _refresh(self, changes: list[tuple[CircuitState, CircuitState, str]]) -> None:
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self.open_for_s:
            self._set(CircuitState.HALF_OPEN, f"{self.open_for_s:g} s passed; probing", changes)

    @property
    def state(self) -> CircuitState:
        """The current state (an open circuit turns half-open here once ``open_for_s`` has passed)."""
        changes: list[tuple[CircuitState, CircuitState, str]] = []
        with self._lock:
            self._refresh(changes)
            state = self._state
        self._changed(changes)
        return state

    @property
    def failure_rate(self) -> float:
        """The fraction of failed calls in the window (0.0 when empty)."""
        with self._lock:
            return self._failures / len(self._window) if self._window else 0.0

    def retry_after_s(self) -> float:
        """Seconds until an open circuit lets probes through (0.0 unless open)."""
        with self._lock:
            if self._state is not CircuitState.OPEN:
                return 0.0
            return max(0.0, self.open_for_s - (self._clock() - self._opened_at))

    # --- the call protocol --------------------------------------------------------------------------

    def try_acquire(self) -> bool:
        """Ask to make one call: True if it may run (report it with :meth:`record_success`,
        :meth:`record_failure` or :meth:`release`), False while open or when every probe slot is taken."""
        changes: list[tuple[CircuitState, CircuitState, str]] = []
        with self._lock:
            self._refresh(changes)
            if self._state is CircuitState.CLOSED:
                allowed = True
            elif self._state is CircuitState.HALF_OPEN and self._probes < self.half_open_max_calls:
                self._probes += 1
                allowed = True
            else:
                allowed = False
        self._changed(changes)
        return allowed

    def record_success(self) -> None:
        """Report that a permitted call succeeded."""
        changes: list[tuple[CircuitState, CircuitState, str]] = []
        with self._lock:
            if self._state is CircuitState.CLOSED:
                self._record(False, changes)
            elif self._state is CircuitState.HALF_OPEN:
                self._probes = max(0, self._probes - 1)
                self._probe_successes += 1
                if self._probe_successes >= self.half_open_max_calls:
                    self._set(CircuitState.CLOSED, f"{self._probe_successes} probe(s) succeeded", changes)
        self._changed(changes)

    def record_failure(self) -> None:
        """Report that a permitted call failed."""
        changes: list[tuple[CircuitState, CircuitState, str]] = []
        with self._lock:
            if self._state is CircuitState.CLOSED:
                self._record(True, changes)
            elif self._state is CircuitState.HALF_OPEN:
                self._set(CircuitState.OPEN, f"a probe failed; open for {self.open_for_s:g} s", changes)
        self._changed(changes)

    def release(self) -> None:
        """Give back a permit whose call did not run (it counts neither way)."""
        with self._lock:
            if self._state is CircuitState.HALF_OPEN:
                self._probes = max(0, self._probes - 1)

    def _record(self, failed: bool, changes: list[tuple[CircuitState, CircuitState, str]]) -> None:
        """Count a closed-state call; open when the window's failure rate reaches the threshold (checked
        after successes too: the window may fill up with a success while holding enough failures)."""
        window = self._window
        if len(window) == window.maxlen and window[0]:
            self._failures -= 1
        window.append(failed)
        if failed:
            self._failures += 1
        calls = len(window)
        rate = self._failures / calls
        if calls >= self.minimum_calls and self._failures and rate >= self.failure_rate_threshold:
            why = f"failure rate {rate:.0%} over the last {calls} calls; open for {self.open_for_s:g} s"
            self._set(CircuitState.OPEN, why, changes)

    def reset(self) -> None:
        """Close the circuit and forget the window (an operator's manual override)."""
        changes: list[tuple[CircuitState, CircuitState, str]] = []
        with self._lock:
            self._set(CircuitState.CLOSED, "reset", changes)
            self._window.clear()
            self._failures = 0
        self._changed(changes)

    def _refused(self) -> CircuitOpenError:
        return CircuitOpenError(self.name, self.retry_after_s())

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``fn`` through the breaker; raise :class:`CircuitOpenError` (without calling) while open."""
        if not self.try_acquire():
            raise self._refused()
        try:
            result = fn(*args, **kwargs)
        except self.ignore:
            self.release()
            raise
        except Exception:
            self.record_failure()
            raise
        except BaseException:
            self.release()
            raise
        self.record_success()
        return result

    async def call_async(self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn`` through the breaker; raise :class:`CircuitOpenError` (without calling) while open."""
        if not self.try_acquire():
            raise self._refused()
        try:
            result = await fn(*args, **kwargs)
        except self.ignore:
            self.release()
            raise
        except Exception:
            self.record_failure()
            raise
        except BaseException:
            self.release()
            raise
        self.record_success()
        return result

    def __repr__(self) -> str:
        return f"<CircuitBreaker {self.name!r} {self._state.value} failure_rate={self.failure_rate:.0%}>"
