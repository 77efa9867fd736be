"""The spill journal's file format: framed, checksummed records and acknowledgements (see ``_journal``)."""

from __future__ import annotations

import struct
import zlib
from typing import Any, NamedTuple

from kafka_client._records import Headers

_MAGIC = b"KJ"
FRAME = struct.Struct(">2scII")  # magic, kind, payload length, crc32 of the payload
_RECORD_HEAD = struct.Struct(">QiqH")  # sequence, partition (-1: none), timestamp ms (-1: none), topic len
SEQ = struct.Struct(">Q")
_LEN = struct.Struct(">i")
_SHORT = struct.Struct(">H")
_MAX_REASON = 500


class SpilledRecord(NamedTuple):
    """One message waiting in the journal: what to send again, and why it was spilled."""

    seq: int
    topic: str
    value: bytes | None
    key: bytes | None
    headers: Headers | None
    partition: int | None
    timestamp_ms: int | None
    reason: str


def _bytes_field(data: bytes | None) -> bytes:
    return _LEN.pack(-1) if data is None else _LEN.pack(len(data)) + data


def encode_record(record: SpilledRecord) -> bytes:
    topic = record.topic.encode()
    parts = [
        _RECORD_HEAD.pack(
            record.seq,
            -1 if record.partition is None else record.partition,
            -1 if record.timestamp_ms is None else record.timestamp_ms,
            len(topic),
        ),
        topic,
        _bytes_field(record.key),
        _bytes_field(record.value),
        _SHORT.pack(-1 & 0xFFFF if record.headers is None else len(record.headers)),
    ]
    for name, value in record.headers or ():
        encoded = name.encode()
        parts += [_SHORT.pack(len(encoded)), encoded, _bytes_field(value)]
    reason = record.reason[:_MAX_REASON].encode()
    parts += [_SHORT.pack(len(reason)), reason]
    return b"".join(parts)


class _Reader:
    """Reads the fields of one payload in order."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise ValueError("payload shorter than its fields")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def unpack(self, shape: struct.Struct) -> tuple[Any, ...]:
        return shape.unpack(self.take(shape.size))

    def bytes_field(self) -> bytes | None:
        (size,) = self.unpack(_LEN)
        return None if size < 0 else self.take(size)

    def text(self) -> str:
        (size,) = self.unpack(_SHORT)
        return self.take(size).decode()


def decode_record(payload: bytes) -> SpilledRecord:
    reader = _Reader(payload)
    seq, partition, timestamp, topic_len = reader.unpack(_RECORD_HEAD)
    topic = reader.take(topic_len).decode()
    key, value = reader.bytes_field(), reader.bytes_field()
    (count,) = reader.unpack(_SHORT)
    headers: Headers | None = None
    if count != 0xFFFF:
        headers = [(reader.text(), reader.bytes_field()) for _ in range(count)]
    reason = reader.text()
    return SpilledRecord(
        seq,
        topic,
        value,
        key,
        headers,
        None if partition < 0 else partition,
        None if timestamp < 0 else timestamp,
        reason,
    )


def frame(kind: bytes, payload: bytes) -> bytes:
    return FRAME.pack(_MAGIC, kind, len(payload), zlib.crc32(payload)) + payload


def scan(data: bytes) -> tuple[list[tuple[int, bytes, bytes]], tuple[int, str] | None]:
    """The valid frames ``(offset, kind, payload)`` from the start, and the first bad one's offset and why."""
    frames: list[tuple[int, bytes, bytes]] = []
    at = 0
    while at < len(data):
        if len(data) - at < FRAME.size:
            return frames, (at, f"{len(data) - at} byte(s) of an incomplete frame header")
        magic, kind, size, crc = FRAME.unpack_from(data, at)
        end = at + FRAME.size + size
        if magic != _MAGIC or kind not in (b"R", b"A"):
            return frames, (at, "a frame without the journal's magic bytes")
        if end > len(data):
            return frames, (at, f"a frame cut short ({len(data) - at} of {end - at} bytes)")
        payload = data[at + FRAME.size : end]
        if zlib.crc32(payload) != crc:
            return frames, (at, "a frame whose checksum does not match")
        frames.append((at, kind, payload))
        at = end
    return frames, None


def valid_frame_after(data: bytes, at: int) -> bool:
    """True if a valid frame starts anywhere after the bad one at ``at`` (so it is not a torn tail)."""
    start = data.find(_MAGIC, at + 1)
    while start != -1:
        if len(data) - start >= FRAME.size:
            _magic, kind, size, crc = FRAME.unpack_from(data, start)
            end = start + FRAME.size + size
            if (
                kind in (b"R", b"A")
                and end <= len(data)
                and zlib.crc32(data[start + FRAME.size : end]) == crc
            ):
                return True
        start = data.find(_MAGIC, start + 1)
    return False
