"""``kafka-client config validate`` and ``config show``: exact exit codes and output lines."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kafka_client.cli.config_cmd import config_group

SECRET = "cli-s3cret-4242"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("KAFKA_CLIENT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def app_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(
        "preset: production\n"
        "bootstrap_servers: kafka-1:9092,kafka-2:9092\n"
        "client_id: orders\n"
        "consumer:\n  group_id: orders\n"
        "security:\n  protocol: SASL_SSL\n  sasl:\n    mechanism: SCRAM-SHA-512\n    username: orders\n"
    )
    return path


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(config_group, [str(arg) for arg in args], env=env)


def _secret_env(**extra: str) -> dict[str, str]:
    return {"KAFKA_CLIENT_SECURITY__SASL__PASSWORD": SECRET, **extra}


def test_validate_valid(app_yaml: Path) -> None:
    result = run("validate", app_yaml, env=_secret_env())
    assert (result.exit_code, result.output) == (0, f"configuration is valid: {app_yaml}\n")


def test_validate_valid_json(app_yaml: Path) -> None:
    result = run("validate", app_yaml, "--json", env=_secret_env())
    assert result.exit_code == 0
    assert json.loads(result.output) == {"valid": True, "problems": []}


def test_validate_invalid_lists_every_problem(app_yaml: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("producer:\n  acks: 1\n  lingr_ms: 3\n")
    result = run("validate", app_yaml, overlay, env={"KAFKA_CLIENT_CONSUMER__ISOLATION_LEVEL": "dirty"})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "3 configuration problems:",
        "  - security.sasl.password: SASL mechanism SCRAM-SHA-512 needs a password",
        "    hint: set security.sasl.password_file, or security.sasl.password "
        "(KAFKA_CLIENT_SECURITY__SASL__PASSWORD)",
        f"  - producer.lingr_ms: unknown setting 'lingr_ms' (from file:{overlay})",
        "    hint: did you mean 'linger_ms'?",
        "  - consumer.isolation_level: Input should be 'read_committed' or 'read_uncommitted' "
        "(got 'dirty', from env:KAFKA_CLIENT_CONSUMER__ISOLATION_LEVEL)",
        "    hint: use one of: 'read_committed' or 'read_uncommitted'",
    ]


def test_validate_invalid_json(app_yaml: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("producer:\n  acks: 1\n")
    result = run("validate", app_yaml, overlay, "--json", env=_secret_env())
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "valid": False,
        "problems": [
            {
                "path": "producer.acks",
                "message": "an idempotent producer needs acks 'all'",
                "value": "1",
                "hint": "set producer.acks: all, or producer.enable_idempotence: false "
                "(retries may then duplicate messages)",
                "source": f"file:{overlay}",
            }
        ],
    }
    assert SECRET not in result.output


def test_validate_wrong_secret_type_is_redacted(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text(
        "bootstrap_servers: k:1\nsecurity:\n  protocol: SASL_SSL\n"
        "  sasl: {mechanism: PLAIN, username: u, password: [1234567, 7654321]}\n"
    )
    result = run("validate", file)
    assert result.exit_code == 1
    assert (
        "  - security.sasl.password: Input should be a valid string (got '**********', from file:"
        in result.output
    )
    assert "1234567" not in result.output


def test_validate_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "absent.yaml")
    assert result.exit_code == 2
    assert (
        f"Error: Invalid value for 'FILE...': File '{tmp_path / 'absent.yaml'}' does not exist."
        in result.output
    )


def test_validate_needs_a_file() -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert "Error: Missing argument 'FILE...'." in result.output


def test_unknown_preset_is_a_usage_error(app_yaml: Path) -> None:
    result = run("validate", app_yaml, "--preset", "prod")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--preset': 'prod' is not one of 'production'," in result.output


def test_preset_option_beats_the_file(app_yaml: Path) -> None:
    result = run("show", app_yaml, "--preset", "development", env=_secret_env())
    assert result.exit_code == 0
    assert "  acks: 1  # from preset:development" in result.output.splitlines()


def test_validate_imports_the_token_provider(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text(
        "bootstrap_servers: k:1\nsecurity:\n  protocol: SASL_SSL\n"
        "  sasl: {mechanism: OAUTHBEARER, oauth: {token_provider: 'no_such_module_q:token'}}\n"
    )
    result = run("validate", file)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "1 configuration problem:",
        "  - security.sasl.oauth.token_provider: cannot import the token provider (ModuleNotFoundError: "
        "No module named 'no_such_module_q') (got 'no_such_module_q:token')",
    ]


def test_validate_checks_the_chosen_backend(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text("bootstrap_servers: k:1\nbackend: kafka-python\nproducer: {partitioner: fnv1a}\n")
    result = run("validate", file)
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        "  - backend: partitioner 'fnv1a' is not supported by the kafka-python backend; "
        "use producer.partitioner: murmur2_random (kafka-python's default, Java-compatible), "
        "pass a partitioner object in native_kafka_python, or use the confluent backend (got 'kafka-python')"
    )


def test_show_yaml_with_sources(app_yaml: Path) -> None:
    result = run("show", app_yaml, env=_secret_env(KAFKA_CLIENT_PRODUCER__LINGER_MS="20"))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for expected in [
        "bootstrap_servers: ['kafka-1:9092', 'kafka-2:9092']  # from file:" + str(app_yaml),
        "client_id: orders  # from file:" + str(app_yaml),
        "backend: auto  # from default",
        "security:",
        "  protocol: SASL_SSL  # from file:" + str(app_yaml),
        "  sasl:",
        "    password: '**********'  # from env:KAFKA_CLIENT_SECURITY__SASL__PASSWORD",
        "producer:",
        "  acks: all  # from preset:production",
        "  linger_ms: 20  # from env:KAFKA_CLIENT_PRODUCER__LINGER_MS",
        "  batch_size: 1000000  # from default",
        "native: {}  # from default",
    ]:
        assert expected in lines
    assert SECRET not in result.output


def test_show_json(app_yaml: Path) -> None:
    result = run("show", app_yaml, "--json", env=_secret_env())
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["settings"]["security"]["sasl"]["password"] == "**********"
    assert document["settings"]["producer"]["acks"] == "all"
    assert document["sources"]["security.sasl.password"] == "env:KAFKA_CLIENT_SECURITY__SASL__PASSWORD"
    assert document["sources"]["producer.acks"] == "preset:production"
    assert SECRET not in result.output


def test_show_native_confluent_consumer(app_yaml: Path) -> None:
    result = run("show", app_yaml, "--native", "confluent", "--role", "consumer", env=_secret_env())
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "bootstrap.servers: kafka-1:9092,kafka-2:9092",
        "client.id: orders",
        "security.protocol: SASL_SSL",
        "ssl.endpoint.identification.algorithm: https",
        "sasl.mechanisms: SCRAM-SHA-512",
        "sasl.username: orders",
        "sasl.password: '**********'",
        "group.id: orders",
        "auto.offset.reset: earliest",
        "enable.auto.commit: false",
        "enable.auto.offset.store: false",
        "session.timeout.ms: 45000",
        "heartbeat.interval.ms: 3000",
        "max.poll.interval.ms: 300000",
        "fetch.min.bytes: 1",
        "fetch.wait.max.ms: 500",
        "fetch.queue.backoff.ms: 50",
        "isolation.level: read_committed",
        "partition.assignment.strategy: cooperative-sticky",
        "statistics.interval.ms: 5000",
    ]


def test_show_native_kafka_python_json(app_yaml: Path) -> None:
    result = run(
        "show", app_yaml, "--native", "kafka-python", "--role", "consumer", "--json", env=_secret_env()
    )
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["sasl_plain_password"] == "**********"
    assert document["partition_assignment_strategy"] == [
        "kafka.coordinator.assignors.cooperative_sticky:CooperativeStickyAssignor"
    ]
    assert SECRET not in result.output


def test_show_native_defaults_to_producer(app_yaml: Path) -> None:
    result = run("show", app_yaml, "--native", "confluent", env=_secret_env())
    assert result.exit_code == 0
    assert "acks: all" in result.output.splitlines()


def test_show_native_role_requirement(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text("bootstrap_servers: k:1\n")
    result = run("show", file, "--native", "confluent", "--role", "consumer")
    assert result.exit_code == 1
    assert (
        result.output.splitlines()[1] == "  - consumer.group_id: a confluent-kafka consumer needs a group id"
    )


def test_show_native_unsupported_feature(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text("bootstrap_servers: k:1\nproducer: {partitioner: fnv1a}\n")
    result = run("show", file, "--native", "kafka-python")
    assert result.exit_code == 1
    assert "error: partitioner 'fnv1a' is not supported by the kafka-python backend;" in result.output


def test_role_without_native_is_a_usage_error(app_yaml: Path) -> None:
    result = run("show", app_yaml, "--role", "consumer")
    assert result.exit_code == 2
    assert "Error: --role is only meaningful with --native" in result.output


def test_show_invalid_exits_1(tmp_path: Path) -> None:
    file = tmp_path / "app.yaml"
    file.write_text("bootstrap_servers: nope\n")
    result = run("show", file)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "1 configuration problem:"


def test_help_everywhere() -> None:
    for args in (["--help"], ["validate", "--help"], ["show", "--help"]):
        result = run(*args)
        assert result.exit_code == 0
        assert result.output.startswith("Usage: ")
