"""``kafka-client health`` without a broker: usage errors exit 2, an unreachable cluster exits 1 quickly."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kafka_client.cli import _main
from kafka_client.cli.health_cmd import health_command


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("KAFKA_CLIENT_"):
            monkeypatch.delenv(name)


def run(*args: str) -> Result:
    return CliRunner().invoke(health_command, list(args))


def closed_address() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def test_registered_on_the_main_command() -> None:
    assert _main.cli.commands["health"] is health_command


def test_no_cluster_configured_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert "bootstrap_servers: required setting is missing" in result.output
    assert "hint: give --bootstrap-servers HOST:PORT or --config FILE" in result.output


def test_missing_config_file_and_bad_options_are_usage_errors(tmp_path: Path) -> None:
    assert run("--config", str(tmp_path / "nope.yaml")).exit_code == 2
    assert run("--bootstrap-servers", "k:9092", "--timeout", "0").exit_code == 2
    assert run("--bogus").exit_code == 2


def test_unreachable_cluster_prints_a_checklist_and_exits_1() -> None:
    address = closed_address()
    result = run("--bootstrap-servers", address, "--timeout", "0.5", "--topic", "orders")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"✗ brokers       describing the cluster at {address}: ")
    assert lines[1] == f"✗ topic:orders  not run: the cluster at {address} did not answer  [0 ms]"
    assert lines[2].startswith("overall: failed (0 ok, 0 degraded, 2 failed) in ")


def test_config_file_and_json_output(tmp_path: Path) -> None:
    address = closed_address()
    config = tmp_path / "app.yaml"
    config.write_text(f"bootstrap_servers: {address}\nclient_id: health-test\n")
    result = run("--config", str(config), "--json", "--timeout", "0.5")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["status"] == "failed"
    assert [c["name"] for c in report["checks"]] == ["brokers"]
    assert address in report["checks"][0]["detail"]
