"""A token-bucket rate limiter for the consume loop."""

from __future__ import annotations

import time


class RateLimiter:
    """Allows ``rate`` events per second on average, with bursts up to one second's worth."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate_limit must be positive (messages per second)")
        self.rate = rate
        self.tokens = rate
        self.updated = time.monotonic()

    def delay(self) -> float:
        """Take one token; return how long to wait before going on (0 when a token was available)."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def wait(self) -> None:
        pause = self.delay()
        if pause > 0:
            time.sleep(pause)
