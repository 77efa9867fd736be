"""Property tests: any valid configuration survives YAML -> settings -> YAML -> settings -> native."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kafka.codec import has_lz4, has_snappy, has_zstd

from kafka_client.config import (
    KafkaClientSettings,
    load_settings,
    redacted_settings,
    render_settings_yaml,
    to_confluent_config,
    to_kafka_python_config,
)

from ._native_clients import LOOPBACK, build_kafka_python, confluent_warnings

_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=1, max_size=20).filter(
    lambda s: s[0].isalnum() and s[-1].isalnum()
)
_hosts = st.sampled_from(["localhost", "kafka-1", "kafka.example.com", "10.1.2.3", "[::1]"])


@st.composite
def producer_settings(draw: st.DrawFn) -> dict[str, Any]:
    idempotent = draw(st.booleans())
    linger = draw(st.integers(0, 5_000))
    request = draw(st.integers(1, 120_000))
    backoff = draw(st.integers(1, 10_000))
    data: dict[str, Any] = {
        "enable_idempotence": idempotent,
        "acks": "all" if idempotent else draw(st.sampled_from([0, 1, "all"])),
        "linger_ms": linger,
        "request_timeout_ms": request,
        "delivery_timeout_ms": linger + request + draw(st.integers(0, 600_000)),
        "retries": draw(st.integers(1 if idempotent else 0, 2_147_483_647)),
        "retry_backoff_ms": backoff,
        "retry_backoff_max_ms": backoff + draw(st.integers(0, 100_000)),
        "batch_size": draw(st.integers(1, 1_000_000)),
        "compression": draw(st.sampled_from(["none", "gzip", "snappy", "lz4", "zstd"])),
        "partitioner": draw(st.sampled_from(["murmur2_random", "murmur2", "consistent_random", "fnv1a"])),
        "max_in_flight": draw(st.integers(1, 5 if idempotent else 100)),
        "queue_buffering_max_messages": draw(st.integers(1, 2_000_000)),
        "queue_full_policy": draw(st.sampled_from(["block", "raise"])),
        "queue_full_timeout_s": draw(st.floats(0, 60, allow_nan=False)),
    }
    if idempotent and draw(st.booleans()):
        data["transactional_id"] = draw(_names)
        data["transaction_timeout_ms"] = data["delivery_timeout_ms"] + draw(st.integers(0, 100_000))
    return data


@st.composite
def consumer_settings(draw: st.DrawFn) -> dict[str, Any]:
    session = draw(st.integers(2, 300_000))
    return {
        "group_id": draw(_names),
        "auto_offset_reset": draw(st.sampled_from(["earliest", "latest", "error"])),
        "enable_auto_commit": draw(st.booleans()),
        "session_timeout_ms": session,
        "heartbeat_interval_ms": draw(st.integers(1, session - 1)),
        "max_poll_interval_ms": session + draw(st.integers(0, 1_000_000)),
        "fetch_min_bytes": draw(st.integers(1, 100_000_000)),
        "fetch_max_wait_ms": draw(st.integers(0, 10_000)),
        "fetch_queue_backoff_ms": draw(st.integers(0, 300_000)),
        "max_poll_records": draw(st.integers(1, 10_000)),
        "isolation_level": draw(st.sampled_from(["read_committed", "read_uncommitted"])),
        "partition_assignment_strategy": draw(st.sampled_from(["cooperative-sticky", "range", "roundrobin"])),
    }


@st.composite
def valid_configs(draw: st.DrawFn, servers: st.SearchStrategy[list[str]] | None = None) -> dict[str, Any]:
    ports = st.integers(1, 65535).map(str)
    brokers = servers or st.lists(st.tuples(_hosts, ports).map(":".join), min_size=1, max_size=3)
    config: dict[str, Any] = {
        "bootstrap_servers": draw(brokers),
        "client_id": draw(_names),
        "producer": draw(producer_settings()),
        "consumer": draw(consumer_settings()),
        "observability": {
            "metrics_enabled": draw(st.booleans()),
            "statistics_interval_ms": draw(st.integers(0, 86_400_000)),
            "log_level": draw(st.sampled_from(["DEBUG", "INFO", "WARNING"])),
        },
    }
    if draw(st.booleans()):
        mechanism = draw(st.sampled_from(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]))
        sasl = {"mechanism": mechanism, "username": draw(_names), "password": draw(_names)}
        config["security"] = {"protocol": "SASL_PLAINTEXT", "sasl": sasl}
    if draw(st.booleans()):
        config["native"] = {"socket.keepalive.enable": draw(st.booleans())}
    return config


def _load_yaml(text: str) -> KafkaClientSettings:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "app.yaml"
        path.write_text(text)
        return load_settings(path, env={})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs())
def test_yaml_to_settings_to_yaml_to_settings(config: dict[str, Any]) -> None:
    from_yaml = _load_yaml(yaml.safe_dump(config))
    assert from_yaml == load_settings(env={}, **config)
    shown = render_settings_yaml(redacted_settings(from_yaml))
    assert yaml.safe_load(shown) == redacted_settings(from_yaml)
    reloaded = _load_yaml(shown)
    if from_yaml.security.sasl is None:
        assert reloaded == from_yaml
    else:
        assert reloaded.model_dump(exclude={"security"}) == from_yaml.model_dump(exclude={"security"})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs(servers=st.just([LOOPBACK])), st.sampled_from(["producer", "consumer"]))
def test_generated_settings_build_confluent_clients(config: dict[str, Any], role: str) -> None:
    native = to_confluent_config(_load_yaml(yaml.safe_dump(config)), role)
    assert confluent_warnings(role, native) == []


_CODECS = {"none": True, "gzip": True, "snappy": has_snappy(), "lz4": has_lz4(), "zstd": has_zstd()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs(servers=st.just([LOOPBACK])), st.sampled_from(["producer", "consumer", "admin"]))
def test_generated_settings_build_kafka_python_clients(config: dict[str, Any], role: str) -> None:
    config["producer"].update(partitioner="murmur2_random")
    if not _CODECS[config["producer"]["compression"]]:
        config["producer"]["compression"] = "gzip"
    build_kafka_python(role, to_kafka_python_config(_load_yaml(yaml.safe_dump(config)), role))
