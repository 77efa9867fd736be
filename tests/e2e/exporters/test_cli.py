"""The ``kafka-client-exporter`` command as a user runs it: start, scrape, SIGTERM, exit 0."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kafka_client.testing.pytest_plugin import KafkaBroker


@pytest.fixture(scope="session")
def exporter_exe() -> str:
    path = shutil.which("kafka-client-exporter", path=str(Path(sys.executable).parent))
    assert path, "the kafka-client-exporter script is not installed; run 'uv sync'"
    return path


def read_port(process: subprocess.Popen[str], timeout: float = 30.0) -> int:
    """The port from the 'serving /metrics on port N' log line."""
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen.append(line)
        if match := re.search(r"serving /metrics on port (\d+)", line):
            # keep draining, so the daemon never blocks on a full pipe
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return int(match[1])
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no port announced; stderr: {''.join(seen)}")


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return response.read().decode()


def test_run_scrape_and_sigterm(exporter_exe: str, kafka_broker: KafkaBroker) -> None:
    process = subprocess.Popen(
        [
            exporter_exe,
            "--bootstrap-servers",
            kafka_broker.bootstrap_servers,
            "--port",
            "0",
            "--interval",
            "0.5",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = read_port(process)
        deadline = time.monotonic() + 30
        while 'kafka_client_exporter_up{cluster="default"} 1' not in (text := scrape(port)):
            assert time.monotonic() < deadline, text[-2000:]
            time.sleep(0.2)
        names = {family.name for family in text_string_to_metric_families(text)}
        assert {"kafka_brokers", "kafka_cluster_info", "kafka_client_exporter_build_info"} <= names
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_once_prints_the_exposition(exporter_exe: str, kafka_broker: KafkaBroker) -> None:
    result = subprocess.run(
        [exporter_exe, "--bootstrap-servers", kafka_broker.bootstrap_servers, "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert 'kafka_brokers{cluster="default"} 1' in result.stdout


def test_unreachable_cluster_once_exits_1(exporter_exe: str, tmp_path: Path) -> None:
    config = tmp_path / "exporter.yaml"
    config.write_text("clusters:\n  - name: nowhere\n    bootstrap_servers: 127.0.0.1:1\ntimeout_s: 2\n")
    result = subprocess.run(
        [exporter_exe, "--config", str(config), "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert 'kafka_client_exporter_up{cluster="nowhere"} 0' in result.stdout


def test_bad_configuration_exits_2(exporter_exe: str, tmp_path: Path) -> None:
    config = tmp_path / "exporter.yaml"
    config.write_text("clusters: []\n")
    result = subprocess.run(
        [exporter_exe, "--config", str(config)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "clusters" in result.stderr
