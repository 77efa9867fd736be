"""The generated Grafana dashboards: committed copies current, and the rules every dashboard obeys
(grafana/dashboard-linter's: templated datasource/job/instance/cluster used by every query,
``$__rate_interval`` in every range, counters only under rate/increase, title/description/unit on
every panel), plus PromQL validity through ``promtool``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from dashboards import generate
from dashboards._model import metric_kind, metric_labels

from kafka_client_exporter.metric_names import COMPATIBILITY_SUM_NAMES

DASHBOARD_FILES = sorted((generate.ROOT / "grafana").glob("*.json"))
#: Grafana unit ids (valueFormats/categories.ts) the dashboards may use.
GRAFANA_UNITS = {"short", "none", "s", "percentunit", "bytes", "Bps", "mps", "ops", "reqps"}
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}")
RANGE = re.compile(r"\[([^\]]*)\]")
RATE_FUNCTIONS = {"rate", "increase", "irate"}
FILTER_VARIABLES = {"consumergroup": "group", "topic": "topic", "client_id": "client_id"}


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _panels(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in model["panels"] if p["type"] != "row"]


def _targets() -> list[tuple[str, str, str]]:
    return [
        (path.stem, panel["title"], target["expr"])
        for path in DASHBOARD_FILES
        for panel in _panels(_load(path))
        for target in panel["targets"]
    ]


def _enclosing_function(expr: str, position: int) -> str:
    """The name of the innermost function call whose parentheses contain ``position``."""
    depth = 0
    for index in range(position - 1, -1, -1):
        char = expr[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                name = re.search(r"([a-zA-Z_]+)\s*$", expr[:index])
                return name[1] if name else ""
            depth -= 1
    return ""


def test_the_committed_files_are_what_the_generator_produces() -> None:
    assert generate.stale_files() == [], "run: uv run python -m dashboards.generate"
    assert [p.stem for p in DASHBOARD_FILES] == sorted(generate.DASHBOARDS)


def test_the_generator_cli_writes_custom_thresholds_and_check_reports_drift(tmp_path: Path) -> None:
    assert generate.main(["--out", str(tmp_path), "--lag-slo-seconds", "45", "--lag-slo-for", "3m"]) == 0
    rules = yaml.safe_load((tmp_path / generate.RULES).read_text(encoding="utf-8"))
    [slo] = [r for g in rules["groups"] for r in g["rules"] if r["alert"] == "KafkaConsumerGroupLagAboveSLO"]
    assert "* 0 + 45)" in slo["expr"]
    assert slo["for"] == "3m"
    assert (
        generate.main(["--out", str(tmp_path), "--check", "--lag-slo-seconds", "45", "--lag-slo-for", "3m"])
        == 0
    )
    assert generate.main(["--out", str(tmp_path), "--check"]) == 1


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.stem)
def test_variables_are_templated_multi_select_and_reload_on_time_change(path: Path) -> None:
    model = _load(path)
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert {"job", "instance", "cluster", "topic"} <= set(variables)
    for name, variable in variables.items():
        if name == "datasource":
            continue
        assert variable["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, name
        assert (variable["multi"], variable["includeAll"], variable["refresh"]) == (True, True, 2), name
        assert variable["definition"].startswith("label_values("), name
        expected_all = ".*" if name == "cluster" and "clients" in path.stem else ".+"
        assert variable["allValue"] == expected_all, name
    assert model["editable"] is False
    assert model["uid"].startswith("kafka-client-")


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.stem)
def test_every_panel_has_title_description_unit_datasource_and_targets(path: Path) -> None:
    panels = _panels(_load(path))
    assert len(panels) >= 8
    ids = [p["id"] for p in _load(path)["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert panel["title"].strip(), panel
        assert len(panel["description"]) > 40, panel["title"]
        assert panel["fieldConfig"]["defaults"]["unit"] in GRAFANA_UNITS, panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


@pytest.mark.parametrize(("dashboard", "panel", "expr"), _targets())
def test_every_selector_uses_the_variables_and_every_range_the_rate_interval(
    dashboard: str, panel: str, expr: str
) -> None:
    selectors = list(SELECTOR.finditer(expr))
    assert selectors, expr
    for match in selectors:
        metric, matchers = match[1], match[2]
        for label in ("job", "instance", "cluster"):
            assert f'{label}=~"${label}"' in matchers, (metric, expr)
        for label, variable in FILTER_VARIABLES.items():
            if label in metric_labels(metric):
                assert f'{label}=~"${variable}"' in matchers, (metric, label, expr)
    bare = re.sub(SELECTOR, "", expr)
    assert not re.search(r"\bkafka_[a-z_]+\b(?!\s*\{)", bare), f"a metric without matchers in {expr}"
    assert all(r == "$__rate_interval" for r in RANGE.findall(expr)), expr


@pytest.mark.parametrize(("dashboard", "panel", "expr"), _targets())
def test_counters_and_histograms_appear_only_under_rate_or_increase(
    dashboard: str, panel: str, expr: str
) -> None:
    assert _counter_problems(expr) == []


def _counter_problems(expr: str) -> list[str]:
    problems = []
    for match in SELECTOR.finditer(expr):
        metric = match[1]
        by_suffix = re.search(r"_(total|count|sum|bucket)$", metric) is not None
        counter_like = metric_kind(metric) in ("counter", "histogram") or (
            by_suffix and metric not in COMPATIBILITY_SUM_NAMES
        )
        function = _enclosing_function(expr, match.start())
        if counter_like and function not in RATE_FUNCTIONS:
            problems.append(f"{metric} outside rate()/increase()")
        elif counter_like and not expr[match.end() :].startswith("[$__rate_interval]"):
            problems.append(f"{metric} without [$__rate_interval]")
        elif not counter_like and function in RATE_FUNCTIONS and not metric.endswith("_offset"):
            problems.append(f"rate() of the gauge {metric}")
    return problems


def test_the_counter_rule_catches_bare_counters_and_rated_gauges() -> None:
    sel = '{job=~"$job",instance=~"$instance",cluster=~"$cluster"}'
    assert _counter_problems(f"sum(kafka_client_errors_total{sel})") == [
        "kafka_client_errors_total outside rate()/increase()"
    ]
    assert _counter_problems(
        f"histogram_quantile(0.9, kafka_client_consumer_commit_latency_seconds_bucket{sel})"
    )
    assert _counter_problems(f"rate(kafka_client_connections{sel}[$__rate_interval])") == [
        "rate() of the gauge kafka_client_connections"
    ]
    assert _counter_problems(f"max(kafka_consumergroup_lag_sum{sel})") == []  # kafka_exporter's gauge
    assert _counter_problems(f"sum(rate(kafka_client_errors_total{sel}[$__rate_interval]))") == []


def test_every_query_is_valid_promql_according_to_promtool(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: 'apt-get update && apt-get install -y prometheus' (see .ci/run)")
    rules = []
    for index, (_, _, expr) in enumerate(_targets()):
        substituted = expr.replace("$__rate_interval", "1m")
        substituted = re.sub(r"\$([a-z_]+)", ".+", substituted)
        rules.append({"record": f"dashboard:query_{index}", "expr": substituted})
    path = tmp_path / "queries.rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "q", "rules": rules}]}), encoding="utf-8")
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.stem)
def test_every_panel_is_described_in_the_dashboards_docs_page(path: Path) -> None:
    page = generate.ROOT.parent / "docs" / "dashboards" / f"{path.stem}.md"
    headings = {line.lstrip("#").strip() for line in page.read_text(encoding="utf-8").splitlines()}
    for panel in _load(path)["panels"]:
        assert panel["title"] in headings, f"{page.name} has no section for {panel['title']!r}"
