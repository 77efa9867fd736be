"""No secret leaks: clients configured with sentinel secrets (a SASL password, a TLS key password, an
OAUTHBEARER token, an Event Hubs connection string) run against the secured broker, succeeding and
failing, with every log at DEBUG captured (structlog and stdlib ``logging``, librdkafka's and
kafka-python's included); then the logs, ``repr()``/``str()`` of settings and clients, every exception
message (with its causes) and the Prometheus exposition are scanned: no sentinel appears anywhere."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from prometheus_client import generate_latest

from kafka_client import Consumer, KafkaClientError, Producer
from kafka_client.admin import KafkaAdmin
from kafka_client.config import load_settings
from kafka_client.observability.logging import configure_logging
from kafka_client.observability.metrics import PROCESS_REGISTRY
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security.conftest import allow_round_trip, round_trip, unsecured_jwt

PASSWORD = "pw-SENTINEL-7f3a2c"
ADMIN_PASSWORD = "apw-SENTINEL-3e8b61"
KEY_PASSWORD = "kp-SENTINEL-91c2d4"
TOKEN_CLAIM = "tok-SENTINEL-55e1a9"
CONNECTION_STRING = "Endpoint=sb://ns.example/;SharedAccessKeyName=app;SharedAccessKey=cs-SENTINEL-0b9d77"


class Evidence:
    """Everything a secret could leak into, as text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, *items: object) -> None:
        for item in items:
            self.texts += [repr(item), str(item)]

    def add_exception(self, exc: BaseException) -> None:
        seen: BaseException | None = exc
        while seen is not None:
            self.add(seen, *getattr(seen, "args", ()))
            self.texts += getattr(seen, "__notes__", [])
            seen = seen.__cause__ or seen.__context__


@pytest.fixture
def captured_logs() -> Iterator[Callable[[], tuple[str, str]]]:
    """DEBUG logs of the whole process: structlog's rendering and the raw stdlib records."""
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    raw: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raw.append(f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}")

    keeper = Keep(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(keeper)
    try:
        yield lambda: (stream.getvalue(), "\n".join(raw))
    finally:
        root.removeHandler(keeper)
        logging.basicConfig(force=True)  # back to plain stdlib logging for the next tests


def _encrypted_key(source: Path, target: Path) -> Path:
    key = serialization.load_pem_private_key(source.read_bytes(), password=None)
    target.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(KEY_PASSWORD.encode()),
        )
    )
    return target


def _attempt(evidence: Evidence, action: Callable[[], object]) -> bool:
    try:
        evidence.add(action())
    except (KafkaClientError, OSError, ValueError) as exc:
        evidence.add_exception(exc)
        return False
    return True


def _send_once(settings: dict[str, Any], topic: str, evidence: Evidence) -> object:
    """Build a producer (kafka-python fails here, unable to bootstrap) and send one message."""
    evidence.add(load_settings(**{k: v for k, v in settings.items() if k != "backend"}))
    with Producer(settings) as producer:
        evidence.add(producer, producer.settings, producer.settings.security)
        return producer.send(topic, b"x").result(timeout=10)


