"""Storage of the in-memory cluster: partition logs, transactions, and Kafka's murmur2 partitioner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from kafka_client._records import Headers, RawRecord, TopicPartition

__all__ = ["Entry", "PartitionLog", "Transaction", "murmur2", "partition_for_key"]

_MASK32 = 0xFFFFFFFF
_M = 0x5BD1E995
_SEED = 0x9747B28C


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash of ``data``, as the signed 32-bit int Java's ``Utils.murmur2`` returns.

    The Java client's default partitioner (and librdkafka's ``murmur2_random``) place a keyed record in
    partition ``toPositive(murmur2(key)) % partitions``; this is the same function, bit for bit::

        >>> murmur2(b"21")
        -973932308
    """
    length = len(data)
    h = (_SEED ^ length) & _MASK32
    full = length - length % 4
    for i in range(0, full, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * _M) & _MASK32
        k ^= k >> 24
        k = (k * _M) & _MASK32
        h = (h * _M) & _MASK32
        h ^= k
    rest = length % 4
    if rest == 3:
        h ^= data[full + 2] << 16
    if rest >= 2:
        h ^= data[full + 1] << 8
    if rest >= 1:
        h ^= data[full]
        h = (h * _M) & _MASK32
    h ^= h >> 13
    h = (h * _M) & _MASK32
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def partition_for_key(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for ``key``: ``toPositive(murmur2(key)) % n``."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


class Transaction:
    """One producer transaction: its outcome, the partitions it wrote to and the offsets it carries."""

    __slots__ = ("failure", "offsets", "partitions", "state")

    def __init__(self) -> None:
        self.state: Literal["open", "committed", "aborted"] = "open"
        self.partitions: set[TopicPartition] = set()
        # group id -> partition -> (offset, metadata), committed to the group only when the transaction is
        self.offsets: dict[str, dict[TopicPartition, tuple[int, str | None]]] = {}
        # the first delivery failure inside the transaction: committing it must then fail
        self.failure: Exception | None = None


class Entry:
    """One stored record, or a transaction marker (``control``), which takes an offset like on a broker."""

    __slots__ = ("control", "headers", "key", "offset", "timestamp_ms", "txn", "value")

    def __init__(
        self,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        headers: Headers,
        timestamp_ms: int,
        txn: Transaction | None,
        control: bool = False,
    ) -> None:
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp_ms = timestamp_ms
        self.txn = txn
        self.control = control

    def raw(self, topic: str, partition: int) -> RawRecord:
        """A fresh :class:`RawRecord` (headers copied, so a caller's changes never reach the log)."""
        return RawRecord(
            topic, partition, self.offset, self.key, self.value, list(self.headers), self.timestamp_ms, 0
        )


class PartitionLog:
    """The records of one partition; an entry's offset is its index (nothing is ever deleted)."""

    __slots__ = ("entries", "open_txns", "tp")

    def __init__(self, tp: TopicPartition) -> None:
        self.tp = tp
        self.entries: list[Entry] = []
        # open transaction -> offset of its first record here: the last stable offset is the lowest of them
        self.open_txns: dict[Transaction, int] = {}

    @property
    def end(self) -> int:
        """The log end offset (high watermark): the offset the next record will get."""
        return len(self.entries)

    def stable_end(self) -> int:
        """The last stable offset: read_committed consumers never read at or past it."""
        return min(self.open_txns.values(), default=len(self.entries))

    def visible_end(self, read_committed: bool) -> int:
        """Where reading stops for the isolation level: the last stable offset, or the log end."""
        return self.stable_end() if read_committed else len(self.entries)

    def append(
        self,
        key: bytes | None,
        value: bytes | None,
        headers: Headers,
        timestamp_ms: int,
        txn: Transaction | None = None,
    ) -> Entry:
        """Store a record at the end; a transactional one holds back the last stable offset until it ends."""
        entry = Entry(len(self.entries), key, value, headers, timestamp_ms, txn)
        self.entries.append(entry)
        if txn is not None:
            txn.partitions.add(self.tp)
            self.open_txns.setdefault(txn, entry.offset)
        return entry

    def end_transaction(self, txn: Transaction, timestamp_ms: int) -> None:
        """Write the commit or abort marker of ``txn`` and release the last stable offset it held."""
        self.open_txns.pop(txn, None)
        self.entries.append(Entry(len(self.entries), None, None, [], timestamp_ms, txn, control=True))

    @staticmethod
    def readable(entry: Entry, read_committed: bool) -> bool:
        """Whether a consumer at this isolation level is handed ``entry`` (markers never are)."""
        if entry.control:
            return False
        return not (read_committed and entry.txn is not None and entry.txn.state == "aborted")

    def visible(self, read_committed: bool) -> Iterator[Entry]:
        """The records a consumer at this isolation level would read from the beginning, in order."""
        for entry in self.entries[: self.visible_end(read_committed)]:
            if self.readable(entry, read_committed):
                yield entry
