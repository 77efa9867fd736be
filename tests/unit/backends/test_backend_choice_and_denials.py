"""Which backend ``auto`` picks, and the ACL an authorization error says is missing."""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import pytest

from kafka_client.backends import _select
from kafka_client.backends._confluent_errors import authorization_detail
from kafka_client.errors import MissingDependencyError


def _installed(*names: str) -> Any:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        if name in ("confluent_kafka", "kafka"):
            return real(name) if name in names else None
        return real(name, *args)

    return find_spec


@pytest.mark.parametrize("name", ["confluent", "kafka-python", "memory"])
def test_an_explicit_backend_is_taken_as_is(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_select.importlib.util, "find_spec", _installed())
    assert _select.resolve_backend(name) == name


def test_auto_prefers_confluent_kafka(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_select.importlib.util, "find_spec", _installed("confluent_kafka", "kafka"))
    assert _select.resolve_backend("auto") == "confluent"


def test_auto_falls_back_to_kafka_python_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_select.importlib.util, "find_spec", _installed("kafka"))
    with caplog.at_level(logging.INFO, logger="kafka_client"):
        assert _select.resolve_backend("auto") == "kafka-python"
    assert [r.getMessage() for r in caplog.records] == [
        "backend auto: confluent-kafka is not installed, using the kafka-python fallback"
    ]


def test_auto_without_any_backend_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_select.importlib.util, "find_spec", _installed())
    with pytest.raises(MissingDependencyError) as info:
        _select.resolve_backend("auto")
    assert str(info.value) == (
        "kafka_client (no Kafka backend is installed) needs the 'confluent-kafka' package, which is not "
        "installed. Install it with: pip install 'generic-kafka-producer[confluent]'"
    )


@pytest.mark.parametrize(
    ("code", "what", "name", "detail"),
    [
        ("TOPIC_AUTHORIZATION_FAILED", "delivery to 'orders'", None, "; denied: WRITE on TOPIC 'orders'"),
        ("GROUP_AUTHORIZATION_FAILED", "committing offsets", "billing", "; denied: READ on GROUP 'billing'"),
        (
            "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
            "creating a transaction",
            "tx-1",
            "; denied: CREATE on TRANSACTIONAL_ID 'tx-1'",
        ),
        ("CLUSTER_AUTHORIZATION_FAILED", "altering configs", None, "; denied: ALTER on CLUSTER"),
        ("TOPIC_AUTHORIZATION_FAILED", "rebalancing", "orders", "; denied on TOPIC 'orders'"),
        ("SASL_AUTHENTICATION_FAILED", "fetching", None, "; denied: READ on a resource"),
    ],
)
def test_the_denied_operation_and_resource_come_from_the_code_and_the_call(
    code: str, what: str, name: str | None, detail: str
) -> None:
    assert authorization_detail(code, what, name) == detail
