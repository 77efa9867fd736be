"""Certificates that must be refused are refused fast and typed: a broker certificate that has expired, one
issued for another host (with hostname verification on; off, the same client connects), and an expired
client certificate on the mutual-TLS listener.

On the confluent backend each reaches the client's ``on_error`` as a ``TLSError`` (not retriable) within
seconds and the client raises it, as for the wrong password and CA in ``test_credential_failures.py``.
librdkafka words a refused broker certificate the same way whatever the cause, so the message names the
three causes and the ``openssl s_client`` command that tells them apart. kafka-python knows the cause but
only logs it: creating its client raises ``BrokerUnavailableError`` (retriable) when its 30 s bootstrap
timeout runs out, and ``on_error`` hears nothing. Both are pinned here exactly (docs/reliability.md).

The broker certificates are served by one extra broker: its SASL_SSL listener presents an expired
certificate, its SSL listener one for ``kafka.example.invalid`` only. The expired client certificate is
issued by the session broker's own CA, so its date is the only thing wrong with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kafka_client import Consumer, Producer
from kafka_client.errors import BrokerUnavailableError, KafkaClientError, TLSError
from kafka_client.testing._certs import generate_pki, issue_client_certificate
from kafka_client.testing.embedded import EmbeddedKafka
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security._failures import FAST_S, first_error
from tests.integration.security.conftest import round_trip

if TYPE_CHECKING:  # imported for the annotation only: pytest would try to collect a class named Test*
    from kafka_client.testing._certs import TestPKI

pytestmark = pytest.mark.embedded_only

_NOW = dt.datetime.now(dt.UTC)
EXPIRED = (_NOW - dt.timedelta(days=2), _NOW - dt.timedelta(days=1))
OTHER_HOST = "kafka.example.invalid"
KAFKA_PYTHON_BOOTSTRAP_S = 30.0  # kafka-python's bootstrap_timeout_ms default

CASES = ("expired broker certificate", "broker certificate for another host", "expired client certificate")
# What the TLSError's message says on the confluent backend, besides librdkafka's own text.
CONFLUENT_SAYS = {
    "expired broker certificate": (
        "certificate verify failed",
        "the broker's certificate was refused: it has expired",
    ),
    "broker certificate for another host": (
        "certificate verify failed",
        "it does not list 127.0.0.1, the host name the client connected to (security.tls.check_hostname)",
    ),
    "expired client certificate": (
        "alert certificate unknown",
        "the broker refused the client's certificate (security.tls.cert_file): it has expired",
    ),
}
# The cause, as kafka-python logs it on each failed bootstrap attempt (its exception does not say it).
KAFKA_PYTHON_LOGS = {
    "expired broker certificate": "certificate verify failed: certificate has expired",
    "broker certificate for another host": (
        "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'"
    ),
    "expired client certificate": "alert certificate unknown",
}


@dataclass(frozen=True)
class RefusingBroker:
    """The extra broker and the PKIs of the certificates its TLS listeners present."""

    kafka: EmbeddedKafka
    expired: TestPKI  # the SASL_SSL listener's
    other_host: TestPKI  # the SSL listener's, whose CA also signs the client certificates it accepts


@pytest.fixture(scope="module")
def refusing_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefusingBroker]:
    folder = tmp_path_factory.mktemp("refused-certificates")
    expired = generate_pki(folder / "expired", [], validity=EXPIRED)
    other_host = generate_pki(folder / "other-host", ["alice"], [OTHER_HOST], ip_addresses=[])
    # Kafka takes listener-prefixed SSL settings over the broker-wide ones; it starts with an expired
    # certificate in a listener's keystore, and serves it.
    kafka = EmbeddedKafka(
        authorizer=False,
        heap="512m",
        broker_config={
            "listener.name.sasl_ssl.ssl.keystore.location": str(expired.broker.bundle_file),
            "listener.name.ssl.ssl.keystore.location": str(other_host.broker.bundle_file),
            "listener.name.ssl.ssl.truststore.location": str(other_host.ca_file),
        },
    )
    kafka.start()
    try:
        yield RefusingBroker(kafka, expired, other_host)
    finally:
        kafka.stop()


@pytest.fixture
def settings_for(
    refusing_broker: RefusingBroker, kafka_broker: KafkaBroker, tmp_path: Path
) -> Callable[[str, str], dict[str, Any]]:
    """``settings_for(case, backend)``: a client whose only fault is the certificate of ``case``."""

    def settings(case: str, backend: str) -> dict[str, Any]:
        refusing = refusing_broker.kafka
        if case == "expired broker certificate":
            chosen = refusing.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
            chosen["security"]["tls"]["ca_file"] = str(refusing_broker.expired.ca_file)
        elif case == "broker certificate for another host":
            chosen = refusing.client_settings("SSL", user="alice")
            alice = refusing_broker.other_host.clients["alice"]
            chosen["security"]["tls"] = {
                "ca_file": str(refusing_broker.other_host.ca_file),
                "cert_file": str(alice.cert_file),
                "key_file": str(alice.key_file),
            }
        else:
            assert isinstance(kafka_broker, EmbeddedKafka), "the session broker is the embedded one"
            assert kafka_broker.pki is not None
            chosen = kafka_broker.client_settings("SSL", user="alice")
            expired = issue_client_certificate(kafka_broker.pki, "alice", tmp_path, validity=EXPIRED)
            chosen["security"]["tls"].update(cert_file=str(expired.cert_file), key_file=str(expired.key_file))
        chosen["security"]["tls"]["check_hostname"] = True  # the default, said out loud
        return {**chosen, "backend": backend}

    return settings


@pytest.mark.parametrize("role", ["producer", "consumer"])
@pytest.mark.parametrize("case", CASES)
def test_confluent_refuses_each_certificate_fast_with_a_typed_error_naming_the_cause(
    settings_for: Callable[[str, str], dict[str, Any]], case: str, role: str
) -> None:
    error, seconds, raised, raised_after = first_error(settings_for(case, "confluent"), role)
    print(f"\n{case} ({role}): {error!r} after {seconds:.2f} s, raised after {raised_after:.2f} s")
    assert type(error) is TLSError, repr(error)
    assert not error.retriable
    assert seconds < FAST_S
    for words in CONFLUENT_SAYS[case]:
        assert words in str(error)
    assert type(raised) is TLSError, repr(raised)  # raised by poll() / flush(), not only reported
    assert not raised.retriable
    assert raised_after < FAST_S


@pytest.mark.parametrize("backend", ["confluent", "kafka-python"])
def test_with_hostname_verification_off_the_same_client_connects_to_the_other_hosts_certificate(
    settings_for: Callable[[str, str], dict[str, Any]], backend: str
) -> None:
    settings = settings_for("broker certificate for another host", backend)
    settings["security"]["tls"]["check_hostname"] = False
    topic, group = f"other-host-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    assert round_trip(settings, topic, group) == [f"m{i}".encode() for i in range(5)]


def _create(role: str, settings: dict[str, Any], heard: list[KafkaClientError]) -> tuple[Exception, float]:
    started = time.monotonic()
    try:
        if role == "producer":
            Producer(settings, on_error=heard.append).close(0)
        else:
            Consumer(settings, group_id="certificate-check", topics=["any"], on_error=heard.append).close()
    except Exception as exc:  # what kafka-python gives is the subject here
        return exc, time.monotonic() - started
    raise AssertionError(f"the kafka-python {role} was created although the certificate is refused")


@pytest.mark.parametrize("case", CASES)
def test_kafka_python_gives_up_at_its_bootstrap_timeout_and_only_logs_the_cause(
    settings_for: Callable[[str, str], dict[str, Any]], case: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(case, "kafka-python")
    port = settings["bootstrap_servers"][0].rsplit(":", 1)[1]
    heard: list[KafkaClientError] = []
    caplog.set_level(logging.WARNING, logger="kafka")
    roles = ("producer", "consumer")
    with ThreadPoolExecutor(len(roles)) as pool:  # both wait out the same timeout, side by side
        outcomes = dict(zip(roles, pool.map(lambda role: _create(role, settings, heard), roles), strict=True))
    for role, (raised, seconds) in outcomes.items():
        print(f"\n{case} ({role}): {raised!r} after {seconds:.1f} s")
        assert type(raised) is BrokerUnavailableError, repr(raised)
        assert raised.retriable
        assert str(raised) == (
            f"creating the {role}: KafkaTimeoutError: Unable to bootstrap from ['127.0.0.1:{port}'] "
            "[KafkaTimeoutError]"
        )
        assert KAFKA_PYTHON_BOOTSTRAP_S - 0.5 < seconds < KAFKA_PYTHON_BOOTSTRAP_S + FAST_S
    assert heard == []
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("kafka.")]
    assert any(KAFKA_PYTHON_LOGS[case] in line for line in logged), logged[-5:]
