"""A fixed cluster for kafka-top's SVG snapshots: the same data, the same times, on every run.

Snapshots test rendering, not Kafka (the Pilot tests on the embedded broker do that), so this fake
stands in for :class:`~kafka_top.service.ClusterService`. Its groups move through :data:`STAGES`
refreshes: the clock advances :data:`STEP_S` per refresh, so trends, sparklines and lag seconds come
out the same every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kafka_client import AuthorizationError, TopicPartition
from kafka_client.admin import (
    AclBinding,
    BrokerInfo,
    ClusterDescription,
    CommittedOffset,
    ConsumerGroupDescription,
    ConsumerGroupLag,
    GroupMember,
    GroupState,
    GroupType,
    PartitionDescription,
    TopicConfig,
    TopicDescription,
    Watermarks,
    compute_group_lag,
    format_commit_metadata,
)
from kafka_client.health import HealthReport, HealthResult, HealthStatus
from kafka_client.resilience import DeadLetter, ReplayReport
from kafka_top.service import TopicSummary
from tests.unit.tui.conftest import FakeService, record

__all__ = ["STAGES", "STEP_S", "T0", "FrozenClock", "SnapshotCluster"]

#: 2024-05-01 12:00:00 UTC: the first refresh.
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC).timestamp()
STEP_S = 2.0
STAGES = 6


class FrozenClock:
    """The wall clock the app reads; tests move it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _lag(
    group: str,
    topic: str,
    committed: Sequence[int],
    ends: Sequence[int],
    *,
    members: int = 1,
    state: GroupState = GroupState.STABLE,
    processed_at: float | None = None,
) -> ConsumerGroupLag:
    """A group's lag as the admin API computes it; ``processed_at``: commits carry that record time."""
    tps = [TopicPartition(topic, p) for p in range(len(ends))]
    meta = None if processed_at is None else format_commit_metadata(int(processed_at * 1000))
    offsets = {tp: CommittedOffset(c, meta) for tp, c in zip(tps, committed, strict=True)}
    marks = {tp: Watermarks(0, end) for tp, end in zip(tps, ends, strict=True)}
    owners = tuple(
        GroupMember(f"consumer-{m + 1}-7f3a", f"client-{m + 1}", f"/10.0.0.{m + 7}", tuple(tps[m::members]))
        for m in range(members)
    )
    description = ConsumerGroupDescription(group, state, GroupType.CLASSIC, False, "range", None, owners)
    return compute_group_lag(group, description, offsets, marks)


def groups_at(stage: int, now: float) -> dict[str, ConsumerGroupLag]:
    """Every group at refresh ``stage`` (0-based), read at ``now``."""
    s = stage
    ends = [1000 + 60 * s, 1010 + 60 * s, 990 + 60 * s]
    denied = ConsumerGroupLag(
        "fraud-check",
        GroupState.UNKNOWN,
        0,
        (),
        AuthorizationError("describing group 'fraud-check': GROUP_AUTHORIZATION_FAILED"),
    )
    return {
        # Consumes 12 per refresh while 60 arrive per partition: growing; commits carry record times.
        "analytics-slow": _lag(
            "analytics-slow",
            "orders",
            [400 + 12 * s, 380 + 12 * s, 410 + 12 * s],
            ends,
            processed_at=now - 40 - 6 * s,
        ),
        # Consumes faster than the producers: draining.
        "billing": _lag("billing", "orders", [e - 90 + 15 * s for e in ends], ends, members=3),
        # No member, committed offsets frozen: stalled once 10 s have passed.
        "search-indexer": _lag(
            "search-indexer", "clicks", [250, 300], [400, 420], members=0, state=GroupState.EMPTY
        ),
        "audit": _lag("audit", "orders", ends, ends),
        "fraud-check": denied,
    }


