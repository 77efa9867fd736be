"""Correlation IDs: one ID per unit of work, carried from producer to consumer in a message header.

The ID lives in a context variable, so it follows the code that handles a request or a message, across
threads started with :func:`contextvars.copy_context` and across ``await``. With the logging plugin on
(``observability.logging_enabled``, the default):

- a producer puts the current ID, if there is one, in the header named by
  ``observability.correlation_id_header`` (default ``correlation-id``); a header already set is kept;
- a consumer takes that header (else the ID current around the consumer, else a new one) and makes it
  current while the message is processed, so the handler's logs carry it, and so does every message
  the handler produces.

::

    from kafka_client.observability.correlation import correlation_scope

    with correlation_scope(request.headers.get("x-request-id")):
        producer.send("orders", order)     # the message carries the request's ID
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["correlation_id", "correlation_scope", "new_correlation_id"]

# Correlation IDs need to be unique, not unguessable: 128 bits from a private PRNG (seeded from the OS,
# reseeded in forked children, untouched by the application's random.seed()) cost a fraction of uuid4().
_random = random.Random()
_bits = _random.getrandbits
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_random.seed)


def new_correlation_id() -> str:
    """A fresh correlation ID: 32 lowercase hex digits (the shape of ``uuid4().hex``)."""
    return f"{_bits(128):032x}"


class DeferredCorrelationId:
    """A unit of work's correlation ID, made up only when something first reads it (a log line, a send, a
    :func:`correlation_id` call): most messages a consumer processes never need one. Context copies (a
    thread started with :func:`contextvars.copy_context`, an asyncio task) share this object, so they all
    see the same ID whichever reads it first.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | None = None) -> None:
        self._value = value

    def resolve(self) -> str:
        """The ID, made now if nothing asked for it before."""
        value = self._value
        if value is None:
            with _making:
                value = self._value
                if value is None:
                    value = self._value = new_correlation_id()
        return value


_making = threading.Lock()
_current: ContextVar[str | DeferredCorrelationId | None] = ContextVar(
    "kafka_client_correlation_id", default=None
)


def resolved(value: str | DeferredCorrelationId | None) -> str | None:
    """The ID a value of the context variable stands for (None: outside any unit of work)."""
    if value is None or isinstance(value, str):
        return value
    return value.resolve()


def correlation_id() -> str | None:
    """The correlation ID of the work in progress, or None outside any."""
    return resolved(_current.get())


@contextlib.contextmanager
def correlation_scope(value: str | None = None) -> Iterator[str]:
    """Make ``value`` (or a new ID when it is None or empty) the current correlation ID inside the block.

    Yields the ID in force, so a caller can echo it (in an HTTP response header, say).
    """
    chosen = value or new_correlation_id()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)
