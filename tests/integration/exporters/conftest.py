"""Helpers for the exporter's tests on the real (session) broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kafka_client.admin import KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import Exporter, load_exporter_settings

Series = dict[tuple[str, frozenset[tuple[str, str]]], float]
ExporterFactory = Callable[..., Exporter]


@pytest.fixture
def admin(kafka_broker: KafkaBroker) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(bootstrap_servers=kafka_broker.bootstrap_servers, timeout=30) as client:
        yield client


@pytest.fixture
def prefix() -> str:
    """A unique prefix for this test's groups and topics, so each test's exporter sees only its own."""
    return f"exp-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_exporter(kafka_broker: KafkaBroker, prefix: str) -> Iterator[ExporterFactory]:
    """Exporters watching the session broker's groups and topics named ``<prefix>...`` only."""
    made: list[Exporter] = []

    def make(**overrides: Any) -> Exporter:
        values: dict[str, Any] = {
            "clusters": [{"name": "main", "bootstrap_servers": kafka_broker.bootstrap_servers}],
            "groups": {"allow": [f"^{prefix}"]},
            "topics": {"allow": [f"^{prefix}"]},
            "interval_s": 0.5,
            "timeout_s": 20,
            "port": 0,
            "host": "127.0.0.1",
        }
        values.update(overrides)
        exporter = Exporter(load_exporter_settings(env={}, **values))
        made.append(exporter)
        return exporter

    yield make
    for exporter in made:
        exporter.stop()


def parse(text: bytes | str) -> Series:
    out: Series = {}
    body = text.decode() if isinstance(text, bytes) else text
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(found: Series, name: str, cluster: str = "main", **labels: str | int) -> float | None:
    key = (name, frozenset((k, str(v)) for k, v in {"cluster": cluster, **labels}.items()))
    return found.get(key)


def samples_of(found: Series, name: str, **labels: str | int) -> dict[frozenset[tuple[str, str]], float]:
    wanted = {(k, str(v)) for k, v in labels.items()}
    return {lbls: v for (n, lbls), v in found.items() if n == name and wanted <= lbls}
