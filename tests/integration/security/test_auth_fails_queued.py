"""A refused login fails the producer's queued messages at once, and nothing of them is ever written.

The confluent backend purges what waits in librdkafka's queues when the broker refuses the login (as
Java's producer fails its batches, KIP-152), so a ``send()``'s future raises the ``AuthenticationError``
within seconds instead of at ``delivery_timeout_ms`` (120 s by default). The user below does not exist
when the producer starts (a credentials operator that has not caught up yet): its first messages fail
fast; once the user is created, the same producer (idempotent) delivers, and the topic holds exactly
the delivered messages, in order.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from kafka_client import Consumer, Producer
from kafka_client.admin import AclBinding, KafkaAdmin
from kafka_client.errors import AuthenticationError, KafkaClientError
from kafka_client.testing.pytest_plugin import KafkaBroker
from tests.integration.security._failures import FAST_S


def _settings_of_a_new_user(broker: KafkaBroker, **producer: Any) -> tuple[dict[str, Any], str, str]:
    settings = broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-512")
    user, password = f"carol-{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
    settings["security"]["sasl"].update(username=user, password=password)
    return {**settings, "backend": "confluent", "producer": producer}, user, password


def test_sends_fail_fast_while_the_login_is_refused_and_deliver_once_it_works(
    tool_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(1)
    settings, user, password = _settings_of_a_new_user(tool_broker)
    grants = [AclBinding("TOPIC", topic, f"User:{user}", op) for op in ("WRITE", "DESCRIBE")]
    heard: list[KafkaClientError] = []
    delivered: list[bytes] = []
    with KafkaAdmin(bootstrap_servers=tool_broker.bootstrap_servers) as admin:
        admin.create_acls(grants)
    with Producer(settings, on_error=heard.append) as producer:
        started = time.monotonic()
        early = [producer.send(topic, f"early-{i}".encode()) for i in range(5)]
        failures = [future.exception(FAST_S) for future in early]
        failed_after = time.monotonic() - started
        print(f"\n5 queued sends failed after {failed_after:.2f} s: {failures[0]}")
        assert failed_after < FAST_S
        for failure in failures:
            assert type(failure) is AuthenticationError, repr(failure)
            assert not failure.retriable
            assert str(failure).startswith(f"delivery to {topic!r} failed: not sent, since ")
            assert password not in str(failure)
        assert any(isinstance(error, AuthenticationError) for error in heard)

        tool_broker.run_tool(
            "kafka-configs", "--alter", "--entity-type", "users", "--entity-name", user,
            "--add-config", f"SCRAM-SHA-512=[password={password}]",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        attempt = 0
        while not delivered:  # librdkafka logs in again after its reconnect backoff
            assert time.monotonic() < deadline, f"no delivery within 60 s of creating {user}"
            value = f"late-{attempt}".encode()
            error = producer.send(topic, value).exception(30)
            if error is None:
                delivered.append(value)
            else:
                assert isinstance(error, AuthenticationError), repr(error)
                time.sleep(0.2)
            attempt += 1
        rest = [f"after-{i}".encode() for i in range(20)]
        for future in [producer.send(topic, value) for value in rest]:
            assert future.exception(30) is None
        delivered += rest
    with Consumer(bootstrap_servers=tool_broker.bootstrap_servers, group_id=f"g-{user}", topics=[topic]) as c:
        got: list[bytes] = []
        deadline = time.monotonic() + 30
        while len(got) < len(delivered) and time.monotonic() < deadline:
            got += [m.value for m in c.consume_batch(500, 0.5)]
        got += [m.value for m in c.consume_batch(500, 1.0)]  # nothing more: the failed ones never left
    assert got == delivered


def test_with_the_setting_off_queued_sends_wait_for_the_credentials(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(1)
    settings, _user, _password = _settings_of_a_new_user(kafka_broker, fail_queued_on_auth_error=False)
    heard: list[KafkaClientError] = []
    producer = Producer(settings, on_error=heard.append)
    future = producer.send(topic, b"waits")
    deadline = time.monotonic() + FAST_S
    while not any(isinstance(e, AuthenticationError) for e in heard):
        assert time.monotonic() < deadline, "the refused login never reached on_error"
        time.sleep(0.2)
    time.sleep(1.0)
    assert not future.done()  # still queued: the login may start working
    producer.close(0)  # closing fails it, as closing does
    error = future.exception(0)
    assert isinstance(error, KafkaClientError)
    assert not isinstance(error, AuthenticationError)
