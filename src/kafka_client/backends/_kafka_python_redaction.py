"""Keeping SASL secrets out of kafka-python's DEBUG logs.

kafka-python logs every request it sends at DEBUG on ``kafka.protocol.parser`` (and, in 2.x, on
``kafka.conn``), including ``SaslAuthenticateRequest(auth_bytes=...)``: the PLAIN password (an Event
Hubs connection string, say) or the OAUTHBEARER token, in clear; and ``KafkaAdminClient`` logs its
whole configuration (``sasl_plain_password``, ``ssl_password``) at DEBUG when it starts. A filter on
those loggers rewrites such records (and the raw ``Send: bytearray(...)`` frame dumps, which hold the
same bytes) before any handler sees them, whatever logging setup the application has.
"""

from __future__ import annotations

import logging
import re

__all__ = ["install_sasl_redaction"]

#: kafka-python loggers that log whole requests, or (``kafka.admin.client``) a client's configuration.
REQUEST_LOGGERS = ("kafka.protocol.parser", "kafka.conn", "kafka.net.connection", "kafka.admin.client")
#: Configuration keys whose values are secrets, as a logged ``dict`` shows them (``'key': 'value'``).
_SECRET_KEYS = re.compile(
    r"""(['"](?:sasl_plain_password|ssl_password)['"]:\s*)(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)
_AUTH_BYTES = re.compile(r"""auth_bytes=b?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+?(?=[,)]))""")
_REDACTED = "auth_bytes=<redacted>"
# The raw wire dumps (``Send: bytearray(b'...')``) hold the same SASL frames: never shown.
_RAW_FRAME = re.compile(r"""bytearray\(b(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")


class SaslRedactingFilter(logging.Filter):
    """Replaces ``auth_bytes=...`` and raw frame dumps in a record's message with placeholders."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging's own error path
            return True
        if "auth_bytes=" in message or "bytearray(" in message:
            redacted = _AUTH_BYTES.sub(_REDACTED, message)
            record.msg, record.args = _RAW_FRAME.sub("bytearray(<raw bytes not logged>)", redacted), ()
        elif "_password" in message:  # KafkaAdminClient logs its configuration at DEBUG
            record.msg, record.args = _SECRET_KEYS.sub(r"\1'<redacted>'", message), ()
        return True


_installed = False


def install_sasl_redaction() -> None:
    """Add the filter to kafka-python's request loggers, once per process."""
    global _installed
    if _installed:
        return
    for name in REQUEST_LOGGERS:
        logging.getLogger(name).addFilter(SaslRedactingFilter())
    _installed = True
