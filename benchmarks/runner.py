"""The parent process: a broker, fresh topics, every case x round x contender in a fresh child."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._measure import json_value, value_bytes
from benchmarks.cases import Case
from benchmarks.child import parse_child_output
from benchmarks.contenders import Contender
from benchmarks.native import native_configs
from benchmarks.spec import RunSpec

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT_S = 900


@dataclass
class RunOptions:
    """What ``python -m benchmarks run`` was asked to do."""

    cases: list[Case]
    contenders: list[Contender]
    explicit_contenders: bool = False
    rounds: int = 3
    messages: int = 200_000
    latency_seconds: float = 5.0
    partitions: int = 3
    bootstrap: str | None = None


@dataclass
class Measurement:
    """One child's outcome: its result, or the error it died with."""

    case: str
    contender: str
    round: int
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@contextmanager
def broker(bootstrap: str | None) -> Iterator[tuple[str, str]]:
    """``(bootstrap, description)``: the given cluster, or an embedded broker started for the run."""
    if bootstrap:
        yield bootstrap, f"external cluster at {bootstrap}"
        return
    from kafka_client.testing import EmbeddedKafka

    kafka = EmbeddedKafka(sasl=False, tls=False, authorizer=False, heap="2g").start()
    try:
        yield (
            kafka.bootstrap_servers,
            "embedded Kafka (kafka_client.testing.EmbeddedKafka, 1 KRaft node, PLAINTEXT)",
        )
    finally:
        kafka.stop()


class Topics:
    """Creates a fresh topic per measurement (same partitions for all) and deletes them per case."""

    def __init__(self, bootstrap: str, partitions: int) -> None:
        from confluent_kafka.admin import AdminClient

        self.bootstrap = bootstrap
        self.partitions = partitions
        self._admin = AdminClient({"bootstrap.servers": bootstrap})
        self._created: list[str] = []

    def create(self, stem: str) -> str:
        """A new topic named after ``stem``, with every partition led, ready to use."""
        from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

        name = f"bench-{stem}-{uuid.uuid4().hex[:8]}"
        for future in self._admin.create_topics([NewTopic(name, self.partitions, 1)]).values():
            future.result(60)
        self._created.append(name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            meta = self._admin.list_topics(name, timeout=10).topics.get(name)
            partitions = meta.partitions if meta is not None and meta.error is None else {}
            if len(partitions) == self.partitions and all(p.leader >= 0 for p in partitions.values()):
                return name
            time.sleep(0.1)
        raise TimeoutError(f"topic {name} has no leader for every partition after 60 s")

    def fill(self, topic: str, count: int, fmt: str) -> None:
        """Write ``count`` 100 B values (bytes or JSON), uncompressed so every client can read them."""
        from confluent_kafka import Producer

        producer = Producer(
            {"bootstrap.servers": self.bootstrap, "linger.ms": 20, "compression.type": "none", "acks": "all"}
        )
        raw = value_bytes(100)
        for index in range(count):
            value = json_value(index) if fmt == "json" else raw
            while True:
                try:
                    producer.produce(topic, value)
                    break
                except BufferError:
                    producer.poll(0.01)
        left = producer.flush(300)
        if left:
            raise RuntimeError(f"{left} messages could not be written to {topic}")

    def close(self) -> None:
        """Release the admin client before the broker goes (it would log reconnection failures)."""
        self.delete_all()
        del self._admin
        gc.collect()

    def delete_all(self) -> None:
        """Delete the topics made so far (keeps the broker's disk use small)."""
        if self._created:
            for future in self._admin.delete_topics(self._created).values():
                future.result(60)
            self._created = []


def run_child(spec: RunSpec) -> Measurement:
    """Run ``spec`` in a fresh interpreter and collect its result (or why it failed)."""
    measurement = Measurement(spec.case, spec.contender, 0)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks", "child", spec.to_json()],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        measurement.error = f"timed out after {CHILD_TIMEOUT_S} s"
        return measurement
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        measurement.error = f"exit {done.returncode}: " + " | ".join(tail)
        return measurement
    measurement.result = parse_child_output(done.stdout)
    return measurement


def contenders_for(case: Case, options: RunOptions) -> list[Contender]:
    """Who runs ``case``: those supporting its kind, limited to the case's defaults unless named."""
    able = [c for c in options.contenders if case.kind in c.runners]
    if case.only and not options.explicit_contenders:
        able = [c for c in able if c.name in case.only]
    return able


def run_all(options: RunOptions, log: Callable[[str], None]) -> tuple[list[Measurement], str]:
    """Every case x round x contender (contenders alternate within each round); and the broker used."""
    measurements: list[Measurement] = []
    with broker(options.bootstrap) as (bootstrap, broker_description):
        topics = Topics(bootstrap, options.partitions)
        natives = {preset: native_configs(bootstrap, preset) for preset in ("default", "low-latency")}
        for case in options.cases:
            contenders = contenders_for(case, options)
            messages = case.messages(options.messages)
            for round_no in range(1, options.rounds + 1):
                source = ""
                if case.kind == "consume":
                    source = topics.create(f"{case.id}-r{round_no}")
                    topics.fill(source, messages, case.fmt)
                for contender in contenders:
                    spec = RunSpec(
                        case=case.id,
                        kind=case.kind,
                        contender=contender.name,
                        bootstrap=bootstrap,
                        topic=source or topics.create(f"{case.id}-r{round_no}-{contender.name}"),
                        messages=contender.messages(case.kind, messages),
                        size=case.size,
                        mode=case.mode,
                        fmt=case.fmt,
                        rate=case.rate,
                        duration_s=options.latency_seconds,
                        preset=case.preset,
                        group=f"bench-{uuid.uuid4().hex[:10]}",
                        partitions=options.partitions,
                        native=natives[case.preset],
                    )
                    measurement = run_child(spec)
                    measurement.round = round_no
                    measurements.append(measurement)
                    log(_describe(case, round_no, measurement))
            topics.delete_all()
        topics.close()
    return measurements, broker_description


def _describe(case: Case, round_no: int, m: Measurement) -> str:
    head = f"{case.id:26s} round {round_no} {m.contender:26s}"
    if m.error:
        return f"{head} FAILED {m.error}"
    r = m.result
    if case.kind in ("produce", "consume"):
        return f"{head} {r['rate']:>12,.0f} msg/s  {r['cpu_s_per_million']:6.1f} CPU s/M"
    if case.kind == "latency":
        return f"{head} p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  p99.9 {r['p999_ms']:7.2f} ms"
    return f"{head} RSS {r['rss_mb']:6.1f} MB  import {r['import_ms']:6.1f} ms"
