"""Every listener of the embedded broker, reached through kafka_client's own settings and translation.

Each case connects, produces and consumes for real; the ACL cases prove the authorizer denies and then,
once an ACL is added with Kafka's own kafka-acls tool, allows.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import TopicAuthorizationFailedError

from kafka_client.config import load_settings, to_confluent_config, to_kafka_python_config
from kafka_client.testing import EmbeddedKafka

CONFLUENT_CASES = [
    ("PLAINTEXT", "SCRAM-SHA-512"),
    ("SASL_PLAINTEXT", "PLAIN"),
    ("SASL_PLAINTEXT", "SCRAM-SHA-256"),
    ("SASL_PLAINTEXT", "SCRAM-SHA-512"),
    ("SSL", "SCRAM-SHA-512"),
    ("SASL_SSL", "SCRAM-SHA-512"),
    ("SASL_SSL", "PLAIN"),
]
KAFKA_PYTHON_CASES = [
    ("PLAINTEXT", "PLAIN"),
    ("SASL_PLAINTEXT", "SCRAM-SHA-256"),
    ("SSL", "PLAIN"),
    ("SASL_SSL", "SCRAM-SHA-512"),
]


def _confluent_round_trip(
    conf_producer: dict[str, Any], conf_consumer: dict[str, Any], topic: str
) -> list[bytes]:
    values = [f"{topic}-{i}".encode() for i in range(20)]
    producer = Producer(conf_producer)
    errors: list[KafkaError] = []
    for value in values:
        producer.produce(topic, value, on_delivery=lambda err, _msg: errors.append(err) if err else None)
    assert producer.flush(30) == 0
    assert errors == []
    consumer = Consumer(conf_consumer)
    consumer.subscribe([topic])
    got: list[bytes] = []
    last = None
    deadline = time.monotonic() + 30
    while len(got) < len(values) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        assert msg.error() is None, msg.error()
        got.append(msg.value())
        last = msg
    if last is not None:
        consumer.commit(message=last, asynchronous=False)
    consumer.close()
    assert got == values
    return got


@pytest.mark.parametrize(("listener", "mechanism"), CONFLUENT_CASES)
def test_confluent_connects_produces_consumes(
    kafka_broker: EmbeddedKafka, kafka_topic: Any, listener: Any, mechanism: Any
) -> None:
    topic = kafka_topic()
    settings = load_settings(
        **kafka_broker.client_settings(listener, user="admin", mechanism=mechanism),
        consumer={"group_id": f"g-{uuid.uuid4().hex[:6]}"},
        env={},
    )
    assert settings.security.protocol == listener
    _confluent_round_trip(
        to_confluent_config(settings, "producer"), to_confluent_config(settings, "consumer"), topic
    )


@pytest.mark.parametrize(("listener", "mechanism"), KAFKA_PYTHON_CASES)
def test_kafka_python_connects_produces_consumes(
    kafka_broker: EmbeddedKafka, kafka_topic: Any, listener: Any, mechanism: Any
) -> None:
    topic = kafka_topic()
    settings = load_settings(
        **kafka_broker.client_settings(listener, user="admin", mechanism=mechanism),
        consumer={"group_id": f"g-{uuid.uuid4().hex[:6]}"},
        env={},
    )
    producer = KafkaProducer(**to_kafka_python_config(settings, "producer"))
    values = [f"{topic}-{i}".encode() for i in range(10)]
    futures = [producer.send(topic, value) for value in values]
    offsets = [f.get(timeout=30).offset for f in futures]
    producer.close()
    assert offsets == list(range(10))
    consumer = KafkaConsumer(topic, **to_kafka_python_config(settings, "consumer"))
    got: list[bytes] = []
    deadline = time.monotonic() + 30
    while len(got) < len(values) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(r.value for r in records)
    consumer.close()
    assert got == values


def test_acl_denies_alice_until_granted(kafka_broker: EmbeddedKafka, kafka_topic: Any) -> None:
    topic = kafka_topic()
    group = f"alice-{uuid.uuid4().hex[:6]}"
    settings = load_settings(
        **kafka_broker.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-256"),
        consumer={"group_id": group},
        env={},
    )
    producer_conf = to_confluent_config(settings, "producer")
    producer = Producer({**producer_conf, "delivery.timeout.ms": 10000})
    failures: list[KafkaError] = []
    producer.produce(topic, b"denied", on_delivery=lambda err, _msg: failures.append(err))
    producer.flush(30)
    assert [e.code() for e in failures] == [KafkaError.TOPIC_AUTHORIZATION_FAILED]

    for operation, resource in (
        ("Write", ["--topic", topic]),
        ("Read", ["--topic", topic]),
        ("Read", ["--group", group]),
    ):
        kafka_broker.run_tool(
            "kafka-acls", "--add", "--allow-principal", "User:alice", "--operation", operation, *resource
        )
    listed = kafka_broker.run_tool("kafka-acls", "--list", "--topic", topic).stdout
    assert "principal=User:alice" in listed
    assert "operation=WRITE" in listed
    # ACLs propagate through the metadata log; give the authorizer a moment to see them.
    deadline = time.monotonic() + 15
    while True:
        try:
            _confluent_round_trip(producer_conf, to_confluent_config(settings, "consumer"), topic)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_acl_denial_reaches_kafka_python_as_authorization_error(
    kafka_broker: EmbeddedKafka, kafka_topic: Any
) -> None:
    topic = kafka_topic()
    settings = load_settings(
        **kafka_broker.client_settings("SASL_PLAINTEXT", user="bob", mechanism="SCRAM-SHA-512"), env={}
    )
    producer = KafkaProducer(**to_kafka_python_config(settings, "producer"), max_block_ms=10000)
    with pytest.raises(TopicAuthorizationFailedError):
        producer.send(topic, b"denied").get(timeout=15)
    producer.close(timeout=5)


def test_wrong_password_is_an_authentication_failure(kafka_broker: EmbeddedKafka) -> None:
    creds = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256")
    creds["security"]["sasl"]["password"] = "not-the-password"
    settings = load_settings(**creds, env={})
    client_errors: list[KafkaError] = []
    failures: list[KafkaError] = []
    producer = Producer(
        {
            **to_confluent_config(settings, "producer"),
            "delivery.timeout.ms": 5000,
            "error_cb": client_errors.append,
        }
    )
    producer.produce("any-topic", b"x", on_delivery=lambda err, _msg: failures.append(err))
    producer.flush(15)
    assert [e.code() for e in failures] == [KafkaError._MSG_TIMED_OUT]  # reported, never dropped
    auth = [e for e in client_errors if e.code() == KafkaError._AUTHENTICATION]
    assert auth, [e.str() for e in client_errors]
    assert "invalid credentials with SASL mechanism SCRAM-SHA-256" in auth[0].str()


def test_mtls_listener_rejects_a_client_without_certificate(kafka_broker: EmbeddedKafka) -> None:
    creds = kafka_broker.client_settings("SSL", user="alice")
    del creds["security"]["tls"]["cert_file"]
    del creds["security"]["tls"]["key_file"]
    settings = load_settings(**creds, consumer={"group_id": "x"}, env={})
    client_errors: list[KafkaError] = []
    consumer = Consumer({**to_confluent_config(settings, "consumer"), "error_cb": client_errors.append})
    with pytest.raises(KafkaException) as caught:
        consumer.list_topics(timeout=5)
    consumer.poll(0.5)
    consumer.close()
    assert caught.value.args[0].code() == KafkaError._TRANSPORT
    assert any("alert bad certificate" in e.str() for e in client_errors), [e.str() for e in client_errors]
