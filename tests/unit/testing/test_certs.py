"""The throwaway PKI: validity windows, broker host names, and client certificates issued later."""

from __future__ import annotations

import contextlib
import datetime as dt
import ssl
from pathlib import Path

import pytest
from cryptography import x509

from kafka_client.testing._certs import default_validity, generate_pki, issue_client_certificate

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
EXPIRED = (NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1))


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _window(path: Path) -> tuple[dt.datetime, dt.datetime]:
    cert = _cert(path)
    return cert.not_valid_before_utc, cert.not_valid_after_utc


def _sans(path: Path) -> tuple[list[str], list[str]]:
    sans = _cert(path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return sans.get_values_for_type(x509.DNSName), [
        str(ip) for ip in sans.get_values_for_type(x509.IPAddress)
    ]


def test_the_default_window_covers_now_with_an_hour_of_skew_and_two_days_ahead() -> None:
    not_before, not_after = default_validity()
    now = dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=59) < now - not_before < dt.timedelta(minutes=61)
    assert dt.timedelta(days=2) - dt.timedelta(minutes=1) < not_after - now <= dt.timedelta(days=2)


def test_defaults_are_unchanged_and_the_ca_key_is_written_private(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path, ["alice"])
    assert _sans(pki.broker.cert_file) == (["localhost"], ["127.0.0.1"])
    assert _window(pki.broker.cert_file) == _window(pki.ca_file) == _window(pki.clients["alice"].cert_file)
    assert pki.ca_key_file == tmp_path / "ca.key"
    assert oct(pki.ca_key_file.stat().st_mode & 0o777) == "0o600"
    _handshake(
        ssl.create_default_context(cafile=str(pki.ca_file)),
        pki.broker.cert_file,
        pki.broker.key_file,
        "127.0.0.1",
    )


def test_a_validity_window_applies_to_the_broker_and_clients_and_the_ca_spans_it(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path, ["alice"], validity=EXPIRED)
    assert _window(pki.broker.cert_file) == EXPIRED
    assert _window(pki.clients["alice"].cert_file) == EXPIRED
    ca_from, ca_until = _window(pki.ca_file)
    usual_until = default_validity()[1]
    assert ca_from == EXPIRED[0]
    assert usual_until - dt.timedelta(minutes=1) < ca_until <= usual_until  # only the leaves are expired


def test_an_expired_broker_certificate_is_refused_for_its_date(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path, [], validity=EXPIRED)
    store = ssl.create_default_context(cafile=str(pki.ca_file))
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate has expired"):
        _handshake(store, pki.broker.cert_file, pki.broker.key_file, "127.0.0.1")


def test_broker_host_names_and_ip_addresses_are_its_only_subject_alternative_names(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path, [], ["kafka.example.invalid", "kafka-1"], ip_addresses=[])
    assert _sans(pki.broker.cert_file) == (["kafka.example.invalid", "kafka-1"], [])
    assert "CN=kafka.example.invalid" in _cert(pki.broker.cert_file).subject.rfc4514_string()
    store = ssl.create_default_context(cafile=str(pki.ca_file))
    with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
        _handshake(store, pki.broker.cert_file, pki.broker.key_file, "127.0.0.1")


def test_a_broker_certificate_needs_a_host_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one host name"):
        generate_pki(tmp_path, [], [])


def test_a_client_certificate_issued_later_chains_to_the_same_ca(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path / "pki", ["alice"])
    late = issue_client_certificate(pki, "alice", tmp_path / "late", validity=EXPIRED)
    assert late.cert_file == tmp_path / "late" / "client-alice.crt"
    assert _window(late.cert_file) == EXPIRED
    cert = _cert(late.cert_file)
    assert cert.subject.rfc4514_string() == "CN=alice,O=kafka-client test"
    assert cert.issuer == _cert(pki.ca_file).subject
    cert.verify_directly_issued_by(_cert(pki.ca_file))  # raises if another key signed it
    assert oct(late.key_file.stat().st_mode & 0o777) == "0o600"
    assert late.bundle_file.read_bytes() == late.key_file.read_bytes() + late.cert_file.read_bytes()
    fresh = issue_client_certificate(pki, "bob", tmp_path / "late")
    assert _window(fresh.cert_file)[0] < NOW < _window(fresh.cert_file)[1]


def _handshake(client: ssl.SSLContext, cert_file: Path, key_file: Path, server_hostname: str) -> None:
    """A TLS handshake in memory: ``client`` verifies the server certificate ``cert_file``."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(cert_file), str(key_file))
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client_side = client.wrap_bio(c_in, c_out, server_hostname=server_hostname)
    server_side = server.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(10):
        for side in (client_side, server_side):
            with contextlib.suppress(ssl.SSLWantReadError):
                side.do_handshake()
        s_in.write(c_out.read())
        c_in.write(s_out.read())
    client_side.do_handshake()
