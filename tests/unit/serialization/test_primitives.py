"""Bytes, text and fixed-width numbers: exact bytes, round trips, tombstones and failures.

The numeric vectors were produced by Kafka's Java ``org.apache.kafka.common.serialization``
IntegerSerializer, LongSerializer and DoubleSerializer (kafka-clients 4.4.0), so a match here means a
Java consumer reads what we write and the reverse.
"""

from __future__ import annotations

import math
import struct

import pytest

from kafka_client.errors import ConfigError, DeserializationError, SerializationError
from kafka_client.serialization import (
    BytesDeserializer,
    BytesSerializer,
    DoubleDeserializer,
    DoubleSerializer,
    IntegerDeserializer,
    IntegerSerializer,
    LongDeserializer,
    LongSerializer,
    SerializationContext,
    StringDeserializer,
    StringSerializer,
)

JAVA_INTEGERS = [
    (0, "00000000"),
    (1, "00000001"),
    (-1, "ffffffff"),
    (256, "00000100"),
    (2**31 - 1, "7fffffff"),
    (-(2**31), "80000000"),
]
JAVA_LONGS = [
    (1, "0000000000000001"),
    (-1, "ffffffffffffffff"),
    (2**63 - 1, "7fffffffffffffff"),
    (-(2**63), "8000000000000000"),
    (1234567890123, "0000011f71fb04cb"),
]
JAVA_DOUBLES = [
    (0.0, "0000000000000000"),
    (-0.0, "8000000000000000"),
    (1.0, "3ff0000000000000"),
    (-2.0, "c000000000000000"),
    (0.1, "3fb999999999999a"),
    (math.inf, "7ff0000000000000"),
    (-math.inf, "fff0000000000000"),
    (5e-324, "0000000000000001"),
    (1.7976931348623157e308, "7fefffffffffffff"),
]
JAVA_NAN = "7ff8000000000000"  # Double.NaN as Java's DoubleSerializer writes it

ALL_SERIALIZERS = [
    BytesSerializer,
    StringSerializer,
    IntegerSerializer,
    LongSerializer,
    DoubleSerializer,
]
ALL_DESERIALIZERS = [
    BytesDeserializer,
    StringDeserializer,
    IntegerDeserializer,
    LongDeserializer,
    DoubleDeserializer,
]


@pytest.mark.parametrize("serializer_type", ALL_SERIALIZERS)
def test_none_serializes_to_none_a_tombstone(serializer_type: type, value_ctx: SerializationContext) -> None:
    assert serializer_type()(None, value_ctx) is None


@pytest.mark.parametrize("deserializer_type", ALL_DESERIALIZERS)
def test_none_deserializes_to_none(deserializer_type: type, consumed_ctx: SerializationContext) -> None:
    assert deserializer_type()(None, consumed_ctx) is None


# --- bytes -----------------------------------------------------------------------------------------


def test_bytes_pass_through_as_the_same_object(value_ctx: SerializationContext) -> None:
    data = b"\x00\xffpayload"
    assert BytesSerializer()(data, value_ctx) is data
    assert BytesDeserializer()(data, value_ctx) is data


@pytest.mark.parametrize(
    "obj", [bytearray(b"\x01\x02"), memoryview(b"\x01\x02"), memoryview(b"\x00\x01\x02")[1:]]
)
def test_bytes_like_objects_become_bytes(
    obj: bytearray | memoryview, value_ctx: SerializationContext
) -> None:
    result = BytesSerializer()(obj, value_ctx)
    assert type(result) is bytes
    assert result == b"\x01\x02"


def test_empty_bytes_are_not_a_tombstone(value_ctx: SerializationContext) -> None:
    assert BytesSerializer()(b"", value_ctx) == b""
    assert BytesDeserializer()(b"", value_ctx) == b""


@pytest.mark.parametrize(("obj", "type_name"), [("text", "str"), (5, "int"), ([1, 2], "list")])
def test_bytes_serializer_refuses_what_is_not_bytes(
    obj: object, type_name: str, key_ctx: SerializationContext
) -> None:
    with pytest.raises(SerializationError) as caught:
        BytesSerializer()(obj, key_ctx)  # type: ignore[arg-type]
    err = caught.value
    assert (err.topic, err.field, err.obj_type) == ("orders", "key", type_name)
    assert isinstance(err.__cause__, TypeError)
    assert str(err).startswith(
        f"BytesSerializer could not serialize the key for topic 'orders': "
        f"TypeError: expected bytes, bytearray or memoryview, got {type_name}"
    )


# --- text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "hello", "héllo €", "日本語", "emoji 🎉 and 𝄞", "\x00\n\t"])
def test_string_round_trip(text: str, value_ctx: SerializationContext) -> None:
    data = StringSerializer()(text, value_ctx)
    assert data == text.encode("utf-8")
    assert StringDeserializer()(data, value_ctx) == text


def test_string_matches_java_utf8_bytes(value_ctx: SerializationContext) -> None:
    assert StringSerializer()("héllo €𝄞", value_ctx) == bytes.fromhex("68c3a96c6c6f20e282acf09d849e")


def test_string_other_encoding(value_ctx: SerializationContext) -> None:
    assert StringSerializer("latin-1")("héllo", value_ctx) == b"h\xe9llo"
    assert StringDeserializer("LATIN1")(b"h\xe9llo", value_ctx) == "héllo"


def test_string_error_handler_replaces(value_ctx: SerializationContext) -> None:
    assert StringSerializer("ascii", errors="replace")("héllo", value_ctx) == b"h?llo"
    assert StringDeserializer(errors="replace")(b"h\xffi", value_ctx) == "h\ufffdi"


