"""Every program in examples/ runs as a user would run it, against the real broker, and does what it says."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from kafka_client.testing import EmbeddedKafka

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _run(*args: str, timeout: float = 120) -> list[str]:
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def test_producer_then_transactional_etl(
    kafka_broker: EmbeddedKafka, kafka_topic: Callable[..., str]
) -> None:
    orders, invoices = kafka_topic(partitions=2), kafka_topic()
    bootstrap = kafka_broker.bootstrap_servers
    out = _run(
        str(EXAMPLES / "producer.py"), "--bootstrap-servers", bootstrap, "--topic", orders, "--count", "40"
    )
    assert re.fullmatch(r"delivered 40 orders; last at partition \d offset \d+", out[-1])
    out = _run(
        str(EXAMPLES / "transactional_etl.py"),
        "--bootstrap-servers",
        bootstrap,
        "--source",
        orders,
        "--sink",
        invoices,
        "--group",
        f"etl-{uuid.uuid4().hex[:6]}",
        "--idle-timeout",
        "5",
    )
    assert out[-1] == "invoiced 40 orders"


def test_async_app(kafka_broker: EmbeddedKafka, kafka_topic: Callable[..., str]) -> None:
    out = _run(
        str(EXAMPLES / "async_app.py"),
        "--bootstrap-servers",
        kafka_broker.bootstrap_servers,
        "--topic",
        kafka_topic(),
        "--count",
        "30",
    )
    assert out == ["sent 30 events", "received 30 events"]


def test_consumer_stops_cleanly_on_sigterm_and_nothing_is_processed_twice(
    kafka_broker: EmbeddedKafka, kafka_topic: Callable[..., str]
) -> None:
    topic, group = kafka_topic(), f"billing-{uuid.uuid4().hex[:6]}"
    bootstrap = kafka_broker.bootstrap_servers
    _run(str(EXAMPLES / "producer.py"), "--bootstrap-servers", bootstrap, "--topic", topic, "--count", "60")
    consumer = [
        str(EXAMPLES / "consumer.py"),
        "--bootstrap-servers",
        bootstrap,
        "--topic",
        topic,
        "--group",
        group,
    ]
    first = subprocess.Popen(
        [sys.executable, *consumer, "--delay", "0.05"], stdout=subprocess.PIPE, text=True
    )
    assert first.stdout is not None
    billed_first: list[int] = []
    deadline = time.monotonic() + 60
    while len(billed_first) < 15 and time.monotonic() < deadline:
        line = first.stdout.readline()
        if line.startswith("billed order"):
            billed_first.append(int(line.split()[2]))
    first.send_signal(signal.SIGTERM)
    rest, _ = first.communicate(timeout=60)
    assert first.returncode == 0
    billed_first += [int(line.split()[2]) for line in rest.splitlines() if line.startswith("billed order")]
    assert rest.splitlines()[-1] == f"stopped after {len(billed_first)} orders"
    assert 15 <= len(billed_first) < 60

    out = _run(*consumer, "--idle-timeout", "5")
    billed_second = [int(line.split()[2]) for line in out if line.startswith("billed order")]
    # The second run starts exactly where the first stopped: every order once, none twice.
    assert sorted(billed_first + billed_second) == list(range(60))
