"""What every screen of one context shares: the cluster, its service, and what the user may do."""

from __future__ import annotations

from dataclasses import dataclass, field

from kafka_top.contexts import ClusterContext
from kafka_top.lag_seconds import LagClock
from kafka_top.service import ClusterService

__all__ = ["Session"]


@dataclass(frozen=True)
class Session:
    """The context a screen shows, its :class:`ClusterService`, and the app-wide switches.

    ``read_only`` removes every action that changes the cluster; ``refresh_s`` is how often live
    screens refresh (0: only on ``ctrl+r``). ``lag_clock`` keeps the sampled offsets that lag in seconds
    is estimated from, shared by the screens of this cluster; its ``clock`` is the time every screen
    shows (tests freeze it).
    """

    context: ClusterContext
    service: ClusterService
    read_only: bool = False
    refresh_s: float = 2.0
    lag_clock: LagClock = field(default_factory=LagClock)

    def now(self) -> float:
        """Seconds since the epoch, by the session's clock."""
        return self.lag_clock.clock()
