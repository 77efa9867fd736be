"""Which purged messages carry the refused login as their failure (the confluent producer's fail-fast)."""

from __future__ import annotations

import confluent_kafka

from kafka_client.backends import confluent as backend
from kafka_client.backends.confluent import ConfluentProducer
from kafka_client.errors import AuthenticationError, DeliveryError, KafkaClientError, TLSError


def _producer() -> ConfluentProducer:
    # a real librdkafka producer; nothing is sent, so no broker is needed
    return ConfluentProducer({"bootstrap.servers": "127.0.0.1:1"}, fail_queued_on_auth_error=True)


def _purged() -> confluent_kafka.KafkaError:
    return confluent_kafka.KafkaError(confluent_kafka.KafkaError._PURGE_QUEUE)


def test_purged_messages_fail_with_the_refusal_type_and_reason_then_not_after_the_window() -> None:
    producer = _producer()
    heard: list[KafkaClientError] = []
    on_error = producer._failing_queued_on_auth_error(heard.append)
    refusal = TLSError("producer error: certificate verify failed")
    refusal.code = "_SSL"  # type: ignore[attr-defined]
    on_error(refusal)
    assert heard == [refusal]
    error = producer._delivery_error(_purged(), "orders")
    assert type(error) is TLSError
    assert (
        str(error) == "delivery to 'orders' failed: not sent, since producer error: certificate verify failed"
    )
    assert (error.retriable, error.code) == (False, "_SSL")  # type: ignore[attr-defined]
    timed_out = confluent_kafka.KafkaError(confluent_kafka.KafkaError._MSG_TIMED_OUT)
    assert type(producer._delivery_error(timed_out, "orders")) is not TLSError  # only purges are the login's
    producer._refused_at -= backend._REFUSAL_PURGE_WINDOW_S  # long after: an abort's purge, say
    later = producer._delivery_error(_purged(), "orders")
    assert type(later) is DeliveryError
    assert "Purged in queue" in str(later)


def test_other_errors_are_only_passed_on() -> None:
    producer = _producer()
    heard: list[KafkaClientError] = []
    producer._failing_queued_on_auth_error(heard.append)(DeliveryError("broker down"))
    assert producer._refused_login is None
    assert type(producer._delivery_error(_purged(), "t")) is DeliveryError
    producer._failing_queued_on_auth_error(None)(AuthenticationError("SASL refused"))  # no user callback
    assert isinstance(producer._refused_login, AuthenticationError)
