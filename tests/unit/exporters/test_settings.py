"""ExporterSettings: YAML + environment + overrides, precedence, and problems reported all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_client import ConfigError
from kafka_client_exporter import ExporterSettings, NameFilter, load_exporter_settings

CLUSTER = {"name": "prod", "bootstrap_servers": "kafka-1:9092"}


def write(tmp_path: Path, text: str, name: str = "exporter.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(exc: pytest.ExceptionInfo[ConfigError]) -> dict[str, str]:
    return {p.path: str(p) for p in exc.value.problems}


def test_defaults() -> None:
    settings = load_exporter_settings(env={}, clusters=[CLUSTER])
    assert (settings.port, settings.interval_s, settings.profile) == (9308, 30.0, "kafka_exporter")
    assert settings.status_window == 10
    assert settings.effective_stale_after_s == 150.0
    assert settings.dlq_regex.search("orders.dlq")["source"] == "orders"  # type: ignore[index]
    client = settings.clusters[0].client
    assert client.bootstrap_servers == ["kafka-1:9092"]
    assert client.client_id == "kafka-client-exporter"


def test_yaml_then_env_then_overrides(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        """
clusters:
  - name: prod
    bootstrap_servers: kafka-1:9092,kafka-2:9092
    security: {protocol: SASL_SSL, sasl: {mechanism: SCRAM-SHA-512, username: u, password: p}}
  - name: dr
    bootstrap_servers: [dr-1:9092]
interval_s: 15
port: 9400
groups: {deny: ["^console-consumer-"]}
topics: {allow: ["^orders"], deny: ["\\\\.tmp$"]}
""",
    )
    overlay = write(tmp_path, "port: 9401\nprofile: kafka-lag-exporter\n", "overlay.yaml")
    env = {"KAFKA_CLIENT_EXPORTER_INTERVAL_S": "5", "KAFKA_CLIENT_EXPORTER_TOPICS__DENY": '["x$"]'}
    settings = load_exporter_settings(base, overlay, env=env, port=9500)
    assert (settings.interval_s, settings.port, settings.profile) == (5.0, 9500, "kafka-lag-exporter")
    assert [c.name for c in settings.clusters] == ["prod", "dr"]
    prod = settings.clusters[0].client
    assert prod.bootstrap_servers == ["kafka-1:9092", "kafka-2:9092"]
    assert prod.security.protocol == "SASL_SSL"
    assert not settings.groups.matches("console-consumer-123")
    assert settings.groups.matches("billing")
    assert settings.topics.matches("orders.v1")
    assert not settings.topics.matches("ordersx")
    assert not settings.topics.matches("payments")


def test_a_single_regex_from_the_environment() -> None:
    settings = load_exporter_settings(
        env={"KAFKA_CLIENT_EXPORTER_GROUPS__ALLOW": "^billing"}, clusters=[CLUSTER]
    )
    assert settings.groups.allow == ["^billing"]


def test_clusters_from_the_environment_as_json() -> None:
    env = {"KAFKA_CLIENT_EXPORTER_CLUSTERS": '[{"name": "a", "bootstrap_servers": "h:1"}]'}
    assert load_exporter_settings(env=env).clusters[0].client.bootstrap_servers == ["h:1"]


def test_library_environment_fills_cluster_settings_but_cluster_keys_win() -> None:
    env = {
        "KAFKA_CLIENT_SECURITY__PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_CLIENT_SECURITY__SASL__MECHANISM": "SCRAM-SHA-256",
        "KAFKA_CLIENT_SECURITY__SASL__USERNAME": "svc",
        "KAFKA_CLIENT_SECURITY__SASL__PASSWORD": "secret",
        "KAFKA_CLIENT_BOOTSTRAP_SERVERS": "ignored:1",
        "KAFKA_CLIENT_EXPORTER_PORT": "9999",  # the exporter's own variable is not a client setting
    }
    settings = load_exporter_settings(env=env, clusters=[CLUSTER])
    client = settings.clusters[0].client
    assert client.security.protocol == "SASL_PLAINTEXT"
    assert client.bootstrap_servers == ["kafka-1:9092"]
    assert settings.port == 9999


def test_every_problem_at_once_with_paths_hints_and_sources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
clusters:
  - name: prod
    bootstrap_server: kafka-1:9092
  - name: prod
    bootstrap_servers: not-an-address
intervl_s: 3
groups: {allow: ["("]}
profile: burrow
""",
    )
    with pytest.raises(ConfigError) as exc:
        load_exporter_settings(path, env={"KAFKA_CLIENT_EXPORTER_PORT": "http"})
    found = problems(exc)
    assert "did you mean 'bootstrap_servers'" in found["clusters.0.bootstrap_server"]
    assert "required setting is missing" in found["clusters.0.bootstrap_servers"]
    assert "not a host:port" in found["clusters.1.bootstrap_servers"]
    assert "did you mean 'interval_s'" in found["intervl_s"]
    assert f"file:{path}" in found["intervl_s"]
    assert "not a valid regular expression" in found["groups.allow"]
    assert "use one of: 'kafka_exporter' or 'kafka-lag-exporter'" in found["profile"]
    assert "env:KAFKA_CLIENT_EXPORTER_PORT" in found["port"]


