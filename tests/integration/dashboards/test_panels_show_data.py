"""Proof that every panel shows real data: the embedded broker, the exporter, an instrumented producer
and consumer (a lagging group without members, a dead-lettered message whose failures open the
consumer's circuit breaker, a failed delivery, a consumer error), a real Prometheus scraping them with
the shipped scrape config and rules, then EVERY panel target of EVERY dashboard, every variable and
EVERY alert's signals queried over the HTTP API.

A query passes when it returns at least one sample that is a number (NaN is not data). Alert
expressions are checked through their ``signals`` (the expression without its threshold, see
dashboards/alerts.py): the verdict depends on thresholds, the data must be there regardless.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboards._options import DEFAULTS
from dashboards.alerts import all_alerts
from dashboards.generate import DASHBOARDS, ROOT
from dashboards.scrape import APPS_JOB
from prometheus_client import generate_latest

from kafka_client import Consumer, Message, Producer
from kafka_client.admin import AclBinding, AclOperation, KafkaAdmin, NewTopicSpec, ResourceType
from kafka_client.config import KafkaClientSettings
from kafka_client.errors import KafkaClientError
from kafka_client.observability import MetricsObserver, start_metrics_server
from kafka_client.observability.metrics import names as n
from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, RetryPolicy
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import Exporter, load_exporter_settings
from kafka_client_exporter import metric_names as m
from tests.integration.dashboards._prometheus import (
    PrometheusServer,
    binary,
    derived_config,
    free_port,
    has_real_value,
)
from tests.integration.exporters.conftest import parse, value

RATE_INTERVAL = "15s"  # Grafana: max(4 x scrape interval, step); the scrape here is 1 s
POISON = b"poison"


class Scenario:
    """Everything the dashboards watch, running: traffic keeps flowing until :meth:`stop`."""

    def __init__(self, broker: KafkaBroker, prefix: str) -> None:
        self.prefix = prefix
        self.topic, self.dlq_topic, self.small = f"{prefix}-orders", f"{prefix}-orders.dlq", f"{prefix}-small"
        self.settings = KafkaClientSettings(
            bootstrap_servers=[broker.bootstrap_servers],
            backend="confluent",
            client_id=f"{prefix}-app",
            observability={"statistics_interval_ms": 500},
        )
        self.admin = KafkaAdmin(bootstrap_servers=broker.bootstrap_servers, timeout=30)
        self.admin.create_topics(
            [
                NewTopicSpec(self.topic, 3, 1),
                NewTopicSpec(self.dlq_topic, 1, 1),
                NewTopicSpec(self.small, 1, 1, {"max.message.bytes": "1024"}),
            ]
        )
        acl = AclBinding(ResourceType.TOPIC, self.topic, f"User:{prefix}", AclOperation.READ)
        self.admin.create_acls([acl])
        # a byte-rate quota on the application's client id, so brokers really throttle it
        self.broker = broker
        self._quota("--add-config", "producer_byte_rate=1024,consumer_byte_rate=1024")
        self.stopping = threading.Event()
        self.producer_metrics = MetricsObserver(self.settings, "producer")
        self.consumer_metrics = MetricsObserver(self.settings, "consumer")
        self.producer: Producer[Any, Any] = Producer(self.settings, observers=[self.producer_metrics])
        self.dlq_producer: Producer[Any, Any] = Producer(self.settings, observers=())
        self.threads: list[threading.Thread] = []
        self.consumer: Consumer[Any, Any] | None = None
        # the poison message's two failed attempts open it; the next message is the probe that closes it
        self.breaker = CircuitBreaker(
            failure_rate_threshold=1.0, window_size=2, minimum_calls=2, open_for_s=1.0, name="orders-db"
        )
        self.consumer_errors: list[KafkaClientError] = []

    def _quota(self, *change: str) -> None:
        entity = ("--entity-type", "clients", "--entity-name", self.settings.client_id)
        self.broker.run_tool("kafka-configs", "--alter", *entity, *change)  # type: ignore[attr-defined]

    def start(self) -> None:
        # a group that committed 10 messages and left: lag and no members (status STOP after a while)
        for i in range(30):
            self.producer.send(self.topic, f"early-{i}".encode(), key=str(i % 3).encode())
        assert self.producer.flush(30) == 0
        with Consumer(
            self.settings, group_id=f"{self.prefix}-idle", topics=[self.topic], observers=()
        ) as idle:
            assert idle.run(lambda m: None, max_messages=10) == 10
        # a delivery the broker refuses (the topic takes 1 KiB messages at most)
        failure = self.producer.send(self.small, os.urandom(4096)).exception(30)  # incompressible
        assert isinstance(failure, KafkaClientError), failure
        # the live consumer: a poison message goes to the DLQ after two attempts, which open the circuit
        # breaker for a second; a decommissioned broker left in its bootstrap list is an error the client
        # reports (connection refused; librdkafka connects to every broker only without sparse
        # connections, otherwise it may never try that address)
        self.producer.send(self.topic, POISON, key=b"0").result(30)
        gone = f"127.0.0.1:{free_port()}"
        every_broker = {"enable.sparse.connections": "false"}
        self.consumer = Consumer(
            self.settings.model_copy(
                update={"bootstrap_servers": [*self.settings.bootstrap_servers, gone], "native": every_broker}
            ),
            group_id=f"{self.prefix}-live",
            topics=[self.topic],
            observers=[self.consumer_metrics],
            on_error=self.consumer_errors.append,
        )
        self.threads = [
            threading.Thread(target=self._consume, name="dashboards-consumer", daemon=True),
            threading.Thread(target=self._produce, name="dashboards-producer", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _handle(self, message: Message[Any, Any]) -> None:
        if message.value == POISON:
            raise ValueError("cannot process this order")
        time.sleep(0.002)

    def _consume(self) -> None:
        assert self.consumer is not None
        retry = RetryPolicy(max_attempts=2, initial_backoff_s=0.01, max_backoff_s=0.02)
        self.consumer.run(
            self._handle,
            retry=retry,
            dead_letter_queue=DeadLetterQueue(self.dlq_producer),
            circuit_breaker=self.breaker,
        )

    def _produce(self) -> None:
        i = 0
        while not self.stopping.wait(0.05):
            self.producer.send(self.topic, f"order-{i}".encode() * 20, key=str(i % 7).encode())
            i += 1

    def stop(self) -> None:
        self.stopping.set()
        if self.consumer is not None:
            self.consumer.stop()
        for thread in self.threads:
            thread.join(30)
        if self.consumer is not None:
            self.consumer.close()
        self.producer.close()
        self.dlq_producer.close()
        self.admin.close()
        self._quota("--delete-config", "producer_byte_rate,consumer_byte_rate")


@pytest.fixture
def scenario(kafka_broker: KafkaBroker) -> Iterator[Scenario]:
    running = Scenario(kafka_broker, f"dash-{uuid.uuid4().hex[:8]}")
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _exporter(broker: KafkaBroker, prefix: str) -> Exporter:
    settings = load_exporter_settings(
        env={},
        clusters=[{"name": "main", "bootstrap_servers": broker.bootstrap_servers}],
        groups={"allow": [f"^{prefix}"]},
        topics={"allow": [f"^{prefix}"]},
        interval_s=1,
        timeout_s=20,
        port=0,
        host="127.0.0.1",
        status_window=3,
    )
    return Exporter(settings).start()


def _substitute(expr: str, variables: dict[str, str]) -> str:
    expr = expr.replace("$__rate_interval", RATE_INTERVAL)
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace(f"${name}", variables[name])
    assert "$" not in expr, expr
    return expr


def _queries() -> list[tuple[str, str]]:
    """(what, PromQL) for every panel target, every variable and every alert signal."""
    out: list[tuple[str, str]] = []
    for name in DASHBOARDS:
        model = json.loads((ROOT / "grafana" / f"{name}.json").read_text(encoding="utf-8"))
        variables = {v["name"]: v["allValue"] for v in model["templating"]["list"] if v["type"] == "query"}
        for variable in model["templating"]["list"][1:]:
            inner = variable["definition"].removeprefix("label_values(").removesuffix(")")
            selector, label = inner.rsplit(",", 1)
            query = _substitute(f"count by ({label}) ({selector})", variables)
            out.append((f"{name}: variable {variable['name']}", query))
        for panel in model["panels"]:
            for target in panel.get("targets", []):
                what = f"{name}: panel {panel['title']!r} target {target['refId']}"
                out.append((what, _substitute(target["expr"], variables)))
    for alert in all_alerts(DEFAULTS):
        for index, signal in enumerate(alert.signals):
            out.append((f"alert {alert.name} signal {index}", signal))
    return out


def test_every_panel_variable_and_alert_signal_returns_data(
    kafka_broker: KafkaBroker, scenario: Scenario, tmp_path: Path
) -> None:
    promtool = binary("promtool")
    metrics_server = start_metrics_server(0)
    exporter = _exporter(kafka_broker, scenario.prefix)
    config = derived_config(
        {DEFAULTS.exporter_job: f"127.0.0.1:{exporter.port}", APPS_JOB: f"127.0.0.1:{metrics_server.port}"}
    )
    prometheus = PrometheusServer(config, tmp_path)
    try:
        check = subprocess.run(
            [promtool, "check", "config", str(prometheus.config_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        prometheus.wait_ready()
        # the dead letter arrives once the live consumer has retried the poison message twice (and its
        # breaker opened); the run counts the routing and the breaker's changes by itself
        deadline = time.monotonic() + 60
        while not (_dlq_depth(exporter, scenario) and _breaker_closed_again(scenario)):
            assert time.monotonic() < deadline, "the poison message never went through the DLQ and breaker"
            time.sleep(0.5)
        app = _app_samples(scenario)
        assert app[n.CONSUMER_DLQ_MESSAGES] == {(scenario.topic, scenario.dlq_topic): 1.0}
        assert app[n.CIRCUIT_BREAKER_TRANSITIONS] == {"closed": 1.0, "half_open": 1.0, "open": 1.0}
        assert app[n.CIRCUIT_BREAKER_STATE] == {"closed": 1.0, "half_open": 0.0, "open": 0.0}

        queries = _queries()
        missing: dict[str, str] = dict(queries)
        deadline = time.monotonic() + 120
        while missing and time.monotonic() < deadline:
            time.sleep(2)
            missing = {what: q for what, q in missing.items() if not has_real_value(prometheus.query(q))}
        assert not missing, "queries without data:\n" + "\n".join(f"{w}\n    {q}" for w, q in missing.items())
        assert len(queries) > 100
        # the full alert expressions evaluate on the real series without error (no many-to-many
        # matching), and Prometheus loaded and evaluated every shipped rule without error
        alerts = all_alerts(DEFAULTS)
        for alert in alerts:
            prometheus.query(alert.expr)
        rules = [rule for group in prometheus.api("rules")["groups"] for rule in group["rules"]]
        assert sorted(rule["name"] for rule in rules) == sorted(alert.name for alert in alerts)
        assert [(r["name"], r["health"], r.get("lastError")) for r in rules if r["health"] != "ok"] == []
        assert [type(e).__name__ for e in scenario.consumer_errors], "the consumer reported no error"
    finally:
        prometheus.stop()
        exporter.stop()
        metrics_server.stop()


def _breaker_closed_again(scenario: Scenario) -> bool:
    return scenario.breaker.times_opened == 1 and scenario.breaker.state.value == "closed"


def _app_samples(scenario: Scenario) -> dict[str, dict[Any, float | None]]:
    """The live consumer's DLQ routings and its breaker's series, as its own registry serves them."""
    found = parse(generate_latest(scenario.consumer_metrics.registry))

    def sample(name: str, **labels: str) -> float | None:
        return found.get((name, frozenset(labels.items())))

    client = {"client_id": scenario.settings.client_id}
    breaker = {**client, "role": "consumer", "breaker": "orders-db"}
    pair = {"topic": scenario.topic, "dlq_topic": scenario.dlq_topic}
    states = n.CIRCUIT_STATES
    return {
        n.CONSUMER_DLQ_MESSAGES: {tuple(pair.values()): sample(n.CONSUMER_DLQ_MESSAGES, **client, **pair)},
        n.CIRCUIT_BREAKER_TRANSITIONS: {
            s: sample(n.CIRCUIT_BREAKER_TRANSITIONS, **breaker, to_state=s) for s in states
        },
        n.CIRCUIT_BREAKER_STATE: {s: sample(n.CIRCUIT_BREAKER_STATE, **breaker, state=s) for s in states},
    }


def _dlq_depth(exporter: Exporter, scenario: Scenario) -> bool:
    found = parse(exporter.metrics())
    return value(found, m.DLQ_MESSAGES, topic=scenario.dlq_topic, source_topic=scenario.topic) == 1
