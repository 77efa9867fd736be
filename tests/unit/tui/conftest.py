"""A fake cluster for kafka-top's Pilot tests: fixed data, no broker, and a switch to make it fail."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

from kafka_client import AuthorizationError, BrokerUnavailableError, Message, TopicPartition
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
)
from kafka_client.config import load_settings
from kafka_client.health import HealthReport, HealthResult, HealthStatus
from kafka_top.app import KafkaTopApp
from kafka_top.browse import BrowseStart
from kafka_top.contexts import ClusterContext, ContextSet
from kafka_top.service import ClusterService, TopicSummary


def group_lag(
    group: str,
    topic: str,
    committed: Sequence[int | None],
    ends: Sequence[int],
    *,
    state: GroupState = GroupState.EMPTY,
    owner: str | None = None,
) -> ConsumerGroupLag:
    """A group's lag as the admin API computes it, from committed offsets and log ends per partition."""
    tps = [TopicPartition(topic, p) for p in range(len(ends))]
    offsets = {tp: CommittedOffset(c, None) for tp, c in zip(tps, committed, strict=True) if c is not None}
    marks = {tp: Watermarks(0, end) for tp, end in zip(tps, ends, strict=True)}
    description = None
    if owner is not None:
        member = GroupMember(owner, "client-1", "/10.0.0.7", tuple(tps))
        description = ConsumerGroupDescription(
            group, state, GroupType.CLASSIC, False, "range", None, (member,)
        )
    elif state is not GroupState.EMPTY:
        description = ConsumerGroupDescription(group, state, GroupType.CLASSIC, False, "", None, ())
    lag = compute_group_lag(group, description, offsets, marks)
    if description is None:
        lag = ConsumerGroupLag(group, state, 0, lag.partitions)
    return lag


class FakeService(ClusterService):
    """Serves ``groups``/``acls``/``topics``/``messages``; ``fail`` makes every read raise."""

    def __init__(self) -> None:
        super().__init__(load_settings(bootstrap_servers="fake:9092"))
        self.groups: dict[str, ConsumerGroupLag] = {
            "billing": group_lag(
                "billing", "orders", [4, 10, 0], [10, 10, 12], owner="member-1", state=GroupState.STABLE
            ),
            "audit": group_lag("audit", "orders", [10, 10, 12], [10, 10, 12]),
            "search": group_lag("search", "clicks", [100], [150]),
        }
        self.acl_list: list[AclBinding] = [
            AclBinding("TOPIC", "orders", "User:alice", "READ"),
            AclBinding("GROUP", "billing-", "User:bob", "READ", pattern_type="PREFIXED"),
        ]
        self.deny_acl_writes = False
        self.fail = False
        self.calls: list[str] = []
        self.records: list[Message[bytes | None, bytes | None]] = []

    def _read(self, name: str) -> None:
        self.calls.append(name)
        if self.fail:
            raise BrokerUnavailableError("the cluster at fake:9092 did not answer")

    def group_lags(self) -> dict[str, ConsumerGroupLag]:
        self._read("group_lags")
        return dict(self.groups)

    def group_lag(self, group_id: str) -> ConsumerGroupLag:
        self._read("group_lag")
        return self.groups[group_id]

    def health(self) -> HealthReport:
        self._read("health")
        return HealthReport(
            (
                HealthResult("brokers", HealthStatus.OK, "1 broker reachable, controller 1", 0.01),
                HealthResult(
                    "group:search", HealthStatus.DEGRADED, "no active members while lag is 50", 0.02
                ),
                HealthResult("topic:orders", HealthStatus.OK, "3 partitions, all with a leader", 0.01),
            ),
            0.05,
        )

    def cluster(self) -> ClusterDescription:
        self._read("cluster")
        return ClusterDescription("fake-cluster", 1, (BrokerInfo(1, "fake", 9092),))

    def topics(self, include_internal: bool = False) -> list[TopicSummary]:
        self._read("topics")
        parts = tuple(PartitionDescription(p, 1, (1,), (1,)) for p in range(3))
        orders = TopicDescription("orders", None, False, parts, TopicConfig(604_800_000, 1, "delete"))
        return [TopicSummary(orders, 32)]

    def browse(
        self, topic: str, partitions: Sequence[int], start: BrowseStart, limit: int = 200
    ) -> list[Message[bytes | None, bytes | None]]:
        self._read("browse")
        return [m for m in self.records if m.partition in partitions][:limit]

    def acls(self, acl_filter: Any = None) -> list[AclBinding]:
        self._read("acls")
        return list(self.acl_list)

    def create_acls(self, bindings: Iterable[AclBinding]) -> None:
        if self.deny_acl_writes:
            raise AuthorizationError("creating ACL at fake:9092: CLUSTER_AUTHORIZATION_FAILED")
        self.acl_list.extend(bindings)

    def delete_acls(self, bindings: Iterable[AclBinding]) -> list[AclBinding]:
        gone = [b for b in bindings if b in self.acl_list]
        self.acl_list = [b for b in self.acl_list if b not in gone]
        return gone

    def close(self) -> None:
        self.calls.append("close")


@pytest.fixture
def fake() -> FakeService:
    return FakeService()


@pytest.fixture
def make_app(fake: FakeService) -> Callable[..., KafkaTopApp]:
    def build(read_only: bool = False, contexts: ContextSet | None = None, **kwargs: Any) -> KafkaTopApp:
        chosen = contexts or ContextSet.single(fake.settings, "test")
        return KafkaTopApp(chosen, read_only=read_only, refresh_s=0, service_factory=lambda _: fake, **kwargs)

    return build


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (workers finished, messages processed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def record(
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes | None]] | None = None,
) -> Message[bytes | None, bytes | None]:
    ts = int(dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC).timestamp() * 1000) + offset
    return Message("orders", partition, offset, key, value, headers or [], ts)


__all__ = ["ClusterContext", "FakeService", "group_lag", "record", "wait_for"]
