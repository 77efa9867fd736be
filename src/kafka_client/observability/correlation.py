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
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["correlation_id", "correlation_scope", "new_correlation_id"]

_current: ContextVar[str | None] = ContextVar("kafka_client_correlation_id", default=None)

# Correlation IDs need to be unique, not unguessable: 128 bits from a private PRNG (seeded from the OS,
# reseeded in forked children, untouched by the application's random.seed()) cost a fraction of uuid4().
_random = random.Random()
_bits = _random.getrandbits
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_random.seed)


def new_correlation_id() -> str:
    """A fresh correlation ID: 32 lowercase hex digits (the shape of ``uuid4().hex``)."""
    return f"{_bits(128):032x}"


def correlation_id() -> str | None:
    """The correlation ID of the work in progress, or None outside any."""
    return _current.get()


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
