"""ACL bindings and filters as typed values, spelt as ``kafka-acls`` prints them.

Strings are accepted wherever an enum is expected (``operation="read"``), so bindings read naturally in
code and round-trip through JSON and YAML.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["AclBinding", "AclBindingFilter", "AclOperation", "AclPermission", "PatternType", "ResourceType"]


class AclOperation(enum.StrEnum):
    """What an ACL allows or denies; ``ANY`` only in filters."""

    ANY = "ANY"
    ALL = "ALL"
    READ = "READ"
    WRITE = "WRITE"
    CREATE = "CREATE"
    DELETE = "DELETE"
    ALTER = "ALTER"
    DESCRIBE = "DESCRIBE"
    CLUSTER_ACTION = "CLUSTER_ACTION"
    DESCRIBE_CONFIGS = "DESCRIBE_CONFIGS"
    ALTER_CONFIGS = "ALTER_CONFIGS"
    IDEMPOTENT_WRITE = "IDEMPOTENT_WRITE"
    UNKNOWN = "UNKNOWN"


class AclPermission(enum.StrEnum):
    """``ALLOW`` or ``DENY`` (a DENY wins over any ALLOW); ``ANY`` only in filters."""

    ANY = "ANY"
    ALLOW = "ALLOW"
    DENY = "DENY"
    UNKNOWN = "UNKNOWN"


class ResourceType(enum.StrEnum):
    """The kind of resource an ACL protects; ``CLUSTER`` has the one name ``kafka-cluster``."""

    ANY = "ANY"
    TOPIC = "TOPIC"
    GROUP = "GROUP"
    CLUSTER = "CLUSTER"
    TRANSACTIONAL_ID = "TRANSACTIONAL_ID"
    UNKNOWN = "UNKNOWN"


class PatternType(enum.StrEnum):
    """How ``resource_name`` matches: exactly (``LITERAL``) or as a prefix (``PREFIXED``).

    In filters, ``ANY`` matches bindings of any pattern type and ``MATCH`` matches the bindings that
    would apply to the named resource (literal, wildcard and prefixes).
    """

    ANY = "ANY"
    MATCH = "MATCH"
    LITERAL = "LITERAL"
    PREFIXED = "PREFIXED"
    UNKNOWN = "UNKNOWN"


E = TypeVar("E", bound=enum.StrEnum)
_FILTER_ONLY = {"ANY", "MATCH"}


def _coerce(enum_type: type[E], value: Any, field_name: str) -> E:
    if isinstance(value, enum_type):
        return value
    try:
        return enum_type(str(value).upper())
    except ValueError:
        choices = ", ".join(member.value for member in enum_type)
        raise ValueError(f"{field_name} must be one of {choices}; got {value!r}") from None


@dataclass(frozen=True)
class AclBinding:
    """One ACL: ``principal`` may (or may not) do ``operation`` on a resource, from ``host``.

    ::

        AclBinding("TOPIC", "orders", "User:alice", "READ")                 # alice may read 'orders'
        AclBinding("GROUP", "billing-", "User:alice", "READ", pattern_type="PREFIXED")
    """

    resource_type: ResourceType
    resource_name: str
    principal: str
    operation: AclOperation
    permission: AclPermission = AclPermission.ALLOW
    host: str = "*"
    pattern_type: PatternType = PatternType.LITERAL

    def __post_init__(self) -> None:
        values = {
            "resource_type": _coerce(ResourceType, self.resource_type, "resource_type"),
            "operation": _coerce(AclOperation, self.operation, "operation"),
            "permission": _coerce(AclPermission, self.permission, "permission"),
            "pattern_type": _coerce(PatternType, self.pattern_type, "pattern_type"),
        }
        for name, value in values.items():
            if value.value in _FILTER_ONLY:
                raise ValueError(f"{name}={value.value} is only meaningful in an AclBindingFilter")
            object.__setattr__(self, name, value)

    def to_filter(self) -> AclBindingFilter:
        """The filter matching exactly this binding (to delete it, or to check it exists)."""
        return AclBindingFilter(
            self.resource_type,
            self.resource_name,
            self.principal,
            self.operation,
            self.permission,
            self.host,
            self.pattern_type,
        )


@dataclass(frozen=True)
class AclBindingFilter:
    """Which ACL bindings to describe or delete: None and ``ANY`` match everything.

    ``AclBindingFilter()`` matches every binding; ``AclBindingFilter(principal="User:alice")`` alice's.
    """

    resource_type: ResourceType = ResourceType.ANY
    resource_name: str | None = None
    principal: str | None = None
    operation: AclOperation = AclOperation.ANY
    permission: AclPermission = AclPermission.ANY
    host: str | None = None
    pattern_type: PatternType = PatternType.ANY

    def __post_init__(self) -> None:
        object.__setattr__(self, "resource_type", _coerce(ResourceType, self.resource_type, "resource_type"))
        object.__setattr__(self, "operation", _coerce(AclOperation, self.operation, "operation"))
        object.__setattr__(self, "permission", _coerce(AclPermission, self.permission, "permission"))
        object.__setattr__(self, "pattern_type", _coerce(PatternType, self.pattern_type, "pattern_type"))
