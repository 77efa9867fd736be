"""CircuitBreaker: closed -> open -> half-open -> closed/open on a fake clock; listeners, logs, observers."""

from __future__ import annotations

import logging

import pytest

from kafka_client.errors import ConfigError
from kafka_client.resilience import CircuitBreaker, CircuitOpenError, CircuitState


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Observer:
    def __init__(self) -> None:
        self.states: list[tuple[str, CircuitState]] = []

    def on_circuit_state(self, name: str, state: CircuitState) -> None:
        self.states.append((name, state))


def _breaker(clock: FakeClock, **kwargs: object) -> CircuitBreaker:
    options: dict[str, object] = {
        "failure_rate_threshold": 0.5,
        "window_size": 4,
        "minimum_calls": 4,
        "open_for_s": 10.0,
        "name": "billing",
        "clock": clock,
    }
    options.update(kwargs)
    return CircuitBreaker(**options)  # type: ignore[arg-type]


def _calls(breaker: CircuitBreaker, outcomes: str) -> None:
    for outcome in outcomes:
        assert breaker.try_acquire()
        (breaker.record_failure if outcome == "F" else breaker.record_success)()


def test_opens_only_at_the_threshold_over_minimum_calls() -> None:
    clock = FakeClock()
    breaker = _breaker(clock)
    _calls(breaker, "FFF")
    assert breaker.state is CircuitState.CLOSED  # 3 calls < minimum_calls
    _calls(breaker, "S")
    assert breaker.state is CircuitState.OPEN  # the window is full now, holding 3 failures in 4 calls
    breaker.reset()
    _calls(breaker, "SSF")
    assert breaker.state is CircuitState.CLOSED
    _calls(breaker, "F")  # 2 of 4 = 50%
    assert breaker.state is CircuitState.OPEN
    assert breaker.times_opened == 2


def test_the_window_slides_over_the_last_calls_only() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, failure_rate_threshold=0.75)
    _calls(breaker, "FFSSSS")  # the two failures slid out
    assert breaker.failure_rate == 0.0
    _calls(breaker, "FF")
    assert breaker.failure_rate == 0.5
    assert breaker.state is CircuitState.CLOSED


def test_open_refuses_then_half_open_admits_limited_probes_then_closes() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, minimum_calls=2, window_size=2, half_open_max_calls=2)
    _calls(breaker, "FF")
    assert not breaker.try_acquire()
    clock.now = 9.99
    assert breaker.retry_after_s() == pytest.approx(0.01)
    assert not breaker.try_acquire()
    clock.now = 10.0
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.try_acquire()
    assert breaker.try_acquire()
    assert not breaker.try_acquire()  # both probe slots taken
    breaker.record_success()
    assert breaker.state is CircuitState.HALF_OPEN
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.failure_rate == 0.0  # a closed circuit starts with a fresh window


def test_a_failed_probe_opens_again_for_the_full_period() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, minimum_calls=1, window_size=1)
    _calls(breaker, "F")
    clock.now = 10.0
    assert breaker.try_acquire()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert breaker.retry_after_s() == 10.0
    assert breaker.times_opened == 2


def test_release_returns_a_probe_slot_without_a_verdict() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, minimum_calls=1, window_size=1)
    _calls(breaker, "F")
    clock.now = 10.0
    assert breaker.try_acquire()
    breaker.release()
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.try_acquire()


def test_every_change_reaches_listeners_observers_and_the_log(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    seen: list[tuple[str, str, str]] = []
    observer, mute = Observer(), object()  # an observer without the hook is skipped
    breaker = _breaker(
        clock,
        minimum_calls=1,
        window_size=1,
        on_state_change=[lambda b, old, new: seen.append((b.name, old.value, new.value))],
        observers=[observer, mute],
    )
    caplog.set_level(logging.INFO, logger="kafka_client.resilience")
    _calls(breaker, "F")
    clock.now = 10.0
    _calls(breaker, "S")
    assert seen == [
        ("billing", "closed", "open"),
        ("billing", "open", "half_open"),
        ("billing", "half_open", "closed"),
    ]
    assert observer.states == [
        ("billing", CircuitState.OPEN),
        ("billing", CircuitState.HALF_OPEN),
        ("billing", CircuitState.CLOSED),
    ]
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "kafka_client.resilience"]
    assert records == [
        (
            "WARNING",
            "circuit 'billing' closed -> open (failure rate 100% over the last 1 calls; open for 10 s)",
        ),
        ("INFO", "circuit 'billing' open -> half_open (10 s passed; probing)"),
        ("INFO", "circuit 'billing' half_open -> closed (1 probe(s) succeeded)"),
    ]


def test_a_raising_listener_does_not_break_the_breaker(caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("listener bug")

    breaker = _breaker(FakeClock(), minimum_calls=1, window_size=1, on_state_change=[broken])
    _calls(breaker, "F")
    assert breaker.state is CircuitState.OPEN
    assert "listener raised" in caplog.text


def test_call_counts_outcomes_and_refuses_while_open() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, minimum_calls=2, window_size=2, ignore=(KeyError,))

    def boom() -> None:
        raise ConnectionError("down")

    def missing() -> None:
        raise KeyError("not a dependency failure")

    with pytest.raises(KeyError):
        breaker.call(missing)
    assert breaker.failure_rate == 0.0  # ignored: neither failure nor success
    for _ in range(2):
        with pytest.raises(ConnectionError):
            breaker.call(boom)
    with pytest.raises(CircuitOpenError, match="circuit 'billing' is open") as refused:
        breaker.call(lambda: None)
    assert refused.value.retriable
    assert refused.value.retry_after_s == 10.0
    clock.now = 10.0
    assert breaker.call(lambda: 5) == 5
    assert breaker.state is CircuitState.CLOSED


async def test_call_async_goes_through_the_breaker() -> None:
    breaker = _breaker(FakeClock(), minimum_calls=1, window_size=1)

    async def boom() -> None:
        raise ConnectionError

    with pytest.raises(ConnectionError):
        await breaker.call_async(boom)
    with pytest.raises(CircuitOpenError):
        await breaker.call_async(boom)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"failure_rate_threshold": 0}, "failure_rate_threshold"),
        ({"failure_rate_threshold": 1.5}, "failure_rate_threshold"),
        ({"window_size": 0, "minimum_calls": 1}, "window_size"),
        ({"window_size": 5, "minimum_calls": 6}, "minimum_calls"),
        ({"open_for_s": -1}, "open_for_s"),
        ({"half_open_max_calls": 0}, "half_open_max_calls"),
    ],
)
def test_impossible_values_are_config_errors(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(ConfigError) as raised:
        CircuitBreaker(**kwargs)  # type: ignore[arg-type]
    assert path in [p.path for p in raised.value.problems]
