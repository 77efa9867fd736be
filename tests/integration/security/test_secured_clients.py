"""The library's clients against the embedded broker's secured listeners, on both backends:
SCRAM-SHA-512 over TLS with hostname verification, mutual TLS, OAUTHBEARER through a token provider
(the broker's unsecured JWT validator), and ACLs enforced by the StandardAuthorizer with errors that
name the resource and the operation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from kafka_client import AuthorizationError, Consumer, Producer
from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security.conftest import allow_round_trip, consume_for, round_trip, unsecured_jwt


def test_scram_sha_512_over_tls_with_hostname_verification(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], grant: Callable[..., None], backend: str
) -> None:
    topic, group = kafka_topic(), f"g-{uuid.uuid4().hex[:8]}"
    allow_round_trip(grant, "User:alice", topic, group)
    settings = kafka_broker.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
    settings["security"]["tls"]["check_hostname"] = True  # the broker's certificate names 127.0.0.1
    settings["backend"] = backend
    assert round_trip(settings, topic, group) == [f"m{i}".encode() for i in range(5)]


def test_mutual_tls_client_certificate_is_the_principal(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], grant: Callable[..., None], backend: str
) -> None:
    topic, group = kafka_topic(), f"g-{uuid.uuid4().hex[:8]}"
    allow_round_trip(grant, "User:bob", topic, group)  # CN=bob -> User:bob
    settings = {**kafka_broker.client_settings("SSL", user="bob"), "backend": backend}
    assert round_trip(settings, topic, group) == [f"m{i}".encode() for i in range(5)]


def test_oauthbearer_token_provider_with_the_unsecured_validator(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], grant: Callable[..., None], backend: str
) -> None:
    topic, group = kafka_topic(), f"g-{uuid.uuid4().hex[:8]}"
    allow_round_trip(grant, "User:carol-oauth", topic, group)  # the token's sub is the principal
    calls: list[float] = []

    def provider() -> tuple[str, float]:
        calls.append(time.time())
        return unsecured_jwt("carol-oauth")

    settings = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice")
    settings["security"]["sasl"] = {"mechanism": "OAUTHBEARER", "oauth": {"token_provider": provider}}
    settings["backend"] = backend
    assert round_trip(settings, topic, group) == [f"m{i}".encode() for i in range(5)]
    assert calls, "the token provider was never asked for a token"


def test_acls_allow_what_was_granted_and_deny_the_rest_naming_resource_and_operation(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], grant: Callable[..., None], backend: str
) -> None:
    allowed, forbidden = kafka_topic(), kafka_topic()
    group, other_group = f"g-{uuid.uuid4().hex[:8]}", f"h-{uuid.uuid4().hex[:8]}"
    allow_round_trip(grant, "User:alice", allowed, group)
    settings = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256")
    settings["backend"] = backend
    assert round_trip(settings, allowed, group, count=3) == [b"m0", b"m1", b"m2"]

    with (
        Producer(settings, producer={"delivery_timeout_ms": 10_000, "request_timeout_ms": 5_000}) as producer,
        pytest.raises(AuthorizationError) as denied_write,
    ):
        producer.send(forbidden, b"no").result(timeout=15)
    print(f"\nwrite denied ({backend}): {denied_write.value}")
    assert f"denied: WRITE on TOPIC '{forbidden}'" in str(denied_write.value)

    with (
        Consumer(settings, group_id=other_group, topics=[allowed]) as consumer,
        pytest.raises(AuthorizationError) as denied_group,
    ):
        consume_for(consumer, 15.0)
    print(f"group denied ({backend}): {denied_group.value}")
    assert "denied: READ on GROUP" in str(denied_group.value)  # kafka-python names it; librdkafka does not

    with (
        KafkaAdmin(
            kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256"),
            timeout=10,
        ) as alice,
        pytest.raises(AuthorizationError) as denied_describe,
    ):
        alice.describe_topics([forbidden])
    print(f"describe denied: {denied_describe.value}")
    assert f"denied: DESCRIBE on TOPIC '{forbidden}'" in str(denied_describe.value)
