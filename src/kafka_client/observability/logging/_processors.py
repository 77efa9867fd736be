"""structlog processors: the Kafka, correlation and trace context of a log line, and secret redaction.

Each one reads context at the moment of logging, so nothing is built on the hot path: the consumer only
sets two context variables per message, and the fields are derived when (if ever) something is logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from pydantic import BaseModel, SecretBytes, SecretStr

from kafka_client.observability.correlation import _current as _correlation_id
from kafka_client.observability.correlation import resolved

__all__ = [
    "REDACTED",
    "add_kafka_context",
    "add_trace_context",
    "redact_secrets",
    "register_secret",
    "register_settings_secrets",
]

EventDict = MutableMapping[str, Any]

#: What a secret is replaced with.
REDACTED = "[redacted]"

# While a message is being processed: the logging plugin's scope, whose ``client_id`` and ``message``
# attributes say which.
message_scope: ContextVar[Any] = ContextVar("kafka_client_message_scope", default=None)

# Keys whose value is a secret: they end with the secret's kind (sasl.password, oidc_client_secret,
# access_token, api-key), so "password_file" or "token_count" stay readable.
_SECRET_KEY = re.compile(r"(passw(or)?d|passphrase|secret|token|credentials?|api[_.-]?key)$", re.IGNORECASE)
# A secret this short would blank out ordinary words; configuration validation rejects such passwords
# for SASL in practice, and the key-based rule still applies to them.
_MIN_SECRET_LENGTH = 4
_secrets: set[str] = set()


def add_kafka_context(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Add ``correlation_id`` and, inside a message's processing, ``topic``, ``partition``, ``offset`` and
    ``client_id`` (values passed explicitly to the log call win)."""
    correlation_id = resolved(_correlation_id.get())
    if correlation_id is not None:
        event_dict.setdefault("correlation_id", correlation_id)
    scope = message_scope.get()
    if scope is not None:
        message = scope.message
        event_dict.setdefault("topic", message.topic)
        event_dict.setdefault("partition", message.partition)
        event_dict.setdefault("offset", message.offset)
        event_dict.setdefault("client_id", scope.client_id)
    return event_dict


def add_trace_context(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Add ``trace_id`` and ``span_id`` (hex, as trace backends show them) of the current span, if any."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def redact_secrets(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Replace values under secret-sounding keys (``password``, ``sasl.password``, ``api_key``...), and
    every known secret (see :func:`register_secret`) inside string values, with ``[redacted]``.

    Put it last before the renderer, after exceptions are formatted, so tracebacks are covered too.
    """
    for key, value in event_dict.items():
        if _SECRET_KEY.search(key) and value is not None:
            event_dict[key] = REDACTED
        elif _secrets and isinstance(value, str):
            event_dict[key] = _scrub(value)
    return event_dict


def _scrub(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def register_secret(value: str | None) -> None:
    """Make :func:`redact_secrets` scrub ``value`` wherever it appears in a log line."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _secrets.add(value)


def register_settings_secrets(settings: BaseModel) -> None:
    """Register every secret a settings object holds: its ``SecretStr`` fields, at any depth, and
    values of secret-sounding keys in mappings (``native: {"sasl.password": ...}``)."""
    for value in _secret_values(settings):
        register_secret(value)


def _secret_values(obj: object) -> Iterable[str]:
    if isinstance(obj, SecretStr):
        yield obj.get_secret_value()
    elif isinstance(obj, SecretBytes):
        yield obj.get_secret_value().decode("utf-8", "replace")
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _secret_values(getattr(obj, name))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, str) and _SECRET_KEY.search(str(key)):
                yield value
            else:
                yield from _secret_values(value)
