"""``kafka-client demo`` and ``kafka-client dev-broker`` as a user runs them."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer


@pytest.mark.parametrize("backend", ["confluent", "kafka-python"])
def test_demo_round_trip_prints_what_happened(kafka_client_exe: str, backend: str) -> None:
    result = subprocess.run(
        [kafka_client_exe, "demo", "-n", "500", "--topic", "e2e-demo", "--backend", backend],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"Kafka 4\.4\.0 ready at 127\.0\.0\.1:\d+ in [\d.]+ s", lines[1])
    produced = re.fullmatch(
        rf"produced 500 messages to 'e2e-demo' with the {backend} backend in [\d.]+ s "
        r"\(acks=all, idempotent\); "
        r"per partition: \{0: (\d+), 1: (\d+), 2: (\d+)\}",
        lines[2],
    )
    assert produced, lines[2]
    assert sum(int(n) for n in produced.groups()) == 500
    assert re.fullmatch(
        r"consumed 500 messages in group 'demo-\w+' in [\d.]+ s; every message exactly once", lines[3]
    )
    assert lines[4] == "committed offsets add up to 500 across 3 partitions"
    assert lines[-1] == "broker stopped; demo complete"


def test_dev_broker_serves_until_sigterm(kafka_client_exe: str, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [kafka_client_exe, "dev-broker", "--json", "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        bootstrap = info["bootstrap_servers"]
        assert info["kafka_version"] == "4.4.0"
        assert info["listeners"] == {"PLAINTEXT": bootstrap}
        assert info["settings"] == {
            "PLAINTEXT": {"bootstrap_servers": [bootstrap], "security": {"protocol": "PLAINTEXT"}}
        }
        producer = Producer({"bootstrap.servers": bootstrap})
        producer.produce("dev", b"hello")
        assert producer.flush(30) == 0
        consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": "dev", "auto.offset.reset": "earliest"}
        )
        consumer.subscribe(["dev"])
        msg = None
        for _ in range(60):
            msg = consumer.poll(0.5)
            if msg is not None:
                break
        consumer.close()
        assert msg is not None
        assert msg.value() == b"hello"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err.strip().splitlines()[-1] == "broker stopped"
    assert (tmp_path / "data" / "broker.log").is_file()


def test_dev_broker_reports_a_taken_port(kafka_client_exe: str) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [kafka_client_exe, "dev-broker", "--port", str(port)], capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 1
    assert f"port 127.0.0.1:{port} (asked for the PLAINTEXT listener) is already in use" in result.stderr
