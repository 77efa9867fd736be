"""Consumer groups on the in-memory cluster: range assignment among two and three members, eager
rebalances (revoke before assign, on the member's own poll), handover without double delivery,
pattern subscriptions, commits by non-owners, eviction, and trigger_rebalance."""

from __future__ import annotations

import threading
import time

import pytest

from kafka_client._records import TopicPartition, TopicPartitionOffset
from kafka_client.errors import CommitError
from kafka_client.testing.memory import MemoryCluster, MemoryConsumer

from .memory_helpers import Recorder, drain, send, tp

ALL = tp("t", 0, 1, 2, 3, 4, 5)


@pytest.fixture
def cluster() -> MemoryCluster:
    """Topic ``t`` with 6 partitions holding 10 records each (values p<partition>-<n>)."""
    cluster = MemoryCluster()
    cluster.create_topic("t", partitions=6)
    producer = cluster.producer_backend()
    for p in range(6):
        send(producer, "t", [f"p{p}-{n}".encode() for n in range(10)], partition=p)
    return cluster


def member(
    cluster: MemoryCluster, name: str, log: list[tuple[str, str, list[TopicPartition]]]
) -> MemoryConsumer:
    consumer = cluster.consumer_backend("g")
    consumer.subscribe(["t"], None, Recorder(name, log))
    return consumer


