"""What a health check returns, and the report that aggregates several."""

from __future__ import annotations

import datetime as dt
import enum
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kafka_client.errors import KafkaClientError

__all__ = ["HealthReport", "HealthResult", "HealthStatus", "timed_check"]


class HealthStatus(enum.StrEnum):
    """``ok``; ``degraded`` (working, but needs attention); ``failed`` (not working). Ordered by severity."""

    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @classmethod
    def worst(cls, statuses: Iterable[HealthStatus]) -> HealthStatus:
        """The most severe of ``statuses`` (``ok`` for none)."""
        return max(statuses, key=lambda s: s.severity, default=cls.OK)


_SEVERITY = {HealthStatus.OK: 0, HealthStatus.DEGRADED: 1, HealthStatus.FAILED: 2}


@dataclass(frozen=True)
class HealthResult:
    """One check's outcome: ``detail`` says why in a sentence, ``data`` holds the measured numbers."""

    name: str
    status: HealthStatus
    detail: str
    duration_s: float
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is HealthStatus.OK

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"name", "status", "detail", "duration_s", "data"}``."""
        return {
            "name": self.name,
            "status": self.status.value,
            "detail": self.detail,
            "duration_s": round(self.duration_s, 6),
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class HealthReport:
    """Several checks' results; the overall ``status`` is the worst of them."""

    results: tuple[HealthResult, ...]
    duration_s: float = 0.0
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def status(self) -> HealthStatus:
        return HealthStatus.worst(r.status for r in self.results)

    @property
    def ok(self) -> bool:
        return self.status is HealthStatus.OK

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status."""
        return {s.value: sum(1 for r in self.results if r.status is s) for s in HealthStatus}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: overall status, when, how long, the count per status, and every check."""
        return {
            "status": self.status.value,
            "checked_at": self.checked_at.isoformat(),
            "duration_s": round(self.duration_s, 6),
            "counts": self.counts(),
            "checks": [r.to_dict() for r in self.results],
        }


Outcome = tuple[HealthStatus, str, dict[str, Any]]


def timed_check(name: str, body: Callable[[], Outcome]) -> HealthResult:
    """Run ``body`` and time it; a KafkaClientError it raises becomes a ``failed`` result with its message."""
    started = time.perf_counter()
    try:
        status, detail, data = body()
    except KafkaClientError as exc:
        status, detail, data = HealthStatus.FAILED, str(exc), {"error": type(exc).__name__}
    return HealthResult(name, status, detail, time.perf_counter() - started, data)
