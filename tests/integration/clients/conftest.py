"""The contract suite: every test runs against each real backend on the real broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kafka_client.testing.pytest_plugin import KafkaBroker

BACKENDS = ["confluent", "kafka-python"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(kafka_broker: KafkaBroker, backend: str) -> dict[str, Any]:
    """Client settings for the session broker on the backend under test."""
    return {"bootstrap_servers": kafka_broker.bootstrap_servers, "backend": backend}


@pytest.fixture
def group_id() -> Callable[[], str]:
    return lambda: f"group-{uuid.uuid4().hex[:10]}"
