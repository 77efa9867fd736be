"""Empty requests are answered without asking the broker, and the client names its cluster."""

from __future__ import annotations

from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker


def test_empty_requests_are_answered_empty(admin: KafkaAdmin) -> None:
    assert admin.create_topics([]) is None
    assert admin.describe_groups([]) == {}
    assert admin.consumer_group_lag([]) == {}
    assert admin.consumer_group_lag([], partial=True) == {}
    assert admin.describe_topics([]) == {}
    assert admin.create_acls([]) is None
    assert admin.delete_acls([]) == []


def test_the_repr_names_the_bootstrap_servers(kafka_broker: KafkaBroker) -> None:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers) as admin:
        assert repr(admin) == f"<KafkaAdmin {kafka_broker.bootstrap_servers}>"
        assert admin.bootstrap_servers == kafka_broker.bootstrap_servers
