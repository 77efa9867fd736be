"""Consumers dying under real load, as subprocesses on the session broker, on both real backends.

- SIGKILL mid-batch: a new consumer in the group resumes from the committed offsets; every message is
  processed at least once, and the messages processed twice are EXACTLY the uncommitted tail (the
  records the dead process had processed past the offsets the broker holds for the group).
- SIGTERM: ``stop_on_signals()`` finishes the message in hand, commits and exits 0; the next consumer
  processes no message twice.

Each test prints its row of the fault table (run with ``-s``).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kafka_client import Producer, TopicPartition
from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker

WORKER = Path(__file__).with_name("_consumer_worker.py")
PARTITIONS = 3
PER_PARTITION = 2_000
TOTAL = PARTITIONS * PER_PARTITION

Position = tuple[int, int]


@pytest.fixture(params=["confluent", "kafka-python"])
def process_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _fill(bootstrap: str, topic: str) -> None:
    with Producer(bootstrap_servers=bootstrap) as producer:
        for p in range(PARTITIONS):
            for i in range(PER_PARTITION):
                producer.send(topic, f"{p}:{i}".encode(), key=str(i).encode(), partition=p)
        assert producer.flush(60) == 0


def _start(config: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(worker: subprocess.Popen[str], expected: str, timeout: float = 90.0) -> None:
    assert worker.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        if line.strip() == expected:
            return
        if not line and worker.poll() is not None:
            break
    worker.kill()
    _, err = worker.communicate(timeout=10)
    raise AssertionError(f"the worker never printed {expected!r}; exit {worker.returncode}; stderr:\n{err}")


def _finish(worker: subprocess.Popen[str], timeout: float = 120.0) -> int:
    try:
        _, err = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        _, err = worker.communicate(timeout=10)
        raise AssertionError(f"the worker did not finish in {timeout} s; stderr:\n{err}") from None
    assert worker.returncode in (0, -signal.SIGKILL), f"worker failed ({worker.returncode}):\n{err}"
    return worker.returncode


def _log(path: Path) -> list[Position]:
    if not path.exists():
        return []
    return [(int(p), int(o)) for p, o in (line.split() for line in path.read_text().splitlines())]


def _committed(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    with KafkaAdmin(bootstrap_servers=bootstrap) as admin:
        offsets = admin.committed_offsets(group)
    return {
        p: offsets[TopicPartition(topic, p)].offset
        for p in range(PARTITIONS)
        if TopicPartition(topic, p) in offsets
    }


def _wait_for_lines(path: Path, count: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while len(_log(path)) < count:
        assert time.monotonic() < deadline, f"only {len(_log(path))} of {count} records processed in time"
        time.sleep(0.05)


def _row(fault: str, backend: str, first: list[Position], second: list[Position]) -> tuple[int, int]:
    processed = first + second
    received = len(set(processed))
    lost = TOTAL - received
    duplicated = len(processed) - received
    print(f"\n| {fault} ({backend}) | {TOTAL} | {received} | {lost} | {duplicated} |")
    return lost, duplicated


def test_sigkill_mid_batch_reprocesses_exactly_the_uncommitted_tail(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], process_backend: str, tmp_path: Path
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic, group = kafka_topic(PARTITIONS), f"fault-kill-{uuid.uuid4().hex[:8]}"
    _fill(bootstrap, topic)
    base = {
        "settings": {"bootstrap_servers": bootstrap, "backend": process_backend},
        "topic": topic,
        "partitions": PARTITIONS,
    }
    base.update(group=group, mode="batch")

    # 2 550 is not a multiple of the batch size (100): the worker stops mid-batch, before its commit.
    dying = _start({**base, "log": str(tmp_path / "first.log"), "hold_after": 2_550})
    _wait_for_line(dying, "holding")
    dying.send_signal(signal.SIGKILL)
    assert _finish(dying) == -signal.SIGKILL
    first = _log(tmp_path / "first.log")
    assert len(first) == len(set(first)) == 2_550

    committed = _committed(bootstrap, group, topic)  # what the broker holds, read before the restart
    starts = {p: committed.get(p, 0) for p in range(PARTITIONS)}
    by_partition = {p: {o for q, o in first if q == p} for p in range(PARTITIONS)}
    for p in range(PARTITIONS):
        assert set(range(starts[p])) <= by_partition[p], "an offset was committed before it was processed"
    tail = {(p, o) for p, o in first if o >= starts[p]}
    assert tail, "the worker held mid-batch, so some processed records must be uncommitted"

    remaining = TOTAL - sum(starts.values())
    resumed = _start({**base, "log": str(tmp_path / "second.log"), "max_messages": remaining})
    assert _finish(resumed) == 0
    second = _log(tmp_path / "second.log")

    assert len(second) == len(set(second)) == remaining
    assert set(second) == {(p, o) for p in range(PARTITIONS) for o in range(starts[p], PER_PARTITION)}
    assert set(first) & set(second) == tail  # the duplicates are exactly the uncommitted tail
    assert set(first) | set(second) == {(p, o) for p in range(PARTITIONS) for o in range(PER_PARTITION)}
    assert _committed(bootstrap, group, topic) == dict.fromkeys(range(PARTITIONS), PER_PARTITION)
    lost, duplicated = _row("consumer SIGKILL mid-batch", process_backend, first, second)
    assert (lost, duplicated) == (0, len(tail))


def test_sigterm_commits_what_was_processed_so_nothing_is_processed_twice(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], process_backend: str, tmp_path: Path
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic, group = kafka_topic(PARTITIONS), f"fault-term-{uuid.uuid4().hex[:8]}"
    _fill(bootstrap, topic)
    base = {
        "settings": {"bootstrap_servers": bootstrap, "backend": process_backend},
        "topic": topic,
        "partitions": PARTITIONS,
    }
    base.update(group=group, mode="run", handler_sleep_s=0.001)

    stopping = _start({**base, "log": str(tmp_path / "first.log")})
    _wait_for_line(stopping, "ready")
    _wait_for_lines(tmp_path / "first.log", 1_500)
    stopping.send_signal(signal.SIGTERM)
    assert _finish(stopping, timeout=30) == 0  # a clean exit, not a death by signal
    first = _log(tmp_path / "first.log")
    assert len(first) == len(set(first))
    assert 1_500 <= len(first) < TOTAL

    committed = _committed(bootstrap, group, topic)
    for p in range(PARTITIONS):
        offsets = sorted(o for q, o in first if q == p)
        assert offsets == list(range(len(offsets)))  # in order, none skipped
        assert committed.get(p, 0) == len(offsets)  # everything processed was committed, nothing more

    remaining = TOTAL - len(first)
    resumed = _start({**base, "log": str(tmp_path / "second.log"), "max_messages": remaining})
    _wait_for_line(resumed, "ready")
    assert _finish(resumed) == 0
    second = _log(tmp_path / "second.log")

    assert set(first) & set(second) == set()  # nothing processed twice
    assert len(second) == len(set(second)) == remaining
    assert set(first) | set(second) == {(p, o) for p in range(PARTITIONS) for o in range(PER_PARTITION)}
    assert _committed(bootstrap, group, topic) == dict.fromkeys(range(PARTITIONS), PER_PARTITION)
    assert _row("consumer SIGTERM", process_backend, first, second) == (0, 0)
