"""A throwaway certificate authority with broker and client certificates, for the TLS listeners.

Everything is generated at start-up with the ``cryptography`` package (the ``testing`` extra) and written
as PEM files, which both the Java broker (``ssl.keystore.type=PEM``) and the Python clients read. The CA's
key is written too, so a test can issue more certificates later (:func:`issue_client_certificate`), and
validity windows and host names can be chosen, so a test can build the certificates a broker or client
must refuse: expired, or issued for another host.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka_client.errors import MissingDependencyError

Validity = tuple[dt.datetime, dt.datetime]
"""A certificate's ``(not_before, not_after)``, timezone-aware."""


@dataclass(frozen=True)
class CertificateFiles:
    """PEM files of one certificate: the certificate, its (unencrypted PKCS#8) key, and both together."""

    cert_file: Path
    key_file: Path
    bundle_file: Path


@dataclass(frozen=True)
class TestPKI:
    """The CA (certificate and key), the broker certificate and one client certificate per user."""

    __test__ = False  # a test module that imports it must not have pytest collect it as a test class

    ca_file: Path
    ca_key_file: Path
    broker: CertificateFiles
    clients: dict[str, CertificateFiles]


def default_validity() -> Validity:
    """From an hour ago (clock skew) to two days from now: longer than any test session."""
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(hours=1), now + dt.timedelta(days=2)


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


def _name(common_name: str) -> Any:
    x509, _, _, _, name_oid, _ = _crypto()
    return x509.Name(
        [
            x509.NameAttribute(name_oid.ORGANIZATION_NAME, "kafka-client test"),
            x509.NameAttribute(name_oid.COMMON_NAME, common_name),
        ]
    )


def _write_key(key: Any, path: Path) -> None:
    _, _, serialization, _, _, _ = _crypto()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)


@dataclass(frozen=True)
class _Authority:
    """A CA's certificate and key, in memory, issuing certificates into ``folder``."""

    cert: Any
    key: Any

    def issue(
        self,
        folder: Path,
        label: str,
        common_name: str,
        *,
        server: bool,
        validity: Validity,
        sans: Sequence[Any] = (),
    ) -> CertificateFiles:
        x509, hashes, serialization, ec, _, eku = _crypto()
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(validity[0])
            .not_valid_after(validity[1])
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([eku.SERVER_AUTH if server else eku.CLIENT_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        files = CertificateFiles(folder / f"{label}.crt", folder / f"{label}.key", folder / f"{label}.pem")
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        files.cert_file.write_bytes(cert_pem)
        _write_key(key, files.key_file)
        files.bundle_file.write_bytes(files.key_file.read_bytes() + cert_pem)
        files.bundle_file.chmod(0o600)
        return files


def _new_authority(folder: Path, validity: Validity) -> tuple[_Authority, Path, Path]:
    x509, hashes, serialization, ec, _, _ = _crypto()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("kafka-client test CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
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
    ca_file, ca_key_file = folder / "ca.pem", folder / "ca.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(ca_key, ca_key_file)
    return _Authority(ca_cert, ca_key), ca_file, ca_key_file


def generate_pki(
    folder: Path,
    users: Iterable[str],
    hostnames: Iterable[str] = ("localhost",),
    *,
    ip_addresses: Iterable[str] = ("127.0.0.1",),
    validity: Validity | None = None,
) -> TestPKI:
    """Create a CA, a broker certificate for ``hostnames`` and ``ip_addresses``, and a client certificate
    per user, all valid for ``validity`` (default :func:`default_validity`).

    The broker certificate's CN is the first host name; every host name and IP address is a subject
    alternative name, which is what a client checking host names compares. Client certificates have
    ``CN=<user>``; the broker maps that to the principal ``User:<user>``. The CA is valid for both the
    default window and ``validity``, so a certificate issued outside the default window (expired, say)
    is the only thing wrong. Example, a broker certificate that expired yesterday, for another host::

        yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        generate_pki(folder, [], ["kafka.example.com"], ip_addresses=[],
                     validity=(yesterday - dt.timedelta(days=1), yesterday))
    """
    x509, _, _, _, _, _ = _crypto()
    folder.mkdir(parents=True, exist_ok=True)
    usual = default_validity()
    validity = validity or usual
    ca, ca_file, ca_key_file = _new_authority(
        folder, (min(usual[0], validity[0]), max(usual[1], validity[1]))
    )
    hosts = list(hostnames)
    if not hosts:
        raise ValueError("the broker certificate needs at least one host name (its CN)")
    sans: list[Any] = [x509.DNSName(h) for h in hosts]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    broker = ca.issue(folder, "broker", hosts[0], server=True, validity=validity, sans=sans)
    clients = {
        user: ca.issue(folder, f"client-{user}", user, server=False, validity=validity) for user in users
    }
    return TestPKI(ca_file=ca_file, ca_key_file=ca_key_file, broker=broker, clients=clients)


def issue_client_certificate(
    pki: TestPKI, user: str, folder: Path, *, validity: Validity | None = None
) -> CertificateFiles:
    """Issue one more client certificate (``CN=<user>``) from ``pki``'s CA into ``folder``.

    For a certificate the broker's truststore accepts except for one thing, e.g. an expired one::

        issue_client_certificate(kafka.pki, "alice", tmp_path, validity=(two_days_ago, yesterday))
    """
    x509, _, serialization, _, _, _ = _crypto()
    folder.mkdir(parents=True, exist_ok=True)
    ca = _Authority(
        x509.load_pem_x509_certificate(pki.ca_file.read_bytes()),
        serialization.load_pem_private_key(pki.ca_key_file.read_bytes(), password=None),
    )
    return ca.issue(folder, f"client-{user}", user, server=False, validity=validity or default_validity())
