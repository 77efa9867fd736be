"""The built-in deserializers' success path without a SerializationContext (what the consumer calls per
record): the same result as the full call, a failure for what the full call refuses, and nothing for a
deserializer that does not offer one."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from pydantic import BaseModel

from kafka_client.serialization import (
    BytesDeserializer,
    DoubleDeserializer,
    IntegerDeserializer,
    JsonDeserializer,
    LongDeserializer,
    MessageField,
    PydanticDeserializer,
    SerializationContext,
    StringDeserializer,
)
from kafka_client.serialization._context import context_free

CTX = SerializationContext("orders", MessageField.VALUE, [], 0, 9)


class Order(BaseModel):
    id: int


CASES: list[tuple[Any, bytes, bytes]] = [
    (JsonDeserializer(), b'{"id": 7, "tags": ["a"]}', b"{not json"),
    (JsonDeserializer(use_orjson=False), b"[1, 2.5, null]", b"\xff"),
    (StringDeserializer(), "h\u00e9llo".encode(), b"\xff\xfe"),
    (StringDeserializer("latin-1"), b"h\xe9llo", b""),
    (IntegerDeserializer(), struct.pack(">i", -5), b"\x00\x01"),
    (LongDeserializer(), struct.pack(">q", 2**40), b"\x00"),
    (DoubleDeserializer(), struct.pack(">d", 1.5), b"\x00\x00"),
    (PydanticDeserializer(Order), b'{"id": 3}', b'{"id": "three"}'),
]


@pytest.mark.parametrize(("deserializer", "good", "bad"), CASES, ids=lambda c: repr(c)[:40])
def test_same_result_as_the_full_call_and_a_failure_where_it_fails(
    deserializer: Any, good: bytes, bad: bytes
) -> None:
    fast = context_free(deserializer)
    assert fast is not None
    assert fast(good) == deserializer(good, CTX)
    assert fast(None) is None
    assert deserializer(None, CTX) is None
    if bad == b"" and isinstance(deserializer, StringDeserializer):
        assert fast(bad) == deserializer(bad, CTX) == ""  # latin-1 decodes any bytes
        return
    with pytest.raises(Exception):  # noqa: B017,PT011 - any exception: the consumer then asks the full call
        fast(bad)


def test_bytes_are_passed_through_as_they_are() -> None:
    fast = context_free(BytesDeserializer())
    assert fast is not None
    data = b"\x00raw"
    assert fast(data) is data


def test_a_plain_function_or_a_foreign_deserializer_has_no_context_free_path() -> None:
    def upper(data: bytes | None, ctx: SerializationContext) -> str | None:
        return None if data is None else data.decode().upper()

    assert context_free(upper) is None
    assert context_free(None) is None
