"""Translating settings into a confluent-kafka (librdkafka) configuration dict.

Only the keys a role uses are emitted (librdkafka warns about producer properties given to a
consumer), property names follow librdkafka's CONFIGURATION.md, and ``native`` is applied last.
This dict is the only place secrets are revealed: pass it straight to the client, never log it.
"""

from __future__ import annotations

from typing import Any

from kafka_client.config._oauth_adapters import ConfluentOAuthCallback
from kafka_client.config._security import SecuritySettings
from kafka_client.config._settings import KafkaClientSettings
from kafka_client.errors import ConfigError, ConfigProblem
from kafka_client.typing import ClientRole


def _security_config(security: SecuritySettings) -> dict[str, Any]:
    conf: dict[str, Any] = {"security.protocol": security.protocol}
    if security.uses_tls:
        tls = security.tls
        files = {
            "ssl.ca.location": tls.ca_file,
            "ssl.certificate.location": tls.cert_file,
            "ssl.key.location": tls.key_file,
        }
        conf.update({key: str(path) for key, path in files.items() if path is not None})
        if tls.key_password is not None:
            conf["ssl.key.password"] = tls.key_password.get_secret_value()
        conf["ssl.endpoint.identification.algorithm"] = "https" if tls.check_hostname else "none"
    sasl = security.sasl
    if sasl is None or not security.uses_sasl:
        return conf
    conf["sasl.mechanisms"] = sasl.mechanism
    if sasl.mechanism != "OAUTHBEARER":
        conf["sasl.username"] = sasl.username
        conf["sasl.password"] = sasl.password.get_secret_value() if sasl.password is not None else None
        return conf
    oauth = sasl.oauth
    if oauth is None:
        return conf
    provider = oauth.resolve_token_provider()
    if provider is not None:
        conf["oauth_cb"] = ConfluentOAuthCallback(provider)
        return conf
    conf["sasl.oauthbearer.method"] = "oidc"
    conf["sasl.oauthbearer.client.id"] = oauth.oidc_client_id
    if oauth.oidc_client_secret is not None:
        conf["sasl.oauthbearer.client.secret"] = oauth.oidc_client_secret.get_secret_value()
    conf["sasl.oauthbearer.token.endpoint.url"] = oauth.oidc_token_endpoint_url
    if oauth.oidc_scope:
        conf["sasl.oauthbearer.scope"] = oauth.oidc_scope
    if oauth.oidc_extensions:
        conf["sasl.oauthbearer.extensions"] = ",".join(f"{k}={v}" for k, v in oauth.oidc_extensions.items())
    return conf


def _producer_config(settings: KafkaClientSettings) -> dict[str, Any]:
    producer = settings.producer
    conf: dict[str, Any] = {
        "acks": producer.acks,
        "enable.idempotence": producer.enable_idempotence,
        "delivery.timeout.ms": producer.delivery_timeout_ms,
        "request.timeout.ms": producer.request_timeout_ms,
        "retries": producer.retries,
        "retry.backoff.ms": producer.retry_backoff_ms,
        "retry.backoff.max.ms": producer.retry_backoff_max_ms,
        "linger.ms": producer.linger_ms,
        "batch.size": producer.batch_size,
        "compression.type": producer.compression,
        "partitioner": producer.partitioner,
        "max.in.flight.requests.per.connection": producer.max_in_flight,
        "queue.buffering.max.messages": producer.queue_buffering_max_messages,
    }
    if producer.delivery_reports == "errors":
        conf["delivery.report.only.error"] = True
    if producer.transactional_id is not None:
        conf["transactional.id"] = producer.transactional_id
        conf["transaction.timeout.ms"] = producer.transaction_timeout_ms or producer.delivery_timeout_ms
    return conf


def _consumer_config(settings: KafkaClientSettings) -> dict[str, Any]:
    consumer = settings.consumer
    if consumer.group_id is None:
        raise ConfigError(
            [
                ConfigProblem(
                    "consumer.group_id",
                    "a confluent-kafka consumer needs a group id",
                    None,
                    "set consumer.group_id (KAFKA_CLIENT_CONSUMER__GROUP_ID), even for manual assignment",
                )
            ]
        )
    conf: dict[str, Any] = {
        "group.id": consumer.group_id,
        "auto.offset.reset": consumer.auto_offset_reset,
        "enable.auto.commit": consumer.enable_auto_commit,
        # Offsets are stored only after the handler has processed a message (at-least-once); with
        # auto-commit on, the background commit then commits processed offsets only.
        "enable.auto.offset.store": False,
        "session.timeout.ms": consumer.session_timeout_ms,
        "heartbeat.interval.ms": consumer.heartbeat_interval_ms,
        "max.poll.interval.ms": consumer.max_poll_interval_ms,
        "fetch.min.bytes": consumer.fetch_min_bytes,
        "fetch.wait.max.ms": consumer.fetch_max_wait_ms,
        "fetch.queue.backoff.ms": consumer.fetch_queue_backoff_ms,
        "isolation.level": consumer.isolation_level,
        "partition.assignment.strategy": consumer.partition_assignment_strategy,
    }
    if consumer.group_instance_id is not None:
        conf["group.instance.id"] = consumer.group_instance_id
    return conf


def to_confluent_config(settings: KafkaClientSettings, role: ClientRole) -> dict[str, Any]:
    """The confluent-kafka ``Producer`` / ``Consumer`` / ``AdminClient`` configuration for ``role``.

    Secrets appear in clear text here and only here. A token provider becomes an ``oauth_cb``
    callable (the client must be polled for it to run). ``statistics.interval.ms`` is set for
    producers and consumers when metrics are enabled. ``settings.native`` is applied last and wins.
    Raises ``ConfigError`` when a role-specific requirement is missing (a consumer's ``group_id``) or
    a ``"module:attribute"`` token provider cannot be imported.

    >>> Producer(to_confluent_config(load_settings("app.yaml"), "producer"))  # doctest: +SKIP
    """
    conf: dict[str, Any] = {
        "bootstrap.servers": ",".join(settings.bootstrap_servers),
        "client.id": settings.client_id,
    }
    conf.update(_security_config(settings.security))
    if role == "producer":
        conf.update(_producer_config(settings))
    elif role == "consumer":
        conf.update(_consumer_config(settings))
    observability = settings.observability
    if role != "admin" and observability.metrics_enabled and observability.statistics_interval_ms > 0:
        conf["statistics.interval.ms"] = observability.statistics_interval_ms
    if observability.debug:
        conf["debug"] = ",".join(observability.debug)
    conf.update(settings.native)
    return conf