def test_the_first_member_gets_every_partition_at_its_first_poll(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a = member(cluster, "a", log)
    assert (a.assignment(), log, cluster.members("g")) == ([], [], {})  # joining happens in poll
    assert len(a.consume(1000, 0)) == 60
    assert log == [("a", "assign", ALL)]
    assert list(cluster.members("g").values()) == [ALL]


def test_two_members_split_by_range_revoking_before_assigning(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a = member(cluster, "a", log)
    a.poll(0)
    b = member(cluster, "b", log)
    # b is assigned 3-5 at once, but a still holds them until its own poll revokes them
    assert b.consume(100, 0) == []
    assert b.assignment() == tp("t", 3, 4, 5)
    assert a.assignment() == ALL
    a.poll(0)
    assert log == [
        ("a", "assign", ALL),
        ("b", "assign", tp("t", 3, 4, 5)),
        ("a", "revoke", ALL),
        ("a", "assign", tp("t", 0, 1, 2)),
    ]
    assert {r[0] for r in drain(b)} == {3, 4, 5}
    assert list(cluster.members("g").values()) == [tp("t", 0, 1, 2), tp("t", 3, 4, 5)]


def test_three_members_get_two_partitions_each(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    members = [member(cluster, name, log) for name in "abc"]
    for _ in range(2):
        for consumer in members:
            consumer.poll(0)
    assert [c.assignment() for c in members] == [tp("t", 0, 1), tp("t", 2, 3), tp("t", 4, 5)]
    # b and c are assigned as they join (gens 2, 3); a and b each revoke all, then take their share
    assert log == [
        ("a", "assign", ALL),
        ("b", "assign", tp("t", 3, 4, 5)),
        ("c", "assign", tp("t", 4, 5)),
        ("a", "revoke", ALL),
        ("a", "assign", tp("t", 0, 1)),
        ("b", "revoke", tp("t", 3, 4, 5)),
        ("b", "assign", tp("t", 2, 3)),
    ]
    assert {p for p, _, _ in drain(members[2])} == {4, 5}


def test_uneven_counts_give_the_first_members_one_more() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("t", partitions=4)
    members = [cluster.consumer_backend("g") for _ in range(3)]
    for consumer in members:
        consumer.subscribe(["t"], None, Recorder())
    for _ in range(2):
        for consumer in members:
            consumer.poll(0)
    assert [c.assignment() for c in members] == [tp("t", 0, 1), tp("t", 2), tp("t", 3)]


def test_a_closing_member_revokes_and_the_others_take_over(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a, b = member(cluster, "a", log), member(cluster, "b", log)
    a.poll(0)
    b.poll(0)
    a.poll(0)
    log.clear()
    b.close()
    assert log == [("b", "revoke", tp("t", 3, 4, 5))]
    a.poll(0)
    assert log[1:] == [("a", "revoke", tp("t", 0, 1, 2)), ("a", "assign", ALL)]
    assert list(cluster.members("g").values()) == [ALL]


class CommittingMember:
    """A consumer that commits what it processed after each batch and in on_revoke, like the facade."""

    def __init__(self, cluster: MemoryCluster, seen: list[bytes]) -> None:
        self.consumer = cluster.consumer_backend("g")
        self.processed: dict[TopicPartition, int] = {}
        self.seen = seen
        self.consumer.subscribe(["t"], None, self)

    def on_assign(self, partitions: list[TopicPartition]) -> None: ...

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        self.commit(partitions)

    def on_lost(self, partitions: list[TopicPartition]) -> None: ...

    def commit(self, partitions: list[TopicPartition] | None = None) -> None:
        offsets = [
            TopicPartitionOffset(p.topic, p.partition, o)
            for p, o in self.processed.items()
            if partitions is None or p in partitions
        ]
        self.consumer.commit(offsets, False)
        for o in offsets:
            self.processed.pop(o.topic_partition)

    def step(self, max_records: int, commit: bool = True, timeout: float = 0.0) -> int:
        batch = self.consumer.consume(max_records, timeout)
        for r in batch:
            assert r.value is not None
            self.seen.append(r.value)
            self.processed[TopicPartition(r.topic, r.partition)] = r.offset + 1
        if commit:
            self.commit()
        return len(batch)


def test_no_record_reaches_two_members_when_work_is_committed_on_revoke(cluster: MemoryCluster) -> None:
    seen: list[bytes] = []
    a = CommittingMember(cluster, seen)
    assert a.step(25, commit=False) == 25  # processed, not yet committed: on_revoke will commit it
    b = CommittingMember(cluster, seen)
    c = CommittingMember(cluster, seen)
    for _ in range(20):
        for m in (a, b, c):
            m.step(3)
    assert len(seen) == 60
    assert len(set(seen)) == 60
    assert cluster.lag("g", "t") == dict.fromkeys(range(6), 0)


def test_no_record_reaches_two_members_polling_on_their_own_threads(cluster: MemoryCluster) -> None:
    seen: list[bytes] = []
    taken = [0, 0, 0]
    done = threading.Event()
    failures: list[BaseException] = []
    joined = threading.Barrier(3, timeout=10)

    def run(index: int, m: CommittingMember, leave_after: int) -> None:
        try:
            m.step(0)  # joins the group without taking records
            joined.wait()
            while not done.is_set() and taken[index] < leave_after:
                taken[index] += m.step(1, commit=False, timeout=0.01)
                if taken[index] % 3 == 0:
                    m.commit()
                if len(seen) >= 60:
                    done.set()
            m.consumer.close()  # on_revoke commits what is processed but not yet committed
        except BaseException as exc:
            failures.append(exc)
            done.set()

    members = [CommittingMember(cluster, seen) for _ in range(3)]
    limits = [5, 1000, 1000]  # the first member leaves mid-way; the others take its partitions over
    threads = [threading.Thread(target=run, args=(i, m, limits[i])) for i, m in enumerate(members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not failures
    assert taken[0] == 5
    assert taken[1] > 5
    assert taken[2] > 5
    assert sorted(seen) == sorted(f"p{p}-{n}".encode() for p in range(6) for n in range(10))
    assert cluster.lag("g", "t") == dict.fromkeys(range(6), 0)


def test_a_member_cannot_commit_partitions_it_no_longer_holds(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a = member(cluster, "a", log)
    a.poll(0)
    b = member(cluster, "b", log)
    b.poll(0)
    # until a polls again it still holds 3-5, so committing them is fine (the rebalance is in progress)
    a.commit([TopicPartitionOffset("t", 4, 1)], False)
    a.poll(0)
    with pytest.raises(CommitError, match=r"does not hold t\[4\]"):
        a.commit([TopicPartitionOffset("t", 4, 2)], False)
    a.commit([TopicPartitionOffset("t", 4, 3)], True)  # asynchronous: dropped silently
    assert cluster.committed("g", "t", 4) == 1
    with pytest.raises(CommitError, match="not a member"):
        member(cluster, "c", log).commit([TopicPartitionOffset("t", 0, 1)], False)


def test_trigger_rebalance_revokes_and_reassigns_on_each_members_next_poll(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a, b = member(cluster, "a", log), member(cluster, "b", log)
    for consumer in (a, b, a):
        consumer.poll(0)
    log.clear()
    cluster.trigger_rebalance("g")
    a.poll(0)
    assert log == [("a", "revoke", tp("t", 0, 1, 2)), ("a", "assign", tp("t", 0, 1, 2))]
    b.poll(0)
    assert log[2:] == [("b", "revoke", tp("t", 3, 4, 5)), ("b", "assign", tp("t", 3, 4, 5))]


def test_a_pattern_subscription_picks_up_topics_created_later() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders-us")
    cluster.create_topic("xorders-us")
    consumer = cluster.consumer_backend("g")
    recorder = Recorder()
    consumer.subscribe([], r"orders-.*", recorder)
    consumer.poll(0)
    assert consumer.assignment() == tp("orders-us", 0)
    cluster.create_topic("orders-eu", partitions=2)
    send(cluster.producer_backend(), "orders-eu", [b"bonjour"], partition=1)
    record = consumer.poll(0)
    assert record is not None
    assert (record.topic, record.value) == ("orders-eu", b"bonjour")
    assert consumer.assignment() == [*tp("orders-eu", 0, 1), *tp("orders-us", 0)]
    assert recorder.events[-2:] == [
        ("revoke", tp("orders-us", 0)),
        ("assign", [*tp("orders-eu", 0, 1), *tp("orders-us", 0)]),
    ]


def test_subscribing_to_a_missing_topic_assigns_it_once_created() -> None:
    cluster = MemoryCluster()
    consumer = cluster.consumer_backend("g")
    recorder = Recorder()
    consumer.subscribe(["later"], None, recorder)
    assert consumer.poll(0) is None
    send(cluster.producer_backend(), "later", [b"x"])  # auto-created
    record = consumer.poll(0)
    assert record is not None
    assert record.value == b"x"
    assert recorder.events == [("assign", []), ("assign", tp("later", 0))]


def test_unsubscribe_revokes_and_leaves(cluster: MemoryCluster) -> None:
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a = member(cluster, "a", log)
    a.poll(0)
    a.unsubscribe()
    assert log[-1] == ("a", "revoke", ALL)
    assert (a.assignment(), cluster.members("g")) == ([], {})


def test_a_member_that_stops_polling_is_evicted_and_told_its_partitions_are_lost() -> None:
    cluster = MemoryCluster(max_poll_interval_s=0.1)
    cluster.create_topic("t", partitions=2)
    send(cluster.producer_backend(), "t", [b"0"], partition=0)
    send(cluster.producer_backend(), "t", [b"1"], partition=1)
    log: list[tuple[str, str, list[TopicPartition]]] = []
    a, b = member(cluster, "a", log), member(cluster, "b", log)
    a.poll(0)
    a.seek_to_end(tp("t", 0, 1))
    start = time.monotonic()
    record = b.poll(5)  # waits for a to hand over partition 1; a never polls, so it is evicted
    assert time.monotonic() - start < 5
    assert record is not None
    assert (record.partition, record.value) == (1, b"1")
    with pytest.raises(CommitError, match="not a member"):
        a.commit([TopicPartitionOffset("t", 0, 1)], False)
    a.poll(0)
    assert [(who, e) for who, e, _ in log] == [
        ("a", "assign"),
        ("b", "assign"),
        ("a", "lost"),
        ("a", "assign"),
    ]
    assert log[2] == ("a", "lost", tp("t", 0, 1))


def test_changing_the_subscription_rebalances() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("a")
    cluster.create_topic("b")
    consumer = cluster.consumer_backend("g")
    recorder = Recorder()
    consumer.subscribe(["a"], None, recorder)
    consumer.poll(0)
    consumer.subscribe(["a", "b"], None, recorder)
    consumer.poll(0)
    assert recorder.events == [
        ("assign", tp("a", 0)),
        ("revoke", tp("a", 0)),
        ("assign", [*tp("a", 0), *tp("b", 0)]),
    ]
