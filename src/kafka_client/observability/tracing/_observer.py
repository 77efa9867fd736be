"""The tracing observer: a PRODUCER span per sampled send, a CONSUMER span per processed message or batch."""

from __future__ import annotations

import collections
import threading
from collections.abc import Sequence
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from kafka_client import __version__
from kafka_client._records import Headers, Message, RecordMetadata
from kafka_client.errors import KafkaClientError
from kafka_client.observability.tracing import _semconv as sc
from kafka_client.observability.tracing._headers import header_getter, header_setter

if TYPE_CHECKING:
    from contextvars import Token

    from opentelemetry.context import Context
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from kafka_client.config import KafkaClientSettings

__all__ = ["MAX_BATCH_LINKS", "TracingObserver"]

#: A batch span links to at most this many messages' producer spans (the first ones of the batch):
#: extracting a context costs a few microseconds, and trace backends cap links per span anyway.
MAX_BATCH_LINKS = 128

_SCHEMA_URL = "https://opentelemetry.io/schemas/1.27.0"
# Span names and attribute sets are built once per topic; past this many topics they are built per call
# (a producer writing to an unbounded set of topic names must not grow memory).
_MAX_CACHED_TOPICS = 1024
# A sampled send whose delivery report never came (the send raised after the span started) is ended
# once it is this much older than the delivery timeout, or when this many spans are waiting.
_ORPHAN_GRACE_NS = 60 * 1_000_000_000
_MAX_IN_FLIGHT = 65_536

_Entry = tuple[str, dict[str, Any]]

# Set on entering a scope, reset on leaving it: a reset that fails tells the scope it is being left in
# another Context (an async generator finalized by the garbage collector), where OpenTelemetry's own
# detach would fail and log an error.
_in_scope: ContextVar[bool] = ContextVar("kafka_client_trace_scope", default=False)


