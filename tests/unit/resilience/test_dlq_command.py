"""``kafka-client dlq list|show|replay`` in process, on the in-memory cluster: output, JSON, exit codes."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kafka_client import Producer
from kafka_client.cli._main import cli
from kafka_client.resilience import DeadLetterQueue
from kafka_client.testing.memory import MemoryCluster
from tests.unit.resilience.test_dead_letter_queue import _failure, _message


@pytest.fixture(autouse=True)
def memory_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("KAFKA_CLIENT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KAFKA_CLIENT_BACKEND", "memory")


@pytest.fixture
def dlq_topic(memory_cluster: MemoryCluster, settings: dict[str, Any]) -> str:
    """orders.dlq with three dead letters: ValueError at 41 and 43, a poison pill at 42."""
    from kafka_client.errors import DeserializationError

    with Producer(settings) as producer:
        dlq = DeadLetterQueue(producer)
        dlq.send(_message(offset=41), _failure(), 3, "billing")
        poison = DeserializationError("cannot decode", field="value")
        dlq.send(_message(offset=42, raw_value=b"\xff\xfe"), poison, 0, "billing", stage="deserialization")
        dlq.send(_message(offset=43), _failure(), 3, "billing")
    memory_cluster.create_topic("orders", partitions=3)
    return "orders.dlq"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["dlq", *args, "--bootstrap-servers", "memory:9092"])


def test_list_prints_one_line_per_dead_letter(dlq_topic: str) -> None:
    result = run("list", dlq_topic)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["PART", "OFFSET", "ORIGINAL", "ATTEMPTS", "EXCEPTION", "MESSAGE"]
    assert lines[1].split()[:5] == ["0", "0", "orders[2]@41", "3", "ValueError"]
    assert lines[2].split()[:5] == ["0", "1", "orders[2]@42", "0", "kafka_client.errors.Deseria…"]
    assert lines[-1] == "3 dead letter(s)"


def test_list_json_with_filters(dlq_topic: str) -> None:
    result = run("list", dlq_topic, "--json", "--exception-type", "ValueError", "--from-offset", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(d["dlq_offset"], d["original_offset"], d["attempts"]) for d in data] == [(2, 43, 3)]
    assert data[0]["value"] == '{"amount": "12.5x"}'


def test_list_by_exception_counts(dlq_topic: str) -> None:
    result = run("list", dlq_topic, "--by-exception", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"ValueError": 2, "kafka_client.errors.DeserializationError": 1}
    text = run("list", dlq_topic, "--by-exception")
    assert text.output.splitlines()[-1].split() == ["3", "in", "all"]


def test_show_prints_everything_and_exits_1_when_absent(dlq_topic: str) -> None:
    result = run("show", dlq_topic, "0", "1")
    assert result.exit_code == 0, result.output
    assert "stage:                  deserialization" in result.output
    assert "value:                  base64://4=" in result.output
    assert "  traceparent: 00-abc-def-01" in result.output
    shown = json.loads(run("show", dlq_topic, "0", "0", "--json").output)
    assert shown["exception_message"] == "bad amount: '12.5x'"
    assert shown["traceback"].splitlines()[-1] == "ValueError: bad amount: '12.5x'"
    missing = run("show", dlq_topic, "0", "7")
    assert missing.exit_code == 1
    assert "no dead letter at orders.dlq:0:7" in missing.output


def test_replay_is_a_dry_run_unless_executed(memory_cluster: MemoryCluster, dlq_topic: str) -> None:
    dry = run("replay", dlq_topic, "--to-offset", "1")
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        "would replay orders.dlq:0:0 -> orders[2]",
        "would replay orders.dlq:0:1 -> orders[2]",
        "dry run (give --execute to produce): 2 would replay",
    ]
    assert memory_cluster.end_offsets("orders") == {0: 0, 1: 0, 2: 0}
    done = run("replay", dlq_topic, "--execute", "--json", "--exception-type", "ValueError")
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["counts"] == {"would_replay": 0, "replayed": 2, "skipped": 0, "failed": 0}
    assert [a["written_offset"] for a in report["actions"]] == [0, 1]
    assert [r.value for r in memory_cluster.records("orders", 2)] == [b'{"amount": "12.5x"}'] * 2


def test_replay_exits_1_when_an_entry_is_refused_as_a_loop(
    memory_cluster: MemoryCluster, settings: dict[str, Any]
) -> None:
    memory_cluster.inject_record(
        "loop.dlq",
        0,
        b"k",
        b"v",
        [("kafka-client-replayed-from", b"loop.dlq:0:9"), ("kafka-client-dlq-original-topic", b"src")],
    )
    result = run("replay", "loop.dlq", "--execute")
    assert result.exit_code == 1
    assert result.output.startswith("SKIPPED      loop.dlq:0:0 -> src  (loop: it was already replayed")
    assert "--allow-repeat" in result.output
    assert run("replay", "loop.dlq", "--execute", "--allow-repeat").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("replay", "orders.dlq", "--execute", "--dry-run"),
        ("list", "orders.dlq", "--from-offset", "5", "--to-offset", "2"),
        ("list", "orders.dlq", "--from-offset", "-1"),
        ("show", "orders.dlq", "zero", "1"),
    ],
)
def test_usage_errors_exit_2(dlq_topic: str, args: tuple[str, ...]) -> None:
    assert run(*args).exit_code == 2


def test_a_missing_topic_exits_1_and_bad_configuration_exits_2(memory_cluster: MemoryCluster) -> None:
    missing = run("list", "nope.dlq")
    assert missing.exit_code == 1
    assert "error:" in missing.output
    no_servers = CliRunner().invoke(cli, ["dlq", "list", "x.dlq", "--bootstrap-servers", ""])
    assert no_servers.exit_code == 2
