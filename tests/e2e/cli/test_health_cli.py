"""``kafka-client health`` as a user runs it: exit codes 0, 1 and 2, JSON and the checklist."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker

EXE = Path(sys.executable).parent / "kafka-client"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KAFKA_CLIENT_")}
    return subprocess.run(
        [str(EXE), "health", *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.fixture
def bootstrap(kafka_broker: KafkaBroker) -> str:
    return kafka_broker.bootstrap_servers


def test_healthy_cluster_exits_0_with_json(bootstrap: str) -> None:
    result = run("--bootstrap-servers", bootstrap, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "ok"
    assert [(c["name"], c["status"]) for c in report["checks"]] == [("brokers", "ok")]
    assert report["checks"][0]["data"]["broker_count"] == 1


def test_checklist_with_a_group_and_the_canary_exits_0(bootstrap: str) -> None:
    canary = f"__kafka_client_canary_e2e_{uuid.uuid4().hex[:8]}"
    try:
        result = run("--bootstrap-servers", bootstrap, "--e2e", "--canary-topic", canary, "--timeout", "20")
    finally:
        with KafkaAdmin(bootstrap_servers=bootstrap) as admin:
            admin.delete_topics([canary])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("✓ brokers")
    assert lines[1].startswith(f"✓ end_to_end:{canary}  canary consumed back from {canary}[0]@0 in ")
    assert lines[2].startswith("overall: ok (2 ok, 0 degraded, 0 failed) in ")


def test_missing_topic_exits_1(bootstrap: str) -> None:
    result = run("--bootstrap-servers", bootstrap, "--topic", "e2e-health-missing", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "failed"
    assert report["checks"][1] == {
        "name": "topic:e2e-health-missing",
        "status": "failed",
        "detail": "topic 'e2e-health-missing' does not exist",
        "duration_s": report["checks"][1]["duration_s"],
        "data": {"exists": False},
    }


def test_unreachable_cluster_exits_1_quickly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    result = run("--bootstrap-servers", address, "--timeout", "1", "--group", "billing")
    assert result.returncode == 1
    assert re.match(rf"✗ brokers +describing the cluster at {address}: ", result.stdout)
    assert "✗ group:billing" in result.stdout
    assert time.monotonic() - started < 30


def test_usage_errors_exit_2() -> None:
    assert run().returncode == 2
    assert run("--no-such-option").returncode == 2
    assert run("--config", "/nonexistent/app.yaml").returncode == 2
