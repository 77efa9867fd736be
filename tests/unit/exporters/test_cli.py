"""The command line without a broker: usage and configuration errors, --check-config."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kafka_client_exporter.cli import cli


def test_needs_a_config_or_bootstrap_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_CLIENT_EXPORTER_CLUSTERS", raising=False)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 2
    assert "--config FILE or --bootstrap-servers" in result.output


def test_configuration_errors_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "exporter.yaml"
    path.write_text("clusters: [{name: a, bootstrap_servers: 'h:1'}]\nportt: 1\n")
    result = CliRunner().invoke(cli, ["--config", str(path)])
    assert result.exit_code == 2
    assert "did you mean 'port'" in result.output


def test_check_config() -> None:
    result = CliRunner().invoke(cli, ["--bootstrap-servers", "h:1", "--port", "9400", "--check-config"])
    assert result.exit_code == 0, result.output
    assert "1 cluster(s): default; port 9400" in result.output


def test_clusters_from_the_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_EXPORTER_CLUSTERS", '[{"name": "env", "bootstrap_servers": "h:1"}]')
    result = CliRunner().invoke(cli, ["--check-config"])
    assert result.exit_code == 0, result.output
    assert "1 cluster(s): env" in result.output


def test_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "--bootstrap-servers" in result.output
