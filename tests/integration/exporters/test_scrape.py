"""The daemon as Prometheus sees it: a real HTTP scrape, parsed, and checked by ``promtool``."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kafka_client import TopicPartitionOffset
from kafka_client.admin import AclBinding, KafkaAdmin, NewTopicSpec
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import Exporter
from kafka_client_exporter import metric_names as m
from tests.integration.admin.conftest import commit_offsets, produce, wait_until_described
from tests.integration.exporters.conftest import ExporterFactory, parse, value


def get(exporter: Exporter, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", exporter.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(exporter: Exporter, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while get(exporter, "/readyz")[0] != 200:
        assert time.monotonic() < deadline, "the exporter never became ready"
        time.sleep(0.1)


def promtool_problems(exposition: bytes) -> list[str]:
    """``promtool check metrics`` output lines; fails (not skips) when promtool is missing."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(
            "promtool is not installed: install Debian's prometheus package "
            "('apt-get update && apt-get install -y prometheus') to check the exposition"
        )
    result = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, timeout=60, check=False
    )
    lines = (result.stdout + result.stderr).decode().splitlines()
    assert result.returncode in (0, 3), lines  # 3: lint findings only; anything else is a parse error
    return [line for line in lines if line.strip()]


def test_scrape_over_http_parses_and_passes_promtool(
    kafka_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str
) -> None:
    topic, dlq = f"{prefix}-orders", f"{prefix}-orders.dlq"
    admin.create_topics([NewTopicSpec(topic, 2, 1), NewTopicSpec(dlq, 1, 1)])
    for name in (topic, dlq):
        wait_until_described(admin, name)
    produce(kafka_broker.bootstrap_servers, topic, 10, 2)
    produce(kafka_broker.bootstrap_servers, dlq, 3, 1)
    commit_offsets(kafka_broker.bootstrap_servers, f"{prefix}-g", [TopicPartitionOffset(topic, 0, 1)])
    exporter = make_exporter(interval_s=0.3).start()
    wait_ready(exporter)
    status, body = get(exporter, "/metrics")
    assert status == 200
    found = parse(body)
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup=f"{prefix}-g", topic=topic, partition=0) == 4
    assert value(found, m.DLQ_MESSAGES, topic=dlq, source_topic=topic) == 3
    assert value(found, m.EXPORTER_UP) == 1
    assert [v for (name, _labels), v in found.items() if name == m.EXPORTER_BUILD_INFO] == [1]
    compat = [line for line in promtool_problems(body) if not line.startswith(m.COMPATIBILITY_SUM_NAMES)]
    assert compat == [], "promtool found problems beyond kafka_exporter's own _sum names"

    status, health = get(exporter, "/healthz")
    assert status == 200
    assert json.loads(health)["clusters"]["main"]["collecting"] is True
    # Scrapes never wait on Kafka: even with collection running, a scrape is a cache read.
    started = time.perf_counter()
    for _ in range(20):
        get(exporter, "/metrics")
    assert (time.perf_counter() - started) / 20 < 0.1


def test_acl_counts(
    kafka_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str
) -> None:
    bindings = [
        AclBinding("TOPIC", f"{prefix}-a", "User:alice", "READ"),
        AclBinding("TOPIC", f"{prefix}-b", "User:alice", "READ"),
        AclBinding("GROUP", f"{prefix}-g", "User:alice", "READ", permission="DENY"),
    ]
    before = parse(_collect(make_exporter()))
    admin.create_acls(bindings)
    try:
        deadline = time.monotonic() + 15
        while True:
            after = parse(_collect(make_exporter()))
            reads = value(after, m.ACLS, resource_type="TOPIC", operation="READ", permission="ALLOW") or 0
            base = value(before, m.ACLS, resource_type="TOPIC", operation="READ", permission="ALLOW") or 0
            if reads - base == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert reads - base == 2
        denied = value(after, m.ACLS, resource_type="GROUP", operation="READ", permission="DENY") or 0
        assert (
            denied - (value(before, m.ACLS, resource_type="GROUP", operation="READ", permission="DENY") or 0)
            == 1
        )
    finally:
        admin.delete_acls(bindings)


def _collect(exporter: Exporter) -> bytes:
    exporter.collect_once()
    return exporter.metrics()


def test_retention_margin_and_data_loss(
    tool_broker: KafkaBroker, admin: KafkaAdmin, make_exporter: ExporterFactory, prefix: str, tmp_path: Path
) -> None:
    topic = f"{prefix}-short"
    admin.create_topics([NewTopicSpec(topic, 1, 1)])
    wait_until_described(admin, topic)
    produce(tool_broker.bootstrap_servers, topic, 20, 1)
    group = f"{prefix}-slow"
    commit_offsets(tool_broker.bootstrap_servers, group, [TopicPartitionOffset(topic, 0, 5)])
    exporter = make_exporter()
    exporter.collect_once()
    labels = {"consumergroup": group, "topic": topic, "partition": 0}
    found = parse(exporter.metrics())
    assert value(found, m.CONSUMERGROUP_RETENTION_MARGIN, **labels) == 5
    assert value(found, m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, consumergroup=group, topic=topic) == 0
    # Retention deletes unread records (kafka-delete-records moves the earliest offset to 12).
    offsets = tmp_path / "delete.json"
    offsets.write_text(
        json.dumps({"version": 1, "partitions": [{"topic": topic, "partition": 0, "offset": 12}]})
    )
    tool_broker.run_tool("org.apache.kafka.tools.DeleteRecordsCommand", "--offset-json-file", str(offsets))  # type: ignore[attr-defined]
    exporter.collect_once()
    found = parse(exporter.metrics())
    assert value(found, m.CONSUMERGROUP_RETENTION_MARGIN, **labels) == -7
    assert value(found, m.TOPIC_PARTITION_OLDEST_OFFSET, topic=topic, partition=0) == 12
    assert value(found, m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, consumergroup=group, topic=topic) == 1
    exporter.collect_once()
    assert (
        value(
            parse(exporter.metrics()), m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, consumergroup=group, topic=topic
        )
        == 1
    )
