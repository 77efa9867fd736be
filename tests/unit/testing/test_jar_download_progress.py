"""The jar download's progress: a redrawn bar on a terminal (at most ten times a second), lines otherwise."""

from __future__ import annotations

import io

import pytest

from kafka_client.testing import _jars
from kafka_client.testing._jars import JarLock, LockedJar, _Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_jars.time, "monotonic", fake.monotonic)
    return fake


def test_the_lock_totals_its_jar_sizes() -> None:
    jars = (LockedJar("g", "a", "1", 1_500_000, "x"), LockedJar("g", "b", "2", 500_000, "y"))
    assert JarLock("4.4.0", jars).total_size == 2_000_000


def test_on_a_terminal_the_bar_is_redrawn_at_most_every_tenth_of_a_second(clock: Clock) -> None:
    screen = Terminal()
    progress = _Progress(total=2_000_000, count=2, stream=screen)
    progress.begin()
    progress.advance(500_000)
    clock.now += 0.05
    progress.advance(500_000, finished_file=True)  # too soon: not drawn
    clock.now += 0.05
    progress.advance(1_000_000, finished_file=True)  # the last file: always drawn
    clock.now += 2.5
    progress.end()
    assert screen.getvalue() == (
        "kafka-client: downloading 2 Kafka broker jars (2.0 MB), once\n"
        "\r  [#######                       ]  25.0%     0.5/2.0 MB  0/2 jars"
        "\r  [##############################] 100.0%     2.0/2.0 MB  2/2 jars"
        "\nkafka-client: jars ready in 2.6 s\n"
    )


def test_off_a_terminal_only_the_first_and_last_lines_are_written(clock: Clock) -> None:
    log = io.StringIO()
    progress = _Progress(total=1_000_000, count=1, stream=log)
    progress.begin()
    progress.advance(1_000_000, finished_file=True)
    clock.now += 1.0
    progress.end()
    assert log.getvalue() == (
        "kafka-client: downloading 1 Kafka broker jars (1.0 MB), once\nkafka-client: jars ready in 1.0 s\n"
    )
