"""Translating settings into kafka-python ``KafkaProducer`` / ``KafkaConsumer`` keyword arguments.

kafka-python is imported lazily, and only for what a plain dict cannot express (assignor classes,
the token-provider base class, codec availability). What kafka-python cannot do raises
``FeatureNotSupportedError`` naming the alternative, instead of silently behaving differently.
"""

from __future__ import annotations

import importlib
from typing import Any

from kafka_client.config._oauth_adapters import CachingTokenSource
from kafka_client.config._security import SecuritySettings
from kafka_client.config._settings import KafkaClientSettings
from kafka_client.errors import FeatureNotSupportedError, MissingDependencyError
from kafka_client.typing import ClientRole, TokenProvider

BACKEND = "kafka-python"

# Codec -> (kafka.codec availability check, the package providing it).
_CODECS = {
    "gzip": ("has_gzip", "gzip"),
    "snappy": ("has_snappy", "python-snappy"),
    "lz4": ("has_lz4", "lz4"),
    "zstd": ("has_zstd", "zstandard"),
}
# Assignment strategy -> (module, class) in kafka-python.
_ASSIGNORS = {
    "cooperative-sticky": ("kafka.coordinator.assignors.cooperative_sticky", "CooperativeStickyAssignor"),
    "range": ("kafka.coordinator.assignors.range", "RangePartitionAssignor"),
    "roundrobin": ("kafka.coordinator.assignors.roundrobin", "RoundRobinPartitionAssignor"),
}
# kafka-python 3 has the token-provider base in kafka.net.sasl.oauth, 2.x in kafka.sasl.oauth.
_TOKEN_PROVIDER_MODULES = ("kafka.net.sasl.oauth", "kafka.sasl.oauth")


