"""The batched group-offsets reader's pure parts: conversion, when it turns itself off, its log filter."""

from __future__ import annotations

import logging
import threading
from typing import Any

from kafka.structs import OffsetAndMetadata
from kafka.structs import TopicPartition as KpTopicPartition

from kafka_client import TopicPartition
from kafka_client.admin import CommittedOffset
from kafka_client.backends import _kafka_python_admin
from kafka_client.backends._kafka_python_admin import BatchedGroupOffsets, _QuietThreads, admin_kwargs
from kafka_client.config import load_settings, to_kafka_python_config
from kafka_client.errors import FeatureNotSupportedError


def test_answers_convert_like_librdkafka_reads_them() -> None:
    answer = {
        KpTopicPartition("t", 0): OffsetAndMetadata(4, "ts=1700000000000\x00", -1),  # confluent's commit
        KpTopicPartition("t", 1): OffsetAndMetadata(6, "ts=1\x00tail", 3),  # a C string ends at NUL
        KpTopicPartition("t", 2): OffsetAndMetadata(9, "", -1),
        KpTopicPartition("t", 3): OffsetAndMetadata(-1, "", -1),  # no committed offset: absent
        KpTopicPartition("u", 0): OffsetAndMetadata(0, None, -1),
    }
    assert _kafka_python_admin._committed(answer) == {
        TopicPartition("t", 0): CommittedOffset(4, "ts=1700000000000"),
        TopicPartition("t", 1): CommittedOffset(6, "ts=1"),
        TopicPartition("t", 2): CommittedOffset(9, None),
        TopicPartition("u", 0): CommittedOffset(0, None),
    }


def test_settings_without_a_kafka_python_form_turn_batching_off_for_good() -> None:
    calls: list[int] = []

    def no_form() -> dict[str, Any]:
        calls.append(1)
        raise FeatureNotSupportedError("SASL/OAUTHBEARER with OIDC client credentials", "kafka-python", "x")

    reader = BatchedGroupOffsets(no_form, "127.0.0.1:1")
    assert reader.read(["a", "b"], 1.0) is None
    assert reader.disabled is not None
    assert reader.disabled.startswith("the settings have no kafka-python form: ")
    assert "OIDC" in reader.disabled
    assert reader.read(["a"], 1.0) is None
    assert calls == [1]  # not tried again


def test_nothing_is_asked_for_no_groups() -> None:
    def config() -> dict[str, Any]:
        raise AssertionError("no client is made for an empty request")

    assert BatchedGroupOffsets(config, "x").read([], 1.0) is None


def test_a_failed_read_means_group_by_group_for_a_while(monkeypatch: Any, caplog: Any) -> None:
    class Failing:
        def list_group_offsets(self, groups: list[str]) -> Any:
            raise RuntimeError("GroupAuthorizationFailedError: group 'b'")

    reader = BatchedGroupOffsets(dict, "host:9092")
    monkeypatch.setattr(reader, "_connected", lambda timeout: Failing())
    clock = [1000.0]
    monkeypatch.setattr(_kafka_python_admin.time, "monotonic", lambda: clock[0])
    caplog.set_level(logging.INFO, logger="kafka_client.admin")
    assert reader.read(["a", "b"], 5.0) is None
    assert [r.getMessage() for r in caplog.records] == [
        "reading committed offsets group by group at host:9092 for 60 s: one OffsetFetch per coordinator "
        "failed: RuntimeError: GroupAuthorizationFailedError: group 'b'"
    ]
    clock[0] += _kafka_python_admin.RETRY_AFTER_S - 1
    monkeypatch.setattr(reader, "_connected", lambda timeout: (_ for _ in ()).throw(AssertionError("early")))
    assert reader.read(["a"], 5.0) is None  # still waiting: not tried
    clock[0] += 1

    class Retriable(Exception):
        retriable = True

    class Loading:
        def list_group_offsets(self, groups: list[str]) -> Any:
            raise Retriable("CoordinatorLoadInProgressError")

    reader._client = Loading()  # a client that answered before: a retriable error concerns one read
    monkeypatch.setattr(reader, "_connected", lambda timeout: reader._client)
    caplog.clear()
    assert reader.read(["a"], 5.0) is None
    assert [r.getMessage() for r in caplog.records] == [
        "reading committed offsets group by group at host:9092 this time: one OffsetFetch per coordinator "
        "failed: Retriable: CoordinatorLoadInProgressError"
    ]
    assert reader._retry_at == clock[0]  # batched again on the next read

    class Answering:
        def list_group_offsets(self, groups: list[str]) -> Any:
            return {"a": {KpTopicPartition("t", 0): OffsetAndMetadata(3, "", -1)}}

    monkeypatch.setattr(reader, "_connected", lambda timeout: Answering())
    assert reader.read(["a", "gone"], 5.0) == {
        "a": {TopicPartition("t", 0): CommittedOffset(3, None)},
        "gone": {},
    }


