"""The observer seam: every hook is called at the right moment, with the right arguments, exactly once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kafka_client import Consumer, Message, Producer, RecordMetadata, TopicPartition, TopicPartitionOffset
from kafka_client.errors import KafkaClientError
from kafka_client.observability import build_hooks
from kafka_client.testing.memory import MemoryCluster


class Recorder:
    """An observer implementing every hook, recording what it saw."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.in_scope: list[int] = []

    def bind(self, client_id: str, role: str, backend: str) -> None:
        self.events.append(("bind", client_id, role, backend))

    def before_send(self, topic: str, headers: list[tuple[str, bytes | None]] | None, sent_ns: int) -> Any:
        assert sent_ns > 0
        return [*(headers or []), ("x-seen", topic.encode())]

    def after_delivery(
        self, topic: str, error: KafkaClientError | None, meta: RecordMetadata | None, sent_ns: int
    ) -> None:
        assert sent_ns > 0
        self.events.append(("delivered", topic, error, meta.offset if meta else None))

    def on_consume(self, messages: Sequence[Message[Any, Any]]) -> None:
        self.events.append(("consumed", [m.offset for m in messages]))

    @contextlib.contextmanager
    def process_scope(self, message: Message[Any, Any]) -> Iterator[None]:
        self.in_scope.append(message.offset)
        yield
        self.events.append(("processed", message.offset))

    def on_commit(self, offsets: Sequence[TopicPartitionOffset], error: Any, seconds: float) -> None:
        assert seconds >= 0
        self.events.append(("commit", [(o.partition, o.offset) for o in offsets], error))

    def on_rebalance(self, kind: str, partitions: list[TopicPartition]) -> None:
        self.events.append(("rebalance", kind, [p.partition for p in partitions]))

    def on_stats(self, stats: Mapping[str, Any]) -> None:
        self.events.append(("stats",))

    def on_close(self) -> None:
        self.events.append(("close",))


def test_producer_hooks_add_headers_and_see_each_delivery_once() -> None:
    cluster = MemoryCluster()
    recorder = Recorder()
    with Producer(
        bootstrap_servers="memory:9092",
        client_id="svc",
        observers=[recorder],
        transport=cluster.producer_backend(),
    ) as producer:
        for i in range(3):
            producer.send("orders", f"v{i}".encode()).result(5)
    assert recorder.events == [
        ("bind", "svc", "producer", "memory"),
        ("delivered", "orders", None, 0),
        ("delivered", "orders", None, 1),
        ("delivered", "orders", None, 2),
        ("close",),
    ]
    assert [r.headers for r in cluster.records("orders")] == [[("x-seen", b"orders")]] * 3


def test_consumer_hooks_follow_fetch_processing_commit_and_rebalance() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("orders")
    with Producer(
        bootstrap_servers="memory:9092", transport=cluster.producer_backend(), observers=[]
    ) as producer:
        for i in range(3):
            producer.send("orders", f"v{i}".encode())
    recorder = Recorder()
    with Consumer(
        bootstrap_servers="memory:9092",
        group_id="g",
        topics=["orders"],
        observers=[recorder],
        transport=cluster.consumer_backend("g"),
    ) as consumer:
        handled = consumer.run(lambda m: None, max_messages=3)
    assert handled == 3
    assert recorder.in_scope == [0, 1, 2]
    events = recorder.events
    assert events[0] == ("bind", "kafka-client", "consumer", "memory")
    assert ("rebalance", "assign", [0]) in events
    assert [e for e in events if e[0] == "consumed"] == [
        ("consumed", [0]),
        ("consumed", [1]),
        ("consumed", [2]),
    ]
    assert [e for e in events if e[0] == "processed"] == [
        ("processed", 0),
        ("processed", 1),
        ("processed", 2),
    ]
    commits = [e for e in events if e[0] == "commit"]
    assert commits[-1] == ("commit", [(0, 3)], None)
    assert events[-1] == ("close",)


def test_an_observer_with_only_some_hooks_costs_nothing_for_the_rest() -> None:
    class OnlyErrors:
        def on_error(self, error: KafkaClientError) -> None: ...

    hooks = build_hooks([OnlyErrors()], client_id="c", role="producer", backend="memory")
    assert (hooks.before_send, hooks.after_delivery, hooks.process_scope, hooks.on_stats) == ([], [], [], [])
    assert len(hooks.on_error) == 1
    assert hooks.stats_callback() is None


class _Guarded:
    """An observer whose before_send only acts while its context variable is set."""

    def __init__(self, guard: Any) -> None:
        self.send_guard = guard
        self.seen: list[str] = []

    def before_send(self, topic: str, headers: Any, sent_ns: int) -> Any:
        self.seen.append(topic)
        return headers