def test_string_serializer_refuses_unencodable_text(value_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError, match="UnicodeEncodeError") as caught:
        StringSerializer("ascii")("héllo", value_ctx)
    assert caught.value.obj_type == "str"


def test_string_serializer_refuses_non_str(value_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError, match=r"StringSerializer .* \[got bytes: b'abc'\]"):
        StringSerializer()(b"abc", value_ctx)  # type: ignore[arg-type]


def test_string_deserializer_reports_invalid_utf8(consumed_ctx: SerializationContext) -> None:
    data = b"ok \xff\xfe bad"
    with pytest.raises(DeserializationError) as caught:
        StringDeserializer()(data, consumed_ctx)
    err = caught.value
    assert err.raw is data
    assert (err.topic, err.partition, err.offset, err.field) == ("orders", 3, 42, "value")
    assert isinstance(err.__cause__, UnicodeDecodeError)
    assert str(err) == (
        "StringDeserializer could not deserialize the value of the record at topic 'orders' partition 3 "
        f"offset 42: UnicodeDecodeError: {err.__cause__} [raw 9 bytes: b'ok \\xff\\xfe bad']"
    )


def test_unknown_encoding_and_handler_are_config_errors_at_construction() -> None:
    with pytest.raises(ConfigError) as caught:
        StringSerializer("no-such-codec", errors="no-such-handler")
    assert [p.path for p in caught.value.problems] == ["encoding", "errors"]
    assert isinstance(caught.value, ValueError)
    with pytest.raises(ConfigError, match="unknown text encoding"):
        StringDeserializer("no-such-codec")


# --- fixed-width numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "hex_bytes"), JAVA_INTEGERS)
def test_integer_matches_java(number: int, hex_bytes: str, key_ctx: SerializationContext) -> None:
    data = IntegerSerializer()(number, key_ctx)
    assert data == bytes.fromhex(hex_bytes)
    assert IntegerDeserializer()(data, key_ctx) == number


def test_integer_one_is_four_big_endian_bytes(key_ctx: SerializationContext) -> None:
    assert IntegerSerializer()(1, key_ctx) == b"\x00\x00\x00\x01"


@pytest.mark.parametrize(("number", "hex_bytes"), JAVA_LONGS)
def test_long_matches_java(number: int, hex_bytes: str, key_ctx: SerializationContext) -> None:
    data = LongSerializer()(number, key_ctx)
    assert data == bytes.fromhex(hex_bytes)
    assert LongDeserializer()(data, key_ctx) == number


@pytest.mark.parametrize(("number", "hex_bytes"), JAVA_DOUBLES)
def test_double_matches_java(number: float, hex_bytes: str, value_ctx: SerializationContext) -> None:
    data = DoubleSerializer()(number, value_ctx)
    assert data == bytes.fromhex(hex_bytes)
    result = DoubleDeserializer()(data, value_ctx)
    assert result == number
    assert math.copysign(1.0, result) == math.copysign(1.0, number)  # keeps -0.0


def test_double_nan_matches_java_and_round_trips(value_ctx: SerializationContext) -> None:
    data = DoubleSerializer()(math.nan, value_ctx)
    assert data == bytes.fromhex(JAVA_NAN)
    result = DoubleDeserializer()(data, value_ctx)
    assert result is not None
    assert math.isnan(result)


def test_double_accepts_an_int(value_ctx: SerializationContext) -> None:
    assert DoubleSerializer()(3, value_ctx) == struct.pack(">d", 3.0)


@pytest.mark.parametrize(
    ("serializer", "number"),
    [
        (IntegerSerializer(), 2**31),
        (IntegerSerializer(), -(2**31) - 1),
        (LongSerializer(), 2**63),
        (LongSerializer(), -(2**63) - 1),
    ],
)
def test_integers_out_of_range_are_refused(
    serializer: IntegerSerializer | LongSerializer, number: int, key_ctx: SerializationContext
) -> None:
    with pytest.raises(SerializationError) as caught:
        serializer(number, key_ctx)
    err = caught.value
    assert (err.topic, err.field, err.obj_type) == ("orders", "key", "int")
    assert isinstance(err.__cause__, struct.error)
    assert "struct.error: " in str(err)
    assert str(err).endswith(f"[got int: {number}]")


@pytest.mark.parametrize(
    ("serializer", "obj"),
    [
        (IntegerSerializer(), 1.5),
        (IntegerSerializer(), "1"),
        (DoubleSerializer(), "1.0"),
        (DoubleSerializer(), 2**1100),
    ],
)
def test_numbers_of_the_wrong_type_are_refused(
    serializer: IntegerSerializer | DoubleSerializer, obj: object, value_ctx: SerializationContext
) -> None:
    with pytest.raises(SerializationError, match=type(serializer).__name__):
        serializer(obj, value_ctx)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("deserializer", "data"),
    [
        (IntegerDeserializer(), b"\x00\x01\x02"),
        (IntegerDeserializer(), b"\x00\x00\x00\x00\x01"),
        (IntegerDeserializer(), b""),
        (LongDeserializer(), b"\x00\x00\x00\x01"),
        (DoubleDeserializer(), b"\x3f\xf0"),
    ],
)
def test_wrong_lengths_are_poison_pills(
    deserializer: IntegerDeserializer | LongDeserializer | DoubleDeserializer,
    data: bytes,
    consumed_ctx: SerializationContext,
) -> None:
    with pytest.raises(DeserializationError) as caught:
        deserializer(data, consumed_ctx)
    err = caught.value
    assert err.raw is data
    assert (err.topic, err.partition, err.offset, err.field) == ("orders", 3, 42, "value")
    assert isinstance(err.__cause__, struct.error)
    assert f"{type(deserializer).__name__} could not deserialize the value" in str(err)
    assert str(err).endswith(f"[raw {len(data)} bytes: {data!r}]")
