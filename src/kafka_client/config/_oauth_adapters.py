"""Adapting a ``TokenProvider`` to what each native client calls for SASL/OAUTHBEARER tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kafka_client.typing import TokenProvider

# Refresh this long before expiry, so a token is never presented just as it lapses.
_REFRESH_MARGIN_S = 60.0


class ConfluentOAuthCallback:
    """The ``oauth_cb`` librdkafka calls with its ``sasl.oauthbearer.config`` string.

    librdkafka schedules the refresh itself from the returned expiry, so each call fetches anew.
    """

    def __init__(self, provider: TokenProvider) -> None:
        self.provider = provider

    def __call__(self, oauthbearer_config: str | None = None) -> tuple[str, float]:
        token, expiry = self.provider()
        return token, float(expiry)

    def __repr__(self) -> str:
        return f"ConfluentOAuthCallback({_name(self.provider)})"


class CachingTokenSource:
    """Calls a ``TokenProvider`` only when the cached token is near expiry (thread-safe).

    kafka-python asks for a token on every connection; caching avoids one identity-provider round
    trip per broker connection, as kafka-python's ``AbstractTokenProvider`` contract asks.
    """

    def __init__(self, provider: TokenProvider, clock: Callable[[], float] | None = None) -> None:
        self.provider = provider
        self._clock = clock or time.time
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expiry = 0.0

    def token(self) -> str:
        """A token valid for at least the refresh margin, fetching a new one when needed."""
        with self._lock:
            if self._token is None or self._clock() >= self._expiry - _REFRESH_MARGIN_S:
                token, expiry = self.provider()
                self._token, self._expiry = token, float(expiry)
            return self._token

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_name(self.provider)})"


def _name(provider: object) -> str:
    module = getattr(provider, "__module__", None) or "?"
    qualname = getattr(provider, "__qualname__", None) or type(provider).__qualname__
    return f"{module}:{qualname}"
