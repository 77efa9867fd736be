"""The public surface of kafka_client.serialization is exactly what __all__ says, all documented."""

from __future__ import annotations

import inspect

import kafka_client.serialization as serialization

EXPECTED = {
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
}


def test_all_is_pinned() -> None:
    assert set(serialization.__all__) == EXPECTED
    assert sorted(serialization.__all__) == sorted(set(serialization.__all__))
    for name in serialization.__all__:
        assert hasattr(serialization, name), name


def test_public_classes_and_functions_have_docstrings() -> None:
    for name in serialization.__all__:
        obj = getattr(serialization, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
            assert obj.__module__.startswith("kafka_client.serialization._"), name


def test_entry_point_groups() -> None:
    assert serialization.SERIALIZER_ENTRY_POINT_GROUP == "kafka_client.serializers"
    assert serialization.DESERIALIZER_ENTRY_POINT_GROUP == "kafka_client.deserializers"
