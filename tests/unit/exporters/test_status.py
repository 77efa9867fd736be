"""Each status rule, with synthetic commit-sample sequences (oldest first)."""

from __future__ import annotations

import pytest

from kafka_client_exporter import CommitSample, Status, evaluate
from kafka_client_exporter._status import StatusTracker, worst

WINDOW = 4


def samples(*points: tuple[int, int], owned: bool = True) -> list[CommitSample]:
    """(offset, lag) pairs, one per 10 s."""
    return [CommitSample(10.0 * i, offset, lag, owned) for i, (offset, lag) in enumerate(points)]


@pytest.mark.parametrize(
    ("points", "owned", "expected"),
    [
        pytest.param([], True, Status.OK, id="no samples"),
        pytest.param([(5, 9)], True, Status.OK, id="one sample: nothing to compare"),
        pytest.param([(5, 9), (5, 9), (5, 9), (5, 0)], True, Status.OK, id="current lag 0"),
        pytest.param([(5, 9), (7, 9), (3, 9), (4, 9)], True, Status.REWIND, id="offset went backwards"),
        pytest.param([(5, 9), (2, 12)], False, Status.REWIND, id="rewind before the window fills"),
        pytest.param([(5, 9), (5, 9), (5, 9)], True, Status.OK, id="window not full"),
        pytest.param([(5, 0), (5, 3), (5, 6), (5, 9)], False, Status.OK, id="caught up within the window"),
        pytest.param([(5, 3), (5, 6), (5, 9), (5, 12)], True, Status.STALL, id="same offset, member owns it"),
        pytest.param([(5, 3), (5, 6), (5, 9), (5, 12)], False, Status.STOP, id="same offset, no member"),
        pytest.param([(5, 3), (5, 3), (5, 3), (5, 3)], False, Status.STOP, id="stopped, nothing produced"),
        pytest.param([(5, 3), (6, 4), (7, 4), (9, 6)], True, Status.WARN, id="moving, lag never decreases"),
        pytest.param([(5, 3), (6, 4), (7, 2), (9, 6)], True, Status.OK, id="lag decreased once"),
        pytest.param([(5, 8), (9, 6), (14, 3), (16, 2)], True, Status.OK, id="catching up"),
    ],
)
def test_rules(points: list[tuple[int, int]], owned: bool, expected: Status) -> None:
    assert evaluate(samples(*points, owned=owned), WINDOW) is expected


def test_rewind_wins_over_stop_while_in_the_window_then_stop() -> None:
    history = samples((50, 1), (10, 41), (10, 41), (10, 45), owned=False)
    assert evaluate(history, WINDOW) is Status.REWIND
    assert evaluate([*history[1:], CommitSample(40.0, 10, 50, False)], WINDOW) is Status.STOP


def test_worst_and_codes() -> None:
    assert worst([]) is Status.OK
    assert worst([Status.OK, Status.STOP, Status.WARN]) is Status.STOP
    assert [s.value for s in Status] == [0, 1, 2, 3, 4]
    assert [s.name for s in Status] == ["OK", "WARN", "REWIND", "STALL", "STOP"]


def test_tracker_keeps_a_window_per_partition_and_forgets_the_gone() -> None:
    tracker = StatusTracker(3)
    key, other = ("g", "t", 0), ("g", "t", 1)
    for i in range(5):
        status = tracker.observe(key, CommitSample(float(i), 7, 10 + i, False))
    assert status is Status.STOP
    assert tracker.last_change(key) == 0.0
    tracker.observe(key, CommitSample(5.0, 8, 3, False))
    assert tracker.last_change(key) == 5.0
    tracker.observe(other, CommitSample(5.0, 1, 0, True))
    tracker.retain({other})
    assert len(tracker) == 1
    assert tracker.last_change(key) is None


def test_tracker_needs_two_samples() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        StatusTracker(1)
