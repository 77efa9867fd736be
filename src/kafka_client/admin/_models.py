"""What the admin API returns: the cluster, topics, partitions, groups and offsets as frozen values.

Every field is a plain value (ints, strings, tuples, string enums), so ``dataclasses.asdict`` turns any
result into JSON-ready data for a CLI's ``--json`` or an exporter's snapshot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from kafka_client._records import TopicPartition

__all__ = [
    "BrokerInfo",
    "ClusterDescription",
    "CommittedOffset",
    "ConsumerGroupDescription",
    "ConsumerGroupListing",
    "GroupMember",
    "GroupState",
    "GroupType",
    "PartitionDescription",
    "TopicConfig",
    "TopicDescription",
    "TopicListing",
    "Watermarks",
]

#: Topics the brokers keep for themselves (Kafka's ``Topic.INTERNAL_TOPICS``).
INTERNAL_TOPICS = frozenset({"__consumer_offsets", "__transaction_state", "__share_group_state"})


@dataclass(frozen=True, slots=True)
class BrokerInfo:
    """One broker (node) of the cluster, as clients reach it."""

    id: int
    host: str
    port: int
    rack: str | None = None

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ClusterDescription:
    """The cluster as a metadata round trip sees it: its id, the active controller and the brokers."""

    cluster_id: str | None
    controller_id: int | None
    brokers: tuple[BrokerInfo, ...]

    @property
    def controller(self) -> BrokerInfo | None:
        """The controller's broker entry, when the controller is one of the brokers listed."""
        return next((b for b in self.brokers if b.id == self.controller_id), None)


@dataclass(frozen=True)
class TopicListing:
    """A topic's name, partition count, and whether the brokers own it (``__consumer_offsets``...)."""

    name: str
    partitions: int
    internal: bool


@dataclass(frozen=True)
class PartitionDescription:
    """One partition's replicas: ``leader`` is None when the partition is offline (no leader)."""

    partition: int
    leader: int | None
    replicas: tuple[int, ...]
    isr: tuple[int, ...]
    offline: bool = field(init=False)
    under_replicated: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "offline", self.leader is None)
        object.__setattr__(self, "under_replicated", len(self.isr) < len(self.replicas))


@dataclass(frozen=True)
class TopicConfig:
    """The topic configuration values operators ask about first (None: not readable).

    ``retention_ms`` is -1 for unlimited retention, as Kafka spells it.
    """

    retention_ms: int | None = None
    min_insync_replicas: int | None = None
    cleanup_policy: str | None = None


@dataclass(frozen=True)
class TopicDescription:
    """A topic's partitions (leader, replicas, in-sync replicas) and its key configuration."""

    name: str
    topic_id: str | None
    internal: bool
    partitions: tuple[PartitionDescription, ...]
    config: TopicConfig = field(default_factory=TopicConfig)

    @property
    def offline_partitions(self) -> tuple[int, ...]:
        """Partitions without a leader: nothing can be produced to or consumed from them."""
        return tuple(p.partition for p in self.partitions if p.offline)

    @property
    def under_replicated_partitions(self) -> tuple[int, ...]:
        """Partitions whose in-sync replica set is smaller than their replica set."""
        return tuple(p.partition for p in self.partitions if p.under_replicated)

    @property
    def under_min_isr_partitions(self) -> tuple[int, ...]:
        """Online partitions with fewer in-sync replicas than ``min.insync.replicas`` (acks=all fails)."""
        minimum = self.config.min_insync_replicas
        if minimum is None:
            return ()
        return tuple(p.partition for p in self.partitions if not p.offline and len(p.isr) < minimum)


class GroupState(enum.StrEnum):
    """A consumer group's state, spelt as Kafka's tools print it."""

    STABLE = "Stable"
    EMPTY = "Empty"
    PREPARING_REBALANCE = "PreparingRebalance"
    COMPLETING_REBALANCE = "CompletingRebalance"
    ASSIGNING = "Assigning"
    RECONCILING = "Reconciling"
    DEAD = "Dead"
    UNKNOWN = "Unknown"

    @property
    def rebalancing(self) -> bool:
        """True while partitions are being (re)assigned."""
        return self in _REBALANCING


_REBALANCING = frozenset(
    {
        GroupState.PREPARING_REBALANCE,
        GroupState.COMPLETING_REBALANCE,
        GroupState.ASSIGNING,
        GroupState.RECONCILING,
    }
)


class GroupType(enum.StrEnum):
    """The group protocol: ``classic`` (the rebalance protocol) or ``consumer`` (KIP-848)."""

    CLASSIC = "classic"
    CONSUMER = "consumer"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ConsumerGroupListing:
    """A group as the cluster lists it; ``simple`` groups only commit offsets (manual assignment)."""

    group_id: str
    state: GroupState
    type: GroupType
    simple: bool


@dataclass(frozen=True)
class GroupMember:
    """A member of a consumer group and the partitions assigned to it."""

    member_id: str
    client_id: str
    host: str
    assignment: tuple[TopicPartition, ...]
    group_instance_id: str | None = None


@dataclass(frozen=True)
class ConsumerGroupDescription:
    """A consumer group: state, protocol, assignor, coordinator and members with their partitions."""

    group_id: str
    state: GroupState
    type: GroupType
    simple: bool
    partition_assignor: str
    coordinator: BrokerInfo | None
    members: tuple[GroupMember, ...]

    def owners(self) -> dict[TopicPartition, GroupMember]:
        """Which member each assigned partition belongs to."""
        return {tp: member for member in self.members for tp in member.assignment}


class CommittedOffset(NamedTuple):
    """A group's committed position in a partition (the next offset to read) and the commit's metadata."""

    offset: int
    metadata: str | None


class Watermarks(NamedTuple):
    """A partition's earliest offset still on disk and its log end offset (the next offset written)."""

    earliest: int
    latest: int
