"""Fixtures for the configuration tests: a clean environment and throwaway TLS files."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

KEY_PASSWORD = "key-pass-7f3a"


@dataclass(frozen=True)
class TLSFiles:
    """A CA, a client certificate signed by it, its key (plain and encrypted), and bad files."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    encrypted_key_file: Path
    other_key_file: Path
    junk_file: Path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No KAFKA_CLIENT_* variable of the machine running the tests leaks into them."""
    for name in list(os.environ):
        if name.upper().startswith("KAFKA_CLIENT_"):
            monkeypatch.delenv(name)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey, password: str | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """PEM files generated once per session with ``cryptography``."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("test-ca"))
        .issuer_name(_name("test-ca"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("client"))
        .issuer_name(ca_cert.subject)
        .public_key(client_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    files = TLSFiles(
        ca_file=folder / "ca.pem",
        cert_file=folder / "client.pem",
        key_file=folder / "client.key",
        encrypted_key_file=folder / "client-encrypted.key",
        other_key_file=folder / "other.key",
        junk_file=folder / "junk.pem",
    )
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(client_cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(_pem_key(client_key))
    files.encrypted_key_file.write_bytes(_pem_key(client_key, KEY_PASSWORD))
    files.other_key_file.write_bytes(_pem_key(ec.generate_private_key(ec.SECP256R1())))
    files.junk_file.write_text("this is not PEM\n")
    return files
