"""The pytest plugin as a user meets it: an inner pytest session against this session's broker."""

from __future__ import annotations

import pytest
from confluent_kafka.admin import AdminClient

from kafka_client.testing import EmbeddedKafka

pytest_plugins = ["pytester"]

INNER_TESTS = """
from confluent_kafka.admin import AdminClient

NAMES = []

def test_topics_are_created_unique_and_sized(kafka_broker, kafka_topic):
    first = kafka_topic(partitions=3)
    second = kafka_topic(config={"retention.ms": "60000"})
    named = kafka_topic(name="plugin-explicit-name")
    NAMES.extend([first, second, named])
    assert first != second
    assert first.startswith("test-test_topics_are_created_unique_and_sized-")
    topics = AdminClient({"bootstrap.servers": kafka_broker.bootstrap_servers}).list_topics(timeout=10).topics
    assert len(topics[first].partitions) == 3
    assert len(topics[second].partitions) == 1
    assert named in topics
    print("CREATED", " ".join(NAMES))

def test_external_broker_only_offers_plaintext(kafka_broker):
    assert list(kafka_broker.listeners) == ["PLAINTEXT"]
    try:
        kafka_broker.client_settings("SASL_SSL")
    except Exception as exc:
        assert "only known by its PLAINTEXT address" in str(exc)
    else:
        raise AssertionError("expected an error")
"""


def test_plugin_fixtures_against_an_external_bootstrap(
    pytester: pytest.Pytester, kafka_broker: EmbeddedKafka, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_TEST_BOOTSTRAP", kafka_broker.bootstrap_servers)
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "--no-cov")
    result.assert_outcomes(passed=2)
    created_line = next(line for line in result.outlines if "CREATED " in line)
    created = created_line.split("CREATED ", 1)[1].split()
    assert len(created) == 3
    topics = AdminClient({"bootstrap.servers": kafka_broker.bootstrap_servers}).list_topics(timeout=10).topics
    assert [name for name in created if name in topics] == []  # deleted after the inner test
