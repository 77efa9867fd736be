"""A minimal Kafka protocol probe: one Metadata request over a plain socket, no client library needed.

Used to decide when the embedded broker is ready: it answers Metadata with itself registered and a
controller elected. Kafka 4 removed Metadata v0-v3, so the probe speaks v4 (the oldest kept version,
non-flexible encoding).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

_METADATA = 3
_METADATA_VERSION = 4


@dataclass(frozen=True)
class ClusterMetadata:
    """What the probe learned: the brokers (node id, host, port), the cluster id and the controller id."""

    brokers: tuple[tuple[int, str, int], ...]
    cluster_id: str | None
    controller_id: int


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str | None:
        length = self.take(">h")
        if length < 0:
            return None
        text = self.data[self.pos : self.pos + length].decode()
        self.pos += length
        return text


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(remaining)
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def fetch_metadata(host: str, port: int, timeout: float = 2.0) -> ClusterMetadata:
    """Send one Metadata v4 request (no topics) and decode the broker list; raise OSError on failure."""
    client_id = b"kafka-client-probe"
    correlation_id = 7
    body = struct.pack(">hhih", _METADATA, _METADATA_VERSION, correlation_id, len(client_id)) + client_id
    body += struct.pack(">i?", 0, False)  # an empty topic list, no auto-creation
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        (size,) = struct.unpack(">i", _recv_exact(sock, 4))
        reader = _Reader(_recv_exact(sock, size))
    if reader.take(">i") != correlation_id:
        raise ConnectionError("the broker answered another request")
    reader.take(">i")  # throttle_time_ms
    brokers = []
    for _ in range(reader.take(">i")):
        node_id = reader.take(">i")
        broker_host = reader.string() or ""
        broker_port = reader.take(">i")
        reader.string()  # rack
        brokers.append((node_id, broker_host, broker_port))
    cluster_id = reader.string()
    controller_id = reader.take(">i")
    return ClusterMetadata(tuple(brokers), cluster_id, controller_id)
