"""The context every (de)serializer receives, and its compatibility with confluent-kafka's."""

from __future__ import annotations

import dataclasses

import pytest
from confluent_kafka import serialization as confluent

from kafka_client.serialization import (
    IntegerSerializer,
    MessageField,
    SerializationContext,
    StringDeserializer,
    get_serializer,
)


def test_message_field_is_a_plain_string() -> None:
    assert MessageField.KEY == "key"
    assert MessageField.VALUE == "value"
    assert f"{MessageField.KEY}" == "key"
    assert MessageField("value") is MessageField.VALUE


def test_context_defaults_to_producing() -> None:
    ctx = SerializationContext("orders", MessageField.VALUE)
    assert (ctx.topic, ctx.field, ctx.headers, ctx.partition, ctx.offset) == (
        "orders",
        MessageField.VALUE,
        None,
        None,
        None,
    )


def test_context_is_frozen_and_slotted() -> None:
    ctx = SerializationContext("orders", MessageField.KEY, headers=[("h", b"1")], partition=0, offset=7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.topic = "other"  # type: ignore[misc]
    assert not hasattr(ctx, "__dict__")


def test_headers_list_is_shared_so_a_serializer_can_add_to_it() -> None:
    headers: list[tuple[str, bytes | None]] = [("trace", b"abc")]
    ctx = SerializationContext("orders", MessageField.VALUE, headers=headers)
    assert ctx.headers is headers


def test_confluent_serializers_accept_our_context() -> None:
    ctx = SerializationContext("orders", MessageField.KEY)
    assert ctx.field == confluent.MessageField.KEY
    assert confluent.StringSerializer()("héllo", ctx) == "héllo".encode()
    assert confluent.IntegerSerializer()(7, ctx) == IntegerSerializer()(7, ctx)


def test_our_deserializers_accept_confluent_context() -> None:
    ctx = confluent.SerializationContext("orders", confluent.MessageField.VALUE)
    assert StringDeserializer()(b"abc", ctx) == "abc"  # type: ignore[arg-type]


def test_confluent_serializers_pass_through_the_registry() -> None:
    serializer = confluent.StringSerializer()
    assert get_serializer(serializer) is serializer


def test_context_supports_keywords_equality_and_replace() -> None:
    ctx = SerializationContext(topic="orders", field=MessageField.VALUE, partition=1, offset=2)
    assert ctx == SerializationContext("orders", MessageField.VALUE, None, 1, 2)
    assert dataclasses.replace(ctx, offset=3).offset == 3
    assert repr(ctx) == (
        "SerializationContext(topic='orders', field=<MessageField.VALUE: 'value'>, headers=None, "
        "partition=1, offset=2)"
    )
