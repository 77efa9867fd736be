"""The generated alert rules: valid for promtool, each with a sensible ``for:``, annotations and a
runbook that exists, and each covered by promtool unit tests that fire it and keep it silent."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml
from dashboards import generate
from dashboards._model import metric_labels
from dashboards._options import DEFAULTS
from dashboards.alerts import LAG_SLO_RECORD, all_alerts

REPO = generate.ROOT.parent
PROMETHEUS_DIR = generate.ROOT / "prometheus"
ISSUE_ALERTS = {
    "KafkaConsumerGroupLagAboveSLO",
    "KafkaConsumerGroupLagGrowing",
    "KafkaConsumerGroupStalled",
    "KafkaConsumerGroupStopped",
    "KafkaConsumerGroupRewound",
    "KafkaConsumerGroupLagWithoutMembers",
    "KafkaConsumerGroupNearRetention",
    "KafkaConsumerGroupDataLost",
    "KafkaDeadLetterTopicReceiving",
    "KafkaUnderReplicatedPartitions",
    "KafkaOfflinePartitions",
    "KafkaClientExporterDown",
    "KafkaClientExporterClusterUnreachable",
    "KafkaClientExporterDataStale",
    "KafkaProducerDeliveryFailures",
    "KafkaConsumerRebalanceStorm",
    "KafkaClientCircuitBreakerOpen",
}


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: 'apt-get update && apt-get install -y prometheus' (see .ci/run)")
    return path


def _rules() -> list[dict[str, Any]]:
    data = yaml.safe_load((generate.ROOT / generate.RULES).read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)([smh])", duration)
    assert match, duration
    return int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]


def _slug(heading: str) -> str:
    """Python-Markdown's toc slug (mkdocs' anchors): lowercase, word characters and dashes only."""
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", heading).strip().lower())


def test_promtool_check_rules_and_config_pass() -> None:
    promtool = _promtool()
    rules = subprocess.run(
        [promtool, "check", "rules", "kafka-client.rules.yml", "tests/lag-slo-override.rules.yml"],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert f"SUCCESS: {len(ISSUE_ALERTS)} rules found" in rules.stdout
    config = subprocess.run(
        [promtool, "check", "config", "prometheus.yml"],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert config.returncode == 0, config.stdout + config.stderr


def test_promtool_unit_tests_pass() -> None:
    result = subprocess.run(
        [_promtool(), "test", "rules", "kafka-client.rules.test.yml"],
        cwd=PROMETHEUS_DIR / "tests",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_every_alert_has_a_test_that_fires_it_and_one_that_keeps_it_silent() -> None:
    tests = yaml.safe_load(
        (PROMETHEUS_DIR / "tests" / "kafka-client.rules.test.yml").read_text(encoding="utf-8")
    )
    fires: set[str] = set()
    silent: set[str] = set()
    for test in tests["tests"]:
        for check in test["alert_rule_test"]:
            (fires if check["exp_alerts"] else silent).add(check["alertname"])
    names = {rule["alert"] for rule in _rules()}
    assert names == ISSUE_ALERTS
    assert fires == names
    assert silent == names


def test_every_alert_has_for_severity_annotations_and_an_existing_runbook() -> None:
    for rule in _rules():
        name = rule["alert"]
        assert 60 <= _seconds(rule["for"]) <= 3600, f"{name}: for {rule['for']} vs a 30-60 s scrape"
        assert rule["labels"]["severity"] in ("warning", "critical"), name
        annotations = rule["annotations"]
        assert set(annotations) == {"summary", "description", "runbook_url"}, name
        assert len(annotations["summary"]) > 20, name
        assert len(annotations["description"]) > 60, name
        page, anchor = annotations["runbook_url"].split("#")
        runbook = REPO / page
        assert runbook.is_file(), f"{name}: {page} does not exist"
        headings = [line.lstrip("#").strip() for line in runbook.read_text(encoding="utf-8").splitlines()]
        assert anchor in {_slug(h) for h in headings}, f"{name}: no heading for #{anchor} in {page}"


def test_alert_signals_are_parts_of_their_expressions_and_name_known_metrics() -> None:
    for alert in all_alerts(DEFAULTS):
        assert alert.signals, alert.name
        for signal in alert.signals:
            assert signal in alert.expr, (alert.name, signal)
        for metric in re.findall(r"\b(kafka_[a-z_]+)\b(?!:)", alert.expr):
            metric_labels(metric)  # raises for a name neither the library nor the exporter defines
        assert LAG_SLO_RECORD not in alert.expr or alert.name == "KafkaConsumerGroupLagAboveSLO"


def test_the_slugs_are_mkdocs_anchors() -> None:
    assert _slug("KafkaConsumerGroupLagAboveSLO") == "kafkaconsumergrouplagaboveslo"
    assert _slug("Exporter data is stale (DataStale)") == "exporter-data-is-stale-datastale"
