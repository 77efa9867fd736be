"""What a client reports when it cannot get past the broker's door: shared by the credential and
certificate failure tests."""

from __future__ import annotations

import time
from typing import Any

from kafka_client import Consumer, Producer
from kafka_client.config import KafkaClientSettings
from kafka_client.errors import AuthenticationError, KafkaClientError

FAST_S = 10.0
"""A failure the client cannot recover from by retrying must reach the application within this."""


def _group(group_id: str, settings: Any) -> dict[str, str]:
    """``group_id=`` for settings given as a mapping; validated settings carry their own (passing one would
    validate them again)."""
    return {} if isinstance(settings, KafkaClientSettings) else {"group_id": group_id}


def first_error(
    settings: dict[str, Any] | KafkaClientSettings, role: str
) -> tuple[KafkaClientError, float, BaseException | None, float]:
    """The first error on_error heard and when; what the client raised and when."""
    errors: list[tuple[KafkaClientError, float]] = []
    started = time.monotonic()
    raised: BaseException | None = None

    def on_error(error: KafkaClientError) -> None:
        errors.append((error, time.monotonic() - started))

    if role == "consumer":
        with Consumer(
            settings, **_group("credential-check", settings), topics=["any"], on_error=on_error
        ) as consumer:
            try:
                while time.monotonic() - started < FAST_S:
                    consumer.poll(0.2)
            except KafkaClientError as exc:
                raised = exc
    else:
        with Producer(settings, on_error=on_error) as producer:
            future = producer.send("any", b"x")
            try:  # the message fails at once (fail_queued_on_auth_error), or flush() raises the reason
                producer.flush(FAST_S)
                raised = future.exception(0)
            except KafkaClientError as exc:
                raised = exc
            producer.close(0)
    raised_after = time.monotonic() - started
    assert errors, f"no error reported to the {role}'s on_error within {FAST_S} s"
    # librdkafka may say "all brokers down" before the reason; the reason is what must come, and fast
    typed = [(e, t) for e, t in errors if isinstance(e, AuthenticationError)]
    return (*(typed or errors)[0], raised, raised_after)


def create_refused(role: str, settings: Any) -> tuple[KafkaClientError, float, list[KafkaClientError]]:
    """Create a kafka-python client that must be refused: what it raised, when, and what on_error heard."""
    heard: list[KafkaClientError] = []
    started = time.monotonic()
    try:
        if role == "producer":
            Producer(settings, on_error=heard.append).close(0)
        else:
            Consumer(
                settings, **_group("certificate-check", settings), topics=["any"], on_error=heard.append
            ).close()
    except KafkaClientError as exc:
        return exc, time.monotonic() - started, heard
    raise AssertionError(f"the kafka-python {role} was created although it must be refused")
