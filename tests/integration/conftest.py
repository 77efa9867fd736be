"""Every test under tests/integration talks to a real broker: the embedded one unless told otherwise.

Tests that need what only the embedded broker has (its SASL/TLS listeners and users, the Kafka CLI tools from
its jars) say so by using the ``tool_broker`` or ``alice`` fixtures, or the ``embedded_only`` marker. On the
embedded broker they always run, and a missing capability is an error. Against an external cluster
(``KAFKA_CLIENT_TEST_BOOTSTRAP``, PLAINTEXT only) they are reported as skipped here, in one place, with why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kafka_client.testing.embedded import EmbeddedKafka
from kafka_client.testing.pytest_plugin import KafkaBroker

EMBEDDED_ONLY_FIXTURES = frozenset({"tool_broker", "alice"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    external = os.environ.get("KAFKA_CLIENT_TEST_BOOTSTRAP")
    # Only against an external cluster: on the embedded broker (CI, the README's command) the condition is
    # false and every one of these tests runs.
    external_only_skip = pytest.mark.skipif(
        external is not None,
        reason=f"needs the embedded broker's SASL listeners or Kafka tools; "
        f"KAFKA_CLIENT_TEST_BOOTSTRAP={external} is an external PLAINTEXT cluster",
    )
    for item in items:
        if "tests/integration" not in str(item.path):
            continue
        item.add_marker(pytest.mark.integration)
        needs_embedded = item.get_closest_marker("embedded_only") is not None or bool(
            EMBEDDED_ONLY_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        )
        if needs_embedded:
            item.add_marker(external_only_skip)


@pytest.fixture
def tool_broker(kafka_broker: KafkaBroker) -> KafkaBroker:
    """The embedded broker, for tests that run its Kafka CLI tools (``run_tool``)."""
    return kafka_broker


@pytest.fixture(scope="module")
def own_broker() -> Iterator[EmbeddedKafka]:
    """A PLAINTEXT-only broker of the module's own, for tests that kill, freeze or restart it."""
    broker = EmbeddedKafka(sasl=False, tls=False, authorizer=False)
    broker.start()
    try:
        yield broker
    finally:
        if broker.is_running:
            broker.resume()  # a frozen JVM would not answer the stop
        broker.stop()
