"""The errors every (de)serializer raises: what they carry, how their messages stay short, pickling."""

from __future__ import annotations

import pickle

import pytest

from kafka_client.errors import DeserializationError, KafkaClientError, SerializationError
from kafka_client.serialization import (
    MessageField,
    SerializationContext,
    deserialization_error,
    serialization_error,
)


class HugeRepr:
    def __repr__(self) -> str:
        return "A" * 10_000


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


def test_serialization_error_carries_where_and_what(key_ctx: SerializationContext) -> None:
    cause = ValueError("bad")
    err = serialization_error("AvroSerializer", HugeRepr(), key_ctx, cause)
    assert isinstance(err, SerializationError)
    assert isinstance(err, KafkaClientError)
    assert (err.topic, err.field, err.obj_type) == ("orders", "key", f"{__name__}.HugeRepr")
    assert err.field == MessageField.KEY


def test_object_preview_is_cut_to_200_characters(value_ctx: SerializationContext) -> None:
    err = serialization_error("S", HugeRepr(), value_ctx, ValueError("bad"))
    preview = str(err).split(f"[got {__name__}.HugeRepr: ", 1)[1].removesuffix("]")
    assert len(preview) == 200
    assert preview.startswith("AAAA")
    assert "..." in preview


def test_large_containers_are_previewed_within_200_characters(value_ctx: SerializationContext) -> None:
    obj = {f"key{i}": "x" * 1000 for i in range(10)}
    err = serialization_error("S", obj, value_ctx, TypeError("t"))
    preview = str(err).split("[got dict: ", 1)[1].removesuffix("]")
    assert len(preview) == 200
    assert preview.endswith("...")


def test_a_failing_repr_does_not_hide_the_error(value_ctx: SerializationContext) -> None:
    err = serialization_error("S", BrokenRepr(), value_ctx, TypeError("t"))
    assert f"TypeError: t [got {__name__}.BrokenRepr: <BrokenRepr instance at 0x" in str(err)


def test_source_may_be_an_object_or_a_name(value_ctx: SerializationContext) -> None:
    assert str(serialization_error(HugeRepr(), 1, value_ctx, TypeError("t"))).startswith("HugeRepr could not")
    assert str(serialization_error("mine", 1, value_ctx, TypeError("t"))).startswith("mine could not")


def test_cause_without_message_shows_its_type(value_ctx: SerializationContext) -> None:
    err = serialization_error("S", 1, value_ctx, KeyError())
    assert str(err) == "S could not serialize the value for topic 'orders': KeyError [got int: 1]"


def test_deserialization_error_keeps_raw_untouched(consumed_ctx: SerializationContext) -> None:
    raw = bytes(range(256)) * 4
    err = deserialization_error("D", raw, consumed_ctx, ValueError("bad"))
    assert isinstance(err, DeserializationError)
    assert err.raw is raw
    assert (err.topic, err.partition, err.offset, err.field) == ("orders", 3, 42, "value")


def test_raw_preview_is_cut_to_64_bytes(consumed_ctx: SerializationContext) -> None:
    raw = bytes(range(100))
    err = deserialization_error("D", raw, consumed_ctx, ValueError("bad"))
    assert str(err) == (
        "D could not deserialize the value of the record at topic 'orders' partition 3 offset 42: "
        f"ValueError: bad [raw 100 bytes: {raw[:64]!r}...]"
    )


def test_position_parts_that_are_unknown_are_left_out(key_ctx: SerializationContext) -> None:
    err = deserialization_error("D", None, key_ctx, ValueError("bad"))
    assert str(err) == (
        "D could not deserialize the key of the record at topic 'orders': ValueError: bad [raw None]"
    )
    assert (err.partition, err.offset, err.raw) == (None, None, None)


def test_errors_survive_pickling(consumed_ctx: SerializationContext) -> None:
    de = deserialization_error("D", b"\x00raw", consumed_ctx, ValueError("bad"))
    copy = pickle.loads(pickle.dumps(de))
    assert (copy.topic, copy.partition, copy.offset, copy.field, copy.raw) == (
        "orders",
        3,
        42,
        "value",
        b"\x00raw",
    )
    assert str(copy) == str(de)
    se = pickle.loads(pickle.dumps(serialization_error("S", 1.5, consumed_ctx, TypeError("t"))))
    assert (se.topic, se.field, se.obj_type) == ("orders", "value", "float")


def test_errors_can_still_be_raised_with_a_message_only() -> None:
    with pytest.raises(DeserializationError, match="plain") as caught:
        raise DeserializationError("plain")
    assert caught.value.raw is None
    assert SerializationError("plain").obj_type is None
