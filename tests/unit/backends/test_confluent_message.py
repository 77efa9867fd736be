"""The confluent backend's consumed message: the fields it reads from librdkafka only when asked for.

librdkafka's own message type cannot be built outside a consumer, so a stand-in with the same methods
counts how often each one is called.
"""

from __future__ import annotations

import copy
import pickle
from collections import Counter
from typing import Any

from kafka_client import Message
from kafka_client.backends.confluent import _record


class NativeStandIn:
    """The methods of ``confluent_kafka.Message`` that the backend calls, counting the calls."""

    def __init__(self, headers: list[tuple[str, bytes]] | None, timestamp: tuple[int, int]) -> None:
        self._headers = headers
        self._timestamp = timestamp
        self.calls: Counter[str] = Counter()

    def _called(self, name: str, value: Any) -> Any:
        self.calls[name] += 1
        return value

    def topic(self) -> str:
        return self._called("topic", "orders")  # type: ignore[no-any-return]

    def partition(self) -> int:
        return self._called("partition", 2)  # type: ignore[no-any-return]

    def offset(self) -> int:
        return self._called("offset", 41)  # type: ignore[no-any-return]

    def key(self) -> bytes:
        return self._called("key", b"k")  # type: ignore[no-any-return]

    def value(self) -> bytes:
        return self._called("value", b"v")  # type: ignore[no-any-return]

    def headers(self) -> list[tuple[str, bytes]] | None:
        return self._called("headers", self._headers)  # type: ignore[no-any-return]

    def timestamp(self) -> tuple[int, int]:
        return self._called("timestamp", self._timestamp)  # type: ignore[no-any-return]

    def leader_epoch(self) -> int:
        return self._called("leader_epoch", 7)  # type: ignore[no-any-return]


def test_headers_timestamp_and_epoch_are_read_once_and_only_when_asked_for() -> None:
    native = NativeStandIn([("h", b"1")], (1, 1_700_000_000_000))
    message = _record(native)
    assert dict(native.calls) == {"topic": 1, "partition": 1, "offset": 1, "key": 1, "value": 1}
    assert (message.topic, message.partition, message.offset) == ("orders", 2, 41)
    assert (message.key, message.value, message.raw_key, message.raw_value) == (b"k", b"v", b"k", b"v")
    assert message.headers == [("h", b"1")]
    assert message.headers == [("h", b"1")]
    assert message.timestamp_ms == 1_700_000_000_000
    assert message.leader_epoch == 7
    assert message.leader_epoch == 7
    assert (native.calls["headers"], native.calls["timestamp"], native.calls["leader_epoch"]) == (1, 1, 1)


def test_no_headers_and_no_timestamp_read_as_an_empty_list_and_none() -> None:
    message = _record(NativeStandIn(None, (0, -1)))
    assert message.headers == []
    assert message.timestamp_ms is None
    assert message.timestamp is None


def test_lazy_fields_can_be_assigned_like_any_other() -> None:
    native = NativeStandIn(None, (1, 5))
    message = _record(native)
    message.headers = [("replayed", b"1")]
    message.value = {"decoded": True}
    assert message.headers == [("replayed", b"1")]
    assert message.value == {"decoded": True}
    assert message.raw_value == b"v"
    assert native.calls["headers"] == 0


def test_equal_to_the_plain_message_with_the_same_fields_and_copies_are_plain() -> None:
    message = _record(NativeStandIn([("h", b"1")], (1, 5)))
    plain = Message("orders", 2, 41, b"k", b"v", [("h", b"1")], 5, 7)
    assert message == plain
    assert plain == message
    assert message != Message("orders", 2, 42, b"k", b"v", [("h", b"1")], 5, 7)
    for duplicate in (pickle.loads(pickle.dumps(message)), copy.copy(message), copy.deepcopy(message)):
        assert type(duplicate) is Message
        assert duplicate == plain
    assert repr(message) == repr(plain)
