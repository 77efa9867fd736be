"""Settings to librdkafka configuration: exact dicts, role relevance, security, and real clients."""

from __future__ import annotations

from typing import Any

import pytest

from kafka_client.config import KafkaClientSettings, available_presets, to_confluent_config
from kafka_client.errors import ConfigError

from ._helpers import SECRET, load, problem_at
from ._native_clients import LOOPBACK, confluent_warnings

PRODUCTION_COMMON = {
    "bootstrap.servers": "kafka-1:9092,kafka-2:9092",
    "client.id": "orders",
    "security.protocol": "PLAINTEXT",
}
PRODUCTION_PRODUCER = {
    **PRODUCTION_COMMON,
    "acks": "all",
    "enable.idempotence": True,
    "delivery.timeout.ms": 120000,
    "request.timeout.ms": 30000,
    "retries": 2147483647,
    "retry.backoff.ms": 100,
    "retry.backoff.max.ms": 1000,
    "linger.ms": 5,
    "batch.size": 1000000,
    "compression.type": "lz4",
    "partitioner": "murmur2_random",
    "max.in.flight.requests.per.connection": 5,
    "queue.buffering.max.messages": 100000,
    "statistics.interval.ms": 5000,
}
PRODUCTION_CONSUMER = {
    **PRODUCTION_COMMON,
    "group.id": "orders",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "session.timeout.ms": 45000,
    "heartbeat.interval.ms": 3000,
    "max.poll.interval.ms": 300000,
    "fetch.min.bytes": 1,
    "fetch.wait.max.ms": 500,
    "fetch.queue.backoff.ms": 50,
    "isolation.level": "read_committed",
    "partition.assignment.strategy": "cooperative-sticky",
    "statistics.interval.ms": 5000,
}


def _production(**overrides: Any) -> KafkaClientSettings:
    overrides.setdefault("consumer", {"group_id": "orders"})
    return load(
        preset="production", bootstrap_servers="kafka-1:9092,kafka-2:9092", client_id="orders", **overrides
    )


def test_production_producer() -> None:
    assert to_confluent_config(_production(), "producer") == PRODUCTION_PRODUCER


def test_production_consumer() -> None:
    assert to_confluent_config(_production(), "consumer") == PRODUCTION_CONSUMER


def test_production_admin() -> None:
    assert to_confluent_config(_production(), "admin") == PRODUCTION_COMMON


def test_optional_keys_appear_when_set() -> None:
    settings = _production(
        producer={"transactional_id": "orders-tx"}, consumer={"group_id": "g", "group_instance_id": "pod-1"}
    )
    producer = to_confluent_config(settings, "producer")
    assert (producer["transactional.id"], producer["transaction.timeout.ms"]) == ("orders-tx", 120000)
    assert to_confluent_config(settings, "consumer")["group.instance.id"] == "pod-1"


def test_statistics_off_when_metrics_off_or_zero() -> None:
    for observability in ({"metrics_enabled": False}, {"statistics_interval_ms": 0}):
        assert "statistics.interval.ms" not in to_confluent_config(
            _production(observability=observability), "producer"
        )


def test_native_is_applied_last_and_wins() -> None:
    settings = _production(native={"linger.ms": 50, "socket.keepalive.enable": True})
    config = to_confluent_config(settings, "producer")
    assert (config["linger.ms"], config["socket.keepalive.enable"]) == (50, True)
    assert list(config)[-1] == "socket.keepalive.enable"


def test_consumer_needs_group_id() -> None:
    with pytest.raises(ConfigError) as caught:
        to_confluent_config(load(), "consumer")
    assert (
        problem_at(caught.value, "consumer.group_id").message == "a confluent-kafka consumer needs a group id"
    )


def test_sasl_plain() -> None:
    settings = load(
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "PLAIN", "username": "key", "password": SECRET},
        }
    )
    config = to_confluent_config(settings, "admin")
    assert config == {
        "bootstrap.servers": "kafka-1:9092",
        "client.id": "kafka-client",
        "security.protocol": "SASL_SSL",
        "ssl.endpoint.identification.algorithm": "https",
        "sasl.mechanisms": "PLAIN",
        "sasl.username": "key",
        "sasl.password": SECRET,
    }