def test_no_secret_appears_in_logs_reprs_errors_or_metrics(
    kafka_broker: KafkaBroker,
    kafka_topic: Callable[..., str],
    grant: Callable[..., None],
    captured_logs: Callable[[], tuple[str, str]],
    backend: str,
    tmp_path: Path,
) -> None:
    topic, group = kafka_topic(), "secrets-scan"
    evidence = Evidence()
    quick = {"producer": {"delivery_timeout_ms": 5_000, "request_timeout_ms": 3_000}, "backend": backend}
    allow_round_trip(grant, "User:carol-oauth", topic, group)
    allow_round_trip(grant, "User:alice", topic, group)

    # A wrong SASL password (fails), with native debug logging of the security layer on.
    wrong = kafka_broker.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
    wrong["security"]["sasl"]["password"] = PASSWORD
    assert not _attempt(evidence, lambda: _send_once({**wrong, **quick}, topic, evidence))

    # A client certificate whose key is encrypted with a key password (works).
    mtls = kafka_broker.client_settings("SSL", user="alice")
    tls = mtls["security"]["tls"]
    tls["key_file"] = str(_encrypted_key(Path(tls["key_file"]), tmp_path / "alice-encrypted.key"))
    tls["key_password"] = KEY_PASSWORD
    assert round_trip({**mtls, "backend": backend}, topic, group, count=2) == [b"m0", b"m1"]
    evidence.add(load_settings(**mtls))
    bad_key = {**mtls, "security": {**mtls["security"], "tls": {**tls, "key_password": KEY_PASSWORD + "x"}}}
    _attempt(evidence, lambda: load_settings(**bad_key))  # a ConfigError naming the field, not the value

    # An OAUTHBEARER token carrying a sentinel claim (works).
    tokens: list[str] = []

    def provider() -> tuple[str, float]:
        value, expiry = unsecured_jwt("carol-oauth", extra={"jti": TOKEN_CLAIM})
        tokens.append(value)
        return value, expiry

    oauth = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice")
    oauth["security"]["sasl"] = {"mechanism": "OAUTHBEARER", "oauth": {"token_provider": provider}}
    with (
        Producer({**oauth, **quick}) as producer,
        Consumer({**oauth, "backend": backend}, group_id="scan-idle") as c,
    ):
        evidence.add(producer, producer.settings, c, c.settings)
        assert _attempt(evidence, lambda: producer.send(topic, b"oauth").result(timeout=20))
        metrics = generate_latest(PROCESS_REGISTRY).decode()  # while the clients are alive

    # An Event Hubs style connection string as the PLAIN password (fails: no such user).
    hubs = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="PLAIN")
    hubs["security"]["sasl"].update(username="$ConnectionString", password=CONNECTION_STRING)
    assert not _attempt(evidence, lambda: _send_once({**hubs, **quick}, topic, evidence))

    # An admin client of a user whose password is a sentinel, reading group offsets: its batched path
    # builds a kafka-python client from the settings, which logs its configuration at DEBUG.
    user = f"scan-admin-{backend}"
    kafka_broker.run_tool(
        "kafka-configs", "--alter", "--entity-type", "users", "--entity-name", user,
        "--add-config", f"SCRAM-SHA-512=[password={ADMIN_PASSWORD}]",
    )  # fmt: skip
    grant(f"User:{user}", "GROUP", group, "DESCRIBE")
    grant(f"User:{user}", "TOPIC", topic, "DESCRIBE")
    scan_admin = kafka_broker.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
    scan_admin["security"]["sasl"].update(username=user, password=ADMIN_PASSWORD)
    with KafkaAdmin(scan_admin, timeout=15) as admin:
        evidence.add(admin, admin.settings)
        assert _attempt(evidence, lambda: admin.consumer_group_lag([group]))
        reader = admin._backend._batched_offsets
        assert reader is not None
        assert reader._client is not None  # the kafka-python client was made (and logged)

    time.sleep(0.5)  # let background threads finish logging
    logs, records = captured_logs()  # what configure_logging rendered; the raw stdlib records
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG  # the capture really ran at DEBUG
    assert "kafka_client" in logs
    assert "kafka_client_" in metrics  # the exposition really had the clients' series
    haystacks = {
        "logs": logs,
        "stdlib records": records,
        "metrics": metrics,
        "reprs and errors": "\n".join(evidence.texts),
    }
    secrets = [PASSWORD, KEY_PASSWORD, TOKEN_CLAIM, CONNECTION_STRING, "cs-SENTINEL-0b9d77", ADMIN_PASSWORD]
    secrets += set(tokens)
    leaks = [(where, s) for where, text in haystacks.items() for s in secrets if s in text]
    for where, secret in leaks:
        text = haystacks[where]
        at = text.index(secret)
        print(f"LEAK in {where}: ...{text[max(0, at - 300) : at + 60]!r}")
    scanned = (len(logs) + len(records), len(metrics), len(evidence.texts))
    print("\nscanned {} log chars, {} metric chars, {} reprs/errors".format(*scanned))
    assert tokens, "the token provider was never called"
    assert leaks == []
