"""CircuitBreaker.add_observer / remove_observer: the current state at once, then every change, once."""

from __future__ import annotations

import logging

import pytest

from kafka_client.resilience import CircuitBreaker, CircuitState


class Recorder:
    def __init__(self) -> None:
        self.states: list[tuple[str, CircuitState]] = []

    def on_circuit_state(self, name: str, state: CircuitState) -> None:
        self.states.append((name, state))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _opened(breaker: CircuitBreaker) -> None:
    assert breaker.try_acquire()
    breaker.record_failure()


def test_an_added_observer_hears_the_current_state_then_each_change() -> None:
    clock = Clock()
    breaker = CircuitBreaker(window_size=1, minimum_calls=1, open_for_s=10, name="db", clock=clock)
    recorder = Recorder()
    assert breaker.add_observer(recorder)
    _opened(breaker)
    clock.now = 10
    assert breaker.try_acquire()
    breaker.record_success()
    assert recorder.states == [
        ("db", CircuitState.CLOSED),
        ("db", CircuitState.OPEN),
        ("db", CircuitState.HALF_OPEN),
        ("db", CircuitState.CLOSED),
    ]


def test_adding_twice_or_a_constructor_observer_again_changes_nothing() -> None:
    given, added = Recorder(), Recorder()
    breaker = CircuitBreaker(window_size=1, minimum_calls=1, name="db", observers=[given])
    assert not breaker.add_observer(given)
    assert breaker.add_observer(added)
    assert not breaker.add_observer(added)
    assert not breaker.add_observer(object())  # no on_circuit_state: skipped
    _opened(breaker)
    assert given.states == [("db", CircuitState.OPEN)]
    assert added.states == [("db", CircuitState.CLOSED), ("db", CircuitState.OPEN)]


def test_an_observer_added_while_open_past_its_period_hears_half_open() -> None:
    clock = Clock()
    breaker = CircuitBreaker(window_size=1, minimum_calls=1, open_for_s=5, name="db", clock=clock)
    _opened(breaker)
    clock.now = 6
    recorder = Recorder()
    breaker.add_observer(recorder)
    assert recorder.states[-1] == ("db", CircuitState.HALF_OPEN)
    assert breaker.state is CircuitState.HALF_OPEN


def test_a_removed_observer_hears_nothing_more() -> None:
    breaker = CircuitBreaker(window_size=1, minimum_calls=1, name="db")
    recorder = Recorder()
    breaker.add_observer(recorder)
    breaker.remove_observer(recorder)
    breaker.remove_observer(recorder)  # twice: nothing happens
    _opened(breaker)
    assert recorder.states == [("db", CircuitState.CLOSED)]


def test_a_raising_observer_is_logged_when_added(caplog: pytest.LogCaptureFixture) -> None:
    class Raising:
        def on_circuit_state(self, name: str, state: CircuitState) -> None:
            raise RuntimeError("bug")

    breaker = CircuitBreaker(window_size=1, minimum_calls=1, name="db")
    caplog.set_level(logging.ERROR, logger="kafka_client.resilience")
    assert breaker.add_observer(Raising())
    _opened(breaker)  # raises again: logged again, the breaker still opens
    assert breaker.state is CircuitState.OPEN
    raised = [r for r in caplog.records if r.getMessage() == "an observer's on_circuit_state hook raised"]
    assert len(raised) == 2
