"""Checking TLS files with the standard ``ssl`` module, the way a client will load them.

A wrong path, a file that is not PEM, a private key that does not match its certificate, or a wrong
key password otherwise surfaces only at connect time, as an opaque handshake failure from the native
library. Loading the files here turns each into a problem that names the setting to fix.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from pydantic import SecretStr

from kafka_client.config._problems import problem
from kafka_client.errors import ConfigProblem


def _missing_file(path: Path | None, field: str, problems: list[ConfigProblem]) -> bool:
    if path is None:
        return True
    if not path.exists():
        problems.append(problem(field, "file does not exist", "fix the path or create the file", path))
        return True
    if not path.is_file():
        problems.append(problem(field, "is not a regular file", "point it at a PEM file", path))
        return True
    return False


def _loads_as_certificates(path: Path) -> bool:
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        return False
    return True


def _is_encrypted_key(path: Path) -> bool:
    try:
        return "ENCRYPTED" in path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False


def tls_file_problems(
    ca_file: Path | None, cert_file: Path | None, key_file: Path | None, key_password: SecretStr | None
) -> list[ConfigProblem]:
    """Every problem with the TLS files, as paths relative to the ``tls`` section."""
    problems: list[ConfigProblem] = []
    ca_usable = not _missing_file(ca_file, "ca_file", problems) and ca_file is not None
    if ca_usable and ca_file is not None and not _loads_as_certificates(ca_file):
        problems.append(
            problem(
                "ca_file",
                "is not a PEM file of CA certificates",
                "use the PEM-encoded certificate(s) of the CA that signed the brokers' certificates",
                ca_file,
            )
        )
    if cert_file is not None and key_file is None:
        problems.append(
            problem(
                "key_file",
                "a client certificate (cert_file) needs its private key",
                "set security.tls.key_file, or remove security.tls.cert_file",
                None,
            )
        )
    if key_file is not None and cert_file is None:
        problems.append(
            problem(
                "cert_file",
                "a private key (key_file) needs its client certificate",
                "set security.tls.cert_file, or remove security.tls.key_file",
                None,
            )
        )
    cert_missing = _missing_file(cert_file, "cert_file", problems)
    key_missing = _missing_file(key_file, "key_file", problems)
    if cert_missing or key_missing or cert_file is None or key_file is None:
        return problems
    if not _loads_as_certificates(cert_file):
        problems.append(
            problem(
                "cert_file", "is not a PEM certificate", "use the PEM-encoded client certificate", cert_file
            )
        )
        return problems
    password = key_password.get_secret_value() if key_password is not None else ""
    try:
        # A callable password never falls back to OpenSSL's interactive prompt.
        ssl.create_default_context().load_cert_chain(str(cert_file), str(key_file), password=lambda: password)
    except ssl.SSLError as exc:
        problems.append(_key_problem(exc, key_file, key_password))
    return problems


def _key_problem(exc: ssl.SSLError, key_file: Path, key_password: SecretStr | None) -> ConfigProblem:
    if exc.reason == "KEY_VALUES_MISMATCH":
        return problem(
            "key_file",
            "private key does not match the certificate in cert_file",
            "use the key the certificate was issued for",
            key_file,
        )
    if _is_encrypted_key(key_file):
        if key_password is not None:
            return problem(
                "key_password",
                "wrong password for the encrypted private key",
                "fix security.tls.key_password (or the file named by key_password_file)",
                key_password,
                secret=True,
            )
        return problem(
            "key_password",
            "the private key is encrypted but no password is set",
            "set security.tls.key_password or security.tls.key_password_file",
            None,
            show=False,
        )
    return problem("key_file", "is not a PEM private key", "use the PEM-encoded private key", key_file)
