"""The consume loop's token bucket: bursts up to one second's worth, then evenly spaced."""

from __future__ import annotations

import pytest

from kafka_client.consumer import _rate
from kafka_client.consumer._rate import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_rate.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(_rate.time, "sleep", fake.sleep)
    return fake


@pytest.mark.parametrize("rate", [0, -5])
def test_a_rate_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="rate_limit must be positive"):
        RateLimiter(rate)


def test_a_burst_of_one_seconds_worth_then_waits_that_space_events_out(clock: Clock) -> None:
    limiter = RateLimiter(4)
    assert [limiter.delay() for _ in range(4)] == [0.0, 0.0, 0.0, 0.0]
    assert limiter.delay() == 0.25
    assert limiter.delay() == 0.5  # each further event waits a quarter second more


def test_wait_sleeps_only_when_the_bucket_is_empty_and_refills_with_time(clock: Clock) -> None:
    limiter = RateLimiter(2)
    for _ in range(3):
        limiter.wait()
    assert clock.slept == [0.5]
    clock.now += 10  # idle for a long time: the bucket holds at most one second's worth
    for _ in range(2):
        limiter.wait()
    assert clock.slept == [0.5]
    limiter.wait()
    assert clock.slept == [0.5, 0.5]
