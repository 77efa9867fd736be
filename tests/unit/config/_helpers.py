"""Assertions shared by the configuration tests."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from kafka_client.config import KafkaClientSettings, load_settings
from kafka_client.errors import ConfigError, ConfigProblem

SECRET = "s3cr3t-Value-9f8e7d"
SERVERS = "kafka-1:9092"


def load(**overrides: Any) -> KafkaClientSettings:
    """Settings from overrides only (no environment, no files), with a valid broker list."""
    overrides.setdefault("bootstrap_servers", SERVERS)
    return load_settings(env={}, **overrides)


def config_error(**overrides: Any) -> ConfigError:
    """The ConfigError that loading these overrides raises."""
    with pytest.raises(ConfigError) as caught:
        load(**overrides)
    return caught.value


def problem_at(error: ConfigError, path: str) -> ConfigProblem:
    """The single problem reported at ``path`` (fails if there is none or several)."""
    found = [p for p in error.problems if p.path == path]
    assert len(found) == 1, f"expected one problem at {path}, got: {error.problems}"
    return found[0]


def assert_no_leak(error: BaseException, *secrets: str) -> None:
    """No secret appears in the error's text, repr, problems or formatted traceback."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, ConfigError):
        texts.extend(repr(p) for p in error.problems)
    for secret in secrets:
        for text in texts:
            assert secret not in text
    assert error.__cause__ is None
    assert error.__suppress_context__
