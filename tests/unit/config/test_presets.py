"""Presets are valid data, consistent with the validation rules, and documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_client.config import PRESETS, available_presets, preset_values
from kafka_client.errors import ConfigError

from ._helpers import SECRET, config_error, load, problem_at

DOCS = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_available_presets() -> None:
    assert available_presets() == (
        "production",
        "development",
        "high-throughput",
        "low-latency",
        "confluent-cloud",
        "aws-msk-iam",
        "azure-event-hubs",
    )


def test_preset_values_are_copies() -> None:
    values = preset_values("production")
    values["producer"]["acks"] = 0
    assert PRESETS["production"]["producer"]["acks"] == "all"


def test_unknown_preset() -> None:
    with pytest.raises(ConfigError) as caught:
        preset_values("low-latancy")
    assert problem_at(caught.value, "preset").hint == "did you mean 'low-latency'?"


@pytest.mark.parametrize("preset", ["production", "development", "high-throughput", "low-latency"])
def test_general_presets_are_valid_alone(preset: str) -> None:
    load(preset=preset)


def test_production_preset_equals_the_defaults() -> None:
    assert load(preset="production") == load()


def test_development_and_low_latency_trade_durability_consistently() -> None:
    for preset in ("development", "low-latency"):
        producer = load(preset=preset).producer
        assert (producer.acks, producer.enable_idempotence, producer.linger_ms) == (1, False, 0)


def test_high_throughput_keeps_durability() -> None:
    producer = load(preset="high-throughput").producer
    assert (producer.acks, producer.enable_idempotence, producer.linger_ms, producer.compression) == (
        "all",
        True,
        50,
        "zstd",
    )


def test_confluent_cloud_asks_for_the_api_key() -> None:
    error = config_error(preset="confluent-cloud")
    assert [p.path for p in error.problems] == ["security.sasl.username", "security.sasl.password"]
    settings = load(preset="confluent-cloud", security={"sasl": {"username": "KEY", "password": SECRET}})
    assert (settings.security.protocol, settings.security.sasl and settings.security.sasl.mechanism) == (
        "SASL_SSL",
        "PLAIN",
    )


def test_aws_msk_iam_asks_for_a_token_provider() -> None:
    error = config_error(preset="aws-msk-iam")
    found = problem_at(error, "security.sasl.oauth")
    assert found.hint is not None
    assert "aws-msk-iam-sasl-signer" in found.hint
    settings = load(
        preset="aws-msk-iam", security={"sasl": {"oauth": {"token_provider": "myapp.auth:msk_token"}}}
    )
    assert settings.security.sasl is not None
    assert settings.security.sasl.mechanism == "OAUTHBEARER"


def test_azure_event_hubs_asks_for_the_connection_string() -> None:
    error = config_error(preset="azure-event-hubs")
    assert [p.path for p in error.problems] == ["security.sasl.password"]
    settings = load(preset="azure-event-hubs", security={"sasl": {"password": SECRET}})
    assert settings.security.sasl is not None
    assert settings.security.sasl.username == "$ConnectionString"
    assert (settings.producer.enable_idempotence, settings.producer.compression) == (False, "none")


@pytest.mark.parametrize("preset", available_presets())
def test_every_preset_is_documented(preset: str) -> None:
    assert f"`{preset}`" in DOCS.read_text()
