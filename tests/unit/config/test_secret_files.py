"""Secrets read from ``*_file`` settings: stripped, exclusive with the value, never shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kafka_client.config import explain_sources, redacted_settings

from ._helpers import SECRET, assert_no_leak, config_error, load, problem_at


def _sasl(**sasl: Any) -> dict[str, Any]:
    return {"security": {"protocol": "SASL_SSL", "sasl": {"mechanism": "PLAIN", "username": "svc", **sasl}}}


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(f"  {SECRET}\n\n")
    return path


def test_password_is_read_and_stripped(secret_file: Path) -> None:
    settings = load(**_sasl(password_file=str(secret_file)))
    sasl = settings.security.sasl
    assert sasl is not None
    assert sasl.password is not None
    assert sasl.password.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
    assert SECRET not in str(redacted_settings(settings))


def test_password_source_is_the_file_setting(secret_file: Path) -> None:
    explained = explain_sources(
        env={"KAFKA_CLIENT_SECURITY__SASL__PASSWORD_FILE": str(secret_file)},
        bootstrap_servers="k:1",
        **_sasl(),
    )
    assert explained.source_of("security.sasl.password") == "env:KAFKA_CLIENT_SECURITY__SASL__PASSWORD_FILE"
    assert (
        explained.source_of("security.sasl.password_file") == "env:KAFKA_CLIENT_SECURITY__SASL__PASSWORD_FILE"
    )


def test_value_and_file_together_is_an_error(secret_file: Path) -> None:
    error = config_error(**_sasl(password="another-secret-value", password_file=str(secret_file)))
    found = problem_at(error, "security.sasl.password")
    assert found.message == "both password and password_file are set"
    assert found.value == "'**********'"
    assert_no_leak(error, SECRET, "another-secret-value")


def test_missing_secret_file(tmp_path: Path) -> None:
    error = config_error(**_sasl(password_file=str(tmp_path / "absent")))
    found = problem_at(error, "security.sasl.password_file")
    assert found.message == "secret file does not exist"
    assert found.value == repr(str(tmp_path / "absent"))
    assert [p.path for p in error.problems] == ["security.sasl.password_file"]


def test_empty_secret_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert problem_at(
        config_error(**_sasl(password_file=str(empty))), "security.sasl.password_file"
    ).message == ("secret file is empty")


def test_oidc_client_secret_from_file(secret_file: Path) -> None:
    oauth = {
        "oidc_token_endpoint_url": "https://idp.example.com/token",
        "oidc_client_id": "kafka-app",
        "oidc_client_secret_file": str(secret_file),
    }
    settings = load(security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}})
    sasl = settings.security.sasl
    assert sasl is not None
    assert sasl.oauth is not None
    assert sasl.oauth.oidc_client_secret is not None
    assert sasl.oauth.oidc_client_secret.get_secret_value() == SECRET


def test_resolved_section_can_be_passed_again(secret_file: Path) -> None:
    first = load(**_sasl(password_file=str(secret_file)))
    again = load(security=first.security)
    assert again.security == first.security


def test_inline_secret_is_kept_verbatim() -> None:
    settings = load(**_sasl(password=f" {SECRET} "))
    assert settings.security.sasl is not None
    assert settings.security.sasl.password is not None
    assert settings.security.sasl.password.get_secret_value() == f" {SECRET} "


def test_dump_and_revalidate_reads_a_rotated_secret(secret_file: Path) -> None:
    first = load(**_sasl(password_file=str(secret_file)))
    dumped = first.model_dump(exclude_unset=True)
    assert "password" not in dumped["security"]["sasl"]
    secret_file.write_text("rotated-secret\n")
    again = load(**dumped)
    assert again.security.sasl is not None
    assert again.security.sasl.password is not None
    assert again.security.sasl.password.get_secret_value() == "rotated-secret"
