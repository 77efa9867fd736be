"""Settings to kafka-python keyword arguments: exact dicts, unsupported features, real clients."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.codec import has_lz4, has_zstd
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from kafka.coordinator.assignors.range import RangePartitionAssignor

from kafka_client.config import KafkaClientSettings, available_presets, to_kafka_python_config
from kafka_client.config._oauth_adapters import CachingTokenSource
from kafka_client.errors import FeatureNotSupportedError

from ._helpers import SECRET, load
from ._native_clients import LOOPBACK, build_kafka_python

COMMON = {
    "bootstrap_servers": ["kafka-1:9092", "kafka-2:9092"],
    "client_id": "orders",
    "security_protocol": "PLAINTEXT",
}


def _production(**overrides: Any) -> KafkaClientSettings:
    overrides.setdefault("producer", {"compression": "gzip"})
    overrides.setdefault("consumer", {"group_id": "orders"})
    return load(
        preset="production", bootstrap_servers="kafka-1:9092,kafka-2:9092", client_id="orders", **overrides
    )


def test_production_producer() -> None:
    assert to_kafka_python_config(_production(), "producer") == {
        **COMMON,
        "acks": "all",
        "enable_idempotence": True,
        "delivery_timeout_ms": 120000,
        "request_timeout_ms": 30000,
        "retries": 2147483647,
        "retry_backoff_ms": 100,
        "linger_ms": 5,
        "batch_size": 1000000,
        "compression_type": "gzip",
        "max_in_flight_requests_per_connection": 5,
    }


def test_production_consumer() -> None:
    assert to_kafka_python_config(_production(), "consumer") == {
        **COMMON,
        "group_id": "orders",
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        "session_timeout_ms": 45000,
        "heartbeat_interval_ms": 3000,
        "max_poll_interval_ms": 300000,
        "max_poll_records": 500,
        "fetch_min_bytes": 1,
        "fetch_max_wait_ms": 500,
        "isolation_level": "read_committed",
        "partition_assignment_strategy": [CooperativeStickyAssignor],
    }


def test_production_admin() -> None:
    assert to_kafka_python_config(_production(), "admin") == COMMON


def test_mappings_that_differ_from_librdkafka() -> None:
    settings = _production(
        producer={"compression": "none", "transactional_id": "tx"},
        consumer={
            "auto_offset_reset": "error",
            "partition_assignment_strategy": "range",
            "group_instance_id": "i",
        },
        native_kafka_python={"linger_ms": 1, "metadata_max_age_ms": 1000},
    )
    producer = to_kafka_python_config(settings, "producer")
    assert (producer["compression_type"], producer["transactional_id"], producer["linger_ms"]) == (
        None,
        "tx",
        1,
    )
    consumer = to_kafka_python_config(settings, "consumer")
    assert consumer["auto_offset_reset"] == "none"
    assert consumer["partition_assignment_strategy"] == [RangePartitionAssignor]
    assert (consumer["group_instance_id"], consumer["metadata_max_age_ms"]) == ("i", 1000)


@pytest.mark.parametrize("codec", ["lz4", "zstd", "snappy"])
def test_missing_codec_library_is_not_supported(codec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import kafka.codec

    monkeypatch.setattr(kafka.codec, f"has_{codec}", lambda: False)
    with pytest.raises(FeatureNotSupportedError) as caught:
        to_kafka_python_config(load(producer={"compression": codec}), "producer")
    assert (caught.value.feature, caught.value.backend) == (f"{codec} compression", "kafka-python")
    package = {"lz4": "lz4", "zstd": "zstandard", "snappy": "python-snappy"}[codec]
    assert f"pip install {package}" in caught.value.alternative


@pytest.mark.parametrize("partitioner", ["consistent_random", "fnv1a", "murmur2"])
def test_librdkafka_only_partitioners_are_not_supported(partitioner: str) -> None:
    with pytest.raises(FeatureNotSupportedError, match="murmur2_random"):
        to_kafka_python_config(
            _production(producer={"compression": "gzip", "partitioner": partitioner}), "producer"
        )


def test_oidc_is_not_supported() -> None:
    oauth = {"oidc_token_endpoint_url": "https://idp/t", "oidc_client_id": "c", "oidc_client_secret": SECRET}
    settings = load(security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}})
    with pytest.raises(FeatureNotSupportedError) as caught:
        to_kafka_python_config(settings, "admin")
    assert "use the confluent backend" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_sasl_scram() -> None:
    sasl = {"mechanism": "SCRAM-SHA-256", "username": "svc", "password": SECRET}
    config = to_kafka_python_config(load(security={"protocol": "SASL_PLAINTEXT", "sasl": sasl}), "admin")
    assert config == {
        "bootstrap_servers": ["kafka-1:9092"],
        "client_id": "kafka-client",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "svc",
        "sasl_plain_password": SECRET,
    }


def test_token_provider_is_adapted_and_cached() -> None:
    from kafka.net.sasl.oauth import AbstractTokenProvider

    calls: list[int] = []

    def provider() -> tuple[str, float]:
        calls.append(1)
        return f"token-{len(calls)}", 4_000_000_000.0

    settings = load(
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "OAUTHBEARER", "oauth": {"token_provider": provider}},
        }
    )
    adapter = to_kafka_python_config(settings, "admin")["sasl_oauth_token_provider"]
    assert isinstance(adapter, AbstractTokenProvider)
    assert (adapter.token(), adapter.token(), len(calls)) == ("token-1", "token-1", 1)


def test_cached_token_is_refreshed_near_expiry() -> None:
    now = [1000.0]
    tokens = iter([("a", 1100.0), ("b", 5000.0)])
    source = CachingTokenSource(lambda: next(tokens), clock=lambda: now[0])
    assert source.token() == "a"
    now[0] = 1039.0
    assert source.token() == "a"
    now[0] = 1041.0
    assert source.token() == "b"


def _token() -> tuple[str, float]:
    return "t", 4_000_000_000.0


def _codec_available(codec: str) -> bool:
    return {"lz4": has_lz4, "zstd": has_zstd}.get(codec, lambda: True)()


@pytest.mark.parametrize("role", ["producer", "consumer", "admin"])
@pytest.mark.parametrize("preset", available_presets())
def test_every_preset_builds_a_kafka_python_client(preset: str, role: str) -> None:
    overrides: dict[str, Any] = {"bootstrap_servers": LOOPBACK, "consumer": {"group_id": "g"}}
    if preset in ("confluent-cloud", "azure-event-hubs"):
        overrides["security"] = {"sasl": {"username": "api-key", "password": SECRET}}
    if preset == "aws-msk-iam":
        overrides["security"] = {"sasl": {"oauth": {"token_provider": _token}}}
    settings = load(preset=preset, **overrides)
    if role == "producer" and not _codec_available(settings.producer.compression):
        with pytest.raises(FeatureNotSupportedError):
            to_kafka_python_config(settings, role)
        settings = load(preset=preset, producer={"compression": "gzip"}, **overrides)
    build_kafka_python(role, to_kafka_python_config(settings, role))


def test_a_missing_kafka_python_submodule_falls_back_instead_of_claiming_it_is_not_installed(
    monkeypatch: Any,
) -> None:
    """Older/newer kafka-python releases move modules: the token provider tries the next location, and an
    assignor that does not exist is a FeatureNotSupportedError, not "kafka-python is not installed"."""
    from kafka_client.config import _kafka_python as translation
    from kafka_client.errors import FeatureNotSupportedError

    monkeypatch.setattr(
        translation, "_TOKEN_PROVIDER_MODULES", ("kafka.no_such_module", *translation._TOKEN_PROVIDER_MODULES)
    )
    provider = translation.kafka_python_token_provider(lambda: ("token", 0.0))
    assert hasattr(provider, "token")
    monkeypatch.setitem(translation._ASSIGNORS, "range", ("kafka.no_such_module", "RangeAssignor"))
    with pytest.raises(FeatureNotSupportedError, match="partition assignment strategy 'range'"):
        translation._assignor("range")
