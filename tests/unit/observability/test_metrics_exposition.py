"""Serving metrics: the process collector (clients join and leave), shared registries, HTTP, ASGI, WSGI."""

from __future__ import annotations

import asyncio
import gc
import io
import threading
import time
import urllib.request
import wsgiref.util
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from kafka_client import Producer
from kafka_client.backends.kafka_python import _StatsReporter
from kafka_client.config import KafkaClientSettings
from kafka_client.observability import MetricsObserver, metrics_app, metrics_wsgi_app, start_metrics_server
from kafka_client.observability.metrics import PROCESS_COLLECTOR, PROCESS_REGISTRY, names
from kafka_client.testing.memory import MemoryCluster

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in samples, f"duplicate series {key}"
            samples[key] = sample.value
    return samples


def delivered(samples: Samples, client_id: str, topic: str = "orders") -> float | None:
    labels = tuple(sorted({"client_id": client_id, "topic": topic}.items()))
    return samples.get((names.PRODUCER_MESSAGES_DELIVERED, labels))


def bound(
    client_id: str, role: str = "producer", registry: CollectorRegistry | None = None, backend: str = "memory"
) -> MetricsObserver:
    observer = MetricsObserver(registry=registry)
    observer.bind(client_id, role, backend)
    return observer


@pytest.fixture(autouse=True)
def _no_leftover_clients() -> Iterator[None]:
    gc.collect()
    before = set(map(id, PROCESS_COLLECTOR.members()))
    yield
    gc.collect()
    left = [m for m in PROCESS_COLLECTOR.members() if id(m) not in before]
    for member in left:
        PROCESS_COLLECTOR.discard(member)


def test_the_process_registry_serves_every_live_client_until_it_closes() -> None:
    a, b = bound("svc-a"), bound("svc-b")
    a.after_delivery("orders", None, None, time.perf_counter_ns())
    b.after_delivery("orders", None, None, time.perf_counter_ns())
    b.after_delivery("orders", None, None, time.perf_counter_ns())
    samples = parse(generate_latest(PROCESS_REGISTRY).decode())
    assert delivered(samples, "svc-a") == 1
    assert delivered(samples, "svc-b") == 2
    a.on_close()
    samples = parse(generate_latest(PROCESS_REGISTRY).decode())
    assert delivered(samples, "svc-a") is None
    assert delivered(samples, "svc-b") == 2
    assert delivered(parse(generate_latest(a.registry).decode()), "svc-a") == 1  # its own registry keeps it
    b.on_close()


def test_a_client_that_is_garbage_collected_leaves_the_process_registry() -> None:
    observer = bound("svc-gone")
    observer.after_delivery("orders", None, None, time.perf_counter_ns())
    assert delivered(parse(generate_latest(PROCESS_REGISTRY).decode()), "svc-gone") == 1
    del observer
    gc.collect()
    assert delivered(parse(generate_latest(PROCESS_REGISTRY).decode()), "svc-gone") is None


def test_a_real_client_joins_on_build_and_leaves_on_close() -> None:
    settings = KafkaClientSettings(bootstrap_servers=["memory:9092"], client_id="svc-real")
    with Producer(settings, transport=MemoryCluster().producer_backend()) as producer:
        producer.send("orders", b"x").result(5)
        assert delivered(parse(generate_latest(PROCESS_REGISTRY).decode()), "svc-real") == 1
    assert delivered(parse(generate_latest(PROCESS_REGISTRY).decode()), "svc-real") is None


def test_clients_sharing_a_client_id_merge_instead_of_duplicating_series() -> None:
    registry = CollectorRegistry()
    first, second = (bound("svc", registry=registry, backend="confluent") for _ in range(2))
    consumer = bound("svc", "consumer", registry=registry, backend="confluent")
    now = time.perf_counter_ns()
    for observer, count in ((first, 2), (second, 3)):
        for _ in range(count):
            observer.after_delivery("orders", None, None, now)
    rtt = {"cnt": 1, "avg": 1000, "p50": 1, "p99": 1}
    stats: dict[str, Any] = {"brokers": {"b/1": {"nodeid": 1, "state": "UP", "tx": 5, "rtt": rtt}}}
    first.on_stats(stats)
    second.on_stats({"brokers": {"b/1": {**stats["brokers"]["b/1"], "rtt": {"cnt": 1, "avg": 3000}}}})
    consumer.on_stats(stats)
    samples = parse(generate_latest(registry).decode())
    assert delivered(samples, "svc") == 5
    assert (
        samples[(names.PRODUCER_DELIVERY_LATENCY + "_count", (("client_id", "svc"), ("topic", "orders")))]
        == 5
    )
    producer_broker = (("broker", "1"), ("client_id", "svc"), ("role", "producer"))
    assert samples[(names.BROKER_REQUESTS_SENT, producer_broker)] == 10  # counters add up
    assert samples[(names.BROKER_RTT_AVG, producer_broker)] == pytest.approx(0.003)  # windows take the max
    consumer_broker = (("broker", "1"), ("client_id", "svc"), ("role", "consumer"))
    assert samples[(names.BROKER_REQUESTS_SENT, consumer_broker)] == 5
    for observer in (first, second, consumer):
        observer.on_close()
    assert delivered(parse(generate_latest(registry).decode()), "svc") is None


