"""``SpillJournal``: a local, append-only file of messages the broker never acknowledged, replayed later.

For services that must not lose data when Kafka is unreachable for longer than the producer's delivery
timeout: send through the journal, and a message whose delivery fails (or that the producer refuses
outright, e.g. its queue is full) is written to disk instead of being only reported. On restart (or
once the cluster is back) ``replay()`` re-sends every pending message and removes each one only after
the broker acknowledged it.

The file is a sequence of frames: ``b"KJ"``, a kind byte (``R`` a record, ``A`` an acknowledgement of
a record by sequence number), the payload length and its CRC-32, then the payload. Appends are fsynced
(policy ``fsync="always"``, the default; spills are rare). Opening the file rebuilds the pending set;
a torn or corrupt last frame (the process died mid-write) is reported in ``recovered_problems``, logged
and cut off, never crashed on. Corruption followed by valid data is not a torn write: that raises
:class:`SpillJournalError` rather than silently dropping what comes after it.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

from kafka_client._records import Headers, RecordMetadata
from kafka_client.errors import KafkaClientError, SerializationError
from kafka_client.resilience._journal_format import (
    SEQ,
    SpilledRecord,
    decode_record,
    encode_record,
    frame,
    scan,
    valid_frame_after,
)

__all__ = ["JournalReplayReport", "SpillJournal", "SpillJournalError", "SpilledRecord"]

_log = logging.getLogger("kafka_client.resilience")

FsyncPolicy = Literal["always", "never"]


class SpillJournalError(KafkaClientError):
    """The journal could not take a message (full, closed, unwritable) or its file is corrupt mid-way."""


class JournalReplayReport(NamedTuple):
    """What :meth:`SpillJournal.replay` did: messages delivered (and removed), failed (kept), left."""

    delivered: int
    failed: int
    pending: int


class SpillJournal:
    """An append-only local journal of undeliverable messages; thread-safe.

    Example::

        journal = SpillJournal("/var/lib/orders/spill.journal", max_bytes=512 * 1024**2)
        with Producer(bootstrap_servers="kafka:9092") as producer:
            journal.replay(producer)                       # what a previous run could not deliver
            journal.send(producer, "orders", b'{"id": 7}', key=b"c-7")

    Args:
        path: the journal file (created with its folder if missing).
        max_bytes: the largest the file may grow; an append beyond it raises :class:`SpillJournalError`
            (the message is then reported lost by ``send``, never silently dropped).
        fsync: ``"always"`` (each append and acknowledgement reaches the disk before returning) or
            ``"never"`` (the OS writes when it likes: survives a process crash, not a power cut).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, max_bytes: int = 256 * 1024**2, fsync: FsyncPolicy = "always"
    ) -> None:
        if fsync not in ("always", "never"):
            raise ValueError(f"fsync must be 'always' or 'never', not {fsync!r}")
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.fsync = fsync
        self.spilled = 0  # messages written to the journal by this object
        self.recovered_problems: list[str] = []
        self._lock = threading.Lock()
        self._pending: dict[int, SpilledRecord] = {}
        self._next_seq = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._load()
        self._file = open(self.path, "ab")  # noqa: SIM115 - held open for appends until close()

    # --- reading the file ---------------------------------------------------------------------------

    def _load(self) -> None:
        data = self.path.read_bytes() if self.path.exists() else b""
        frames, bad = scan(data)
        if bad is not None:
            at, why = bad
            problem = f"{self.path}: {why} at byte {at}"
            if valid_frame_after(data, at):
                raise SpillJournalError(
                    f"{problem}, followed by valid frames: the journal is corrupt in the middle; "
                    "move the file aside and inspect it (nothing was removed)"
                )
            self.recovered_problems.append(f"{problem}; cut off (a write torn by a crash)")
            _log.warning("spill journal %s", self.recovered_problems[-1])
        for at, kind, payload in frames:
            try:
                if kind == b"R":
                    record = decode_record(payload)
                    self._pending[record.seq] = record
                    self._next_seq = max(self._next_seq, record.seq + 1)
                else:
                    self._pending.pop(SEQ.unpack(payload)[0], None)
            except (ValueError, UnicodeDecodeError, struct.error) as exc:
                raise SpillJournalError(f"{self.path}: an unreadable record at byte {at}: {exc}") from exc
        if bad is not None:
            with open(self.path, "r+b") as handle:
                handle.truncate(bad[0])
                os.fsync(handle.fileno())

    # --- what is pending ----------------------------------------------------------------------------

    def __len__(self) -> int:
        """Messages in the journal not yet re-delivered."""
        return len(self._pending)

    def pending(self) -> list[SpilledRecord]:
        """The messages waiting, oldest first."""
        with self._lock:
            return [self._pending[seq] for seq in sorted(self._pending)]

    # --- writing ------------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._file.flush()
        if self.fsync == "always":
            os.fsync(self._file.fileno())

    def append(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: Headers | None = None,
        partition: int | None = None,
        timestamp_ms: int | None = None,
        reason: str = "",
    ) -> SpilledRecord:
        """Write one message to the journal (durably, per the fsync policy) and return its entry."""
        with self._lock:
            if self._file.closed:
                raise SpillJournalError(f"the spill journal {self.path} is closed")
            record = SpilledRecord(
                self._next_seq, topic, value, key, headers, partition, timestamp_ms, reason
            )
            data = frame(b"R", encode_record(record))
            size = self._file.tell()
            if size + len(data) > self.max_bytes:
                raise SpillJournalError(
                    f"the spill journal {self.path} is full ({size} of max_bytes={self.max_bytes} bytes); "
                    f"a message to {topic!r} could not be kept: raise max_bytes or replay the journal"
                )
            self._write(data)
            self._next_seq += 1
            self._pending[record.seq] = record
            self.spilled += 1
            return record

    def _acknowledge(self, seqs: Sequence[int]) -> None:
        with self._lock:
            for seq in seqs:
                self._file.write(frame(b"A", SEQ.pack(seq)))
                self._pending.pop(seq, None)
            self._file.flush()
            if self.fsync == "always":
                os.fsync(self._file.fileno())
            if not self._pending:  # everything delivered: start the file afresh
                self._file.truncate(0)
                self._file.seek(0)
                os.fsync(self._file.fileno())

    # --- with a producer ----------------------------------------------------------------------------

    def send(
        self,
        producer: Any,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: Headers | None = None,
        partition: int | None = None,
        timestamp_ms: int | None = None,
    ) -> Any:
        """Send raw bytes with ``producer``; if it refuses the message or its delivery fails, journal it.

        Returns the producer's ``DeliveryFuture`` (which still reports a failed delivery: the message
        is then in the journal), or None when the producer refused the message with a retriable error
        (its queue is full) and it went straight to the journal. A non-retriable refusal (a closed
        producer, a feature the backend lacks) is raised: replaying would fail the same way. Only
        bytes are journaled: serialize first (the producer must have no serializers).
        A full journal raises :class:`SpillJournalError` here, or is logged at ERROR with the message's
        topic when it happens in a delivery report.
        """
        for field, data in (("key", key), ("value", value)):
            if data is not None and not isinstance(data, bytes):
                raise SerializationError(
                    f"SpillJournal.send takes bytes; the {field} for {topic!r} is a {type(data).__name__}: "
                    "serialize it first"
                )

        def on_delivery(error: KafkaClientError | None, meta: RecordMetadata | None) -> None:
            if error is None:
                return
            try:
                self.append(
                    topic, value, key, headers, partition, timestamp_ms, f"{type(error).__name__}: {error}"
                )
            except (SpillJournalError, OSError) as exc:
                _log.error(
                    "LOST a message to %r: its delivery failed (%s) and the journal refused it: %s",
                    topic,
                    error,
                    exc,
                )

        try:
            return producer.send(
                topic,
                value,
                key=key,
                headers=headers,
                partition=partition,
                timestamp=timestamp_ms,
                on_delivery=on_delivery,
            )
        except KafkaClientError as exc:
            if not exc.retriable:  # a bad message or a closed producer: replaying would not help
                raise
            # Refused for now (queue full, broker unreachable): keep it for the replay.
            self.append(topic, value, key, headers, partition, timestamp_ms, f"{type(exc).__name__}: {exc}")
            return None

    def replay(self, producer: Any, *, timeout_s: float = 60.0) -> JournalReplayReport:
        """Re-send every pending message (oldest first); remove each once the broker acknowledged it.

        Messages still failing stay for the next replay. A crash during a replay re-sends, next time,
        those whose acknowledgement was not yet recorded: at least once, never lost. ``timeout_s``
        bounds the wait for the delivery reports.
        """
        records = self.pending()
        futures = [
            (
                r.seq,
                producer.send(
                    r.topic,
                    r.value,
                    key=r.key,
                    headers=r.headers,
                    partition=r.partition,
                    timestamp=r.timestamp_ms,
                ),
            )
            for r in records
        ]
        producer.flush(timeout_s)
        delivered: list[int] = []
        failed = 0
        for seq, future in futures:
            try:
                future.result(timeout=0.001 if future.done() else timeout_s)
            except KafkaClientError as exc:
                failed += 1
                _log.warning("spill journal replay: message %d still undeliverable: %s", seq, exc)
            else:
                delivered.append(seq)
        self._acknowledge(delivered)
        if records:
            _log.info("spill journal replay: %d delivered, %d still pending", len(delivered), len(self))
        return JournalReplayReport(len(delivered), failed, len(self))

    def close(self) -> None:
        """Close the file (pending messages stay in it for the next run). Idempotent."""
        with self._lock:
            self._file.close()

    def __enter__(self) -> SpillJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SpillJournal {str(self.path)!r} pending={len(self._pending)}>"
