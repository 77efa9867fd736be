"""Health checks on the session broker: an admin client and topics visible as soon as they are returned."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.admin.conftest import wait_until_described


@pytest.fixture
def admin(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers, timeout=30) as client:
        yield client


@pytest.fixture
def kafka_topic(kafka_topic: Callable[..., str], admin: KafkaAdmin) -> Callable[..., str]:
    def create(*args: Any, **kwargs: Any) -> str:
        name = kafka_topic(*args, **kwargs)
        wait_until_described(admin, name)
        return name

    return create


@pytest.fixture
def group_id() -> Callable[[], str]:
    return lambda: f"health-test-{uuid.uuid4().hex[:10]}"
