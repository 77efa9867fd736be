"""Certificates that must be refused are refused fast and typed: a broker certificate that has expired, one
issued for another host (with hostname verification on; off, the same client connects), and an expired
client certificate on the mutual-TLS listener.

On the confluent backend each reaches the client's ``on_error`` as a ``TLSError`` (not retriable) within
seconds and the client raises it, as for the wrong password and CA in ``test_credential_failures.py``.
librdkafka words a refused broker certificate the same way whatever the cause, so the message names the
three causes and the ``openssl s_client`` command that tells them apart. On the kafka-python backend,
creating the client raises the ``TLSError`` (``on_error`` hears it first) once the bootstrap server has
refused it twice, with OpenSSL's exact reason and its fix; a broker learnt of from the metadata that refuses
is reported to ``on_error``. Both are pinned here exactly (docs/reliability.md).

The broker certificates are served by one extra broker: its SASL_SSL listener presents an expired
certificate, its SSL listener one for ``localhost`` only, which the client connecting to 127.0.0.1 (the
address the broker advertises) must refuse. The expired client certificate is issued by the session
broker's own CA, so its date is the only thing wrong with it. Validating the settings refuses a client
certificate that has expired (a ``ConfigError``, tested here and in tests/unit/config/test_tls.py), so the
clients are given settings validated a few seconds before their certificate expired: what the broker says
to an expired client certificate is still tested.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kafka_client import Producer
from kafka_client.config import KafkaClientSettings, load_settings
from kafka_client.errors import ConfigError, KafkaClientError, TLSError
from kafka_client.testing._certs import CertificateFiles, TestPKI, generate_pki, issue_client_certificate
from kafka_client.testing.embedded import EmbeddedKafka
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security._failures import FAST_S, create_refused, first_error
from tests.integration.security.conftest import round_trip

pytestmark = pytest.mark.embedded_only

_NOW = dt.datetime.now(dt.UTC)
EXPIRED = (_NOW - dt.timedelta(days=2), _NOW - dt.timedelta(days=1))
OTHER_HOST = "localhost"  # the only name in the SSL listener's certificate: not 127.0.0.1
EXPIRES_IN_S = 3.0  # how long the outlived client certificate is valid after it is issued
BACKENDS = ("confluent", "kafka-python")

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
# The kafka-python TLSError's message after "the TLS handshake with 127.0.0.1:<port> failed: ".
NOT_LISTED = (
    "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'. "
    "[SSLCertVerificationError]; the broker's certificate does not list 127.0.0.1, the host name the "
    "client connected to: connect to a name it lists (bootstrap_servers, and the brokers' "
    "advertised.listeners), or reissue it with 127.0.0.1; security.tls.check_hostname: false skips this "
    "check, and lets any certificate from the same CA stand in for the broker"
)
KAFKA_PYTHON_SAYS = {
    "expired broker certificate": (
        "certificate verify failed: certificate has expired [SSLCertVerificationError]; the broker's "
        "certificate has expired: renew it (the broker's ssl.keystore.location)"
    ),
    "broker certificate for another host": NOT_LISTED,
    "expired client certificate": (
        "sslv3 alert certificate unknown [SSLError]; the broker refused the client's certificate "
        "(security.tls.cert_file): it has expired (or is not yet valid), or it was not signed by a CA in the "
        "broker's truststore (the broker logs only 'SSL handshake failed'). 'openssl x509 -noout -dates "
        "-issuer -in <cert_file>' shows which; renew it, or have it signed by a CA the broker trusts"
    ),
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


def _with_client_certificate(kafka_broker: KafkaBroker, certificate: CertificateFiles) -> dict[str, Any]:
    """The session broker's mutual-TLS listener, as alice with ``certificate`` (from the broker's own CA)."""
    assert isinstance(kafka_broker, EmbeddedKafka), "the session broker is the embedded one"
    chosen = kafka_broker.client_settings("SSL", user="alice")
    chosen["security"]["tls"].update(cert_file=str(certificate.cert_file), key_file=str(certificate.key_file))
    return chosen


@pytest.fixture(scope="module")
def outlived_settings(
    kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, KafkaClientSettings]:
    """Per backend, settings validated while their client certificate was valid; it has expired since."""
    assert isinstance(kafka_broker, EmbeddedKafka)
    assert kafka_broker.pki is not None
    now = dt.datetime.now(dt.UTC)
    not_after = now + dt.timedelta(seconds=EXPIRES_IN_S)
    folder = tmp_path_factory.mktemp("outlived")
    certificate = issue_client_certificate(
        kafka_broker.pki, "alice", folder, validity=(now - dt.timedelta(days=1), not_after)
    )
    chosen = _with_client_certificate(kafka_broker, certificate)
    chosen["security"]["tls"]["check_hostname"] = True
    chosen["consumer"] = {"group_id": "certificate-check"}
    validated = {backend: load_settings(**{**chosen, "backend": backend}) for backend in BACKENDS}
    assert dt.datetime.now(dt.UTC) < not_after, "validated too late: raise EXPIRES_IN_S"
    time.sleep((not_after - dt.datetime.now(dt.UTC)).total_seconds() + 1.5)  # notAfter has whole seconds
    return validated


def test_settings_with_an_expired_client_certificate_are_refused_before_connecting(
    kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    assert isinstance(kafka_broker, EmbeddedKafka)
    assert kafka_broker.pki is not None
    expired = issue_client_certificate(kafka_broker.pki, "alice", tmp_path, validity=EXPIRED)
    for backend in BACKENDS:
        with pytest.raises(ConfigError) as caught:
            Producer({**_with_client_certificate(kafka_broker, expired), "backend": backend})
        assert [p.path for p in caught.value.problems] == ["security.tls.cert_file"]
        found = caught.value.problems[0]
        assert found.message == (
            f"the client certificate expired on {EXPIRED[1]:%Y-%m-%d %H:%M:%S} UTC (notAfter); "
            "brokers refuse it"
        )
        assert found.value == repr(str(expired.cert_file))


@pytest.fixture
def settings_for(
    refusing_broker: RefusingBroker, outlived_settings: dict[str, KafkaClientSettings]
) -> Callable[[str, str], Any]:
    """``settings_for(case, backend)``: a client whose only fault is the certificate of ``case`` (a mapping;
    for the expired client certificate, validated settings)."""

    def settings(case: str, backend: str) -> Any:
        if case == "expired client certificate":
            return outlived_settings[backend]
        refusing = refusing_broker.kafka
        if case == "expired broker certificate":
            chosen = refusing.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
            chosen["security"]["tls"]["ca_file"] = str(refusing_broker.expired.ca_file)
        else:
            assert case == "broker certificate for another host", case
            chosen = refusing.client_settings("SSL", user="alice")
            alice = refusing_broker.other_host.clients["alice"]
            chosen["security"]["tls"] = {
                "ca_file": str(refusing_broker.other_host.ca_file),
                "cert_file": str(alice.cert_file),
                "key_file": str(alice.key_file),
            }
        chosen["security"]["tls"]["check_hostname"] = True  # the default, said out loud
        return {**chosen, "backend": backend}

    return settings


def _port(settings: Any) -> str:
    servers = (
        settings.bootstrap_servers
        if isinstance(settings, KafkaClientSettings)
        else settings["bootstrap_servers"]
    )
    return str(servers[0].rsplit(":", 1)[1])


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


@pytest.mark.parametrize("role", ["producer", "consumer"])
@pytest.mark.parametrize("case", CASES)
def test_kafka_python_refuses_each_certificate_fast_with_a_typed_error_naming_the_cause(
    settings_for: Callable[[str, str], dict[str, Any]], case: str, role: str
) -> None:
    settings = settings_for(case, "kafka-python")
    raised, seconds, heard = create_refused(role, settings)
    print(f"\n{case} ({role}): {raised!r} after {seconds:.2f} s")
    assert type(raised) is TLSError, repr(raised)
    assert not raised.retriable
    assert str(raised) == (
        f"creating the {role}: the TLS handshake with 127.0.0.1:{_port(settings)} failed: "
        + KAFKA_PYTHON_SAYS[case]
    )
    assert seconds < FAST_S
    assert len(heard) == 1
    assert heard[0] is raised  # on_error heard it, as from the confluent backend


def test_kafka_python_reports_a_broker_from_the_metadata_that_refuses_to_on_error(
    settings_for: Callable[[str, str], dict[str, Any]],
) -> None:
    """Bootstrapping by the name the certificate lists works; the broker then advertises 127.0.0.1, which
    it does not list, and each connection to it is refused, to ``on_error``, from kafka-python's I/O
    thread (librdkafka connects to that broker only to send)."""
    settings = settings_for("broker certificate for another host", "kafka-python")
    port = _port(settings)
    settings["bootstrap_servers"] = [f"{OTHER_HOST}:{port}"]
    heard: list[tuple[KafkaClientError, float]] = []
    started = time.monotonic()
    with Producer(settings, on_error=lambda error: heard.append((error, time.monotonic() - started))):
        while not heard and time.monotonic() - started < FAST_S:
            time.sleep(0.05)
    assert heard, f"on_error heard nothing within {FAST_S} s"
    error, seconds = heard[0]
    print(f"\n{error!r} after {seconds:.2f} s")
    assert type(error) is TLSError, repr(error)
    assert not error.retriable
    assert str(error) == (
        f"the producer's connection to broker 1: the TLS handshake with 127.0.0.1:{port} failed: {NOT_LISTED}"
    )
