"""``kafka-client dlq list|show|replay`` as a user runs it, on the real broker: output, JSON, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kafka_client import Consumer, Producer, TopicPartition
from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.resilience import DeadLetterQueue, RetryPolicy
from kafka_client.testing.pytest_plugin import KafkaBroker

EXE = Path(sys.executable).parent / "kafka-client"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KAFKA_CLIENT_")}
    return subprocess.run(
        [str(EXE), "dlq", *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.fixture
def dead_letters(kafka_broker: KafkaBroker) -> Iterator[tuple[str, str, str]]:
    """A topic whose consumer dead-lettered two messages (a ValueError and a poison pill) to its DLQ."""
    bootstrap = kafka_broker.bootstrap_servers
    topic = f"e2e-dlq-{uuid.uuid4().hex[:8]}"
    dlq_topic = f"{topic}.dlq"
    settings: dict[str, Any] = {"bootstrap_servers": bootstrap}
    with KafkaAdmin(settings) as admin:
        admin.create_topics([NewTopicSpec(topic, 1, 1, {}), NewTopicSpec(dlq_topic, 1, 1, {})])
    with Producer(settings) as producer:
        for value in (b'{"n": 1}', b'{"n": "bad"}', b"\xff-not-json", b'{"n": 4}'):
            producer.send(topic, value, key=b"k").result(30)

    def handler(message: Any) -> None:
        if not isinstance(message.value["n"], int):
            raise ValueError("n must be an int")

    group = f"e2e-{uuid.uuid4().hex[:8]}"
    with (
        Producer(settings) as dlq_producer,
        Consumer(settings, group_id=group, value_deserializer="json") as c,
    ):
        c.watermarks(TopicPartition(topic, 0))  # load the metadata before joining (see the integration tests)
        c.subscribe([topic])
        c.run(
            handler,
            retry=RetryPolicy(max_attempts=2, initial_backoff_s=0.01),
            dead_letter_queue=DeadLetterQueue(dlq_producer),
            max_messages=4,
        )
    try:
        yield bootstrap, topic, dlq_topic
    finally:
        with KafkaAdmin(settings) as admin:
            admin.delete_topics([topic, dlq_topic])


def test_list_show_and_replay_round_trip(dead_letters: tuple[str, str, str]) -> None:
    bootstrap, topic, dlq_topic = dead_letters
    listing = run("list", dlq_topic, "--bootstrap-servers", bootstrap)
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.splitlines()
    assert rows[1].split()[:5] == ["0", "0", f"{topic}[0]@1", "2", "ValueError"]
    assert rows[2].split()[:4] == ["0", "1", f"{topic}[0]@2", "0"]
    assert rows[-1] == "2 dead letter(s)"

    data = json.loads(run("list", dlq_topic, "--bootstrap-servers", bootstrap, "--json").stdout)
    assert [(d["stage"], d["value"]) for d in data] == [
        ("handler", '{"n": "bad"}'),
        ("deserialization", "base64:/y1ub3QtanNvbg=="),
    ]

    shown = run("show", dlq_topic, "0", "0", "--bootstrap-servers", bootstrap)
    assert shown.returncode == 0, shown.stderr
    assert "exception_message:      n must be an int" in shown.stdout
    assert run("show", dlq_topic, "0", "5", "--bootstrap-servers", bootstrap).returncode == 1

    dry = run("replay", dlq_topic, "--bootstrap-servers", bootstrap, "--exception-type", "ValueError")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"would replay {dlq_topic}:0:0 -> {topic}[0]",
        "dry run (give --execute to produce): 1 would replay",
    ]
    done = run(
        "replay", dlq_topic, "--bootstrap-servers", bootstrap, "--to-offset", "0", "--execute", "--json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["replayed"] == 1
    assert report["actions"][0]["written_offset"] == 4


def test_usage_and_missing_topic_exit_codes(kafka_broker: KafkaBroker) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    assert run("replay", "x.dlq", "--bootstrap-servers", bootstrap, "--execute", "--dry-run").returncode == 2
    assert run("list").returncode == 2
    missing = run(
        "list", f"absent-{uuid.uuid4().hex[:6]}.dlq", "--bootstrap-servers", bootstrap, "--timeout", "5"
    )
    assert missing.returncode == 1
    assert "error:" in missing.stderr
    assert run("--help").returncode == 0
