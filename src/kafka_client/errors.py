"""One exception hierarchy for everything kafka_client raises.

Every error the library raises derives from :class:`KafkaClientError`, so ``except KafkaClientError``
catches all of them; the subclasses say what went wrong precisely enough to act on. Errors from the
underlying client libraries are translated at the backend seam and kept as ``__cause__``.

Messages never contain secrets: configuration errors redact secret values before building their text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "BrokerStartupError",
    "BrokerUnavailableError",
    "ChecksumMismatchError",
    "CommitError",
    "ConfigError",
    "ConfigProblem",
    "ConsumerError",
    "DeliveryError",
    "DeserializationError",
    "EmbeddedKafkaError",
    "FeatureNotSupportedError",
    "JarDownloadError",
    "JavaNotFoundError",
    "KafkaClientError",
    "KafkaTimeoutError",
    "MissingDependencyError",
    "PortInUseError",
    "ProducerError",
    "QueueFullError",
    "SerializationError",
    "TLSError",
    "TopicError",
    "TransactionError",
]


class KafkaClientError(Exception):
    """Base class of every exception raised by kafka_client.

    ``retriable`` tells whether repeating the same operation later may succeed (a broker that is
    restarting) or never will (a denied ACL, a bad configuration).
    """

    retriable: bool = False


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigProblem:
    """One problem found in a configuration: where, what value, what is wrong, and how to fix it.

    ``value`` is already redacted when the field holds a secret. ``source`` says where the offending
    value came from (``file:app.yaml``, ``env:KAFKA_CLIENT_PRODUCER__ACKS``, ...) when that is known,
    so a value set by a forgotten environment variable is found quickly.
    """

    path: str
    message: str
    value: str | None = None
    hint: str | None = None
    source: str | None = None

    def __str__(self) -> str:
        text = f"{self.path or '<root>'}: {self.message}"
        details = []
        if self.value is not None:
            details.append(f"got {self.value}")
        if self.source:
            details.append(f"from {self.source}")
        if details:
            text += f" ({', '.join(details)})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class ConfigError(KafkaClientError, ValueError):
    """The configuration is invalid; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: Sequence[ConfigProblem], source: str | None = None) -> None:
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        header = f"{count} configuration problem{'s' if count != 1 else ''}{where}:"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{header}\n{body}")


class FeatureNotSupportedError(KafkaClientError, NotImplementedError):
    """The selected backend cannot offer this feature; the message names the alternative."""

    def __init__(self, feature: str, backend: str, alternative: str) -> None:
        self.feature = feature
        self.backend = backend
        self.alternative = alternative
        super().__init__(f"{feature} is not supported by the {backend} backend; {alternative}")


class MissingDependencyError(KafkaClientError, ImportError):
    """An optional dependency is not installed; the message gives the exact install command."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs the '{package}' package, which is not installed. "
            f"Install it with: pip install 'generic-kafka-producer[{extra}]'"
        )


# --- talking to the cluster ----------------------------------------------------------------------


class BrokerUnavailableError(KafkaClientError, ConnectionError):
    """No broker could be reached (wrong address, broker down, network or TLS handshake failure)."""

    retriable = True


class AuthenticationError(KafkaClientError):
    """The broker rejected the client's credentials (SASL or TLS client certificate)."""


class TLSError(AuthenticationError):
    """The TLS handshake failed: the broker's certificate is not trusted (wrong CA, expired, wrong
    hostname) or the broker refused the client's certificate. Retrying with the same settings fails
    the same way: fix ``security.tls`` (``ca_file``, ``cert_file``/``key_file``, ``check_hostname``)."""


class AuthorizationError(KafkaClientError, PermissionError):
    """The broker's ACLs deny the operation to the authenticated principal."""


class KafkaTimeoutError(KafkaClientError, TimeoutError):
    """An operation did not complete within its timeout."""

    retriable = True


class TopicError(KafkaClientError):
    """A topic does not exist, already exists, or cannot be created or changed as asked."""


# --- producing and consuming ---------------------------------------------------------------------


class ProducerError(KafkaClientError):
    """Base class of errors raised while producing."""


class DeliveryError(ProducerError):
    """The broker did not acknowledge a message within the delivery timeout, or rejected it."""


class QueueFullError(ProducerError):
    """The producer's local queue is full and the queue-full policy says to raise."""

    retriable = True


class TransactionError(ProducerError):
    """A transaction could not be started, committed or aborted.

    ``abortable`` is True when the transaction can (and must) be aborted and retried; False when the
    producer is fenced or in a fatal state and must be closed.
    """

    def __init__(self, message: str, *, abortable: bool = False, retriable: bool = False) -> None:
        super().__init__(message)
        self.abortable = abortable
        self.retriable = retriable


class ConsumerError(KafkaClientError):
    """Base class of errors raised while consuming."""


class CommitError(ConsumerError):
    """Committing offsets failed (for example after the group rebalanced away the partition)."""


class SerializationError(KafkaClientError):
    """A key or value could not be serialized.

    ``topic`` and ``field`` (``"key"`` or ``"value"``) say where the object was going and ``obj_type``
    names its type (``"decimal.Decimal"``); the object itself is not kept, as it may be large or
    sensitive. The exception the serializer hit is ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        topic: str | None = None,
        field: str | None = None,
        obj_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.topic = topic
        self.field = field
        self.obj_type = obj_type


class DeserializationError(KafkaClientError):
    """A record's key or value could not be deserialized (a poison pill).

    ``topic``, ``partition``, ``offset`` and ``field`` (``"key"`` or ``"value"``) say where the record
    is; ``raw`` holds the original bytes untouched, so a dead-letter queue can forward them exactly as
    they arrived. The exception the deserializer hit is ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        field: str | None = None,
        raw: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.field = field
        self.raw = raw


# --- the embedded test broker --------------------------------------------------------------------


class EmbeddedKafkaError(KafkaClientError):
    """Base class of errors raised by :class:`kafka_client.testing.EmbeddedKafka`."""


class JavaNotFoundError(EmbeddedKafkaError):
    """No usable Java (17 or newer) was found to run the embedded broker."""


class JarDownloadError(EmbeddedKafkaError):
    """A broker jar could not be downloaded from the Maven repository."""

    retriable = True


class ChecksumMismatchError(EmbeddedKafkaError):
    """A downloaded broker jar does not match the sha256 recorded in the lock file."""


class PortInUseError(EmbeddedKafkaError, OSError):
    """A port the embedded broker was asked to listen on is already taken."""


class BrokerStartupError(EmbeddedKafkaError):
    """The embedded broker exited or did not become ready; the message holds the end of its log."""
