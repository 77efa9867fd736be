"""librdkafka's TLS handshake failures become a TLSError whose message says what to check and fix."""

from __future__ import annotations

import confluent_kafka
import pytest

from kafka_client.backends._confluent_errors import error_from_kafka_error, tls_detail
from kafka_client.errors import BrokerUnavailableError, KafkaClientError, TLSError

# The texts librdkafka 2.16 reports (recorded against the embedded broker): the same "certificate verify
# failed" for an expired broker certificate, one for another host, and one from an unknown CA.
BROKER_REFUSED = (
    "sasl_ssl://127.0.0.1:41971/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate "
    "verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly "
    "configured or root CA certificates are installed (install ca-certificates package) (after 3ms in state "
    "SSL_HANDSHAKE)"
)
CLIENT_REFUSED = (
    "ssl://127.0.0.1:43671/bootstrap: Receive failed: error:0A000416:SSL routines::ssl/tls alert certificate "
    "unknown: SSL alert number 46 (after 46ms in state APIVERSION_QUERY)"
)


def _translate(code: int, text: str) -> KafkaClientError:
    return error_from_kafka_error(confluent_kafka.KafkaError(code, text), "producer error")


def test_a_refused_broker_certificate_names_each_cause_its_fix_and_the_command_that_tells() -> None:
    error = _translate(confluent_kafka.KafkaError._SSL, BROKER_REFUSED)
    assert isinstance(error, TLSError)
    assert not error.retriable
    assert str(error) == (
        f"producer error: {BROKER_REFUSED} [_SSL]; the broker's certificate was refused: it has expired (or "
        "is not yet valid), it does not list 127.0.0.1, the host name the client connected to "
        "(security.tls.check_hostname), or it was not signed by a CA in security.tls.ca_file. Renew it, "
        "connect to a name it lists, or set ca_file to the CA that signed it; 'openssl s_client -connect "
        "127.0.0.1:41971 -CAfile <ca_file> -verify_ip 127.0.0.1' prints which (Verify return code)"
    )


def test_a_host_name_is_checked_as_a_name() -> None:
    text = BROKER_REFUSED.replace("sasl_ssl://127.0.0.1:41971", "ssl://kafka-1.example.com:9093")
    assert "-connect kafka-1.example.com:9093 -CAfile <ca_file> -verify_hostname kafka-1.example.com'" in (
        tls_detail(text)
    )


def test_a_refused_client_certificate_is_a_tls_error_not_a_transport_one() -> None:
    error = _translate(confluent_kafka.KafkaError._TRANSPORT, CLIENT_REFUSED)
    assert isinstance(error, TLSError)
    assert not error.retriable
    assert str(error).endswith(
        "[_TRANSPORT]; the broker refused the client's certificate (security.tls.cert_file): it has "
        "expired (or is not yet valid), or it was not signed by a CA in the broker's truststore (the broker "
        "logs only 'SSL handshake failed'). 'openssl x509 -noout -dates -issuer -in <cert_file>' shows "
        "which; renew it, or have it signed by a CA the broker trusts"
    )


@pytest.mark.parametrize(
    ("alert", "says"),
    [
        ("alert certificate expired", "the broker says the client's certificate"),
        ("alert bad certificate", "the broker refused the client's certificate"),
        ("alert unknown ca", "the broker refused the client's certificate"),
        ("alert certificate required", "the listener requires a client certificate"),
    ],
)
def test_each_alert_about_the_client_certificate_says_so(alert: str, says: str) -> None:
    assert says in tls_detail(CLIENT_REFUSED.replace("alert certificate unknown", alert))


def test_other_failures_get_no_tls_advice() -> None:
    error = _translate(
        confluent_kafka.KafkaError._TRANSPORT,
        "ssl://127.0.0.1:9093/bootstrap: Connect to ipv4#127.0.0.1:9093 failed: Connection refused",
    )
    assert type(error) is BrokerUnavailableError
    assert "certificate" not in str(error)
    assert tls_detail("SSL handshake failed: Disconnected") == ""
