"""Turning keys and values into bytes and back: the callables, their context, and a registry by name.

A serializer is any callable ``(obj, ctx) -> bytes | None`` and a deserializer any callable
``(data, ctx) -> object``, the shape confluent-kafka uses, so its Schema Registry serializers drop in.
"""

from __future__ import annotations

from kafka_client.serialization._context import (
    ContextHeaders,
    Deserializer,
    MessageField,
    SerializationContext,
    Serializer,
)
from kafka_client.serialization._failures import deserialization_error, serialization_error
from kafka_client.serialization._json import JsonDeserializer, JsonEngine, JsonSerializer
from kafka_client.serialization._primitives import (
    BytesDeserializer,
    BytesSerializer,
    DoubleDeserializer,
    DoubleSerializer,
    IntegerDeserializer,
    IntegerSerializer,
    LongDeserializer,
    LongSerializer,
    StringDeserializer,
    StringSerializer,
)
from kafka_client.serialization._pydantic import PydanticDeserializer, PydanticSerializer
from kafka_client.serialization._registry import (
    DESERIALIZER_ENTRY_POINT_GROUP,
    SERIALIZER_ENTRY_POINT_GROUP,
    DeserializerFactory,
    SerializerFactory,
    available_deserializers,
    available_serializers,
    get_deserializer,
    get_serializer,
    register_deserializer,
    register_serializer,
)

__all__ = [
    "DESERIALIZER_ENTRY_POINT_GROUP",
    "SERIALIZER_ENTRY_POINT_GROUP",
    "BytesDeserializer",
    "BytesSerializer",
    "ContextHeaders",
    "Deserializer",
    "DeserializerFactory",
    "DoubleDeserializer",
    "DoubleSerializer",
    "IntegerDeserializer",
    "IntegerSerializer",
    "JsonDeserializer",
    "JsonEngine",
    "JsonSerializer",
    "LongDeserializer",
    "LongSerializer",
    "MessageField",
    "PydanticDeserializer",
    "PydanticSerializer",
    "SerializationContext",
    "Serializer",
    "SerializerFactory",
    "StringDeserializer",
    "StringSerializer",
    "available_deserializers",
    "available_serializers",
    "deserialization_error",
    "get_deserializer",
    "get_serializer",
    "register_deserializer",
    "register_serializer",
    "serialization_error",
]