class TracingObserver:
    """OpenTelemetry spans following the messaging semantic conventions, created only when sampled.

    With no OpenTelemetry SDK configured (the global tracer provider is the API's no-op proxy) the
    observer registers no hooks at all when the client binds it: tracing then costs nothing per message.
    The decision is taken when the client is built, so configure the SDK (or call
    :func:`~kafka_client.observability.tracing.configure_tracing`) before creating clients.

    - Producer: a ``<topic> send`` span (kind PRODUCER) per message the sampler keeps, with W3C
      ``traceparent``/``tracestate`` (and baggage) injected into the headers. When the client passes
      ``sent_ns`` to ``before_send``, the span ends at the delivery report (produce -> broker ack, with
      partition, offset and error status); otherwise it ends when the message is queued.
      A message the sampler drops still carries the caller's trace context when there is one, so the
      sampling decision stays consistent downstream. A send outside any trace (which would start a new
      one) is offered to the sampler for 1 in ``round(1 / observability.trace_sample_ratio)`` such sends
      only (a counter; none at ratio 0): asking the SDK costs microseconds per message even when its
      sampler says no. :func:`configure_tracing`'s sampler keeps those it is offered, so new producer
      traces are kept at the configured ratio; under another sampler the two ratios multiply.
    - Consumer: a ``<topic> process`` span (kind CONSUMER) around the processing of each message, child
      of the producer's span (the handler's own sends become its children: one trace crosses producer
      -> Kafka -> consumer -> downstream producer). A handler exception sets the span's status to ERROR
      with an exception event. A batch gets one span linked to up to :data:`MAX_BATCH_LINKS` producer
      spans.

    ``tracer_provider`` overrides the global provider (tests, or an application with several). The hooks
    follow the role the client binds the observer with (``role`` is only a default for reading code).
    One observer serves one client.
    """

    def __init__(
        self,
        settings: KafkaClientSettings,
        role: str = "producer",
        *,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self._settings = settings
        self._provider = tracer_provider
        self.active = False

    def bind(self, client_id: str, role: str, backend: str) -> None:
        """Decide once, for this client, whether spans can ever be recorded; expose hooks only if so."""
        provider = self._provider if self._provider is not None else trace.get_tracer_provider()
        tracer = provider.get_tracer("kafka_client", __version__, schema_url=_SCHEMA_URL)
        if isinstance(tracer, trace.NoOpTracer | trace.ProxyTracer):
            return  # no SDK: the client gathers no tracing hooks and pays nothing per message
        self.active = True
        self._tracer: Tracer = tracer
        settings = self._settings
        # Work outside any trace (a send, a message without trace headers) would start a new trace, and
        # asking the SDK costs microseconds even when its sampler says no: only 1 in ``_root_every`` such
        # roots is offered to it (a counter; none at ratio 0). See _offer_root().
        ratio = settings.observability.trace_sample_ratio
        self._root_every = round(1 / ratio) if ratio > 0 else 0
        self._roots = 0
        base: dict[str, Any] = {sc.MESSAGING_SYSTEM: sc.KAFKA, sc.MESSAGING_CLIENT_ID: client_id}
        if settings.bootstrap_servers:
            host, port = _split_address(settings.bootstrap_servers[0])
            base[sc.SERVER_ADDRESS] = host
            if port is not None:
                base[sc.SERVER_PORT] = port
        self._topics: dict[str, _Entry] = {}
        if role == "producer":
            self._operation = sc.SEND
            self._base = {**base, sc.MESSAGING_OPERATION_TYPE: sc.SEND, sc.MESSAGING_OPERATION_NAME: sc.SEND}
            self._in_flight: dict[int, Span] = {}
            self._order: collections.deque[int] = collections.deque()
            self._lock = threading.Lock()
            timeout_ms = settings.producer.delivery_timeout_ms
            self._orphan_age_ns = timeout_ms * 1_000_000 + _ORPHAN_GRACE_NS
            self.before_send = self._before_send
            self.after_delivery = self._after_delivery
            self.on_close = self._end_undelivered
        elif role == "consumer":
            self._operation = sc.PROCESS
            self._base = {
                **base,
                sc.MESSAGING_OPERATION_TYPE: sc.PROCESS,
                sc.MESSAGING_OPERATION_NAME: sc.PROCESS,
            }
            group = settings.consumer.group_id
            if group:
                self._base[sc.MESSAGING_CONSUMER_GROUP_NAME] = group
            self._textmap: object = None
            self._fields: frozenset[str] = frozenset()
            self.process_scope = self._process_scope
            self.batch_scope = self._batch_scope

    # --- per topic ---------------------------------------------------------------------------------

    def _parent(self, headers: Headers) -> Context | None:
        """The context propagated in ``headers``, or None (no extraction) when no header carries one."""
        textmap = propagate.get_global_textmap()
        if textmap is not self._textmap:  # the application may swap propagators (OTEL_PROPAGATORS, code)
            self._fields = frozenset(textmap.fields)
            self._textmap = textmap
        fields = self._fields
        for name, _ in headers:
            if name in fields:
                return propagate.extract(headers, getter=header_getter)
        return None

    def _offer_root(self) -> bool:
        """Whether this new root (a send or a processing outside any trace) goes to the sampler: 1 in
        ``_root_every`` (the counter may skip a beat under concurrent use; the ratio holds)."""
        self._roots += 1
        return bool(self._root_every) and not self._roots % self._root_every

    def _entry(self, topic: str) -> _Entry:
        entry = self._topics.get(topic)
        if entry is None:
            entry = (f"{topic} {self._operation}", {**self._base, sc.MESSAGING_DESTINATION_NAME: topic})
            if len(self._topics) < _MAX_CACHED_TOPICS:
                self._topics[topic] = entry
        return entry

    # --- producer ----------------------------------------------------------------------------------

    def _before_send(self, topic: str, headers: Headers | None, sent_ns: int = 0) -> Headers | None:
        in_trace = _in_trace()
        if not in_trace and not self._offer_root():
            return headers  # a root send not offered to the sampler: untouched, nothing to propagate
        name, attributes = self._entry(topic)
        span = self._tracer.start_span(name, kind=SpanKind.PRODUCER, attributes=attributes)
        if not span.is_recording():
            # Sampled out: no span of ours, but the caller's context (if any) still travels, so a
            # parent-based sampler downstream reaches the same decision.
            if in_trace:
                if headers is None:
                    headers = []
                propagate.inject(headers, setter=header_setter)
            return headers
        if headers is None:
            headers = []  # the core's own list (normalize_headers copies), so appending in place is safe
        propagate.inject(headers, context=trace.set_span_in_context(span), setter=header_setter)
        if not (sent_ns and self._track(sent_ns, span)):
            span.end()  # no key to find it at delivery: the span covers the send call only
        return headers

    def _track(self, sent_ns: int, span: Span) -> bool:
        # The delivery report finds its span by sent_ns, the perf_counter_ns() reading the producer takes
        # per send and hands to both hooks: unique per message of a client unless two sends read the
        # clock in the same nanosecond, which is caught here (that span then ends at the send). Only
        # sampled sends are tracked, and stale entries are swept, so the map stays small.
        in_flight = self._in_flight
        with self._lock:
            if sent_ns in in_flight:
                return False
            in_flight[sent_ns] = span
            order = self._order
            order.append(sent_ns)
            stale_before = sent_ns - self._orphan_age_ns
            while order:
                oldest = order[0]
                if oldest in in_flight and oldest > stale_before and len(in_flight) <= _MAX_IN_FLIGHT:
                    break
                order.popleft()
                orphan = in_flight.pop(oldest, None)
                if orphan is not None:
                    _end_with_error(orphan, "no delivery report: the send failed before being queued")
        return True

    def _after_delivery(
        self, topic: str, error: KafkaClientError | None, meta: RecordMetadata | None, sent_ns: int
    ) -> None:
        in_flight = self._in_flight
        if not in_flight:
            return
        span = in_flight.pop(sent_ns, None)
        if span is None:
            return
        if meta is not None:
            span.set_attribute(sc.MESSAGING_DESTINATION_PARTITION_ID, str(meta.partition))
            span.set_attribute(sc.MESSAGING_KAFKA_OFFSET, meta.offset)
        if error is not None:
            span.set_attribute(sc.ERROR_TYPE, type(error).__name__)
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, str(error)))
        span.end()

    def _end_undelivered(self) -> None:
        with self._lock:
            spans = list(self._in_flight.values())
            self._in_flight.clear()
            self._order.clear()
        for span in spans:
            _end_with_error(span, "the producer closed before the delivery report")

    # --- consumer ----------------------------------------------------------------------------------

    def _process_scope(self, message: Message[Any, Any]) -> _ProcessSpan:
        return _ProcessSpan(self, message)

    def _batch_scope(self, messages: Sequence[Message[Any, Any]]) -> _BatchSpan:
        return _BatchSpan(self, messages)


