"""The confluent backend's consumed message: every field copied out of librdkafka's message once, the
native message not kept, and "no headers" turned into a list only when asked for.

librdkafka's own message type cannot be built outside a consumer, so a stand-in with the same methods
counts how often each one is called.
"""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from collections import Counter
from typing import Any

from kafka_client import Message
from kafka_client.backends.confluent import ConfluentConsumer, _record


class NativeStandIn:
    """The methods of ``confluent_kafka.Message`` that the backend calls, counting the calls."""

    def __init__(
        self, headers: list[tuple[str, bytes]] | None, timestamp: tuple[int, int], error: Any = None
    ) -> None:
        self._error = error
        self._headers = headers
        self._timestamp = timestamp
        self.calls: Counter[str] = Counter()

    def _called(self, name: str, value: Any) -> Any:
        self.calls[name] += 1
        return value

    def error(self) -> Any:
        return self._called("error", self._error)

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


def test_every_field_is_read_once_when_the_message_is_built_and_the_native_one_is_not_kept() -> None:
    native = NativeStandIn([("h", b"1")], (1, 1_700_000_000_000))
    alive = weakref.ref(native)
    message = _record(native)
    calls = native.calls
    del native
    gc.collect()
    assert alive() is None  # the message holds nothing of librdkafka's
    assert dict(calls) == {
        "topic": 1, "partition": 1, "offset": 1, "key": 1, "value": 1,
        "headers": 1, "timestamp": 1, "leader_epoch": 1,
    }  # fmt: skip
    assert (message.topic, message.partition, message.offset) == ("orders", 2, 41)
    assert (message.key, message.value, message.raw_key, message.raw_value) == (b"k", b"v", b"k", b"v")
    assert message.headers == [("h", b"1")]
    assert message.timestamp_ms == 1_700_000_000_000
    assert message.leader_epoch == 7


def test_no_headers_become_one_list_on_first_access_that_keeps_what_is_added() -> None:
    message = _record(NativeStandIn(None, (1, 5)))
    assert message.headers == []
    message.headers.append(("added", b"1"))
    assert message.headers == [("added", b"1")]


def test_no_headers_and_no_timestamp_read_as_an_empty_list_and_none() -> None:
    message = _record(NativeStandIn(None, (0, -1)))
    assert message.headers == []
    assert message.timestamp_ms is None
    assert message.timestamp is None


def test_fields_can_be_assigned_like_any_other() -> None:
    message = _record(NativeStandIn(None, (1, 5)))
    message.headers = [("replayed", b"1")]
    message.value = {"decoded": True}
    message.timestamp_ms = 9
    assert message.headers == [("replayed", b"1")]
    assert message.value == {"decoded": True}
    assert message.raw_value == b"v"
    assert message.timestamp_ms == 9


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


class _ReleaseWatcher(NativeStandIn):
    """A native message that, when asked for its value, notes whether the one converted before it is gone."""

    def __init__(self, previous: weakref.ref[Any] | None, seen: list[bool]) -> None:
        super().__init__(None, (1, 5))
        self._previous = previous
        self._seen = seen

    def value(self) -> bytes:
        if self._previous is not None:
            self._seen.append(self._previous() is None)
        return super().value()


class _OneBatch:
    """Stands in for ``confluent_kafka.Consumer``: ``consume()`` hands over one prepared list."""

    def __init__(self, natives: list[Any]) -> None:
        self.natives = natives

    def consume(self, num_messages: int, timeout: float) -> list[Any]:
        natives, self.natives = self.natives, []
        return natives


def test_a_batch_releases_each_native_message_once_it_is_converted() -> None:
    """A batch never holds all of librdkafka's messages and all of ours at once: CPython's collector
    would then run on every batch (it runs once 700 more container objects were made than freed)."""
    seen: list[bool] = []
    natives: list[Any] = []
    previous: weakref.ref[Any] | None = None
    for _ in range(5):
        native = _ReleaseWatcher(previous, seen)
        natives.append(native)
        previous = weakref.ref(native)
    del native
    backend: Any = object.__new__(ConfluentConsumer)
    backend._consumer = _OneBatch(natives)
    backend._pending_error = None
    del natives
    records = backend.consume(500, 1.0)
    assert [r.offset for r in records] == [41] * 5
    assert seen == [True, True, True, True]
