"""KafkaAdmin without a broker: a missing extra, the memory backend, an unreachable address, error mapping."""

from __future__ import annotations

import concurrent.futures
import socket
import sys
import time

import pytest
from confluent_kafka import KafkaError

from kafka_client import (
    AuthorizationError,
    BrokerUnavailableError,
    FeatureNotSupportedError,
    KafkaClientError,
    KafkaTimeoutError,
    MissingDependencyError,
    TopicError,
)
from kafka_client.admin import KafkaAdmin
from kafka_client.backends._confluent_admin import ConfluentAdmin


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_missing_confluent_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "confluent_kafka", None)
    monkeypatch.setitem(sys.modules, "confluent_kafka.admin", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'generic-kafka-producer\[confluent\]'"):
        KafkaAdmin(bootstrap_servers="localhost:9092")


def test_memory_backend_is_not_supported() -> None:
    with pytest.raises(FeatureNotSupportedError, match="admin API is not supported by the memory backend"):
        KafkaAdmin(bootstrap_servers="memory:9092", backend="memory")


@pytest.mark.parametrize("method", ["describe_cluster", "list_topics", "list_groups"])
def test_unreachable_cluster_fails_within_the_timeout_naming_the_address(method: str) -> None:
    address = f"127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    admin = KafkaAdmin(bootstrap_servers=address, timeout=1.0)
    call = getattr(admin, method)
    with pytest.raises((BrokerUnavailableError, KafkaTimeoutError), match=address):
        call()
    assert time.monotonic() - started < 4


@pytest.fixture(scope="module")
def backend() -> ConfluentAdmin:
    return ConfluentAdmin({"bootstrap.servers": "127.0.0.1:9"})


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (KafkaError.CLUSTER_AUTHORIZATION_FAILED, AuthorizationError),
        (KafkaError.GROUP_AUTHORIZATION_FAILED, AuthorizationError),
        (KafkaError.UNKNOWN_TOPIC_OR_PART, TopicError),
        (KafkaError._TRANSPORT, BrokerUnavailableError),
        (KafkaError._TIMED_OUT, KafkaTimeoutError),
        (KafkaError.REQUEST_TIMED_OUT, KafkaTimeoutError),
    ],
)
def test_errors_map_to_the_specific_class_and_name_the_address(
    backend: ConfluentAdmin, code: int, expected: type[KafkaClientError]
) -> None:
    error = backend._error(KafkaError(code), "describing the cluster")
    assert type(error) is expected
    assert str(error).startswith("describing the cluster at 127.0.0.1:9: ")
    assert error.code == KafkaError(code).name()  # type: ignore[attr-defined]


def test_acls_on_a_cluster_without_authorizer_say_so(backend: ConfluentAdmin) -> None:
    error = backend._error(KafkaError(KafkaError.SECURITY_DISABLED), "describing ACLs")
    assert "the cluster has no authorizer configured" in str(error)


def test_a_future_that_never_completes_is_a_timeout(backend: ConfluentAdmin) -> None:
    error = backend._error(concurrent.futures.TimeoutError(), "listing groups")
    assert isinstance(error, KafkaTimeoutError)
    assert "is a broker reachable at 127.0.0.1:9?" in str(error)
