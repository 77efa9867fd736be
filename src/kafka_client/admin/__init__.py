"""Administer a Kafka cluster: topics, groups, offsets, consumer group lag and ACLs, as typed values.

Lag is computed here and only here; the exporter, kafka-top, the CLI and the health checks all use
:meth:`KafkaAdmin.consumer_group_lag`; lag in seconds likewise (:class:`OffsetTimeTable`,
:func:`parse_commit_timestamp`). Needs the ``confluent`` extra::

    from kafka_client.admin import KafkaAdmin

    with KafkaAdmin(bootstrap_servers="localhost:9092") as admin:
        lag = admin.consumer_group_lag(["billing"])["billing"]
        print(lag.state, lag.total_lag, [p.lag for p in lag.partitions])
"""

from kafka_client.admin._acl import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermission,
    PatternType,
    ResourceType,
)
from kafka_client.admin._client import KafkaAdmin
from kafka_client.admin._lag import ConsumerGroupLag, PartitionLag, TopicLag, compute_group_lag
from kafka_client.admin._lag_seconds import (
    LagTime,
    OffsetTimeTable,
    format_commit_metadata,
    lag_seconds_from_metadata,
    lag_seconds_from_record,
    parse_commit_timestamp,
)
from kafka_client.admin._models import (
    BrokerInfo,
    ClusterDescription,
    CommittedOffset,
    ConsumerGroupDescription,
    ConsumerGroupListing,
    GroupMember,
    GroupState,
    GroupType,
    PartitionDescription,
    TopicConfig,
    TopicDescription,
    TopicListing,
    Watermarks,
)
from kafka_client.backends.confluent import NewTopicSpec

__all__ = [
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
]
