"""The one seam observability plugs into: small hooks the producer and consumer cores call.

An observer is any object with some of the methods of :class:`Observer`; the cores gather the methods
that exist into plain lists once, at construction (structlog-style), so a client with no tracing pays
nothing for tracing, and the per-message path never asks "is this plugin on?".

Cost rules (see DESIGN.md, "Hot path rules"): per-message hooks (``before_send``, ``after_delivery``,
``process_scope``) must be O(1) and cheap; anything heavier belongs in per-batch hooks (``on_consume``),
in the statistics callback (``on_stats``), or behind sampling.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from kafka_client._records import Headers, Message, RecordMetadata, TopicPartition, TopicPartitionOffset
from kafka_client.errors import KafkaClientError

_log = logging.getLogger("kafka_client.observability")
__all__ = ["ClientHooks", "Observer", "build_hooks"]

BeforeSend = Callable[[str, Headers | None, int], Headers | None]
AfterDelivery = Callable[[str, KafkaClientError | None, RecordMetadata | None, int], None]
ProcessScope = Callable[[Message[Any, Any]], ContextManager[Any]]
BatchScope = Callable[[Sequence[Message[Any, Any]]], ContextManager[Any]]


class Observer(Protocol):
    """What an observability plugin may implement; every method is optional.

    - ``before_send(topic, headers, sent_ns) -> headers``: add headers (trace context, correlation ID) to
      a message about to be sent; return the (possibly new) header list, or None for none. ``sent_ns``
      is the value ``after_delivery`` will get for this message (0 when no observer wants reports), so
      an observer can carry per-message state from the send to its report (a span, say).
    - ``after_delivery(topic, error, metadata, sent_ns)``: a delivery report; ``sent_ns`` is
      ``time.perf_counter_ns()`` at send.
    - ``on_consume(messages)``: a batch of messages was fetched (one call per fetch, not per message).
    - ``process_scope(message)`` / ``batch_scope(messages)``: a context manager around the processing
      of one message / one batch (a tracing span, a log context).
    - ``on_commit(offsets, error, seconds)``, ``on_rebalance(kind, partitions)`` (kind: "assign",
      "revoke", "lost"), ``on_error(error)``, ``on_stats(stats)``, ``on_close()``.
    - ``on_dead_letter(topic, dlq_topic, error)``: ``run(..., dead_letter_queue=...)`` wrote a message of
      ``topic`` to ``dlq_topic`` and the broker acknowledged it; ``error`` is why (the handler's exception,
      or the DeserializationError of a poison pill).
    - ``on_circuit_state(name, state)``: the circuit breaker ``name`` is now in ``state`` (a
      ``CircuitState``). Not gathered here: a consumer's ``run(..., circuit_breaker=breaker)`` registers
      the observers that have it with the breaker (``breaker.add_observer``), which reports the current
      state at once and then every change.
    - ``bind(client_id, role, backend)``: called once when the client is built.
    - ``send_guard``: an attribute, a :class:`contextvars.ContextVar` whose value is None whenever
      ``before_send`` would leave the headers as they are (the logging plugin's correlation ID). A
      producer whose every ``before_send`` has a guard skips them all, and takes its fastest path,
      while the guards are unset.
    """


@dataclass
class ClientHooks:
    """The observers' methods, gathered per hook. Empty lists mean the hook costs nothing."""

    observers: list[Any] = field(default_factory=list)
    before_send: list[BeforeSend] = field(default_factory=list)
    after_delivery: list[AfterDelivery] = field(default_factory=list)
    on_consume: list[Callable[[Sequence[Message[Any, Any]]], None]] = field(default_factory=list)
    process_scope: list[ProcessScope] = field(default_factory=list)
    batch_scope: list[BatchScope] = field(default_factory=list)
    on_commit: list[Callable[[Sequence[TopicPartitionOffset], KafkaClientError | None, float], None]] = field(
        default_factory=list
    )
    on_rebalance: list[Callable[[str, list[TopicPartition]], None]] = field(default_factory=list)
    on_error: list[Callable[[KafkaClientError], None]] = field(default_factory=list)
    on_stats: list[Callable[[Mapping[str, Any]], None]] = field(default_factory=list)
    on_close: list[Callable[[], None]] = field(default_factory=list)
    on_dead_letter: list[Callable[[str, str, BaseException], None]] = field(default_factory=list)
    send_guard: ContextVar[Any] | None = None
    """Set when one observer's ``before_send`` is the only one and it has a guard (see Observer)."""

    def stats_callback(self) -> Callable[[Mapping[str, Any]], None] | None:
        """One callable feeding every ``on_stats`` hook, or None when nobody wants statistics."""
        hooks = self.on_stats
        if not hooks:
            return None

        def dispatch(stats: Mapping[str, Any]) -> None:
            for hook in hooks:
                hook(stats)

        return dispatch

    def report_error(
        self, error: KafkaClientError, callback: Callable[[KafkaClientError], None] | None, role: str
    ) -> None:
        """Tell every ``on_error`` hook, then the application's ``callback``; never raises (it runs on
        report threads, and while a client is being built)."""
        for hook in self.on_error:
            try:
                hook(error)
            except Exception:
                _log.exception("an observer's on_error hook raised")
        if callback is None:
            return
        try:
            callback(error)
        except Exception:
            _log.exception("the %s's on_error callback raised", role)

    def add_headers(self, topic: str, headers: Headers | None, sent_ns: int = 0) -> Headers | None:
        for hook in self.before_send:
            headers = hook(topic, headers, sent_ns)
        return headers

    def processing(self, message: Message[Any, Any]) -> ContextManager[Any]:
        """The context to process one message in (a no-op when no observer wants one)."""
        scopes = self.process_scope
        if not scopes:
            return _NOTHING
        if len(scopes) == 1:
            return scopes[0](message)
        if len(scopes) == 2:
            return _Pair(scopes[0](message), scopes[1](message))
        return _Nested(scopes, message)

    def processing_batch(self, messages: Sequence[Message[Any, Any]]) -> ContextManager[Any]:
        scopes = self.batch_scope
        if not scopes:
            return _NOTHING
        if len(scopes) == 1:
            return scopes[0](messages)
        if len(scopes) == 2:
            return _Pair(scopes[0](messages), scopes[1](messages))
        return _Nested(scopes, messages)


class _Nothing:
    """The context of a client no observer wants one from: stateless, so one object serves every message."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NOTHING = _Nothing()


class _Pair:
    """Two observers' scopes (the default: metrics and logging), ``outer`` entered first and left last;
    what ``with outer: with inner:`` does, without a list per message."""

    __slots__ = ("inner", "outer")

    def __init__(self, outer: Any, inner: Any) -> None:
        self.outer = outer
        self.inner = inner

    def __enter__(self) -> None:
        self.outer.__enter__()
        try:
            self.inner.__enter__()
        except BaseException:  # the body never runs: the outer scope is told why, and the error goes on
            self.outer.__exit__(*sys.exc_info())
            raise

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        try:
            suppressed = bool(self.inner.__exit__(exc_type, exc, tb))
        except BaseException:  # the inner scope's exit raised: the outer one sees that error instead
            if self.outer.__exit__(*sys.exc_info()):
                return True
            raise
        if suppressed:
            exc_type = exc = tb = None
        return bool(self.outer.__exit__(exc_type, exc, tb)) or suppressed


class _Nested:
    """Several observers' scopes entered in order and left in reverse: a lean ExitStack (per message)."""

    __slots__ = ("arg", "entered", "scopes")

    def __init__(self, scopes: list[Any], arg: Any) -> None:
        self.scopes = scopes
        self.arg = arg
        self.entered: list[Any] = []

    def __enter__(self) -> None:
        for scope in self.scopes:
            manager = scope(self.arg)
            try:
                manager.__enter__()
            except BaseException:
                self.__exit__(*sys.exc_info())
                raise
            self.entered.append(manager)

    def __exit__(self, *exc_info: Any) -> bool:
        suppressed = False
        while self.entered:
            if self.entered.pop().__exit__(*exc_info):
                suppressed = True
                exc_info = (None, None, None)
        return suppressed


_HOOK_NAMES = (
    "before_send",
    "after_delivery",
    "on_consume",
    "process_scope",
    "batch_scope",
    "on_commit",
    "on_rebalance",
    "on_error",
    "on_stats",
    "on_close",
    "on_dead_letter",
)


def build_hooks(observers: Sequence[Any], *, client_id: str, role: str, backend: str) -> ClientHooks:
    """Bind each observer to the client and gather its hook methods."""
    hooks = ClientHooks(observers=list(observers))
    for observer in observers:
        bind = getattr(observer, "bind", None)
        if bind is not None:
            bind(client_id, role, backend)
        for name in _HOOK_NAMES:
            method = getattr(observer, name, None)
            if method is not None:
                getattr(hooks, name).append(method)
    if len(hooks.before_send) == 1:
        guard = getattr(getattr(hooks.before_send[0], "__self__", None), "send_guard", None)
        hooks.send_guard = guard if isinstance(guard, ContextVar) else None
    return hooks
