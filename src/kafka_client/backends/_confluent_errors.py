"""Translation of confluent-kafka's errors into kafka_client's, in one place (most specific first)."""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from kafka_client.errors import (
    AuthenticationError,
    AuthorizationError,
    BrokerUnavailableError,
    CommitError,
    DeliveryError,
    KafkaClientError,
    KafkaTimeoutError,
    QueueFullError,
    TLSError,
    TopicError,
    TransactionError,
)

_BY_NAME: dict[str, type[KafkaClientError]] = {
    "TOPIC_AUTHORIZATION_FAILED": AuthorizationError,
    "GROUP_AUTHORIZATION_FAILED": AuthorizationError,
    "CLUSTER_AUTHORIZATION_FAILED": AuthorizationError,
    "TRANSACTIONAL_ID_AUTHORIZATION_FAILED": AuthorizationError,
    "_AUTHENTICATION": AuthenticationError,
    "SASL_AUTHENTICATION_FAILED": AuthenticationError,
    "_SSL": TLSError,
    "_TRANSPORT": BrokerUnavailableError,
    "_ALL_BROKERS_DOWN": BrokerUnavailableError,
    "_RESOLVE": BrokerUnavailableError,
    "_TIMED_OUT": KafkaTimeoutError,
    "REQUEST_TIMED_OUT": KafkaTimeoutError,
    "_QUEUE_FULL": QueueFullError,
    "UNKNOWN_TOPIC_OR_PART": TopicError,
    "_UNKNOWN_TOPIC": TopicError,
    "_UNKNOWN_PARTITION": TopicError,
    "TOPIC_ALREADY_EXISTS": TopicError,
    "ILLEGAL_GENERATION": CommitError,
    "REBALANCE_IN_PROGRESS": CommitError,
    "UNKNOWN_MEMBER_ID": CommitError,
    "_NO_OFFSET": CommitError,
}


# Texts librdkafka puts in a transport error when the TLS handshake (not the network) failed.
_TLS_MARKS = ("SSL routines", "SSL handshake failed", "certificate verify failed")
# The client refused the broker's certificate. librdkafka says only this (and advises checking
# ssl.ca.location) whatever OpenSSL's reason was: expired, issued for another host, or an unknown CA.
_BROKER_CERT_REFUSED = "certificate verify failed"
# TLS alerts a broker sends when it refuses the client's certificate. Java sends "certificate unknown" for
# an expired certificate as for an untrusted one, and logs neither reason at INFO.
_CLIENT_CERT_ALERTS = (
    "alert certificate unknown",
    "alert bad certificate",
    "alert unknown ca",
    "alert certificate revoked",
    "alert unsupported certificate",
)
_BROKER_ADDRESS = re.compile(r"\b(?:sasl_)?ssl://(\S+?):(\d+)/")

_DENIED_RESOURCES = (
    ("TRANSACTIONAL_ID", "TRANSACTIONAL_ID"),
    ("TRANSACTIONALID", "TRANSACTIONAL_ID"),
    ("TOPIC", "TOPIC"),
    ("GROUP", "GROUP"),
    ("CLUSTER", "CLUSTER"),
)
_DENIED_OPERATIONS = (
    ("delivery to", "WRITE"),
    ("producing", "WRITE"),
    ("reading watermarks", "DESCRIBE"),
    ("describing", "DESCRIBE"),
    ("listing", "DESCRIBE"),
    ("committing", "READ"),
    ("consuming", "READ"),
    ("fetching", "READ"),
    ("creating", "CREATE"),
    ("deleting", "DELETE"),
    ("altering", "ALTER"),
)


def authorization_detail(code: str, what: str, name: str | None = None) -> str:
    """``"; denied: WRITE on TOPIC 'orders'"`` for an authorization error, from its code and the call.

    Both backends append it to an AuthorizationError's message, so the operator sees which ACL is
    missing (the operation guessed from what the client was doing; the name when it is known).
    """
    upper = code.upper().replace("_", "")
    resource = next((ours for key, ours in _DENIED_RESOURCES if key.replace("_", "") in upper), "a resource")
    operation = next((op for prefix, op in _DENIED_OPERATIONS if what.lower().startswith(prefix)), None)
    if name is None and "'" in what:
        name = what.split("'")[1]
    target = f"{resource} {name!r}" if name else resource
    return f"; denied: {operation} on {target}" if operation else f"; denied on {target}"


