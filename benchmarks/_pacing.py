"""Sending at a fixed rate for the latency cases, the same way for every contender."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from benchmarks._measure import STAMP
from benchmarks.spec import RunSpec

WARMUP_TIMEOUT_S = 60.0
TICK_S = 0.0005


def paced_send(
    send: Callable[[bytes], None], spec: RunSpec, first: threading.Event, done: threading.Event
) -> tuple[int, float]:
    """Send warm-up markers until the consumer has read one from every partition, then ``rate x
    duration`` stamped messages.

    A message is ``perf_counter_ns()`` at send (8 bytes), ``P`` (``W`` for a warm-up marker) and padding
    to ``spec.size``. Messages go out on a ~0.5 ms tick (a tick sends what is due), so the rate holds
    without a sleep per message. Returns (messages sent, seconds it took).
    """
    padding = b"p" * max(0, spec.size - 9)
    deadline = time.monotonic() + WARMUP_TIMEOUT_S
    while not first.wait(0.05):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the consumer saw no message within {WARMUP_TIMEOUT_S:.0f} s")
        send(STAMP.pack(time.perf_counter_ns()) + b"W" + padding)
    total = int(spec.rate * spec.duration_s)
    clock = time.perf_counter_ns
    pack = STAMP.pack
    started = clock()
    sent = 0
    while sent < total:
        due = min(total, int((clock() - started) * spec.rate / 1e9) + 1)
        while sent < due:
            send(pack(clock()) + b"P" + padding)
            sent += 1
        time.sleep(TICK_S)
    elapsed = (clock() - started) / 1e9
    done.wait(60)
    return sent, elapsed
