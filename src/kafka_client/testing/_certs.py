"""A throwaway certificate authority with broker and client certificates, for the TLS listeners.

Everything is generated at start-up with the ``cryptography`` package (the ``testing`` extra) and written
as PEM files, which both the Java broker (``ssl.keystore.type=PEM``) and the Python clients read.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka_client.errors import MissingDependencyError


@dataclass(frozen=True)
class CertificateFiles:
    """PEM files of one certificate: the certificate, its (unencrypted PKCS#8) key, and both together."""

    cert_file: Path
    key_file: Path
    bundle_file: Path


@dataclass(frozen=True)
class TestPKI:
    """The CA, the broker certificate and one client certificate per user."""

    ca_file: Path
    broker: CertificateFiles
    clients: dict[str, CertificateFiles]


def _crypto() -> Any:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "cryptography", "testing", "The embedded broker's TLS listeners"
        ) from exc
    return x509, hashes, serialization, ec, NameOID, ExtendedKeyUsageOID


def generate_pki(folder: Path, users: Iterable[str], hostnames: Iterable[str] = ("localhost",)) -> TestPKI:
    """Create a CA, a broker certificate for ``hostnames`` and 127.0.0.1, and a client certificate per user.

    Client certificates have ``CN=<user>``; the broker maps that to the principal ``User:<user>``.
    """
    x509, hashes, serialization, ec, name_oid, eku = _crypto()
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    not_before, not_after = now - dt.timedelta(hours=1), now + dt.timedelta(days=2)

    def name(common_name: str) -> Any:
        return x509.Name(
            [
                x509.NameAttribute(name_oid.ORGANIZATION_NAME, "kafka-client test"),
                x509.NameAttribute(name_oid.COMMON_NAME, common_name),
            ]
        )

    def write_key(key: Any, path: Path) -> None:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("kafka-client test CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    def issue(label: str, common_name: str, usage: Any, sans: list[Any] | None) -> CertificateFiles:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(common_name))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        files = CertificateFiles(folder / f"{label}.crt", folder / f"{label}.key", folder / f"{label}.pem")
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        files.cert_file.write_bytes(cert_pem)
        write_key(key, files.key_file)
        files.bundle_file.write_bytes(files.key_file.read_bytes() + cert_pem)
        files.bundle_file.chmod(0o600)
        return files

    hosts = list(hostnames)
    sans: list[Any] = [x509.DNSName(h) for h in hosts]
    sans += [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    broker = issue("broker", hosts[0], eku.SERVER_AUTH, sans)
    clients = {user: issue(f"client-{user}", user, eku.CLIENT_AUTH, None) for user in users}
    return TestPKI(ca_file=ca_file, broker=broker, clients=clients)
