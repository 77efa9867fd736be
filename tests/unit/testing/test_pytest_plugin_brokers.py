"""The plugin's broker choices without starting one: an external cluster, and testcontainers missing.

The inner sessions run in this process (unlike the integration test against the real broker), so the
fixture code they exercise is measured too.
"""

from __future__ import annotations

import sys

import pytest

from kafka_client.errors import EmbeddedKafkaError
from kafka_client.testing.pytest_plugin import ExternalKafka

pytest_plugins = ["pytester"]

# The textual snapshot plugin keeps one temp dir per process, which an inner session would remove.
INNER_OPTIONS = (
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",
    "-p",
    "no:textual-snapshot",
    "-p",
    "no:asyncio",
)

INNER_EXTERNAL = """
from kafka_client.testing.pytest_plugin import ExternalKafka

def test_the_session_broker_is_the_external_one(kafka_broker):
    assert isinstance(kafka_broker, ExternalKafka)
    assert kafka_broker.bootstrap_servers == "kafka.test.invalid:9092"
"""

INNER_TESTCONTAINERS = """
def test_needs_a_broker(kafka_broker):
    pass
"""


def test_an_external_cluster_offers_its_plaintext_listener_only() -> None:
    broker = ExternalKafka("kafka.test.invalid:9092")
    assert broker.listeners == {"PLAINTEXT": "kafka.test.invalid:9092"}
    assert broker.client_settings() == {
        "bootstrap_servers": ["kafka.test.invalid:9092"],
        "security": {"protocol": "PLAINTEXT"},
    }
    with pytest.raises(EmbeddedKafkaError) as info:
        broker.client_settings("SASL_SSL", user="alice")
    assert str(info.value) == (
        "the external test cluster kafka.test.invalid:9092 is only known by its PLAINTEXT address; "
        "tests needing SASL_SSL run on the embedded broker (unset KAFKA_CLIENT_TEST_BOOTSTRAP)"
    )
    broker.stop()  # the default stop is a no-op: nothing was started


def test_kafka_client_test_bootstrap_makes_the_session_broker_external(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_TEST_BOOTSTRAP", "kafka.test.invalid:9092")
    pytester.makepyfile(test_inner=INNER_EXTERNAL)
    result = pytester.runpytest_inprocess(*INNER_OPTIONS)
    result.assert_outcomes(passed=1)


def test_testcontainers_without_the_package_is_a_missing_dependency_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAFKA_CLIENT_TEST_BOOTSTRAP", raising=False)
    monkeypatch.setenv("KAFKA_CLIENT_TEST_BROKER", "testcontainers")
    monkeypatch.setitem(sys.modules, "testcontainers", None)  # not importable, whatever is installed
    pytester.makepyfile(test_inner=INNER_TESTCONTAINERS)
    result = pytester.runpytest_inprocess(*INNER_OPTIONS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*MissingDependencyError*testcontainers*"])