def test_duplicate_cluster_names_and_no_clusters() -> None:
    with pytest.raises(ConfigError, match="repeated: prod"):
        load_exporter_settings(env={}, clusters=[CLUSTER, CLUSTER])
    with pytest.raises(ConfigError, match="clusters: required setting is missing"):
        load_exporter_settings(env={})


def test_file_and_json_problems(tmp_path: Path) -> None:
    bad_yaml = write(tmp_path, "clusters: [\n", "bad.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_exporter_settings(bad_yaml, env={}, clusters=[CLUSTER])
    with pytest.raises(ConfigError, match="configuration file does not exist"):
        load_exporter_settings(tmp_path / "missing.yaml", env={}, clusters=[CLUSTER])
    with pytest.raises(ConfigError, match="is not valid JSON"):
        load_exporter_settings(env={"KAFKA_CLIENT_EXPORTER_CLUSTERS": "[{"})
    with pytest.raises(ConfigError, match="malformed environment variable name"):
        load_exporter_settings(env={"KAFKA_CLIENT_EXPORTER_GROUPS____ALLOW": "x"}, clusters=[CLUSTER])


def test_secrets_are_never_echoed() -> None:
    cluster = {**CLUSTER, "security": {"protocol": "SASL_SSL", "sasl": {"password": "hunter2"}}}
    with pytest.raises(ConfigError) as exc:
        load_exporter_settings(env={}, clusters=[cluster])
    assert "hunter2" not in str(exc.value)
    assert "clusters.0.security.sasl" in str(exc.value)
    assert "(from override)" in str(exc.value)


def test_cluster_config_files_and_preset(tmp_path: Path) -> None:
    client_file = write(tmp_path, "bootstrap_servers: from-file:9092\nclient_id: mine\n", "client.yaml")
    settings = load_exporter_settings(
        env={}, clusters=[{"name": "a", "config_files": [str(client_file)], "preset": "production"}]
    )
    assert settings.clusters[0].client.bootstrap_servers == ["from-file:9092"]
    assert settings.clusters[0].client.client_id == "mine"


def test_constructing_directly_validates_too() -> None:
    settings = ExporterSettings(clusters=[CLUSTER])  # type: ignore[list-item]
    assert settings.clusters[0].client.bootstrap_servers == ["kafka-1:9092"]


def test_name_filter_semantics() -> None:
    assert NameFilter().matches("anything")
    only = NameFilter(allow=["^a", "b$"], deny=["^ab$"])
    assert [only.matches(n) for n in ("ax", "xb", "ab", "c")] == [True, True, False, False]


def test_the_shipped_example_configuration_is_valid(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[3] / "exporters" / "exporter.example.yaml"
    secret = write(tmp_path, "s3cret", "password")
    text = example.read_text().replace("/run/secrets/kafka-exporter-password", str(secret))
    settings = load_exporter_settings(write(tmp_path, text), env={})
    assert [c.name for c in settings.clusters] == ["prod", "dr"]
    assert settings.clusters[0].client.security.protocol == "SASL_SSL"
    assert not settings.groups.matches("console-consumer-42")


def test_otlp_headers_are_secret_and_the_endpoint_is_checked() -> None:
    settings = load_exporter_settings(
        env={},
        clusters=[{"name": "c", "bootstrap_servers": "h:1"}],
        otlp={"endpoint": "http://collector:4318/v1/metrics", "headers": {"Authorization": "Bearer s3cret"}},
    )
    assert settings.otlp is not None
    assert settings.otlp.headers["Authorization"].get_secret_value() == "Bearer s3cret"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())
    with pytest.raises(ConfigError, match=r"otlp\.endpoint") as raised:
        load_exporter_settings(
            env={}, clusters=[{"name": "c", "bootstrap_servers": "h:1"}], otlp={"endpoint": "collector:4318"}
        )
    assert "http://collector:4318/v1/metrics" in str(raised.value)


def test_timestamp_reads_settings() -> None:
    one = [{"name": "c", "bootstrap_servers": "h:1"}]
    settings = load_exporter_settings(
        env={}, clusters=one, timestamp_reads={"groups": ["^billing$", "^orders-"], "max_reads_per_cycle": 10}
    )
    reads = settings.timestamp_reads
    assert (reads.enabled, reads.max_reads_per_cycle, reads.timeout_s) == (True, 10, 5.0)
    assert [reads.wants(g) for g in ("billing", "billing-2", "orders-eu")] == [True, False, True]
    assert not load_exporter_settings(env={}, clusters=one).timestamp_reads.enabled
    with pytest.raises(ConfigError, match=r"timestamp_reads\.groups"):
        load_exporter_settings(env={}, clusters=one, timestamp_reads={"groups": ["("]})
