"""OTLP export: a real OTLP/HTTP receiver gets the kafkametrics receiver's names with exact values.

The receiver is a small HTTP server decoding ``ExportMetricsServiceRequest`` protobufs (the wire
format of the OpenTelemetry Collector's OTLP/HTTP receiver), so nothing in the export path is mocked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from kafka_client import Producer, TopicPartitionOffset
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.admin.conftest import commit_offsets, wait_until_described
from tests.integration.exporters.conftest import ExporterFactory

Points = dict[tuple[str, frozenset[tuple[str, Any]]], float]


class OtlpReceiver(ThreadingHTTPServer):
    """Accepts POST /v1/metrics and keeps every decoded request with its headers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], ExportMetricsServiceRequest]] = []
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/metrics"


class _Handler(BaseHTTPRequestHandler):
    server: OtlpReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        request = ExportMetricsServiceRequest()
        request.ParseFromString(body)
        with self.server.lock:
            self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, request))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    server = OtlpReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def _value(attribute: Any) -> Any:
    kind = attribute.value.WhichOneof("value")
    return getattr(attribute.value, kind)


def decode(request: ExportMetricsServiceRequest) -> tuple[dict[str, Any], Points, dict[str, str]]:
    """(resource attributes, {(metric, attributes): value}, {metric: unit}) of a one-resource request."""
    (resource_metrics,) = request.resource_metrics
    resource = {a.key: _value(a) for a in resource_metrics.resource.attributes}
    found: Points = {}
    units: dict[str, str] = {}
    for scope in resource_metrics.scope_metrics:
        for metric in scope.metrics:
            assert metric.WhichOneof("data") == "gauge", metric.name
            units[metric.name] = metric.unit
            for point in metric.gauge.data_points:
                attributes = frozenset((a.key, _value(a)) for a in point.attributes)
                number = point.as_int if point.WhichOneof("value") == "as_int" else point.as_double
                found[(metric.name, attributes)] = number
    return resource, found, units


def test_otlp_export_has_the_receiver_names_and_exact_values(
    receiver: OtlpReceiver,  # first: it outlives the exporter, whose shutdown exports once more
    kafka_broker: KafkaBroker,
    admin: KafkaAdmin,
    make_exporter: ExporterFactory,
    prefix: str,
) -> None:
    topic, group = f"{prefix}-otlp", f"{prefix}-otlp-group"
    admin.create_topics([NewTopicSpec(topic, 2, 1)])
    wait_until_described(admin, topic)
    with Producer(bootstrap_servers=kafka_broker.bootstrap_servers) as producer:
        for partition, count in ((0, 10), (1, 6)):
            for _ in range(count):
                producer.send(topic, b"x", partition=partition)
        producer.flush(30)
    commit_offsets(
        kafka_broker.bootstrap_servers,
        group,
        [TopicPartitionOffset(topic, 0, 4), TopicPartitionOffset(topic, 1, 6)],
    )
    otlp = {"endpoint": receiver.endpoint, "interval_s": 3600, "headers": {"Authorization": "Bearer s3cret"}}
    exporter = make_exporter(otlp=otlp)
    exporter.collect_once()
    assert exporter.otlp is not None
    assert exporter.otlp.force_flush(30)

    with receiver.lock:
        requests = list(receiver.requests)
    assert len(requests) == 1
    headers, request = requests[0]
    assert headers["authorization"] == "Bearer s3cret"
    resource, found, units = decode(request)
    assert resource["kafka.cluster.alias"] == "main"
    assert resource["service.name"] == "kafka-client-exporter"

    def at(**attributes: Any) -> frozenset[tuple[str, Any]]:
        return frozenset(attributes.items())

    mine = {(name, attrs): v for (name, attrs), v in found.items() if ("topic", topic) in attrs or not attrs}
    assert mine == {
        ("kafka.brokers", at()): 1,
        ("kafka.topic.partitions", at(topic=topic)): 2,
        ("kafka.partition.current_offset", at(topic=topic, partition=0)): 10,
        ("kafka.partition.current_offset", at(topic=topic, partition=1)): 6,
        ("kafka.partition.oldest_offset", at(topic=topic, partition=0)): 0,
        ("kafka.partition.oldest_offset", at(topic=topic, partition=1)): 0,
        ("kafka.partition.replicas", at(topic=topic, partition=0)): 1,
        ("kafka.partition.replicas", at(topic=topic, partition=1)): 1,
        ("kafka.partition.replicas_in_sync", at(topic=topic, partition=0)): 1,
        ("kafka.partition.replicas_in_sync", at(topic=topic, partition=1)): 1,
        ("kafka.consumer_group.offset", at(group=group, topic=topic, partition=0)): 4,
        ("kafka.consumer_group.offset", at(group=group, topic=topic, partition=1)): 6,
        ("kafka.consumer_group.offset_sum", at(group=group, topic=topic)): 10,
        ("kafka.consumer_group.lag", at(group=group, topic=topic, partition=0)): 6,
        ("kafka.consumer_group.lag", at(group=group, topic=topic, partition=1)): 0,
        ("kafka.consumer_group.lag_sum", at(group=group, topic=topic)): 6,
        # the lookup table has one point after one cycle: only the caught-up partition has seconds
        (
            "kafka.consumer_group.lag_seconds",
            at(group=group, topic=topic, partition=1, method="interpolation"),
        ): 0,
    }
    assert found[("kafka.consumer_group.members", at(group=group))] == 0
    assert units["kafka.consumer_group.lag_seconds"] == "s"
    assert units["kafka.brokers"] == "{brokers}"
