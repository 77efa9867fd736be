"""The kafka_client pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``kafka_broker`` (session): a running broker. By default an :class:`EmbeddedKafka` with every listener;
  ``KAFKA_CLIENT_TEST_BOOTSTRAP=host:port`` uses an existing cluster instead (PLAINTEXT only), and
  ``KAFKA_CLIENT_TEST_BROKER=testcontainers`` starts testcontainers' Kafka module (needs a Docker engine).
- ``kafka_topic``: a factory creating uniquely named topics, deleted after the test.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    # Only for annotations: the plugin is loaded before coverage starts, so it imports nothing else eagerly.
    from kafka_client.testing.embedded import Listener, SaslMechanism


class KafkaBroker(Protocol):
    """What the ``kafka_broker`` fixture offers, whichever broker is behind it."""

    @property
    def bootstrap_servers(self) -> str: ...

    @property
    def listeners(self) -> dict[str, str]: ...

    def client_settings(
        self, listener: Listener = "PLAINTEXT", *, user: str = ..., mechanism: SaslMechanism = ...
    ) -> dict[str, Any]: ...


@dataclass
class ExternalKafka:
    """A cluster the tests did not start: only its PLAINTEXT bootstrap address is known."""

    bootstrap_servers: str
    stop: Callable[[], None] = field(default=lambda: None)

    @property
    def listeners(self) -> dict[str, str]:
        return {"PLAINTEXT": self.bootstrap_servers}

    def client_settings(
        self,
        listener: Listener = "PLAINTEXT",
        *,
        user: str = "admin",
        mechanism: SaslMechanism = "SCRAM-SHA-512",
    ) -> dict[str, Any]:
        """Settings for the PLAINTEXT listener; any other listener is an error naming the alternative."""
        if listener != "PLAINTEXT":
            from kafka_client.errors import EmbeddedKafkaError

            raise EmbeddedKafkaError(
                f"the external test cluster {self.bootstrap_servers} is only known by its PLAINTEXT address; "
                f"tests needing {listener} run on the embedded broker (unset KAFKA_CLIENT_TEST_BOOTSTRAP)"
            )
        return {"bootstrap_servers": [self.bootstrap_servers], "security": {"protocol": "PLAINTEXT"}}


def _testcontainers_broker() -> ExternalKafka:
    from kafka_client.errors import MissingDependencyError

    try:
        from testcontainers.kafka import KafkaContainer
    except ImportError as exc:
        raise MissingDependencyError(
            "testcontainers", "testcontainers", "KAFKA_CLIENT_TEST_BROKER=testcontainers"
        ) from exc
    container = KafkaContainer().with_kraft()
    container.start()
    return ExternalKafka(container.get_bootstrap_server(), stop=container.stop)


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    """A running Kafka broker for the whole test session (see the module docstring for the choices)."""
    if bootstrap := os.environ.get("KAFKA_CLIENT_TEST_BOOTSTRAP"):
        yield ExternalKafka(bootstrap)
        return
    if os.environ.get("KAFKA_CLIENT_TEST_BROKER", "embedded") == "testcontainers":
        external = _testcontainers_broker()
        try:
            yield external
        finally:
            external.stop()
        return
    from kafka_client.testing.embedded import EmbeddedKafka

    broker = EmbeddedKafka(progress_stream=sys.__stderr__)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def memory_cluster() -> Iterator[Any]:
    """A fresh in-memory cluster, also registered as ``memory:9092`` for clients with ``backend: memory``.

    Application code that builds its own clients from settings runs on it unchanged with
    ``KAFKA_CLIENT_BACKEND=memory`` (set it with ``monkeypatch.setenv``).
    """
    from kafka_client.testing.memory import memory_cluster as registered
    from kafka_client.testing.memory import reset_memory_clusters

    reset_memory_clusters()
    yield registered("memory:9092")
    reset_memory_clusters()


def _admin_config(broker: KafkaBroker) -> Mapping[str, Any]:
    return {"bootstrap.servers": broker.bootstrap_servers}


@pytest.fixture
def kafka_topic(kafka_broker: KafkaBroker, request: pytest.FixtureRequest) -> Iterator[Callable[..., str]]:
    """A factory: ``kafka_topic(partitions=3, config={"retention.ms": "60000"})`` returns a new topic's name.

    Names are ``test-<test name>-<random>``, so tests never share a topic; they are deleted after the test.
    """
    from kafka_client.backends.confluent import NewTopicSpec, create_topics, delete_topics

    created: list[str] = []
    stem = re.sub(r"[^a-zA-Z0-9._-]+", "-", request.node.name)[:80]

    def create(
        partitions: int = 1,
        *,
        replication_factor: int = 1,
        config: Mapping[str, str] | None = None,
        name: str | None = None,
    ) -> str:
        topic = name or f"test-{stem}-{uuid.uuid4().hex[:8]}"
        create_topics(
            _admin_config(kafka_broker),
            [NewTopicSpec(topic, partitions, replication_factor, dict(config or {}))],
        )
        created.append(topic)
        return topic

    yield create
    if created:
        delete_topics(_admin_config(kafka_broker), created)
