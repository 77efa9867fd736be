"""``DeliveryFuture``: the result of one send, resolved by the delivery report.

Lighter than ``concurrent.futures.Future``: resolving takes no lock (one is made per message), and an
event is created only when somebody actually waits. The rare paths (waiting, adding callbacks) take a
module lock and re-check the state after publishing, so a report racing with a waiter is never missed
and a callback never runs twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kafka_client._records import RecordMetadata
from kafka_client.errors import KafkaClientError, KafkaTimeoutError

if TYPE_CHECKING:
    from kafka_client.producer._core import ProducerCore

DeliveryListener = Callable[[KafkaClientError | None, RecordMetadata | None], None]

__all__ = ["DeliveryFuture"]

_LOCK = threading.Lock()
_PENDING, _DONE, _FAILED = 0, 1, 2


class DeliveryFuture:
    """The outcome of sending one message: :class:`RecordMetadata`, or the error that prevented delivery.

    Example::

        meta = producer.send("orders", b"...").result(timeout=10)
        print(meta.partition, meta.offset)
    """

    # _core, _listener and _sent_ns are what the delivery report needs (see _deliver): kept here, so a send
    # allocates no callback object besides the future (each one is work for the garbage collector).
    __slots__ = (
        "_callbacks",
        "_core",
        "_event",
        "_exception",
        "_listener",
        "_result",
        "_sent_ns",
        "_state",
        "topic",
    )

    def __init__(
        self,
        topic: str,
        core: ProducerCore | None = None,
        listener: DeliveryListener | None = None,
        sent_ns: int = 0,
    ) -> None:
        self.topic = topic
        self._state = _PENDING
        self._result: RecordMetadata | None = None
        self._exception: KafkaClientError | None = None
        self._event: threading.Event | None = None
        self._callbacks: list[Callable[[DeliveryFuture], None]] | None = None
        self._core = core
        self._listener = listener
        self._sent_ns = sent_ns

    def done(self) -> bool:
        """True once the broker acknowledged the message or its delivery failed."""
        return self._state != _PENDING

    def _wait(self, timeout: float | None) -> None:
        if self._state != _PENDING:
            return
        with _LOCK:
            if self._event is None:
                self._event = threading.Event()
            event = self._event
        # Published before this re-check: a report arriving now either sees the event or was already seen.
        if self._state != _PENDING:
            return
        if not event.wait(timeout):
            raise KafkaTimeoutError(f"no delivery report for a message to {self.topic!r} within {timeout} s")

    def result(self, timeout: float | None = None) -> RecordMetadata:
        """Wait for the delivery report; return where the message was stored, or raise why it was not."""
        self._wait(timeout)
        if self._exception is not None:
            raise self._exception
        assert self._result is not None
        return self._result

    def exception(self, timeout: float | None = None) -> KafkaClientError | None:
        """Wait for the delivery report; return the delivery error, or None if delivered."""
        self._wait(timeout)
        return self._exception

    def add_done_callback(self, callback: Callable[[DeliveryFuture], None]) -> None:
        """Call ``callback(future)`` once resolved (at once if it already is), on the reporting thread."""
        if self._state == _PENDING:
            with _LOCK:
                if self._callbacks is None:
                    self._callbacks = []
                self._callbacks.append(callback)
            if self._state != _PENDING:  # resolved meanwhile: run what the resolver did not take
                self._run_callbacks()
            return
        callback(self)

    def _run_callbacks(self) -> None:
        with _LOCK:
            callbacks, self._callbacks = self._callbacks, None
        if callbacks:
            for callback in callbacks:
                callback(self)

    def _resolve(self, error: KafkaClientError | None, metadata: RecordMetadata | None) -> None:
        if self._state != _PENDING:
            return
        self._exception = error
        self._result = metadata
        self._state = _FAILED if error is not None else _DONE
        event = self._event
        if event is not None:
            event.set()
        if self._callbacks is not None:
            self._run_callbacks()

    def _deliver(self, error: KafkaClientError | None, meta: RecordMetadata | None) -> None:
        """The delivery report of a :meth:`Producer.send`: resolve, then the observers, the ``on_delivery``
        listener and (for a failure) the error callback."""
        self._resolve(error, meta)
        core = self._core
        if core is None:
            return
        if core.hooks.after_delivery:
            core.delivered(self.topic, error, meta, self._sent_ns)
        listener = self._listener
        if listener is not None:
            try:
                listener(error, meta)
            except Exception as exc:  # a user callback must not stop delivery reports
                core.report_error(KafkaClientError(f"a delivery callback raised {exc!r}"))
        if error is not None:
            core.report_error(error)

    def _deliver_native(self, err: Any, msg: Any) -> None:
        """:meth:`_deliver` for the client library's own report, converted by the backend: what the client
        library calls directly, with no callback object made per message."""
        convert = self._core.native_report  # type: ignore[union-attr]  # set whenever this is the report
        error, meta = convert(err, msg, self.topic)  # type: ignore[misc]
        self._deliver(error, meta)

    def __repr__(self) -> str:
        state = {
            _PENDING: "pending",
            _DONE: f"delivered {self._result}",
            _FAILED: f"failed {self._exception!r}",
        }
        return f"<DeliveryFuture {self.topic!r} {state[self._state]}>"