def tls_detail(text: str) -> str:
    """What a failed TLS handshake means and how to fix it, appended to librdkafka's ``text``.

    librdkafka's text cannot tell the causes of a refused broker certificate apart, so this names each
    with its fix, and the ``openssl s_client`` command that prints which one it is for that broker.
    """
    lowered = text.lower()
    if _BROKER_CERT_REFUSED in lowered:
        found = _BROKER_ADDRESS.search(text)
        host, port = (found.group(1).strip("[]"), found.group(2)) if found else ("<host>", "<port>")
        try:
            ipaddress.ip_address(host)
            check = f"-verify_ip {host}"
        except ValueError:
            check = f"-verify_hostname {host}"
        return (
            "; the broker's certificate was refused: it has expired (or is not yet valid), it does not "
            f"list {host}, the host name the client connected to (security.tls.check_hostname), or it "
            "was not signed by a CA in security.tls.ca_file. Renew it, connect to a name it lists, or set "
            "ca_file to the CA that signed it; 'openssl s_client -connect "
            f"{host}:{port} -CAfile <ca_file> {check}' prints which (Verify return code)"
        )
    if "alert certificate expired" in lowered:
        return "; the broker says the client's certificate (security.tls.cert_file) has expired: renew it"
    if any(alert in lowered for alert in _CLIENT_CERT_ALERTS):
        return (
            "; the broker refused the client's certificate (security.tls.cert_file): it has expired (or is "
            "not yet valid), or it was not signed by a CA in the broker's truststore (the broker logs only "
            "'SSL handshake failed'). 'openssl x509 -noout -dates -issuer -in <cert_file>' shows which; "
            "renew it, or have it signed by a CA the broker trusts"
        )
    if "alert certificate required" in lowered:
        return "; the listener requires a client certificate: set security.tls.cert_file and key_file"
    return ""


def error_from_kafka_error(
    error: Any, what: str, default: type[KafkaClientError] = KafkaClientError
) -> KafkaClientError:
    """Map one ``confluent_kafka.KafkaError`` to the kafka_client exception that names the problem.

    The result carries ``code`` (librdkafka's error name) and ``retriable`` from the original.
    """
    name = error.name()
    cls = _BY_NAME.get(name, default)
    if cls is BrokerUnavailableError and any(mark in error.str() for mark in _TLS_MARKS):
        cls = TLSError  # librdkafka reports some handshake failures as transport errors
    text = f"{what}: {error.str()} [{name}]"
    if cls is AuthorizationError:
        text += authorization_detail(name, what)
    elif cls is TLSError:
        text += tls_detail(error.str())
    exc: KafkaClientError
    if cls is TransactionError or (default is TransactionError and cls is KafkaClientError):
        exc = TransactionError(text, abortable=error.txn_requires_abort(), retriable=error.retriable())
    else:
        exc = cls(text)
        exc.retriable = bool(error.retriable()) or cls.retriable
    exc.code = name  # type: ignore[attr-defined]
    return exc


def delivery_error(error: Any, topic: str) -> KafkaClientError:
    """The exception a failed delivery report becomes: a specific class if any, else DeliveryError."""
    return error_from_kafka_error(error, f"delivery to {topic!r} failed", DeliveryError)


@contextlib.contextmanager
def translate_errors(what: str, default: type[KafkaClientError] = KafkaClientError) -> Iterator[None]:
    """Run a confluent-kafka call, turning its exceptions into kafka_client's (keeping ``__cause__``)."""
    import confluent_kafka

    try:
        yield
    except confluent_kafka.KafkaException as exc:
        raise error_from_kafka_error(exc.args[0], what, default) from exc
    except BufferError as exc:
        raise QueueFullError(f"{what}: the producer's local queue is full ({exc})") from exc
