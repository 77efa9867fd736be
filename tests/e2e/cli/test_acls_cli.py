"""``kafka-client acls list|create|delete`` as a user runs it, on the real broker's StandardAuthorizer:
table and JSON output, exit codes, and the bindings really enforced (alice can write once granted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kafka_client import AuthorizationError, Producer
from kafka_client.admin import AclBindingFilter, KafkaAdmin
from kafka_client.testing.pytest_plugin import KafkaBroker

EXE = Path(sys.executable).parent / "kafka-client"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KAFKA_CLIENT_")}
    return subprocess.run(
        [str(EXE), "acls", *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_create_list_delete_round_trip_is_enforced_by_the_broker(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = kafka_topic()
    conn = ("--bootstrap-servers", bootstrap)
    alice = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256")
    quick = {"producer": {"delivery_timeout_ms": 8_000, "request_timeout_ms": 4_000}}
    try:
        with Producer({**alice, **quick}) as producer, pytest.raises(AuthorizationError):
            producer.send(topic, b"before").result(timeout=15)

        created = run(
            "create",
            "--principal",
            "User:alice",
            "--resource-type",
            "topic",
            "--resource-name",
            topic,
            "--operation",
            "WRITE",
            "--operation",
            "DESCRIBE",
            *conn,
            "--json",
        )
        assert created.returncode == 0, created.stderr
        assert {r["operation"] for r in json.loads(created.stdout)} == {"WRITE", "DESCRIBE"}

        listed = run("list", "--resource-name", topic, *conn, "--json")
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == [
            {
                "principal": "User:alice",
                "permission": "ALLOW",
                "operation": op,
                "resource_type": "TOPIC",
                "resource_name": topic,
                "pattern_type": "LITERAL",
                "host": "*",
            }
            for op in ("DESCRIBE", "WRITE")
        ]
        table = run("list", "--principal", "User:alice", "--resource-name", topic, *conn)
        assert table.returncode == 0, table.stderr
        assert table.stdout.splitlines()[0].split() == [
            "PRINCIPAL",
            "PERMISSION",
            "OPERATION",
            "RESOURCE",
            "PATTERN",
            "HOST",
        ]
        assert f"TOPIC:{topic}" in table.stdout
        assert table.stdout.splitlines()[-1] == "2 ACL binding(s)"

        with Producer({**alice, **quick}) as producer:  # the broker now lets alice write
            assert producer.send(topic, b"after").result(timeout=30).offset == 0

        deleted = run("delete", "--resource-name", topic, "--operation", "WRITE", *conn, "--json")
        assert deleted.returncode == 0, deleted.stderr
        assert [r["operation"] for r in json.loads(deleted.stdout)] == ["WRITE"]
        again = run("delete", "--resource-name", topic, "--operation", "WRITE", *conn)
        assert again.returncode == 1  # nothing matched
        assert again.stdout.strip() == "deleted 0 ACL binding(s)"
    finally:
        with KafkaAdmin(bootstrap_servers=bootstrap) as admin:
            admin.delete_acls([AclBindingFilter(resource_name=topic)])


def test_usage_errors_exit_2_and_a_denied_caller_exits_1(kafka_broker: KafkaBroker, tmp_path: Path) -> None:
    conn = ("--bootstrap-servers", kafka_broker.bootstrap_servers)
    bad = run(
        "create",
        "--principal",
        "User:x",
        "--resource-type",
        "TABLE",
        "--resource-name",
        "t",
        "--operation",
        "READ",
        *conn,
    )
    assert bad.returncode == 2
    assert "resource_type must be one of" in bad.stderr
    assert run("delete", *conn).returncode == 2  # an empty filter needs --all

    config = tmp_path / "alice.yaml"
    listener = kafka_broker.listeners["SASL_PLAINTEXT"]
    config.write_text(
        f"bootstrap_servers: [{listener}]\nsecurity:\n  protocol: SASL_PLAINTEXT\n  sasl:\n"
        "    mechanism: SCRAM-SHA-256\n    username: alice\n    password: alice-secret\n"
    )
    denied = run(
        "create",
        "--principal",
        "User:alice",
        "--resource-type",
        "TOPIC",
        "--resource-name",
        "x",
        "--operation",
        "READ",
        "--config",
        str(config),
        "--timeout",
        "15",
    )
    assert denied.returncode == 1
    assert denied.stderr.startswith("error: ")
    assert "CLUSTER_AUTHORIZATION_FAILED" in denied.stderr or "uthoriz" in denied.stderr
