"""``kafka-top --demo`` starts the exporter next to the UI: it serves the broker's lag on a free port."""

from __future__ import annotations

import time
import urllib.request
from typing import Any

from kafka_client import Consumer
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_top.demo import DEMO_CONTEXT, start_exporter


def test_the_demo_exporter_serves_the_lag_kafka_top_shows(
    kafka_broker: KafkaBroker, lagging_group: tuple[str, str, Consumer[Any, Any]]
) -> None:
    topic, group, _member = lagging_group
    exporter = start_exporter(kafka_broker.bootstrap_servers)
    assert exporter is not None, "kafka_client_exporter is a workspace member: it is installed"
    try:
        assert exporter.port > 0
        url = f"http://127.0.0.1:{exporter.port}/metrics"
        prefix = f'kafka_consumergroup_lag{{cluster="{DEMO_CONTEXT}",consumergroup="{group}",topic="{topic}",'
        deadline = time.monotonic() + 60
        while True:
            with urllib.request.urlopen(url, timeout=10) as response:
                lines = [line for line in response.read().decode().splitlines() if line.startswith(prefix)]
            if len(lines) == 3:
                break
            assert time.monotonic() < deadline, f"no lag of {group} at {url} after 60 s"
            time.sleep(0.5)
        # committed 4, 8, 0 of 10 each (the fixture): the numbers kafka-top shows for the group.
        assert sorted(lines) == [
            f'{prefix}partition="0"}} 6',
            f'{prefix}partition="1"}} 2',
            f'{prefix}partition="2"}} 10',
        ]
    finally:
        exporter.stop()