def test_oidc() -> None:
    oauth = {
        "oidc_token_endpoint_url": "https://idp.example.com/oauth2/token",
        "oidc_client_id": "orders",
        "oidc_client_secret": SECRET,
        "oidc_scope": "kafka",
        "oidc_extensions": {"logicalCluster": "lkc-1", "identityPoolId": "pool-2"},
    }
    settings = load(security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}})
    config = to_confluent_config(settings, "admin")
    assert {k: v for k, v in config.items() if k.startswith("sasl")} == {
        "sasl.mechanisms": "OAUTHBEARER",
        "sasl.oauthbearer.method": "oidc",
        "sasl.oauthbearer.client.id": "orders",
        "sasl.oauthbearer.client.secret": SECRET,
        "sasl.oauthbearer.token.endpoint.url": "https://idp.example.com/oauth2/token",
        "sasl.oauthbearer.scope": "kafka",
        "sasl.oauthbearer.extensions": "logicalCluster=lkc-1,identityPoolId=pool-2",
    }


def fixed_token() -> tuple[str, float]:
    """A token provider importable as 'tests.unit.config.test_confluent_translation:fixed_token'."""
    return "token-abc", 1_900_000_000.0


@pytest.mark.parametrize(
    "provider", [fixed_token, "tests.unit.config.test_confluent_translation:fixed_token"]
)
def test_token_provider_becomes_oauth_cb(provider: object) -> None:
    settings = load(
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "OAUTHBEARER", "oauth": {"token_provider": provider}},
        }
    )
    config = to_confluent_config(settings, "producer")
    assert config["sasl.mechanisms"] == "OAUTHBEARER"
    assert "sasl.oauthbearer.method" not in config
    assert config["oauth_cb"]("ignored librdkafka config string") == ("token-abc", 1_900_000_000.0)
    assert repr(config["oauth_cb"]) == (
        "ConfluentOAuthCallback(tests.unit.config.test_confluent_translation:fixed_token)"
    )


def test_unimportable_token_provider_is_a_config_error() -> None:
    settings = load(
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "OAUTHBEARER", "oauth": {"token_provider": "no_such_module_x:fn"}},
        }
    )
    with pytest.raises(ConfigError) as caught:
        to_confluent_config(settings, "producer")
    found = problem_at(caught.value, "security.sasl.oauth.token_provider")
    assert found.message.startswith("cannot import the token provider (ModuleNotFoundError")
    assert found.value == "'no_such_module_x:fn'"


def _constructible(preset: str) -> KafkaClientSettings:
    """Preset settings completed with the credentials a user must add, on a loopback address."""
    overrides: dict[str, Any] = {}
    if preset in ("confluent-cloud", "azure-event-hubs"):
        overrides["security"] = {"sasl": {"username": "api-key", "password": SECRET}}
    if preset == "aws-msk-iam":
        overrides["security"] = {"sasl": {"oauth": {"token_provider": fixed_token}}}
    return load(preset=preset, bootstrap_servers=LOOPBACK, consumer={"group_id": "g"}, **overrides)


@pytest.mark.parametrize("role", ["producer", "consumer", "admin"])
@pytest.mark.parametrize("preset", available_presets())
def test_every_preset_builds_a_client_without_warnings(preset: str, role: str) -> None:
    assert confluent_warnings(role, to_confluent_config(_constructible(preset), role)) == []


def test_oidc_and_mtls_build_clients(tls_files: Any) -> None:
    oauth = {
        "oidc_token_endpoint_url": "http://127.0.0.1:1/token",
        "oidc_client_id": "orders",
        "oidc_client_secret": SECRET,
        "oidc_scope": "kafka",
        "oidc_extensions": {"a": "b"},
    }
    tls = {
        "ca_file": str(tls_files.ca_file),
        "cert_file": str(tls_files.cert_file),
        "key_file": str(tls_files.key_file),
    }
    settings = load(
        bootstrap_servers=LOOPBACK,
        consumer={"group_id": "g"},
        security={"protocol": "SASL_SSL", "tls": tls, "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}},
    )
    for role in ("producer", "consumer", "admin"):
        assert confluent_warnings(role, to_confluent_config(settings, role)) == []


def test_warning_detection_works() -> None:
    """The no-warning assertions above would catch a producer key given to a consumer."""
    config = {**to_confluent_config(_constructible("production"), "consumer"), "acks": 1}
    warnings = confluent_warnings("consumer", config)
    assert len(warnings) == 1
    assert "is a producer property" in warnings[0]
