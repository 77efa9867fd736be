"""The filter that keeps SASL and TLS secrets out of kafka-python's DEBUG logs."""

from __future__ import annotations

import logging

from kafka_client.backends._kafka_python_redaction import SaslRedactingFilter


def _filtered(msg: str, *args: object) -> str:
    record = logging.LogRecord("kafka.admin.client", logging.DEBUG, __file__, 1, msg, args, None)
    assert SaslRedactingFilter().filter(record) is True
    return record.getMessage()


def test_a_logged_admin_configuration_keeps_everything_but_its_secrets() -> None:
    configs = {
        "bootstrap_servers": ["h:9093"],
        "sasl_plain_username": "svc",
        "sasl_plain_password": "it's-S3CRET\\\"x",
        "ssl_password": "kp-S3CRET",
        "ssl_cafile": "/etc/ca.pem",
    }
    said = _filtered("Starting KafkaAdminClient with configuration: %s", configs)
    assert said == (
        "Starting KafkaAdminClient with configuration: {'bootstrap_servers': ['h:9093'], "
        "'sasl_plain_username': 'svc', 'sasl_plain_password': '<redacted>', 'ssl_password': '<redacted>', "
        "'ssl_cafile': '/etc/ca.pem'}"
    )


def test_sasl_frames_and_other_lines() -> None:
    assert _filtered("SaslAuthenticateRequest(auth_bytes=b'\\x00u\\x00pw', x=1)") == (
        "SaslAuthenticateRequest(auth_bytes=<redacted>, x=1)"
    )
    assert _filtered("Send: bytearray(b'\\x00\\x01pw')") == "Send: bytearray(<raw bytes not logged>)"
    assert _filtered("no secret here: %s", 3) == "no secret here: 3"
