"""The library's clients against the embedded broker's secured listeners, on both backends:
SCRAM-SHA-512 over TLS with hostname verification, mutual TLS, OAUTHBEARER through a token provider
(the broker's unsecured JWT validator), and ACLs enforced by the StandardAuthorizer with errors that
name the resource and the operation."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import AuthorizationError, Consumer, Producer, TopicPartition
from kafka_client.admin import AclBinding, AclBindingFilter, KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker


@pytest.fixture(params=["confluent", "kafka-python"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def admin(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers, timeout=15) as client:
        yield client


@pytest.fixture
def grant(admin: KafkaAdmin) -> Iterator[Callable[..., None]]:
    """``grant(principal, resource_type, name, *operations)``; every grant is removed after the test."""
    made: list[AclBinding] = []

    def create(principal: str, resource_type: str, name: str, *operations: str) -> None:
        bindings = [AclBinding(resource_type, name, principal, op) for op in operations]  # type: ignore[arg-type]
        admin.create_acls(bindings)
        made.extend(bindings)

    yield create
    if made:
        admin.delete_acls([AclBindingFilter(b.resource_type, b.resource_name, b.principal) for b in made])


def unsecured_jwt(subject: str, lifetime_s: int = 3600) -> tuple[str, float]:
    """An unsigned JWT (``alg: none``) as Kafka's unsecured validator accepts it, and its expiry."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": subject, "iat": now, "exp": now + lifetime_s}
    return f"{part({'alg': 'none'})}.{part(claims)}.", float(now + lifetime_s)


def round_trip(settings: dict[str, Any], topic: str, group: str, count: int = 5) -> list[bytes]:
    """Produce ``count`` messages and read them back with ``group``; return the values read."""
    with Producer(settings) as producer:
        for i in range(count):
            producer.send(topic, f"m{i}".encode(), key=b"k").result(timeout=30)
    got: list[bytes] = []
    with Consumer(settings, group_id=group) as consumer:
        consumer.watermarks(TopicPartition(topic, 0))
        consumer.subscribe([topic])
        deadline = time.monotonic() + 30
        while len(got) < count and time.monotonic() < deadline:
            got.extend(m.value for m in consumer.consume_batch(100, 0.5))
    return got


def consume_for(consumer: Consumer[Any, Any], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        consumer.consume_batch(10, 0.5)


def allow_round_trip(grant: Callable[..., None], principal: str, topic: str, group: str) -> None:
    grant(principal, "TOPIC", topic, "WRITE", "READ", "DESCRIBE")
    grant(principal, "GROUP", group, "READ", "DESCRIBE")


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