def test_a_lone_guarded_before_send_exposes_its_guard() -> None:
    import contextvars

    guard: contextvars.ContextVar[str | None] = contextvars.ContextVar("guard", default=None)
    hooks = build_hooks([_Guarded(guard)], client_id="c", role="producer", backend="memory")
    assert hooks.send_guard is guard
    # two before_send hooks, or a guard that is not a ContextVar: no shortcut, every hook always runs
    two = build_hooks([_Guarded(guard), _Guarded(guard)], client_id="c", role="producer", backend="memory")
    assert two.send_guard is None
    assert build_hooks([_Guarded("x")], client_id="c", role="producer", backend="memory").send_guard is None
    assert build_hooks([Recorder()], client_id="c", role="producer", backend="memory").send_guard is None


def test_produce_reports_fire_and_forget_deliveries_to_observers_without_a_send_time() -> None:
    cluster = MemoryCluster()
    cluster.create_topic("t", 1)
    seen: list[tuple[str, KafkaClientError | None, int, int]] = []

    class Deliveries:
        def after_delivery(self, topic: str, error: Any, meta: Any, sent_ns: int) -> None:
            seen.append((topic, error, meta.offset, sent_ns))

    with Producer(
        bootstrap_servers="memory:1", transport=cluster.producer_backend(), observers=[Deliveries()]
    ) as p:
        p.produce("t", b"a")
        p.produce("t", b"b", key=b"k")
        assert p.flush(5) == 0
    assert seen == [("t", None, 0, 0), ("t", None, 1, 0)]


class _Scoped:
    """An observer whose process scope logs enter/exit (with the error it saw) and can fail or suppress."""

    def __init__(
        self, name: str, log: list[str], *, fail_enter: bool = False, suppress: bool = False
    ) -> None:
        self.name, self.log, self.fail_enter, self.suppress = name, log, fail_enter, suppress

    def process_scope(self, message: Message[Any, Any]) -> Any:
        observer = self

        class Scope:
            def __enter__(self) -> None:
                observer.log.append(f"enter {observer.name}")
                if observer.fail_enter:
                    raise RuntimeError(f"{observer.name} cannot enter")

            def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
                observer.log.append(f"exit {observer.name} {exc_type.__name__ if exc_type else None}")
                return observer.suppress

        return Scope()


def _process(count: int, body_error: bool, **inner: bool) -> tuple[list[str], str | None]:
    """Run one message's processing through ``count`` observers' scopes; the last gets ``inner`` flags."""
    log: list[str] = []
    observers = [_Scoped(f"s{i}", log) for i in range(count - 1)] + [_Scoped(f"s{count - 1}", log, **inner)]
    hooks = build_hooks(observers, client_id="c", role="consumer", backend="memory")
    raised = None
    try:
        with hooks.processing(Message("t", 0, 7, None, b"v", [], None)):
            log.append("body")
            if body_error:
                raise ValueError("handler failed")
    except Exception as exc:
        raised = type(exc).__name__
    return log, raised


def test_several_observers_scopes_nest_like_with_statements() -> None:
    for count in (1, 2, 3):
        names = [f"s{i}" for i in range(count)]
        log, raised = _process(count, body_error=False)
        assert log == [*(f"enter {n}" for n in names), "body", *(f"exit {n} None" for n in reversed(names))]
        assert raised is None
        log, raised = _process(count, body_error=True)
        assert log[-count:] == [f"exit {n} ValueError" for n in reversed(names)]
        assert raised == "ValueError"
    # the innermost scope swallows the handler's error: the outer ones see none, nothing is raised
    log, raised = _process(2, body_error=True, suppress=True)
    assert (log[-2:], raised) == (["exit s1 ValueError", "exit s0 None"], None)
    # the innermost scope fails to enter: the body never runs, the outer one is left with that error
    log, raised = _process(2, body_error=False, fail_enter=True)
    assert (log, raised) == (["enter s0", "enter s1", "exit s0 RuntimeError"], "RuntimeError")
    log, raised = _process(3, body_error=False, fail_enter=True)
    assert log == ["enter s0", "enter s1", "enter s2", "exit s1 RuntimeError", "exit s0 RuntimeError"]
    assert raised == "RuntimeError"


def test_no_observer_scope_costs_one_shared_object() -> None:
    hooks = build_hooks([], client_id="c", role="consumer", backend="memory")
    message = Message("t", 0, 7, None, b"v", [], None)
    assert hooks.processing(message) is hooks.processing(message)
    assert hooks.processing_batch([message]) is hooks.processing(message)
    with hooks.processing(message) as entered:
        assert entered is None