def test_a_shared_registry_takes_one_collector_however_many_clients() -> None:
    registry = CollectorRegistry()
    observers = [bound(f"svc-{i}", registry=registry) for i in range(3)]
    assert all(o.registry is registry for o in observers)
    assert len(registry._collector_to_names) == 1  # type: ignore[attr-defined]
    for observer in observers:
        observer.on_close()


def test_the_process_collector_can_join_any_registry() -> None:
    registry = CollectorRegistry()
    registry.register(PROCESS_COLLECTOR)
    observer = bound("svc-any")
    observer.after_delivery("orders", None, None, time.perf_counter_ns())
    assert delivered(parse(generate_latest(registry).decode()), "svc-any") == 1
    observer.on_close()


def test_start_metrics_server_serves_over_http() -> None:
    observer = bound("svc-http")
    observer.after_delivery("orders", None, None, time.perf_counter_ns())
    with start_metrics_server(0) as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}/metrics"
        with urllib.request.urlopen(server.url, timeout=10) as response:
            assert response.status == 200
            body = response.read().decode()
    assert delivered(parse(body), "svc-http") == 1
    server.stop()  # idempotent
    observer.on_close()


def test_metrics_wsgi_app() -> None:
    observer = bound("svc-wsgi")
    observer.after_delivery("orders", None, None, time.perf_counter_ns())
    environ: dict[str, Any] = {"wsgi.input": io.BytesIO()}
    wsgiref.util.setup_testing_defaults(environ)
    status: list[str] = []
    body = b"".join(metrics_wsgi_app()(environ, lambda s, headers: status.append(s)))
    assert status == ["200 OK"]
    assert delivered(parse(body.decode()), "svc-wsgi") == 1
    observer.on_close()


def test_metrics_asgi_app() -> None:
    observer = bound("svc-asgi")
    observer.after_delivery("orders", None, None, time.perf_counter_ns())
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/metrics", "query_string": b"", "headers": []}
    asyncio.run(metrics_app()(scope, receive, send))
    assert sent[0]["status"] == 200
    assert delivered(parse(sent[1]["body"].decode()), "svc-asgi") == 1
    observer.on_close()


def test_an_observer_whose_snapshot_fails_is_left_out_of_the_scrape() -> None:
    class Broken:
        def snapshot(self) -> Any:
            raise RuntimeError("bug")

    broken = Broken()
    PROCESS_COLLECTOR.add(broken)
    observer = bound("svc-ok")
    observer.after_delivery("orders", None, None, time.perf_counter_ns())
    try:
        assert delivered(parse(generate_latest(PROCESS_REGISTRY).decode()), "svc-ok") == 1
    finally:
        PROCESS_COLLECTOR.discard(broken)
        observer.on_close()


def test_kafka_python_stats_reporter_reports_periodically_until_stopped() -> None:
    reports: list[Any] = []
    reported = threading.Event()
    calls = iter(range(1000))

    def read() -> dict[str, Any]:
        n = next(calls)
        if n == 1:
            raise RuntimeError("closing")  # a failing read is skipped, the thread keeps going
        return {"producer-metrics": {"n": n}}

    def on_stats(stats: Any) -> None:
        reports.append(stats)
        if len(reports) >= 3:
            reported.set()

    reporter = _StatsReporter.start(read, on_stats, 0.01, thread=True)
    assert reporter is not None
    assert reporter._thread is not None
    assert reported.wait(5)
    reporter.stop()
    reporter._thread.join(5)
    assert not reporter._thread.is_alive()
    assert [r["producer-metrics"]["n"] for r in reports[:2]] == [0, 2]
    assert _StatsReporter.start(read, None, 0.01, thread=True) is None
    assert _StatsReporter.start(read, on_stats, 0, thread=True) is None


def test_kafka_python_consumer_stats_are_read_on_the_polling_thread_when_due() -> None:
    reports: list[tuple[int, str]] = []
    reporter = _StatsReporter.start(
        lambda: {"n": len(reports)},
        lambda s: reports.append((s["n"], threading.current_thread().name)),
        0.05,
        thread=False,
    )
    assert reporter is not None
    assert reporter._thread is None
    reporter.maybe_report()
    assert reports == []  # not due yet
    time.sleep(0.06)
    reporter.maybe_report()
    reporter.maybe_report()
    assert reports == [(0, threading.current_thread().name)]
