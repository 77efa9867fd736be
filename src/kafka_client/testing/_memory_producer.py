"""``MemoryProducer``: the producer backend of the in-memory cluster."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from kafka_client._records import Headers, RecordMetadata, TopicPartition, TopicPartitionOffset
from kafka_client.backends.base import DeliveryCallback
from kafka_client.errors import (
    DeliveryError,
    KafkaClientError,
    ProducerError,
    QueueFullError,
    TopicError,
    TransactionError,
)
from kafka_client.testing._memory_group import MemoryGroupMetadata
from kafka_client.testing._memory_log import Transaction, partition_for_key
from kafka_client.testing._memory_state import ClusterState, deadline_after, seconds_left

__all__ = ["MemoryProducer"]

_Report = tuple[DeliveryCallback, KafkaClientError | None, RecordMetadata | None]


@dataclass(slots=True)
class _Queued:
    topic: str
    value: bytes | None
    key: bytes | None
    headers: Headers
    partition: int | None
    timestamp_ms: int
    on_delivery: DeliveryCallback
    txn: Transaction | None


def _purged(topic: str) -> DeliveryError:
    error = DeliveryError(f"delivery to {topic!r} failed: purged before delivery [_PURGE_QUEUE]")
    error.code = "_PURGE_QUEUE"  # type: ignore[attr-defined]
    return error


class MemoryProducer:
    """A :class:`~kafka_client.backends.base.ProducerBackend` writing to a :class:`MemoryCluster`.

    Like librdkafka, ``produce`` only queues: messages are written to the cluster, and their delivery
    callbacks run, inside :meth:`poll` or :meth:`flush`, on the thread that calls them (the Producer
    facade's poller thread). So a record is visible to consumers once the producer was polled or flushed.
    Get one from :meth:`MemoryCluster.producer_backend`.
    """

    name: ClassVar[str] = "memory"
    needs_polling: ClassVar[bool] = True

    def __init__(
        self, state: ClusterState, *, transactional_id: str | None = None, max_queued: int = 100_000
    ) -> None:
        self._state = state
        self._cond = state.cond
        self.transactional_id = transactional_id
        self.max_queued = max_queued
        self._queue: deque[_Queued] = deque()
        self._unreported = 0
        # Serving reports one batch at a time keeps callbacks in delivery order across polling threads.
        self._serving = threading.RLock()
        self._round_robin: dict[str, int] = {}
        self._closed = False
        self._initialised = False
        self._fenced = False
        self._txn: Transaction | None = None

    # --- producing ----------------------------------------------------------------------------------

    def produce(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: Headers | None,
        partition: int | None,
        timestamp_ms: int | None,
        on_delivery: DeliveryCallback,
    ) -> None:
        """Queue one message; raise QueueFullError when ``max_queued`` reports are outstanding.

        An unknown topic is created when the cluster auto-creates topics; otherwise the message fails in
        its delivery report with TopicError (librdkafka's behaviour). A partition the topic does not
        have raises TopicError here. Without a partition, a key picks one by Kafka's murmur2 and a
        message without a key goes to the next partition in turn (round-robin per producer and topic).
        """
        with self._cond:
            self._check_open()
            if self.transactional_id is not None:
                self._check_transactional("produce")
                if self._txn is None:
                    raise TransactionError(
                        "a transactional producer can only produce inside a transaction; "
                        "call begin_transaction() first [_STATE]"
                    )
            if self._unreported >= self.max_queued:
                raise QueueFullError(
                    f"the producer's local queue is full ({self._unreported} messages waiting, "
                    f"max_queued={self.max_queued}); poll or flush to deliver them"
                )
            logs = self._state.topics.get(topic)
            if logs is None and self._state.auto_create_topics:
                logs = self._state.create_topic(topic, self._state.default_partitions)
            if logs is not None and partition is not None and not 0 <= partition < len(logs):
                raise TopicError(
                    f"producing to {topic!r}: partition {partition} does not exist "
                    f"(the topic has {len(logs)}) [_UNKNOWN_PARTITION]"
                )
            stamp = timestamp_ms if timestamp_ms is not None else self._state.now_ms()
            self._queue.append(
                _Queued(topic, value, key, list(headers or []), partition, stamp, on_delivery, self._txn)
            )
            self._unreported += 1
            self._cond.notify_all()

    def _deliver(self, msg: _Queued) -> _Report:
        """Write one queued message to its partition (cond held); its report, to serve after unlocking."""
        state = self._state
        error: KafkaClientError | None = None
        logs = state.topics.get(msg.topic)
        if self._fenced:
            error = TransactionError(
                f"delivery to {msg.topic!r} failed: the producer was fenced [PRODUCER_FENCED]"
            )
        elif logs is None:
            error = TopicError(
                f"delivery to {msg.topic!r} failed: topic does not exist [UNKNOWN_TOPIC_OR_PART]"
            )
        else:
            error = state.take_fault(state.delivery_faults, msg.topic)
        if error is not None or logs is None:
            if msg.txn is not None and msg.txn.failure is None:
                msg.txn.failure = error
            return msg.on_delivery, error, None
        partition = msg.partition
        if partition is None:
            if msg.key is not None:
                partition = partition_for_key(msg.key, len(logs))
            else:
                turn = self._round_robin.get(msg.topic, 0)
                self._round_robin[msg.topic] = turn + 1
                partition = turn % len(logs)
        entry = logs[partition].append(msg.key, msg.value, msg.headers, msg.timestamp_ms, msg.txn)
        return msg.on_delivery, None, RecordMetadata(msg.topic, partition, entry.offset, msg.timestamp_ms)

    def _deliverable(self) -> bool:
        return bool(self._queue) and not self._state.deliveries_paused

    def _serve(self, take: bool = True, reports: list[_Report] | None = None) -> int:
        """Deliver what is queued (unless deliveries are paused), then run the reports outside the lock."""
        with self._serving:
            batch = list(reports or [])
            if take:
                with self._cond:
                    if not self._state.deliveries_paused:
                        while self._queue:
                            batch.append(self._deliver(self._queue.popleft()))
                    if batch:
                        self._cond.notify_all()
            failure: BaseException | None = None
            for on_delivery, error, meta in batch:
                try:
                    on_delivery(error, meta)
                except BaseException as exc:  # keep serving the others; re-raised below, as confluent does
                    failure = failure or exc
            if batch:
                with self._cond:
                    self._unreported -= len(batch)
                    self._cond.notify_all()
            if failure is not None:
                raise failure
            return len(batch)

    def poll(self, timeout: float) -> int:
        """Deliver queued messages and serve their reports; wait up to ``timeout`` s for one to arrive."""
        deadline = deadline_after(timeout)
        with self._cond:
            while not self._deliverable():
                left = seconds_left(deadline)
                if left == 0:
                    return 0
                self._cond.wait(left)
        return self._serve()

    def flush(self, timeout: float) -> int:
        """Deliver and report everything queued; return how many are still unreported after ``timeout``.

        Only paused deliveries (:meth:`MemoryCluster.pause_deliveries`) or reports being served on another
        thread keep messages waiting.
        """
        deadline = deadline_after(timeout)
        while True:
            self._serve()
            with self._cond:
                if self._unreported == 0:
                    return 0
                if self._deliverable():
                    continue
                left = seconds_left(deadline)
                if left == 0:
                    return self._unreported
                self._cond.wait(left)

    def queued(self) -> int:
        """Messages queued or being reported, not yet reported."""
        with self._cond:
            return self._unreported

    def purge(self) -> None:
        """Fail every queued message now with ``DeliveryError`` (code ``_PURGE_QUEUE``); serve the reports."""
        with self._serving, self._cond:
            purged = list(self._queue)
            self._queue.clear()
        reports: list[_Report] = []
        for msg in purged:
            error = _purged(msg.topic)
            if msg.txn is not None and msg.txn.failure is None:
                msg.txn.failure = error
            reports.append((msg.on_delivery, error, None))
        self._serve(take=False, reports=reports)

    def close(self, timeout: float) -> None:
        """Abort an open transaction, fail what is still queued, and refuse further use. Idempotent."""
        with self._cond:
            if self._closed:
                return
            txn = None if self._fenced else self._txn
            self._txn = None
        self.purge()
        with self._cond:
            if txn is not None:
                self._state.end_transaction(txn, commit=False)
            if (
                self.transactional_id is not None
                and self._state.txn_owners.get(self.transactional_id) is self
            ):
                del self._state.txn_owners[self.transactional_id]
            self._closed = True

    # --- transactions -------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ProducerError("the memory producer is closed; get a new one from the cluster")

    def _check_transactional(self, what: str, need_init: bool = True) -> None:
        if self.transactional_id is None:
            raise TransactionError(
                f"{what} needs a transactional producer: use cluster.producer_backend(transactional_id=...)"
            )
        if self._fenced:
            raise TransactionError(
                f"{what}: a newer producer initialised transactional id {self.transactional_id!r}; "
                "this one is fenced and must be closed [PRODUCER_FENCED]"
            )
        if need_init and not self._initialised:
            raise TransactionError(f"{what}: call init_transactions() first [_STATE]")

    def _open_txn(self, what: str) -> Transaction:
        self._check_open()
        self._check_transactional(what)
        if self._txn is None:
            raise TransactionError(f"{what}: no transaction is open; call begin_transaction() first [_STATE]")
        return self._txn

    def _fence(self) -> None:
        self._fenced = True
        if self._txn is not None:
            self._state.end_transaction(self._txn, commit=False)
            self._txn = None

    def init_transactions(self, timeout: float) -> None:
        """Register the transactional id, fencing (and aborting the transaction of) an older producer."""
        with self._cond:
            self._check_open()
            self._check_transactional("init_transactions", need_init=False)
            if self._txn is not None:
                raise TransactionError("init_transactions: a transaction is open [_STATE]")
            assert self.transactional_id is not None
            previous = self._state.txn_owners.get(self.transactional_id)
            if isinstance(previous, MemoryProducer) and previous is not self:
                previous._fence()
            self._state.txn_owners[self.transactional_id] = self
            self._initialised = True

    def begin_transaction(self) -> None:
        """Open a transaction: what is produced until commit or abort belongs to it."""
        with self._cond:
            self._check_open()
            self._check_transactional("begin_transaction")
            if self._txn is not None:
                raise TransactionError("begin_transaction: a transaction is already open [_STATE]")
            self._txn = Transaction()

    def commit_transaction(self, timeout: float) -> None:
        """Deliver the transaction's messages, then commit them and the offsets sent to it.

        Raises an abortable TransactionError when one of its messages failed (abort, then retry), and a
        retriable one when its messages could not be delivered within ``timeout`` (paused deliveries).
        """
        with self._cond:
            txn = self._open_txn("commit_transaction")
        if self.flush(timeout):
            raise TransactionError(
                f"commit_transaction: the transaction's messages were not delivered within {timeout} s "
                "[_TIMED_OUT]",
                retriable=True,
            )
        with self._cond:
            self._open_txn("commit_transaction")
            if txn.failure is not None:
                raise TransactionError(
                    f"commit_transaction: a message of the transaction failed ({txn.failure}); "
                    "abort the transaction and retry it",
                    abortable=True,
                ) from txn.failure
            self._state.end_transaction(txn, commit=True)
            self._txn = None

    def abort_transaction(self, timeout: float) -> None:
        """Fail what is still queued (purged), mark what was written aborted, and drop the sent offsets."""
        with self._cond:
            txn = self._open_txn("abort_transaction")
        self.purge()
        with self._cond:
            if self._txn is txn:
                self._state.end_transaction(txn, commit=False)
                self._txn = None

    def send_offsets_to_transaction(
        self, offsets: Sequence[TopicPartitionOffset], group_metadata: object, timeout: float
    ) -> None:
        """Add a consumer group's offsets to the transaction: they are committed only if it commits.

        ``group_metadata`` must come from a memory consumer's ``group_metadata()``. When that consumer is
        a group member, it must still be in the group and hold every partition named (else an abortable
        TransactionError, as a broker answers a zombie's offsets).
        """
        with self._cond:
            txn = self._open_txn("send_offsets_to_transaction")
            if not isinstance(group_metadata, MemoryGroupMetadata):
                raise TransactionError(
                    "send_offsets_to_transaction needs the group_metadata() of a memory consumer, "
                    f"got {type(group_metadata).__name__}"
                )
            group = self._state.group(group_metadata.group_id)
            if group_metadata.member_id is not None:
                member = group.members.get(group_metadata.member_id)
                if member is None:
                    raise TransactionError(
                        f"send_offsets_to_transaction: member {group_metadata.member_id} is no longer in "
                        f"group {group.group_id!r}; abort the transaction [UNKNOWN_MEMBER_ID]",
                        abortable=True,
                    )
                foreign = sorted({o.topic_partition for o in offsets} - member.parts.keys())
                if foreign:
                    raise TransactionError(
                        "send_offsets_to_transaction: the consumer no longer holds "
                        f"{', '.join(map(str, foreign))} (the group rebalanced); abort the transaction "
                        "[ILLEGAL_GENERATION]",
                        abortable=True,
                    )
            pending = txn.offsets.setdefault(group.group_id, {})
            for o in offsets:
                pending[TopicPartition(o.topic, o.partition)] = (o.offset, o.metadata)
