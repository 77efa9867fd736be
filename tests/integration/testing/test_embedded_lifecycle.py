"""EmbeddedKafka's own behaviour: start, crash and restart, pause, clear start-up errors.

These tests start brokers of their own (not the session one), because they kill and pause them.
"""

from __future__ import annotations

import socket
import stat
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from kafka_client.errors import BrokerStartupError, JavaNotFoundError, PortInUseError
from kafka_client.testing import EmbeddedKafka
from kafka_client.testing._probe import fetch_metadata


def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    delivered: list[bytes] = []
    for value in values:
        producer.produce(
            topic, value, on_delivery=lambda err, msg: delivered.append(msg.value()) if not err else None
        )
    assert producer.flush(30) == 0
    assert delivered == values


def _consume_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"g-{topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    got: list[bytes] = []
    deadline = time.monotonic() + 30
    while len(got) < expected and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None and msg.error() is None:
            got.append(msg.value())
    consumer.close()
    return got


def test_plain_broker_kill_restart_keeps_data_and_ports(tmp_path: Path) -> None:
    kafka = EmbeddedKafka(sasl=False, tls=False, authorizer=False, work_dir=tmp_path / "kafka")
    with kafka:
        assert kafka.listeners == {"PLAINTEXT": kafka.bootstrap_servers}
        assert kafka.startup_seconds is not None
        assert kafka.startup_seconds > 0
        host, port = kafka.bootstrap_servers.split(":")
        meta = fetch_metadata(host, int(port))
        assert meta.brokers == ((1, "127.0.0.1", int(port)),)
        assert meta.cluster_id == kafka.cluster_id
        assert meta.controller_id == 1

        values = [f"before-{i}".encode() for i in range(100)]
        _produce(kafka.bootstrap_servers, "durable", values)
        pid = kafka.pid
        kafka.kill()
        assert not kafka.is_running
        with pytest.raises(ConnectionRefusedError):
            fetch_metadata(host, int(port), timeout=1.0)

        kafka.start()
        assert kafka.pid != pid
        assert kafka.bootstrap_servers == f"{host}:{port}"
        _produce(kafka.bootstrap_servers, "durable", [b"after"])
        assert _consume_all(kafka.bootstrap_servers, "durable", 101) == [*values, b"after"]
        log = kafka.log_path.read_text()
        assert "Kafka Server started" in log
    # stop() removed nothing it did not create: the work dir was given, so it stays
    assert (tmp_path / "kafka" / "broker.log").is_file()
    assert not kafka.is_running


def test_pause_makes_broker_silent_until_resumed() -> None:
    with EmbeddedKafka(sasl=False, tls=False, authorizer=False) as kafka:
        work_dir = kafka.work_dir
        host, port = kafka.bootstrap_servers.split(":")
        kafka.pause()
        with pytest.raises(TimeoutError):
            fetch_metadata(host, int(port), timeout=1.0)
        kafka.resume()
        assert fetch_metadata(host, int(port), timeout=5.0).controller_id == 1
        kafka.pause()  # stop() must cope with a paused broker
    assert not work_dir.exists()  # a temporary work dir is removed by stop()


def test_port_in_use_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        kafka = EmbeddedKafka(port=port, sasl=False, tls=False)
        with pytest.raises(PortInUseError, match=rf"127\.0\.0\.1:{port} .*PLAINTEXT.* already in use"):
            kafka.start()
        kafka.stop()


def test_broker_exiting_during_startup_shows_its_log(tmp_path: Path) -> None:
    missing = tmp_path / "missing-keystore.pem"
    kafka = EmbeddedKafka(
        sasl=False,
        tls=True,
        authorizer=False,
        work_dir=tmp_path,
        broker_config={"ssl.keystore.location": str(missing)},
    )
    with pytest.raises(BrokerStartupError) as caught:
        kafka.start()
    message = str(caught.value)
    assert "exited with code" in message
    assert str(missing) in message
    assert str(tmp_path / "broker.log") in message
    assert (tmp_path / "broker.log").is_file()
    kafka.stop()


def test_missing_java_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAFKA_CLIENT_JAVA", str(tmp_path / "no-java"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFoundError, match=r"no-java \(from KAFKA_CLIENT_JAVA\) could not run"):
        EmbeddedKafka().start()


def test_old_java_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "java"
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("KAFKA_CLIENT_JAVA", str(fake))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFoundError, match=r"is Java 11: openjdk version \"11\.0\.22\""):
        EmbeddedKafka().start()


def test_invalid_broker_config_fails_at_format_with_the_reason(tmp_path: Path) -> None:
    kafka = EmbeddedKafka(
        sasl=False, tls=False, work_dir=tmp_path, broker_config={"num.network.threads": "many"}
    )
    with pytest.raises(
        BrokerStartupError, match=r"(?s)formatting the broker's storage .* failed.*num\.network\.threads"
    ):
        kafka.start()
    kafka.stop()
