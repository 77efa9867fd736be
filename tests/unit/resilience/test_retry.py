"""RetryPolicy: the delay sequences of every jitter (seeded, exact), the budgets, and what is retried."""

from __future__ import annotations

import random

import pytest

from kafka_client.errors import (
    AuthorizationError,
    BrokerUnavailableError,
    ConfigError,
    DeserializationError,
    KafkaClientError,
)
from kafka_client.resilience import RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _policy(jitter: str, seed: int = 7, **kwargs: object) -> RetryPolicy:
    options: dict[str, object] = {
        "max_attempts": 6,
        "initial_backoff_s": 1.0,
        "max_backoff_s": 10.0,
        "multiplier": 2.0,
    }
    options.update(kwargs)
    return RetryPolicy(jitter=jitter, rng=random.Random(seed), **options)  # type: ignore[arg-type]


def test_no_jitter_is_plain_capped_exponential_backoff() -> None:
    assert list(_policy("none").delays()) == [1.0, 2.0, 4.0, 8.0, 10.0]


def test_full_jitter_draws_uniformly_below_the_exponential_delay() -> None:
    rng = random.Random(7)
    expected = [rng.uniform(0, cap) for cap in (1.0, 2.0, 4.0, 8.0, 10.0)]
    assert list(_policy("full").delays()) == expected


def test_equal_jitter_keeps_at_least_half_of_the_exponential_delay() -> None:
    rng = random.Random(7)
    expected = [cap / 2 + rng.uniform(0, cap / 2) for cap in (1.0, 2.0, 4.0, 8.0, 10.0)]
    delays = list(_policy("equal").delays())
    assert delays == expected
    assert all(d >= cap / 2 for d, cap in zip(delays, (1.0, 2.0, 4.0, 8.0, 10.0), strict=True))


def test_decorrelated_jitter_grows_from_the_previous_delay_and_is_capped() -> None:
    rng = random.Random(7)
    previous, expected = 1.0, []
    for _ in range(5):
        previous = min(10.0, rng.uniform(1.0, previous * 2.0))
        expected.append(previous)
    delays = list(_policy("decorrelated").delays())
    assert delays == expected
    assert all(1.0 <= d <= 10.0 for d in delays)


def test_the_same_seed_gives_the_same_delays_and_each_call_starts_afresh() -> None:
    policy = _policy("none")
    assert list(policy.delays()) == list(policy.delays())
    assert list(_policy("full", seed=3).delays()) == list(_policy("full", seed=3).delays())


def test_delays_count_is_attempts_minus_one_and_unlimited_attempts_never_end() -> None:
    assert list(RetryPolicy(max_attempts=1).delays()) == []
    endless = RetryPolicy(max_attempts=None, jitter="none", initial_backoff_s=0.5, max_backoff_s=2.0).delays()
    assert [next(endless) for _ in range(2000)][-3:] == [2.0, 2.0, 2.0]  # no float overflow


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_elapsed_s": -1}, "max_elapsed_s"),
        ({"initial_backoff_s": -0.1}, "initial_backoff_s"),
        ({"initial_backoff_s": 5, "max_backoff_s": 1}, "max_backoff_s"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"jitter": "random"}, "jitter"),
    ],
)
def test_impossible_values_are_config_errors_naming_the_field(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(ConfigError) as raised:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert [p.path for p in raised.value.problems] == [path]


def test_default_classification_retries_exceptions_but_not_non_retriable_kafka_errors() -> None:
    policy = RetryPolicy()
    assert policy.is_retriable(ValueError("x"))
    assert policy.is_retriable(BrokerUnavailableError("down"))  # retriable = True
    assert not policy.is_retriable(AuthorizationError("denied"))  # retriable = False
    assert not policy.is_retriable(KeyboardInterrupt())


def test_retry_on_and_fatal_choose_exactly_and_fatal_wins() -> None:
    policy = RetryPolicy(retry_on=(ConnectionError, KafkaClientError), fatal=DeserializationError)
    assert policy.is_retriable(ConnectionError())
    assert policy.is_retriable(AuthorizationError("retry_on overrides the retriable flag"))
    assert not policy.is_retriable(ValueError())
    assert not policy.is_retriable(DeserializationError("poison"))


def test_call_retries_until_success_sleeping_the_policy_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("kafka_client.resilience._retry.time.sleep", slept.append)
    outcomes: list[Exception | str] = [ConnectionError("1"), ConnectionError("2"), "ok"]

    def flaky(suffix: str) -> str:
        item = outcomes.pop(0)
        if isinstance(item, Exception):
            raise item
        return item + suffix

    policy = _policy("none")
    assert policy.call(flaky, "!") == "ok!"
    assert slept == [1.0, 2.0]


def test_giving_up_raises_the_last_error_itself_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kafka_client.resilience._retry.time.sleep", lambda s: None)
    calls = 0

    def always() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError(f"attempt {calls}")

    with pytest.raises(ConnectionError, match="attempt 3") as raised:
        RetryPolicy(max_attempts=3, jitter="none").call(always)
    assert calls == 3
    assert any(
        "gave up after 3 attempt(s)" in note and "no attempts left" in note for note in raised.value.__notes__
    )


def test_fatal_errors_are_not_retried_at_all() -> None:
    calls = 0

    def denied() -> None:
        nonlocal calls
        calls += 1
        raise AuthorizationError("TOPIC_AUTHORIZATION_FAILED")

    with pytest.raises(AuthorizationError) as raised:
        RetryPolicy(max_attempts=10).call(denied)
    assert calls == 1
    assert "not retriable" in raised.value.__notes__[-1]


def test_max_elapsed_stops_before_a_wait_that_would_overrun_it() -> None:
    clock = FakeClock()
    schedule = RetryPolicy(max_attempts=None, max_elapsed_s=5.0, jitter="none", initial_backoff_s=1.0).start(
        clock
    )
    waits = []
    while (delay := schedule.failed(ConnectionError())) is not None:
        waits.append(delay)
        clock.now += delay
    assert waits == [1.0, 2.0]  # 1 + 2 = 3 s; the next wait (4 s) would end at 7 s > 5 s
    assert schedule.attempts == 3
    assert schedule.gave_up_because == "elapsed"


async def test_call_async_retries_with_asyncio_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("kafka_client.resilience._retry.asyncio.sleep", fake_sleep)
    failures = [TimeoutError(), TimeoutError()]

    async def flaky() -> int:
        if failures:
            raise failures.pop()
        return 42

    assert await _policy("none").call_async(flaky) == 42
    assert slept == [1.0, 2.0]


def test_repr_names_the_budgets() -> None:
    assert "max_attempts=3" in repr(RetryPolicy())
    assert "jitter='full'" in repr(RetryPolicy())
