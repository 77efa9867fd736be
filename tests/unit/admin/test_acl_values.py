"""ACL bindings and filters: strings coerced to enums, filter-only values refused in bindings."""

from __future__ import annotations

import pytest

from kafka_client.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermission,
    PatternType,
    ResourceType,
)


def test_strings_are_coerced_case_insensitively() -> None:
    binding = AclBinding("topic", "orders", "User:alice", "read", permission="deny", pattern_type="prefixed")
    assert binding.resource_type is ResourceType.TOPIC
    assert binding.operation is AclOperation.READ
    assert binding.permission is AclPermission.DENY
    assert binding.pattern_type is PatternType.PREFIXED
    assert binding.host == "*"


def test_defaults_allow_literal_from_any_host() -> None:
    binding = AclBinding(ResourceType.GROUP, "billing", "User:bob", AclOperation.READ)
    assert (binding.permission, binding.pattern_type, binding.host) == (
        AclPermission.ALLOW,
        PatternType.LITERAL,
        "*",
    )


def test_unknown_value_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"operation must be one of ANY, ALL, READ, .*got 'reed'"):
        AclBinding("TOPIC", "t", "User:a", "reed")


@pytest.mark.parametrize(
    ("field", "value"),
    [("operation", "ANY"), ("permission", "ANY"), ("resource_type", "ANY"), ("pattern_type", "MATCH")],
)
def test_filter_only_values_are_refused_in_a_binding(field: str, value: str) -> None:
    kwargs = {"resource_type": "TOPIC", "operation": "READ", field: value}
    with pytest.raises(ValueError, match=f"{field}={value} is only meaningful in an AclBindingFilter"):
        AclBinding(resource_name="t", principal="User:a", **kwargs)


def test_filter_defaults_match_everything_and_binding_converts_to_its_exact_filter() -> None:
    assert AclBindingFilter() == AclBindingFilter(
        ResourceType.ANY, None, None, AclOperation.ANY, AclPermission.ANY, None, PatternType.ANY
    )
    binding = AclBinding("CLUSTER", "kafka-cluster", "User:ops", "ALTER")
    assert binding.to_filter() == AclBindingFilter(
        "CLUSTER",
        "kafka-cluster",
        "User:ops",
        "ALTER",
        "ALLOW",
        "*",
        "LITERAL",
    )
    assert AclBindingFilter(pattern_type="match").pattern_type is PatternType.MATCH
