"""A secret file that exists but cannot be read is one ConfigError problem saying why, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._helpers import config_error, problem_at


def _sasl_file(path: Path) -> dict[str, Any]:
    sasl = {"mechanism": "PLAIN", "username": "svc", "password_file": str(path)}
    return {"security": {"protocol": "SASL_SSL", "sasl": sasl}}


def test_a_directory_in_place_of_the_secret_file(tmp_path: Path) -> None:
    found = problem_at(config_error(**_sasl_file(tmp_path)), "security.sasl.password_file")
    assert found.message == "secret file cannot be read (Is a directory)"
    assert found.hint == "check the path and the file's permissions; it must be UTF-8 text"
    assert found.value == repr(str(tmp_path))


def test_a_secret_file_that_is_not_utf8(tmp_path: Path) -> None:
    binary = tmp_path / "password.bin"
    binary.write_bytes(b"\xff\xfe\x00secret")
    error = config_error(**_sasl_file(binary))
    found = problem_at(error, "security.sasl.password_file")
    assert found.message == "secret file cannot be read (UnicodeDecodeError)"
    assert [p.path for p in error.problems] == ["security.sasl.password_file"]
