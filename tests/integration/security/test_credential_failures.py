"""Wrong credentials fail fast and typed. On the confluent backend, a producer's and a consumer's
``on_error`` hear an ``AuthenticationError`` (wrong SASL password) or a ``TLSError`` (a CA that did not
sign the broker's certificate) within seconds, and the client raises it: the consumer's next empty
``poll()``, the producer's ``flush()`` while messages wait, instead of a delivery or request timeout.

On the kafka-python backend, creating the producer or consumer raises the same types (``on_error`` hears
them first) once the bootstrap server has refused it twice, within about a second: the message holds the
broker's or OpenSSL's reason and the fix.

A send's future fails fast too (the queued messages are failed with the refusal): see
``test_auth_fails_queued.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_client.errors import AuthenticationError, KafkaClientError, TLSError
from kafka_client.testing._certs import generate_pki
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security._failures import FAST_S, create_refused, first_error


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


# The broker's answer to a refused login comes with its close of the connection, and kafka-python loses it
# when both arrive in one read; a close during the login counts as the same refusal (either may come first).
REFUSED_LOGIN = (
    "Authentication failed during authentication due to invalid credentials with SASL mechanism "
    "SCRAM-SHA-512 [SaslAuthenticationFailedError]",
    "the broker closed the connection during the login [KafkaConnectionError]",
)


@pytest.mark.parametrize("case", ["wrong password", "wrong CA"])
def test_kafka_python_refuses_bad_credentials_fast_typed_and_explained(
    kafka_broker: KafkaBroker, tmp_path: Path, role: str, case: str
) -> None:
    settings = kafka_broker.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")
    password = "not-alices-password"
    if case == "wrong password":
        settings["security"]["sasl"]["password"] = password
    else:
        settings["security"]["tls"]["ca_file"] = ca_file = str(generate_pki(tmp_path, ["alice"]).ca_file)
    raised, seconds, heard = create_refused(role, {**settings, "backend": "kafka-python"})
    print(f"\n{case} ({role}): {raised!r} after {seconds:.2f} s")
    port = settings["bootstrap_servers"][0].rsplit(":", 1)[1]
    if case == "wrong password":
        assert type(raised) is AuthenticationError, repr(raised)
        said = str(raised).removeprefix(
            f"creating the {role}: SASL authentication with 127.0.0.1:{port} failed: "
        )
        assert said in tuple(
            f"{reason}; the broker refused the SASL login (security.sasl, mechanism SCRAM-SHA-512): fix the "
            "username and password (or the token), or create the user on the broker"
            for reason in REFUSED_LOGIN
        ), str(raised)
        assert password not in repr(raised)
    else:
        assert type(raised) is TLSError, repr(raised)
        assert str(raised) == (
            f"creating the {role}: the TLS handshake with 127.0.0.1:{port} failed: certificate verify "
            "failed: unable to get local issuer certificate [SSLCertVerificationError]; the broker's "
            f"certificate was not signed by a CA in security.tls.ca_file ({ca_file}): set "
            "security.tls.ca_file to the CA that signed it"
        )
    assert not raised.retriable
    assert seconds < FAST_S
    assert len(heard) == 1
    assert heard[0] is raised
