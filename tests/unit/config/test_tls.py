"""TLS files are loaded with the ssl module while validating; each failure names the setting to fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kafka_client.config import to_confluent_config, to_kafka_python_config
from kafka_client.testing._certs import CertificateFiles, Validity, generate_pki

from ._helpers import assert_no_leak, config_error, load, problem_at
from .conftest import KEY_PASSWORD, TLSFiles


def _tls(protocol: str = "SSL", **tls: Any) -> dict[str, Any]:
    return {"security": {"protocol": protocol, "tls": {k: str(v) for k, v in tls.items()}}}


def test_valid_mutual_tls_translates_to_both_backends(tls_files: TLSFiles) -> None:
    settings = load(
        **_tls(
            ca_file=tls_files.ca_file,
            cert_file=tls_files.cert_file,
            key_file=tls_files.encrypted_key_file,
            key_password=KEY_PASSWORD,
        )
    )
    confluent = to_confluent_config(settings, "admin")
    assert {k: v for k, v in confluent.items() if k.startswith(("ssl", "security"))} == {
        "security.protocol": "SSL",
        "ssl.ca.location": str(tls_files.ca_file),
        "ssl.certificate.location": str(tls_files.cert_file),
        "ssl.key.location": str(tls_files.encrypted_key_file),
        "ssl.key.password": KEY_PASSWORD,
        "ssl.endpoint.identification.algorithm": "https",
    }
    kafka_python = to_kafka_python_config(settings, "admin")
    assert kafka_python == {
        "bootstrap_servers": ["kafka-1:9092"],
        "client_id": "kafka-client",
        "security_protocol": "SSL",
        "ssl_cafile": str(tls_files.ca_file),
        "ssl_certfile": str(tls_files.cert_file),
        "ssl_keyfile": str(tls_files.encrypted_key_file),
        "ssl_password": KEY_PASSWORD,
        "ssl_check_hostname": True,
    }
    assert KEY_PASSWORD not in repr(settings)
    assert KEY_PASSWORD not in str(settings)


def test_check_hostname_off_maps_to_none() -> None:
    settings = load(security={"protocol": "SSL", "tls": {"check_hostname": False}})
    assert to_confluent_config(settings, "admin")["ssl.endpoint.identification.algorithm"] == "none"
    assert to_kafka_python_config(settings, "admin")["ssl_check_hostname"] is False


def test_missing_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    error = config_error(**_tls(ca_file=missing, cert_file=missing, key_file=missing))
    for field in ("ca_file", "cert_file", "key_file"):
        found = problem_at(error, f"security.tls.{field}")
        assert found.message == "file does not exist"
        assert found.value == repr(str(missing))


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    error = config_error(**_tls(ca_file=tmp_path))
    assert problem_at(error, "security.tls.ca_file").message == "is not a regular file"


def test_ca_file_that_does_not_parse(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(ca_file=tls_files.junk_file))
    found = problem_at(error, "security.tls.ca_file")
    assert found.message == "is not a PEM file of CA certificates"
    assert found.value == repr(str(tls_files.junk_file))


def test_certificate_without_key_and_key_without_certificate(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(cert_file=tls_files.cert_file))
    assert (
        problem_at(error, "security.tls.key_file").message
        == "a client certificate (cert_file) needs its private key"
    )
    error = config_error(**_tls(key_file=tls_files.key_file))
    assert (
        problem_at(error, "security.tls.cert_file").message
        == "a private key (key_file) needs its client certificate"
    )


def test_certificate_that_does_not_parse(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(cert_file=tls_files.junk_file, key_file=tls_files.key_file))
    assert problem_at(error, "security.tls.cert_file").message == "is not a PEM certificate"


def test_key_that_does_not_parse(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(cert_file=tls_files.cert_file, key_file=tls_files.junk_file))
    assert problem_at(error, "security.tls.key_file").message == "is not a PEM private key"


def test_key_not_matching_certificate(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(cert_file=tls_files.cert_file, key_file=tls_files.other_key_file))
    found = problem_at(error, "security.tls.key_file")
    assert found.message == "private key does not match the certificate in cert_file"


@pytest.mark.parametrize("wrong", ["wrong-password-1234"])
def test_wrong_key_password(tls_files: TLSFiles, wrong: str) -> None:
    error = config_error(
        **_tls(cert_file=tls_files.cert_file, key_file=tls_files.encrypted_key_file, key_password=wrong)
    )
    found = problem_at(error, "security.tls.key_password")
    assert found.message == "wrong password for the encrypted private key"
    assert found.value == "'**********'"
    assert_no_leak(error, wrong, KEY_PASSWORD)


def test_encrypted_key_without_password(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(cert_file=tls_files.cert_file, key_file=tls_files.encrypted_key_file))
    found = problem_at(error, "security.tls.key_password")
    assert found.message == "the private key is encrypted but no password is set"
    assert found.value is None


def test_tls_files_need_a_tls_protocol(tls_files: TLSFiles) -> None:
    error = config_error(**_tls(protocol="PLAINTEXT", ca_file=tls_files.ca_file))
    found = problem_at(error, "security.protocol")
    assert found.message == "TLS files are set but the protocol does not use TLS"
    assert found.value == "'PLAINTEXT'"


def test_key_password_from_file(tls_files: TLSFiles, tmp_path: Path) -> None:
    password_file = tmp_path / "key-password"
    password_file.write_text(f"{KEY_PASSWORD}\n")
    settings = load(
        **_tls(
            cert_file=tls_files.cert_file,
            key_file=tls_files.encrypted_key_file,
            key_password_file=password_file,
        )
    )
    key_password = settings.security.tls.key_password
    assert key_password is not None
    assert key_password.get_secret_value() == KEY_PASSWORD


def _client_certificate(folder: Path, validity: Validity) -> CertificateFiles:
    return generate_pki(folder, ["alice"], validity=validity).clients["alice"]


def test_expired_client_certificate_names_the_field_its_path_its_end_and_the_fix(tmp_path: Path) -> None:
    not_after = dt.datetime(2024, 3, 1, 12, 30, 5, tzinfo=dt.UTC)
    expired = _client_certificate(tmp_path, (not_after - dt.timedelta(days=30), not_after))
    error = config_error(**_tls(cert_file=expired.cert_file, key_file=expired.key_file))
    found = problem_at(error, "security.tls.cert_file")
    assert (
        found.message
        == "the client certificate expired on 2024-03-01 12:30:05 UTC (notAfter); brokers refuse it"
    )
    assert found.value == repr(str(expired.cert_file))
    assert found.hint == (
        "renew it: have the CA the brokers trust issue a new certificate, and point cert_file (and key_file, "
        "if the key changed) at it"
    )
    assert [p.path for p in error.problems] == ["security.tls.cert_file"]
    assert_no_leak(error, expired.key_file.read_text().splitlines()[1])  # no key material


def test_client_certificate_not_valid_yet_names_its_start(tmp_path: Path) -> None:
    not_before = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    early = _client_certificate(tmp_path, (not_before, not_before + dt.timedelta(days=30)))
    error = config_error(**_tls(cert_file=early.cert_file, key_file=early.key_file))
    found = problem_at(error, "security.tls.cert_file")
    assert found.message == (
        f"the client certificate is not valid before {not_before:%Y-%m-%d %H:%M:%S} UTC (notBefore); "
        "brokers refuse it"
    )
    assert found.value == repr(str(early.cert_file))
    assert found.hint == "check this host's clock, or use a certificate that is valid now"


def test_client_certificate_valid_until_a_moment_from_now_is_accepted(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    current = _client_certificate(tmp_path, (now - dt.timedelta(days=1), now + dt.timedelta(minutes=1)))
    settings = load(**_tls(cert_file=current.cert_file, key_file=current.key_file))
    assert settings.security.tls.cert_file == current.cert_file


def test_the_dates_checked_are_the_client_certificates_not_the_rest_of_its_chain(tmp_path: Path) -> None:
    """A chain file (the client's certificate, then its CA's) is judged by its first certificate."""
    now = dt.datetime.now(dt.UTC)
    pki = generate_pki(tmp_path, ["alice"], validity=(now - dt.timedelta(days=2), now - dt.timedelta(days=1)))
    alice = pki.clients["alice"]
    chain = tmp_path / "chain.pem"
    chain.write_bytes(alice.cert_file.read_bytes() + pki.ca_file.read_bytes())  # the CA is still valid
    error = config_error(**_tls(cert_file=chain, key_file=alice.key_file))
    assert problem_at(error, "security.tls.cert_file").message.startswith(
        "the client certificate expired on "
    )
