"""The public surface of kafka_client.admin is exactly what __all__ says; __init__ only re-exports."""

from __future__ import annotations

import ast
import inspect

import kafka_client.admin as admin

EXPECTED = {
    "AclBinding",
    "AclBindingFilter",
    "AclOperation",
    "AclPermission",
    "BrokerInfo",
    "ClusterDescription",
    "CommittedOffset",
    "ConsumerGroupDescription",
    "ConsumerGroupLag",
    "ConsumerGroupListing",
    "GroupMember",
    "GroupState",
    "GroupType",
    "KafkaAdmin",
    "LagTime",
    "NewTopicSpec",
    "OffsetTimeTable",
    "PartitionDescription",
    "PartitionLag",
    "PatternType",
    "ResourceType",
    "TopicConfig",
    "TopicDescription",
    "TopicLag",
    "TopicListing",
    "Watermarks",
    "compute_group_lag",
    "format_commit_metadata",
    "lag_seconds_from_metadata",
    "lag_seconds_from_record",
    "parse_commit_timestamp",
}


def test_all_is_pinned_and_importable() -> None:
    assert set(admin.__all__) == EXPECTED
    for name in admin.__all__:
        assert getattr(admin, name) is not None


def test_every_public_name_is_documented() -> None:
    for name in admin.__all__:
        assert inspect.getdoc(getattr(admin, name)), name


def test_init_holds_re_exports_only() -> None:
    tree = ast.parse(inspect.getsource(admin))
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Assign"}


def test_new_topic_spec_is_the_one_the_pytest_plugin_uses() -> None:
    from kafka_client.backends.confluent import NewTopicSpec, create_topics, delete_topics

    assert admin.NewTopicSpec is NewTopicSpec
    assert callable(create_topics)
    assert callable(delete_topics)
