"""The contract suite: every test runs against each real backend on the real broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client.testing.memory import memory_cluster, reset_memory_clusters
from kafka_client.testing.pytest_plugin import KafkaBroker

# The in-memory backend runs the same contract, so the test double cannot drift from the real clients.
BACKENDS = ["confluent", "kafka-python", "memory"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(kafka_broker: KafkaBroker, backend: str) -> Iterator[dict[str, Any]]:
    """Client settings for the session broker (or a fresh in-memory cluster) on the backend under test."""
    if backend != "memory":
        yield {"bootstrap_servers": kafka_broker.bootstrap_servers, "backend": backend}
        return
    reset_memory_clusters()
    yield {"bootstrap_servers": "memory:9092", "backend": "memory"}
    reset_memory_clusters()


@pytest.fixture
def kafka_topic(kafka_topic: Callable[..., str], settings: dict[str, Any]) -> Callable[..., str]:
    """The plugin's topic factory; for the memory backend the topic is created in the memory cluster too."""
    if settings["backend"] != "memory":
        return kafka_topic

    def create(partitions: int = 1, **kwargs: Any) -> str:
        name = kafka_topic(partitions, **kwargs)
        memory_cluster(settings["bootstrap_servers"]).create_topic(name, partitions)
        return name

    return create


@pytest.fixture
def group_id() -> Callable[[], str]:
    return lambda: f"group-{uuid.uuid4().hex[:10]}"
