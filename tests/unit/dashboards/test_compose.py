"""docker-compose.yml stays valid: the four services, every mounted host path exists in the repository,
and Grafana's provisioning points at what the stack actually serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from dashboards import generate

REPO = generate.ROOT.parent


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8")))


def _bind_mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(host path, container path) of each bind mount (``./x:/y[:ro]``); named volumes are skipped."""
    mounts = []
    for volume in service.get("volumes", []):
        host, container = volume.split(":")[:2]
        if host.startswith(("./", "/", "../")):
            mounts.append((host, container))
    return mounts


def test_the_stack_has_kafka_in_kraft_mode_the_exporter_prometheus_and_grafana() -> None:
    services = _compose()["services"]
    assert set(services) == {"kafka", "kafka-client-exporter", "prometheus", "grafana"}
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    exporter = services["kafka-client-exporter"]
    assert (REPO / exporter["build"]["context"] / exporter["build"]["dockerfile"]).is_file()
    assert exporter["command"][:2] == ["--bootstrap-servers", "kafka:9092"]
    assert "9308:9308" in exporter["ports"]


def test_every_mounted_host_path_exists_in_the_repository() -> None:
    mounts = [m for service in _compose()["services"].values() for m in _bind_mounts(service)]
    assert len(mounts) == 6
    for host, _ in mounts:
        assert host.startswith("./"), f"{host}: mounts must be relative to the repository"
        assert (REPO / host).exists(), f"{host} does not exist"


def test_prometheus_gets_the_shipped_config_and_rules_and_scrapes_the_exporter_service() -> None:
    prometheus = _compose()["services"]["prometheus"]
    [(host, container)] = _bind_mounts(prometheus)
    assert container == "/etc/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    config = yaml.safe_load((REPO / host / "prometheus.yml").read_text(encoding="utf-8"))
    for rule_file in config["rule_files"]:
        assert (REPO / host / rule_file).is_file()
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets["kafka-client-exporter"] == ["kafka-client-exporter:9308"]


def test_grafana_provisions_the_prometheus_service_and_every_generated_dashboard() -> None:
    grafana = _compose()["services"]["grafana"]
    mounts = dict(_bind_mounts(grafana))
    provisioning = REPO / next(h for h, c in mounts.items() if c == "/etc/grafana/provisioning")
    datasources = yaml.safe_load(
        (provisioning / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    )
    [datasource] = datasources["datasources"]
    assert (datasource["type"], datasource["url"]) == ("prometheus", "http://prometheus:9090")
    providers = yaml.safe_load((provisioning / "dashboards" / "kafka-client.yml").read_text(encoding="utf-8"))
    [provider] = providers["providers"]
    folder = provider["options"]["path"]
    mounted = {Path(c).name: h for h, c in mounts.items() if c.startswith(folder + "/")}
    assert mounted == {f"{name}.json": f"./dashboards/grafana/{name}.json" for name in generate.DASHBOARDS}
