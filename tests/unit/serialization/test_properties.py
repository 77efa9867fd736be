"""Property tests: every value a built-in accepts comes back exactly, on every engine available."""

from __future__ import annotations

import importlib.util
import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kafka_client.errors import SerializationError
from kafka_client.serialization import (
    BytesDeserializer,
    BytesSerializer,
    DoubleDeserializer,
    DoubleSerializer,
    IntegerDeserializer,
    IntegerSerializer,
    JsonDeserializer,
    JsonSerializer,
    LongDeserializer,
    LongSerializer,
    MessageField,
    SerializationContext,
    StringDeserializer,
    StringSerializer,
)

CTX = SerializationContext("orders", MessageField.VALUE, partition=0, offset=0)
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)

ENGINES = [
    False,
    pytest.param(
        True,
        marks=pytest.mark.skipif(importlib.util.find_spec("orjson") is None, reason="orjson not installed"),
    ),
]

# Portable JSON: what both engines accept and read back equal (64-bit ints, finite floats, str keys).
json_values = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)


@given(st.binary())
def test_bytes_round_trip(data: bytes) -> None:
    assert BytesDeserializer()(BytesSerializer()(data, CTX), CTX) == data


@given(st.text())
def test_utf8_text_round_trip(text: str) -> None:
    data = StringSerializer()(text, CTX)
    assert data == text.encode()
    assert StringDeserializer()(data, CTX) == text


@given(st.text(alphabet=st.characters(max_codepoint=0xFF)))
def test_latin1_text_round_trip(text: str) -> None:
    assert StringDeserializer("latin-1")(StringSerializer("latin-1")(text, CTX), CTX) == text


@given(INT32)
def test_int32_round_trip(number: int) -> None:
    data = IntegerSerializer()(number, CTX)
    assert data == number.to_bytes(4, "big", signed=True)
    assert IntegerDeserializer()(data, CTX) == number


@given(st.integers().filter(lambda n: not -(2**31) <= n < 2**31))
def test_int32_out_of_range_is_refused(number: int) -> None:
    with pytest.raises(SerializationError):
        IntegerSerializer()(number, CTX)


@given(INT64)
def test_int64_round_trip(number: int) -> None:
    data = LongSerializer()(number, CTX)
    assert data == number.to_bytes(8, "big", signed=True)
    assert LongDeserializer()(data, CTX) == number


@given(st.floats())
def test_double_round_trip_keeps_every_bit(number: float) -> None:
    data = DoubleSerializer()(number, CTX)
    assert data == struct.pack(">d", number)
    result = DoubleDeserializer()(data, CTX)
    assert result is not None
    if math.isnan(number):
        assert math.isnan(result)
    else:
        assert result == number
        assert math.copysign(1.0, result) == math.copysign(1.0, number)
    assert struct.pack(">d", result) == data


@given(st.binary(min_size=8, max_size=8))
def test_any_eight_bytes_are_a_double(data: bytes) -> None:
    result = DoubleDeserializer()(data, CTX)
    assert result is not None
    assert struct.pack(">d", result) == data


@pytest.mark.parametrize("use_orjson", ENGINES)
@given(value=json_values, sort_keys=st.booleans())
def test_json_round_trip(use_orjson: bool, value: object, sort_keys: bool) -> None:
    serializer = JsonSerializer(sort_keys=sort_keys, use_orjson=use_orjson)
    data = serializer(value, CTX)
    if value is None:
        assert data is None
        return
    assert JsonDeserializer(use_orjson=use_orjson)(data, CTX) == value
    assert JsonDeserializer(use_orjson=False)(data, CTX) == value  # the other engine reads it the same
