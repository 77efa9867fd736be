"""Contexts shared by the serialization tests, and isolation of the global serializer registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kafka_client.serialization import MessageField, SerializationContext, _registry


@pytest.fixture
def value_ctx() -> SerializationContext:
    """A value being produced to ``orders``: no partition or offset yet."""
    return SerializationContext("orders", MessageField.VALUE)


@pytest.fixture
def key_ctx() -> SerializationContext:
    return SerializationContext("orders", MessageField.KEY)


@pytest.fixture
def consumed_ctx() -> SerializationContext:
    """A value consumed from ``orders`` partition 3 at offset 42."""
    return SerializationContext("orders", MessageField.VALUE, headers=[], partition=3, offset=42)


@pytest.fixture
def isolated_registry() -> Iterator[None]:
    """Undo every registration (and plugin loaded) by the test, so tests do not leak names."""
    saved = {
        registry: dict(registry._factories) for registry in (_registry._SERIALIZERS, _registry._DESERIALIZERS)
    }
    yield
    for registry, factories in saved.items():
        registry._factories.clear()
        registry._factories.update(factories)
