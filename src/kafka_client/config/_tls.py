"""Checking TLS files with the standard ``ssl`` module, the way a client will load them.

A wrong path, a file that is not PEM, a private key that does not match its certificate, a wrong key
password, or a client certificate that has expired (or is not valid yet) otherwise surfaces only at
connect time, as an opaque handshake failure from the native library, or as the broker's refusal
(which for an expired certificate says only "certificate unknown"). Loading the files here turns each
into a problem that names the setting to fix.
"""

from __future__ import annotations

import _ssl
import datetime as dt
import ssl
import time
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
    outside = _validity_problem(cert_file)
    if outside is not None:
        problems.append(outside)
    return problems


def _validity_window(cert_file: Path) -> tuple[float, float] | None:
    """The (notBefore, notAfter) of the file's first certificate (the client's own, in a chain file), in
    epoch seconds; None when they cannot be read."""
    # The ssl module decodes a certificate file only through this helper (the one its own tests use);
    # without it (another Python), the dates go unchecked and the broker is the judge.
    decode = getattr(_ssl, "_test_decode_cert", None)
    if decode is None:
        return None
    try:
        fields = decode(str(cert_file))
        return ssl.cert_time_to_seconds(fields["notBefore"]), ssl.cert_time_to_seconds(fields["notAfter"])
    except (ssl.SSLError, OSError, ValueError, KeyError, TypeError):
        return None


def _utc(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _validity_problem(cert_file: Path) -> ConfigProblem | None:
    """An expired or not yet valid client certificate: every broker would refuse it, with only
    "certificate unknown" to say why."""
    window = _validity_window(cert_file)
    if window is None:
        return None
    not_before, not_after = window
    now = time.time()
    if now > not_after:
        return problem(
            "cert_file",
            f"the client certificate expired on {_utc(not_after)} (notAfter); brokers refuse it",
            "renew it: have the CA the brokers trust issue a new certificate, and point cert_file (and "
            "key_file, if the key changed) at it",
            cert_file,
        )
    if now < not_before:
        return problem(
            "cert_file",
            f"the client certificate is not valid before {_utc(not_before)} (notBefore); brokers refuse it",
            "check this host's clock, or use a certificate that is valid now",
            cert_file,
        )
    return None


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