def test_the_admin_client_gets_only_its_own_keys_and_bounded_waits() -> None:
    from kafka.admin import KafkaAdminClient

    settings = load_settings(
        bootstrap_servers="h:1",
        client_id="svc",
        native_kafka_python={"bootstrap_timeout_ms": 1500, "max_poll_records": 7},
    )
    config = to_kafka_python_config(settings, "consumer")
    kwargs = admin_kwargs(config, 30.0, KafkaAdminClient.DEFAULT_CONFIG)
    assert config["max_poll_records"] == 7
    assert "max_poll_records" not in kwargs
    assert (kwargs["bootstrap_servers"], kwargs["client_id"], kwargs["security_protocol"]) == (
        ["h:1"],
        "svc",
        "PLAINTEXT",
    )
    assert (kwargs["bootstrap_timeout_ms"], kwargs["request_timeout_ms"]) == (10_000, 30_000)
    short = admin_kwargs({"request_timeout_ms": 5000}, 2.5, KafkaAdminClient.DEFAULT_CONFIG)
    assert short == {"request_timeout_ms": 5000, "bootstrap_timeout_ms": 2500}
    assert KafkaAdminClient.DEFAULT_CONFIG.keys() >= kwargs.keys()


def _record(name: str, level: int, thread: int, thread_name: str) -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, "line %s", ("x",), None)
    record.thread, record.threadName = thread, thread_name
    return record


def test_the_filter_quiets_only_this_modules_client_threads() -> None:
    quiet = _QuietThreads()
    logger = logging.getLogger("kafka.unit-test-quiet")
    logger.setLevel(logging.INFO)
    try:
        with quiet.starting("kafka-io-mine"):
            me = threading.get_ident()
            # while starting: this thread, and a new thread with the client's I/O thread name
            assert quiet.filter(_record(logger.name, logging.INFO, me, "MainThread")) is False
            assert quiet.filter(_record(logger.name, logging.WARNING, 987654, "kafka-io-mine")) is False
            assert quiet.filter(_record(logger.name, logging.WARNING, 987655, "kafka-io-other")) is True
            assert quiet.filter(_record(logger.name, logging.ERROR, me, "MainThread")) is False
        # afterwards the starting thread speaks again
        assert quiet.filter(_record(logger.name, logging.INFO, me, "MainThread")) is True
        logger.setLevel(logging.DEBUG)
        with quiet.starting(None):
            record = _record(logger.name, logging.WARNING, me, "MainThread")
            assert quiet.filter(record) is True
            assert (record.levelno, record.levelname) == (logging.DEBUG, "DEBUG")
        assert quiet in logger.filters  # every kafka.* logger carries it
    finally:
        logger.setLevel(logging.NOTSET)
        logger.removeFilter(quiet)


def test_a_cluster_kafka_python_cannot_reach_turns_batching_off_after_three_tries(caplog: Any) -> None:
    """A real kafka-python client against a closed port: each try fails (and is retried after the wait,
    skipped here); the third turns the path off, once, with the reason."""
    reader = BatchedGroupOffsets(
        lambda: {"bootstrap_servers": ["127.0.0.1:1"], "client_id": "t"}, "127.0.0.1:1"
    )
    caplog.set_level(logging.INFO, logger="kafka_client.admin")
    for attempt in range(1, _kafka_python_admin.MAX_CONNECT_FAILURES + 1):
        reader._retry_at = 0.0  # the RETRY_AFTER_S wait, skipped
        assert reader.read(["g"], 0.3) is None
        assert (reader._connect_failures, reader.disabled is None) == (attempt, attempt < 3)
    assert reader.disabled is not None
    assert reader.disabled.startswith("kafka-python could not connect: ")
    assert [r for r in caplog.records if r.name.startswith("kafka.")] == []  # its ERRORs: DEBUG, off
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert all(
        line.startswith("reading committed offsets group by group at 127.0.0.1:1 for 60 s")
        for line in lines[:2]
    )
    assert lines[2] == f"reading committed offsets one group a request at 127.0.0.1:1: {reader.disabled}"
    reader._retry_at = 0.0
    assert reader.read(["g"], 0.3) is None  # off for good: no fourth client
    assert reader._connect_failures == 3


def test_a_quieted_thread_that_ended_is_forgotten() -> None:
    """Thread identifiers are reused: once a client's I/O thread has ended, a later thread with its
    identifier is not quieted."""
    quiet = _QuietThreads()
    stop = threading.Event()
    with quiet.starting("kafka-io-ends"):
        io = threading.Thread(target=stop.wait, name="kafka-io-ends")
        io.start()
    assert io.ident in quiet._threads
    stop.set()
    io.join()
    with quiet.starting(None):  # how a client is closed
        pass
    assert io.ident not in quiet._threads
    for name in list(quiet._loggers):
        logging.getLogger(name).removeFilter(quiet)