class SnapshotCluster(FakeService):
    """:class:`FakeService` with richer fixed data: groups that move per refresh, a DLQ, messages."""

    def __init__(self, clock: FrozenClock) -> None:
        super().__init__()
        self.clock = clock
        self.stage = 0
        self.groups = groups_at(0, clock.now)
        self.acl_list = [
            AclBinding("TOPIC", "orders", "User:alice", "READ"),
            AclBinding("GROUP", "billing", "User:alice", "READ"),
            AclBinding("TOPIC", "orders", "User:bob", "WRITE"),
            AclBinding("GROUP", "analytics-", "User:bob", "READ", pattern_type="PREFIXED"),
            AclBinding("TOPIC", "payments", "User:mallory", "ALL", permission="DENY"),
        ]
        self.records = [
            record(
                0,
                40,
                b"order-1041",
                b'{"order":1041,"amount":12.5,"currency":"EUR"}',
                [("traceparent", b"00-4b")],
            ),
            record(0, 41, b"order-1042", b'{"order":1042,"amount":99,"currency":"EUR"}'),
            record(1, 17, None, b"\x00\x00\x00\x00\x02\x10\xff"),
            record(2, 8, b"order-1044", b"plain text note"),
        ]

    def advance(self) -> None:
        """The next refresh: the clock moves :data:`STEP_S` and the groups their next stage."""
        self.stage += 1
        self.clock.now += STEP_S
        self.groups = groups_at(self.stage, self.clock.now)

    def health(self) -> HealthReport:
        self._read("health")
        return HealthReport(
            (
                HealthResult("brokers", HealthStatus.OK, "3 brokers reachable, controller 1", 0.01),
                HealthResult(
                    "topic:orders", HealthStatus.OK, "3 partitions, all with a leader, ISR 3/3", 0.02
                ),
                HealthResult(
                    "topic:payments",
                    HealthStatus.DEGRADED,
                    "1 of 6 partitions under-replicated (ISR 2/3)",
                    0.02,
                ),
                HealthResult(
                    "group:search-indexer", HealthStatus.DEGRADED, "no active members while lag is 270", 1.01
                ),
                HealthResult("group:billing", HealthStatus.OK, "3 members, committing, lag 270", 1.01),
                HealthResult(
                    "group:fraud-check",
                    HealthStatus.FAILED,
                    "not authorized: GROUP_AUTHORIZATION_FAILED",
                    0.01,
                ),
            ),
            1.08,
        )

    def cluster(self) -> ClusterDescription:
        self._read("cluster")
        brokers = tuple(
            BrokerInfo(i, f"kafka-{i}.internal", 9092, f"eu-west-1{'abc'[i - 1]}") for i in (1, 2, 3)
        )
        return ClusterDescription("snapshot-cluster", 1, brokers)

    def topics(self, include_internal: bool = False) -> list[TopicSummary]:
        self._read("topics")

        def topic(
            name: str, partitions: int, under: int = 0, config: TopicConfig | None = None
        ) -> TopicDescription:
            parts = tuple(
                PartitionDescription(p, 1 + p % 3, (1, 2, 3), (1, 2) if p < under else (1, 2, 3))
                for p in range(partitions)
            )
            return TopicDescription(name, None, False, parts, config or TopicConfig(604_800_000, 2, "delete"))

        return [
            TopicSummary(topic("orders", 3), 3180),
            TopicSummary(topic("orders.dlq", 1), 4),
            TopicSummary(topic("payments", 6, under=1), 52_014),
            TopicSummary(topic("clicks", 2, config=TopicConfig(86_400_000, 1, "compact")), 820),
        ]

    def dlq_topics(self) -> list[TopicSummary]:
        self._read("dlq_topics")
        return [t for t in self.topics() if t.description.name.endswith(".dlq")]

    def dlq_entries(self, topic: str, limit: int = 1000) -> list[DeadLetter]:
        self._read("dlq_entries")
        failed = dt.datetime(2024, 5, 1, 11, 58, 30, tzinfo=dt.UTC)
        poison = dict(
            exception_type="kafka_client.errors.DeserializationError", attempts=0, stage="deserialization"
        )
        rejected = dict(exception_type="billing.RejectedOrderError", attempts=2, stage="handler")
        rows = [
            (0, 1, 12, b"\x00\xffnot-json{", poison, "could not deserialize the value at offset 12"),
            (1, 2, 14, b'{"order":49,"amount":-1.0}', rejected, "order 49 has a negative amount"),
            (2, 1, 37, b"\x00\xffnot-json{", poison, "could not deserialize the value at offset 37"),
            (3, 2, 29, b'{"order":99,"amount":-1.0}', rejected, "order 99 has a negative amount"),
        ]
        return [
            DeadLetter(
                dlq_topic=topic,
                dlq_partition=0,
                dlq_offset=offset,
                dlq_timestamp_ms=int(failed.timestamp() * 1000) + offset,
                key=f"customer-{offset}".encode(),
                value=value,
                headers=[("source", b"web")],
                original_topic="orders",
                original_partition=partition,
                original_offset=original_offset,
                exception_message=message,
                traceback='Traceback (most recent call last):\n  File "billing.py", line 12, in bill\n'
                f"    raise RejectedOrderError(...)\n{kind['exception_type']}: {message}",
                consumer_group="billing",
                failed_at=failed + dt.timedelta(seconds=offset),
                exception_type=str(kind["exception_type"]),
                attempts=int(str(kind["attempts"])),
                stage=str(kind["stage"]),
                dlq_headers=[
                    ("kafka-client-dlq-original-topic", b"orders"),
                    ("kafka-client-dlq-original-partition", str(partition).encode()),
                    ("kafka-client-dlq-original-offset", str(original_offset).encode()),
                    ("kafka-client-dlq-exception-type", str(kind["exception_type"]).encode()),
                    ("kafka-client-dlq-attempts", str(kind["attempts"]).encode()),
                    ("kafka-client-dlq-consumer-group", b"billing"),
                    ("kafka-client-dlq-stage", str(kind["stage"]).encode()),
                ],
            )
            for offset, partition, original_offset, value, kind, message in rows
        ]

    def dlq_replay(self, topic: str, entries: Sequence[DeadLetter], *, dry_run: bool) -> ReplayReport:
        raise NotImplementedError("the snapshots do not replay")