class _ProcessSpan:
    """The span around one message's processing, current while the handler runs."""

    __slots__ = ("_context", "_marker", "_message", "_observer", "_span", "_token")
    _span: Span | None
    _context: Context
    _token: Token[Context]
    _marker: Token[bool]

    def __init__(self, observer: TracingObserver, message: Message[Any, Any]) -> None:
        self._observer = observer
        self._message = message

    def __enter__(self) -> Span:
        message = self._message
        observer = self._observer
        parent = observer._parent(message.headers) if message.headers else None
        if parent is None and not _in_trace() and not observer._offer_root():
            self._span = None  # a root not offered to the sampler: no span, nothing made current
            return trace.INVALID_SPAN
        name, attributes = observer._entry(message.topic)
        span = observer._tracer.start_span(
            name, context=parent, kind=SpanKind.CONSUMER, attributes=attributes
        )
        if span.is_recording():
            span.set_attribute(sc.MESSAGING_DESTINATION_PARTITION_ID, str(message.partition))
            span.set_attribute(sc.MESSAGING_KAFKA_OFFSET, message.offset)
        self._span = span
        self._context = trace.set_span_in_context(span, parent)
        self._token = otel_context.attach(self._context)
        self._marker = _in_scope.set(True)
        return span

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._span is not None:
            _finish(self._span, exc, self._token, self._marker)


class _BatchSpan:
    """One span around a batch's processing, linked to each message's producer span (up to a cap)."""

    __slots__ = ("_context", "_marker", "_messages", "_observer", "_span", "_token")
    _span: Span
    _context: Context
    _token: Token[Context]
    _marker: Token[bool]

    def __init__(self, observer: TracingObserver, messages: Sequence[Message[Any, Any]]) -> None:
        self._observer = observer
        self._messages = messages

    def __enter__(self) -> Span:
        messages = self._messages
        observer = self._observer
        topic = messages[0].topic if messages else ""
        span: Span = trace.INVALID_SPAN
        # A batch span is linked, not parented, to its messages' producers: outside any trace it is a
        # new root, offered to the sampler like the others (1 in ``_root_every``).
        if messages and (_in_trace() or observer._offer_root()):
            name = observer._entry(topic)[0]
            span = observer._tracer.start_span(name, kind=SpanKind.CONSUMER, attributes=observer._base)
        if span.is_recording():
            # Only now, for a span that is kept, the O(n) work: topics, and the links' contexts.
            span.set_attribute(sc.MESSAGING_BATCH_MESSAGE_COUNT, len(messages))
            if any(m.topic != topic for m in messages):
                span.update_name(sc.PROCESS)
            else:
                span.set_attribute(sc.MESSAGING_DESTINATION_NAME, topic)
            for message in messages[:MAX_BATCH_LINKS]:
                parent = observer._parent(message.headers) if message.headers else None
                if parent is not None:
                    linked = trace.get_current_span(parent).get_span_context()
                    if linked.is_valid:
                        span.add_link(linked)
        self._span = span
        self._context = trace.set_span_in_context(span)
        self._token = otel_context.attach(self._context)
        self._marker = _in_scope.set(True)
        return span

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _finish(self._span, exc, self._token, self._marker)


def _in_trace() -> bool:
    """Whether a span (ours, the application's, or a propagated parent) is current here."""
    return trace.get_current_span().get_span_context().is_valid


def _finish(span: Span, exc: BaseException | None, token: Token[Context], marker: Token[bool]) -> None:
    # GeneratorExit / KeyboardInterrupt end the scope without being the handler's failure.
    if isinstance(exc, Exception) and span.is_recording():
        span.set_attribute(sc.ERROR_TYPE, type(exc).__qualname__)
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
    span.end()
    try:
        _in_scope.reset(marker)
    except ValueError:
        return  # left in another Context: nothing of ours is attached here
    otel_context.detach(token)


def _end_with_error(span: Span, reason: str) -> None:
    span.set_status(Status(StatusCode.ERROR, reason))
    span.end()


def _split_address(address: str) -> tuple[str, int | None]:
    """``host:port`` (or ``[v6]:port``, or a bare host) as (host, port)."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or (host.count(":") and not host.startswith("[")):
        return address.strip("[]"), None
    return host.strip("[]"), int(port)
