"""Wrong credentials fail fast and typed. On the confluent backend, a producer's and a consumer's
``on_error`` hear an ``AuthenticationError`` (wrong SASL password) or a ``TLSError`` (a CA that did not
sign the broker's certificate) within seconds, and the client raises it: the consumer's next empty
``poll()``, the producer's ``flush()`` while messages wait, instead of a delivery or request timeout.

Not covered here (see docs/reliability.md, "Security"): kafka-python, which reports any failed bootstrap
as ``BrokerUnavailableError`` after 30 s, and a send's future, which fails at the delivery timeout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_client.errors import AuthenticationError, KafkaClientError, TLSError
from kafka_client.testing._certs import generate_pki
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security._failures import FAST_S, first_error


@pytest.fixture(params=["producer", "consumer"])
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("case", "expected"),
    [("wrong password", AuthenticationError), ("wrong CA", TLSError)],
)
def test_bad_credentials_reach_on_error_fast_and_typed(
    kafka_broker: KafkaBroker, tmp_path: Path, role: str, case: str, expected: type[KafkaClientError]
) -> None:
    settings = kafka_broker.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
    if case == "wrong password":
        settings["security"]["sasl"]["password"] = "not-alices-password"
    else:
        settings["security"]["tls"]["ca_file"] = str(generate_pki(tmp_path, ["alice"]).ca_file)
    error, seconds, raised, raised_after = first_error({**settings, "backend": "confluent"}, role)
    print(
        f"\n{case} ({role}): {type(error).__name__} after {seconds:.1f} s, raised after {raised_after:.1f} s"
    )
    assert isinstance(error, expected), repr(error)
    assert not error.retriable
    assert seconds < FAST_S
    assert isinstance(raised, expected), repr(raised)  # raised by poll() / flush(), not only reported
    assert raised_after < FAST_S