def _import_kafka(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only a missing ``kafka`` package means kafka-python is not installed; a missing submodule is an
        # older or newer kafka-python, which the callers handle (fallback modules, FeatureNotSupportedError).
        if exc.name == "kafka":
            raise MissingDependencyError("kafka-python", "kafka-python", "The kafka-python backend") from None
        raise


def kafka_python_token_provider(provider: TokenProvider) -> Any:
    """Wrap a ``TokenProvider`` as the ``AbstractTokenProvider`` object kafka-python requires."""
    base: Any = None
    for module_name in _TOKEN_PROVIDER_MODULES:
        try:
            base = _import_kafka(module_name).AbstractTokenProvider
            break
        except (ModuleNotFoundError, AttributeError):
            continue
    if base is None:
        raise FeatureNotSupportedError(
            "SASL/OAUTHBEARER",
            BACKEND,
            "upgrade kafka-python (pip install -U kafka-python), or use the confluent backend",
        )

    class KafkaPythonTokenProvider(CachingTokenSource, base):  # type: ignore[misc]
        """kafka-python's token-provider interface over a cached ``TokenProvider``."""

    return KafkaPythonTokenProvider(provider)


def _security_kwargs(security: SecuritySettings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"security_protocol": security.protocol}
    if security.uses_tls:
        tls = security.tls
        files = {"ssl_cafile": tls.ca_file, "ssl_certfile": tls.cert_file, "ssl_keyfile": tls.key_file}
        kwargs.update({key: str(path) for key, path in files.items() if path is not None})
        if tls.key_password is not None:
            kwargs["ssl_password"] = tls.key_password.get_secret_value()
        kwargs["ssl_check_hostname"] = tls.check_hostname
    sasl = security.sasl
    if sasl is None or not security.uses_sasl:
        return kwargs
    kwargs["sasl_mechanism"] = sasl.mechanism
    if sasl.mechanism != "OAUTHBEARER":
        kwargs["sasl_plain_username"] = sasl.username
        kwargs["sasl_plain_password"] = (
            sasl.password.get_secret_value() if sasl.password is not None else None
        )
        return kwargs
    provider = sasl.oauth.resolve_token_provider() if sasl.oauth is not None else None
    if provider is None:
        raise FeatureNotSupportedError(
            "SASL/OAUTHBEARER with OIDC client credentials (security.sasl.oauth.oidc_*)",
            BACKEND,
            "use the confluent backend, or set security.sasl.oauth.token_provider to a function that "
            "fetches the token",
        )
    kwargs["sasl_oauth_token_provider"] = kafka_python_token_provider(provider)
    return kwargs


def _compression_type(codec: str) -> str | None:
    if codec == "none":
        return None
    check, package = _CODECS[codec]
    if not getattr(_import_kafka("kafka.codec"), check)():
        raise FeatureNotSupportedError(
            f"{codec} compression",
            BACKEND,
            f"install the '{package}' package (pip install {package}), set producer.compression to gzip "
            "or none, or use the confluent backend",
        )
    return codec


def _producer_kwargs(settings: KafkaClientSettings) -> dict[str, Any]:
    producer = settings.producer
    if producer.partitioner != "murmur2_random":
        raise FeatureNotSupportedError(
            f"partitioner {producer.partitioner!r}",
            BACKEND,
            "use producer.partitioner: murmur2_random (kafka-python's default, Java-compatible), pass a "
            "partitioner object in native_kafka_python, or use the confluent backend",
        )
    kwargs: dict[str, Any] = {
        "acks": producer.acks,
        "enable_idempotence": producer.enable_idempotence,
        "delivery_timeout_ms": producer.delivery_timeout_ms,
        "request_timeout_ms": producer.request_timeout_ms,
        "retries": producer.retries,
        "retry_backoff_ms": producer.retry_backoff_ms,
        "linger_ms": producer.linger_ms,
        "batch_size": producer.batch_size,
        "compression_type": _compression_type(producer.compression),
        "max_in_flight_requests_per_connection": producer.max_in_flight,
    }
    if producer.transactional_id is not None:
        kwargs["transactional_id"] = producer.transactional_id
        kwargs["transaction_timeout_ms"] = producer.transaction_timeout_ms or producer.delivery_timeout_ms
    return kwargs


def _assignor(strategy: str) -> Any:
    module_name, class_name = _ASSIGNORS[strategy]
    try:
        return getattr(_import_kafka(module_name), class_name)
    except (ModuleNotFoundError, AttributeError):
        raise FeatureNotSupportedError(
            f"partition assignment strategy {strategy!r}",
            BACKEND,
            "upgrade to kafka-python 3 (pip install -U kafka-python), set "
            "consumer.partition_assignment_strategy: range, or use the confluent backend",
        ) from None


def _consumer_kwargs(settings: KafkaClientSettings) -> dict[str, Any]:
    consumer = settings.consumer
    kwargs: dict[str, Any] = {
        "group_id": consumer.group_id,
        # kafka-python spells librdkafka's "error" (no automatic reset) as "none".
        "auto_offset_reset": "none" if consumer.auto_offset_reset == "error" else consumer.auto_offset_reset,
        "enable_auto_commit": consumer.enable_auto_commit,
        "session_timeout_ms": consumer.session_timeout_ms,
        "heartbeat_interval_ms": consumer.heartbeat_interval_ms,
        "max_poll_interval_ms": consumer.max_poll_interval_ms,
        "max_poll_records": consumer.max_poll_records,
        "fetch_min_bytes": consumer.fetch_min_bytes,
        "fetch_max_wait_ms": consumer.fetch_max_wait_ms,
        "isolation_level": consumer.isolation_level,
        "partition_assignment_strategy": [_assignor(consumer.partition_assignment_strategy)],
    }
    if consumer.group_instance_id is not None:
        kwargs["group_instance_id"] = consumer.group_instance_id
    return kwargs


def to_kafka_python_config(settings: KafkaClientSettings, role: ClientRole) -> dict[str, Any]:
    """Keyword arguments for kafka-python's ``KafkaProducer`` / ``KafkaConsumer`` / ``KafkaAdminClient``.

    Secrets appear in clear text here and only here. Settings without a kafka-python counterpart
    (``retry_backoff_max_ms``, ``queue_buffering_max_messages``, ``statistics_interval_ms``) are left
    out; features kafka-python cannot offer (a missing compression codec library, librdkafka-only
    partitioners, OIDC) raise ``FeatureNotSupportedError``. ``native_kafka_python`` is applied last.

    >>> KafkaProducer(**to_kafka_python_config(load_settings("app.yaml"), "producer"))  # doctest: +SKIP
    """
    kwargs: dict[str, Any] = {
        "bootstrap_servers": list(settings.bootstrap_servers),
        "client_id": settings.client_id,
    }
    kwargs.update(_security_kwargs(settings.security))
    if role == "producer":
        kwargs.update(_producer_kwargs(settings))
    elif role == "consumer":
        kwargs.update(_consumer_kwargs(settings))
    kwargs.update(settings.native_kafka_python)
    return kwargs
