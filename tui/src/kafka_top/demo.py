"""``kafka-top --demo``: an embedded broker with a live workload, and kafka-top opened on it.

The workload (:class:`kafka_client.testing.demo_workload.DemoWorkload`) runs a producer, a healthy
group, a slow group whose lag grows and a handler that dead-letters a few poison messages, all in
background threads of this process; the broker is a child JVM. When the exporter
(``kafka_client_exporter``) is installed, it runs too, on a free local port. Quitting the UI (``q``,
``ctrl+c``), SIGTERM or SIGHUP stops the exporter and the threads, then the broker, so nothing is left
running.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

from kafka_client.config import load_settings
from kafka_top.contexts import ContextSet

if TYPE_CHECKING:
    from kafka_client_exporter import Exporter

__all__ = ["DEMO_CONTEXT", "run_demo", "start_exporter"]

DEMO_CONTEXT = "demo"
"""The name of the demo's context (in the context bar)."""


def _say(line: str) -> None:
    print(f"kafka-top: {line}", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def start_exporter(bootstrap_servers: str) -> Exporter | None:
    """The exporter on the demo's broker at ``127.0.0.1:<free port>``, if it is installed (else None)."""
    if importlib.util.find_spec("kafka_client_exporter") is None:
        return None
    from kafka_client_exporter import Exporter, ExporterSettings

    settings = ExporterSettings.model_validate(
        {
            "clusters": [{"name": DEMO_CONTEXT, "bootstrap_servers": bootstrap_servers}],
            "interval_s": 5.0,
            "host": "127.0.0.1",
            "port": 0,
        }
    )
    return Exporter(settings).start()


def run_demo(*, read_only: bool, refresh_s: float) -> int:
    """Start the demo workload (and the exporter), run kafka-top on it until the user quits, then stop
    everything."""
    from kafka_client.testing.demo_workload import DemoWorkload
    from kafka_top.app import KafkaTopApp

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    workload = DemoWorkload(progress=_say, capture_logs=True)
    exporter: Exporter | None = None
    try:
        workload.start()
        exporter = start_exporter(workload.bootstrap_servers)
        notice = "demo: a producer, groups 'billing' and 'analytics-slow' (slow), dead letters in orders.dlq"
        if exporter is not None:
            notice += f"; Prometheus metrics at http://127.0.0.1:{exporter.port}/metrics"
            _say(f"exporter serving http://127.0.0.1:{exporter.port}/metrics")
        settings = load_settings(bootstrap_servers=workload.bootstrap_servers)
        contexts = ContextSet.single(settings, DEMO_CONTEXT)
        KafkaTopApp(contexts, read_only=read_only, refresh_s=refresh_s, notice=notice).run()
    except KeyboardInterrupt:
        pass
    finally:
        _say("stopping the demo workload and the broker...")
        if exporter is not None:
            exporter.stop()
        workload.stop()
    _say("demo stopped")
    return 0
