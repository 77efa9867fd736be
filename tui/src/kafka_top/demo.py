"""``kafka-top --demo``: an embedded broker with a live workload, and kafka-top opened on it.

The workload (:class:`kafka_client.testing.demo_workload.DemoWorkload`) runs a producer, a healthy
group, a slow group whose lag grows and a handler that dead-letters a few poison messages, all in
background threads of this process; the broker is a child JVM. Quitting the UI (``q``, ``ctrl+c``),
SIGTERM or SIGHUP stops the threads, then the broker, so nothing is left running.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

from kafka_client.config import load_settings
from kafka_top.contexts import ContextSet

__all__ = ["DEMO_CONTEXT", "run_demo"]

DEMO_CONTEXT = "demo"
"""The name of the demo's context (in the context bar)."""


def _say(line: str) -> None:
    print(f"kafka-top: {line}", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run_demo(*, read_only: bool, refresh_s: float) -> int:
    """Start the demo workload, run kafka-top on it until the user quits, then stop everything."""
    from kafka_client.testing.demo_workload import DemoWorkload
    from kafka_top.app import KafkaTopApp

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    workload = DemoWorkload(progress=_say, capture_logs=True)
    try:
        workload.start()
        settings = load_settings(bootstrap_servers=workload.bootstrap_servers)
        KafkaTopApp(ContextSet.single(settings, DEMO_CONTEXT), read_only=read_only, refresh_s=refresh_s).run()
    except KeyboardInterrupt:
        pass
    finally:
        _say("stopping the demo workload and the broker...")
        workload.stop()
    _say("demo stopped")
    return 0
