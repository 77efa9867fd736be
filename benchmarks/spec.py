"""What one child process measures: the case, the contender and everything it needs to connect."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunSpec:
    """One measurement, passed to the child as JSON on its command line.

    ``native`` holds the librdkafka / kafka-python settings the library would use for the same preset, so
    raw contenders are configured equivalently without importing ``kafka_client`` themselves.
    """

    case: str
    kind: str  # produce | consume | latency | footprint
    contender: str
    bootstrap: str
    topic: str = ""
    messages: int = 0
    size: int = 100
    mode: str = "ff"  # produce: ff (fire-and-forget) | await (every future awaited)
    fmt: str = "bytes"  # consume: bytes | json
    rate: int = 0  # latency: messages per second
    duration_s: float = 0.0  # latency: how long to send at ``rate``
    preset: str = "default"  # default | low-latency
    group: str = ""
    partitions: int = 1  # latency: warm-up ends once the consumer has read from this many partitions
    native: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The spec as one JSON string (for ``python -m benchmarks child``)."""
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        """The spec :meth:`to_json` wrote."""
        return cls(**json.loads(text))
