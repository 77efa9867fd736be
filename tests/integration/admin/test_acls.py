"""ACLs on the real authorizer: create/describe/delete round trip, and a denied call as a non-super user."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kafka_client import AuthorizationError, TopicPartitionOffset
from kafka_client.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    GroupState,
    KafkaAdmin,
    PatternType,
    ResourceType,
)
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.admin.conftest import commit_offsets


@pytest.fixture
def alice(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    settings = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256")
    with KafkaAdmin(settings, timeout=15) as client:
        yield client


def test_create_describe_delete_round_trip(admin: KafkaAdmin) -> None:
    principal = f"User:acl-{uuid.uuid4().hex[:8]}"
    read_topic = AclBinding("TOPIC", "orders", principal, "READ")
    read_groups = AclBinding("GROUP", "billing-", principal, "READ", pattern_type="PREFIXED")
    admin.create_acls([read_topic, read_groups])

    assert admin.describe_acls(AclBindingFilter(principal=principal)) == sorted(
        [read_topic, read_groups], key=repr
    )
    by_resource = admin.describe_acls(AclBindingFilter(resource_type=ResourceType.GROUP, principal=principal))
    assert by_resource == [read_groups]
    assert by_resource[0].pattern_type is PatternType.PREFIXED
    matching = admin.describe_acls(AclBindingFilter("GROUP", "billing-eu", principal, pattern_type="MATCH"))
    assert matching == [read_groups]

    assert admin.delete_acls([read_topic]) == [read_topic]
    assert admin.delete_acls([AclBindingFilter(principal=principal, operation=AclOperation.READ)]) == [
        read_groups
    ]
    assert admin.describe_acls(AclBindingFilter(principal=principal)) == []


def test_non_super_user_is_denied_admin_calls(alice: KafkaAdmin) -> None:
    binding = AclBinding("TOPIC", "anything", "User:alice", "ALL")
    with pytest.raises(
        AuthorizationError, match=r"creating ACL .* at 127\.0\.0\.1:\d+: .*CLUSTER_AUTHORIZATION_FAILED"
    ):
        alice.create_acls([binding])
    with pytest.raises(AuthorizationError, match="TOPIC_AUTHORIZATION_FAILED"):
        alice.create_topics([f"alice-{uuid.uuid4().hex[:8]}"])


def test_partial_lag_keeps_the_readable_groups(
    admin: KafkaAdmin, alice: KafkaAdmin, kafka_broker: KafkaBroker, kafka_topic: Callable[..., Any]
) -> None:
    topic = kafka_topic(1)
    allowed, denied = (f"acl-lag-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for group in (allowed, denied):
        commit_offsets(kafka_broker.bootstrap_servers, group, [TopicPartitionOffset(topic, 0, 0)])
    grants = [
        AclBinding("GROUP", allowed, "User:alice", "DESCRIBE"),
        AclBinding("TOPIC", topic, "User:alice", "DESCRIBE"),
    ]
    admin.create_acls(grants)
    try:
        with pytest.raises(AuthorizationError, match=f"group '{denied}'.*GROUP_AUTHORIZATION_FAILED"):
            alice.consumer_group_lag([allowed, denied])
        lag = alice.consumer_group_lag([allowed, denied], partial=True)
        assert (lag[allowed].error, lag[allowed].state, lag[allowed].partitions[0].lag) == (
            None,
            GroupState.EMPTY,
            0,
        )
        assert isinstance(lag[denied].error, AuthorizationError)
        assert lag[denied].partitions == ()
    finally:
        admin.delete_acls(grants)
