"""Shared by the security tests: both backends, ACL grants removed after each test, and helpers."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import Consumer, Producer, TopicPartition
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


def unsecured_jwt(
    subject: str, lifetime_s: int = 3600, extra: dict[str, Any] | None = None
) -> tuple[str, float]:
    """An unsigned JWT (``alg: none``) as Kafka's unsecured validator accepts it, and its expiry."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": subject, "iat": now, "exp": now + lifetime_s, **(extra or {})}
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
