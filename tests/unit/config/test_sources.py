"""Where values come from: precedence, deep merging, the environment, presets, and explanations."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_client.config import KafkaClientSettings, explain_sources, load_settings
from kafka_client.errors import ConfigError

from ._helpers import SECRET, assert_no_leak, problem_at


@pytest.fixture
def base_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "base.yaml"
    path.write_text(
        "bootstrap_servers: kafka-1:9092,kafka-2:9092\n"
        "client_id: orders\n"
        "producer:\n  linger_ms: 10\n  compression: gzip\n"
        "consumer:\n  group_id: orders-base\n"
    )
    return path


@pytest.fixture
def overlay_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "prod.yaml"
    path.write_text("preset: high-throughput\nproducer:\n  linger_ms: 20\nconsumer:\n  group_id: orders\n")
    return path


def test_precedence_override_env_file_preset_default(base_yaml: Path, overlay_yaml: Path) -> None:
    env = {"KAFKA_CLIENT_PRODUCER__LINGER_MS": "30", "KAFKA_CLIENT_CLIENT_ID": "orders-env", "HOME": "/root"}
    explained = explain_sources(base_yaml, overlay_yaml, env=env, client_id="orders-override")
    settings = explained.settings
    assert settings.client_id == "orders-override"
    assert settings.producer.linger_ms == 30
    assert settings.producer.compression == "gzip"
    assert settings.producer.queue_buffering_max_messages == 1_000_000
    assert settings.consumer.group_id == "orders"
    assert settings.producer.acks == "all"
    assert explained.sources["client_id"] == "override"
    assert explained.sources["producer.linger_ms"] == "env:KAFKA_CLIENT_PRODUCER__LINGER_MS"
    assert explained.sources["producer.compression"] == f"file:{base_yaml}"
    assert explained.sources["consumer.group_id"] == f"file:{overlay_yaml}"
    assert explained.sources["producer.queue_buffering_max_messages"] == "preset:high-throughput"
    assert explained.sources["producer.acks"] == "default"
    assert explained.sources["bootstrap_servers"] == f"file:{base_yaml}"


def test_sources_cover_every_leaf(base_yaml: Path) -> None:
    explained = explain_sources(base_yaml, env={}, native={"socket.keepalive.enable": True})
    assert explained.sources["native.socket.keepalive.enable"] == "override"
    assert explained.sources["native_kafka_python"] == "default"
    assert explained.sources["security.tls.ca_file"] == "default"
    assert len(explained.sources) == 55  # every leaf setting, observability.debug etc. included
    with pytest.raises(KeyError):
        explained.source_of("producer")


def test_preset_argument_beats_env_and_file_presets(overlay_yaml: Path) -> None:
    env = {"KAFKA_CLIENT_PRESET": "development"}
    assert load_settings(overlay_yaml, env=env, bootstrap_servers="k:1").producer.linger_ms == 20
    explained = explain_sources(overlay_yaml, env=env, bootstrap_servers="k:1")
    assert explained.sources["producer.acks"] == "preset:development"
    explained = explain_sources(overlay_yaml, env=env, bootstrap_servers="k:1", preset="low-latency")
    assert explained.sources["producer.acks"] == "preset:low-latency"
    assert explained.sources["producer.compression"] == "preset:low-latency"


def test_unknown_preset_has_did_you_mean(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, bootstrap_servers="k:1", preset="prodution")
    found = problem_at(caught.value, "preset")
    assert (found.message, found.value, found.hint, found.source) == (
        "unknown preset",
        "'prodution'",
        "did you mean 'production'?",
        "override",
    )
    file = tmp_path / "app.yaml"
    file.write_text("preset: nonsense\nbootstrap_servers: k:1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(file, env={})
    found = problem_at(caught.value, "preset")
    assert found.source == f"file:{file}"
    assert found.hint is not None
    assert found.hint.startswith("available presets: production, development")


def test_overrides_are_nested_dicts_merged_key_by_key(base_yaml: Path) -> None:
    settings = load_settings(base_yaml, env={}, producer={"acks": "all", "linger_ms": 0})
    assert (settings.producer.linger_ms, settings.producer.compression) == (0, "gzip")


def test_dunder_override_is_rejected_with_a_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, bootstrap_servers="k:1", producer__acks=1)
    hint = problem_at(caught.value, "producer__acks").hint
    assert hint is not None
    assert "keyword overrides are nested dicts" in hint


def test_section_object_as_override() -> None:
    from kafka_client.config import ProducerSettings

    explained = explain_sources(env={}, bootstrap_servers="k:1", producer=ProducerSettings(linger_ms=50))
    assert explained.settings.producer.linger_ms == 50
    assert explained.sources["producer.linger_ms"] == "override"
    assert explained.sources["producer.acks"] == "override"


def test_environment_values_are_coerced() -> None:
    env = {
        "KAFKA_CLIENT_BOOTSTRAP_SERVERS": "a:1,b:2",
        "KAFKA_CLIENT_PRODUCER__ACKS": "1",
        "KAFKA_CLIENT_PRODUCER__ENABLE_IDEMPOTENCE": "false",
        "KAFKA_CLIENT_SECURITY__PROTOCOL": "sasl_ssl",
        "KAFKA_CLIENT_SECURITY__SASL__MECHANISM": "scram-sha-512",
        "KAFKA_CLIENT_SECURITY__SASL__USERNAME": "svc",
        "KAFKA_CLIENT_SECURITY__SASL__PASSWORD": SECRET,
        "KAFKA_CLIENT_NATIVE": '{"socket.keepalive.enable": true, "fetch.error.backoff.ms": 100}',
        "kafka_client_observability__log_level": "debug",
    }
    settings = load_settings(env=env)
    assert settings.bootstrap_servers == ["a:1", "b:2"]
    assert (settings.producer.acks, settings.producer.enable_idempotence) == (1, False)
    assert settings.security.protocol == "SASL_SSL"
    assert settings.security.sasl is not None
    assert settings.security.sasl.mechanism == "SCRAM-SHA-512"
    assert settings.native == {"socket.keepalive.enable": True, "fetch.error.backoff.ms": 100}
    assert settings.observability.log_level == "DEBUG"
    assert SECRET not in repr(settings)


def test_bootstrap_servers_env_as_json_list() -> None:
    settings = load_settings(env={"KAFKA_CLIENT_BOOTSTRAP_SERVERS": '["a:1", "b:2"]'})
    assert settings.bootstrap_servers == ["a:1", "b:2"]


def test_unknown_environment_variable_is_an_error_with_its_name() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"KAFKA_CLIENT_PRODUCER__ACKZ": "1", "KAFKA_CLIENT_BOOTSTRAP_SERVERS": "k:1"})
    found = problem_at(caught.value, "producer.ackz")
    assert (found.hint, found.source) == ("did you mean 'acks'?", "env:KAFKA_CLIENT_PRODUCER__ACKZ")


def test_environment_problems_are_collected_with_validation_problems() -> None:
    env = {
        "KAFKA_CLIENT_NATIVE": "{not json",
        "KAFKA_CLIENT_NATIVE__SOCKET_KEEPALIVE_ENABLE": "true",
        "KAFKA_CLIENT_CLIENT_ID__X": "1",
        "KAFKA_CLIENT_PRODUCER____ACKS": "1",
        "KAFKA_CLIENT_PRODUCER__LINGER_MS": "soon",
    }
    with pytest.raises(ConfigError) as caught:
        load_settings(env=env, bootstrap_servers="k:1")
    error = caught.value
    assert (
        problem_at(error, "native").message
        == "is not valid JSON (Expecting property name enclosed in double quotes at character 1)"
    )
    assert problem_at(error, "native.socket_keepalive_enable").message == (
        "'native' cannot be set one key per environment variable"
    )
    assert problem_at(error, "client_id.x").source == "env:KAFKA_CLIENT_CLIENT_ID__X"
    assert problem_at(error, "producer____acks").message == "malformed environment variable name"
    assert problem_at(error, "producer.linger_ms").source == "env:KAFKA_CLIENT_PRODUCER__LINGER_MS"
    assert len(error.problems) == 5


def test_constructor_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_PRODUCER__LINGER_MS", "42")
    monkeypatch.setenv("KAFKA_CLIENT_CLIENT_ID", "from-env")
    settings = KafkaClientSettings(bootstrap_servers="k:1", client_id="from-kwargs")
    assert (settings.producer.linger_ms, settings.client_id) == (42, "from-kwargs")
    assert KafkaClientSettings(bootstrap_servers="k:1", preset="development").producer.acks == 1


def test_explicit_env_mapping_ignores_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_PRODUCER__LINGER_MS", "42")
    assert load_settings(env={}, bootstrap_servers="k:1").producer.linger_ms == 5


def test_from_yaml_is_load_settings(base_yaml: Path) -> None:
    assert KafkaClientSettings.from_yaml(base_yaml, env={}) == load_settings(base_yaml, env={})


def test_yaml_syntax_error_never_quotes_the_file(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text(f'bootstrap_servers: k:1\nsecurity:\n  sasl:\n    password: "{SECRET}\n  x: [\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(file, env={})
    found = problem_at(caught.value, "")
    assert found.source == f"file:{file}"
    assert found.message.startswith("not valid YAML at line ")
    assert_no_leak(caught.value, SECRET)


def test_yaml_must_be_a_mapping(tmp_path: Path) -> None:
    file = tmp_path / "list.yaml"
    file.write_text("- a\n- b\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(file, env={}, bootstrap_servers="k:1")
    found = problem_at(caught.value, "")
    assert (found.message, found.value) == (
        "the top level of a configuration file must be a mapping of settings",
        "a value of type list",
    )
    assert str(caught.value).startswith("1 configuration problem:\n  - <root>: the top level")


def test_missing_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "absent.yaml", env={}, bootstrap_servers="k:1")
    assert problem_at(caught.value, "").message == "configuration file does not exist"


def test_empty_yaml_file_is_fine(tmp_path: Path) -> None:
    file = tmp_path / "empty.yaml"
    file.write_text("# nothing yet\n")
    assert load_settings(file, env={}, bootstrap_servers="k:1").client_id == "kafka-client"


def test_underscore_keys_cannot_reach_pydantic_settings(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text("bootstrap_servers: k:1\n_env_prefix: OTHER_\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(file, env={})
    assert problem_at(caught.value, "_env_prefix").source == f"file:{file}"


def test_null_section_then_overlay(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("bootstrap_servers: k:1\nsecurity:\n  protocol: SASL_SSL\n  sasl: null\n")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("security:\n  sasl:\n    mechanism: PLAIN\n    username: u\n    password: p\n")
    explained = explain_sources(base, overlay, env={})
    assert explained.sources["security.sasl.mechanism"] == f"file:{overlay}"
    assert explained.sources["security.sasl.password_file"] == "default"
