"""Several clusters in one exporter: each labelled, each collected on its own; one failing cluster
degrades only its own series."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kafka_client import TopicPartitionOffset
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing import EmbeddedKafka
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_client_exporter import Exporter
from kafka_client_exporter import metric_names as m
from tests.integration.admin.conftest import commit_offsets, produce, wait_until_described
from tests.integration.exporters.conftest import ExporterFactory, Series, parse, value


@pytest.fixture(scope="module")
def second_cluster() -> Iterator[EmbeddedKafka]:
    with EmbeddedKafka(sasl=False, tls=False, authorizer=False, heap="512m") as broker:
        yield broker


def setup_group(bootstrap: str, topic: str, group: str, committed: int) -> None:
    with KafkaAdmin(bootstrap_servers=bootstrap, timeout=30) as admin:
        admin.create_topics([NewTopicSpec(topic, 1, 1)])
        wait_until_described(admin, topic)
    produce(bootstrap, topic, 10, 1)
    commit_offsets(bootstrap, group, [TopicPartitionOffset(topic, 0, committed)])


def wait_for(exporter: Exporter, check: object, timeout: float = 30.0) -> Series:
    deadline = time.monotonic() + timeout
    while True:
        found = parse(exporter.metrics())
        if check(found):  # type: ignore[operator]
            return found
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_two_clusters_labelled_and_isolated(
    kafka_broker: KafkaBroker, second_cluster: EmbeddedKafka, make_exporter: ExporterFactory, prefix: str
) -> None:
    topic, group = f"{prefix}-t", f"{prefix}-g"
    setup_group(kafka_broker.bootstrap_servers, topic, group, 3)
    setup_group(second_cluster.bootstrap_servers, topic, group, 8)
    exporter = make_exporter(
        clusters=[
            {"name": "main", "bootstrap_servers": kafka_broker.bootstrap_servers},
            {"name": "second", "bootstrap_servers": second_cluster.bootstrap_servers},
        ],
        interval_s=0.3,
        timeout_s=2,
        stale_after_s=0.5,
    ).start()
    labels = {"consumergroup": group, "topic": topic, "partition": 0}

    def both_up(found: Series) -> bool:
        return all(
            value(found, m.CONSUMERGROUP_LAG, cluster=c, **labels) is not None for c in ("main", "second")
        )

    found = wait_for(exporter, both_up)
    assert value(found, m.CONSUMERGROUP_LAG, cluster="main", **labels) == 7
    assert value(found, m.CONSUMERGROUP_LAG, cluster="second", **labels) == 2
    assert value(found, m.CLUSTER_INFO, cluster="second", cluster_id=second_cluster.cluster_id) == 1

    second_cluster.pause()  # a hung cluster: it answers nothing
    try:

        def second_down(found: Series) -> bool:
            return value(found, m.EXPORTER_UP, cluster="second") == 0 and (
                value(found, m.CONSUMERGROUP_LAG, cluster="second", **labels) is None
            )

        found = wait_for(exporter, second_down)
        main_cycles = value(found, m.EXPORTER_CYCLES, cluster="main", result="success")
        time.sleep(1.0)
        later = parse(exporter.metrics())
        assert value(later, m.EXPORTER_UP, cluster="main") == 1
        assert value(later, m.CONSUMERGROUP_LAG, cluster="main", **labels) == 7
        assert value(later, m.EXPORTER_CYCLES, cluster="main", result="success") > main_cycles + 1  # type: ignore[operator]
        assert (value(later, m.EXPORTER_ERRORS, cluster="second", api="describe_cluster") or 0) >= 1
    finally:
        second_cluster.resume()
    wait_for(exporter, both_up)
