"""Pydantic v2 models as JSON: the model is the schema, validated on the way in.

Serializing uses ``model_dump_json`` and deserializing ``model_validate_json`` (pydantic's own Rust JSON
parser, with no intermediate dict), so the model's configuration (aliases, ``ser_json_timedelta``,
``serialize_by_alias``, strictness) applies exactly as it does elsewhere in the application.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

from kafka_client.errors import ConfigError, ConfigProblem
from kafka_client.serialization._context import ContextFree, SerializationContext, none_or
from kafka_client.serialization._failures import deserialization_error, serialization_error, type_name

__all__ = ["PydanticDeserializer", "PydanticSerializer"]

M = TypeVar("M", bound=BaseModel)


def _checked_model_type(model_type: object) -> None:
    if not (isinstance(model_type, type) and issubclass(model_type, BaseModel)):
        raise ConfigError(
            [
                ConfigProblem(
                    "model_type",
                    "must be a pydantic.BaseModel subclass",
                    value=repr(model_type),
                    hint="pass the model class itself, e.g. PydanticSerializer(Order)",
                )
            ]
        )


class PydanticSerializer(Generic[M]):
    """Serializes instances of one pydantic model to JSON bytes.

    Only instances of ``model_type`` (or its subclasses) are accepted: a different model, or a dict,
    raises SerializationError rather than putting a record of the wrong shape on the topic.

    Example::

        class Order(BaseModel):
            id: int
            placed_at: datetime

        PydanticSerializer(Order)(Order(id=7, placed_at=now), ctx)  # b'{"id":7,"placed_at":"..."}'
    """

    __slots__ = ("_model_type",)

    def __init__(self, model_type: type[M]) -> None:
        _checked_model_type(model_type)
        self._model_type = model_type

    def __call__(self, obj: M | None, ctx: SerializationContext) -> bytes | None:
        """Return ``obj`` as JSON bytes, or None for None (a tombstone)."""
        if obj is None:
            return None
        if not isinstance(obj, self._model_type):
            cause = TypeError(f"expected a {self._model_type.__qualname__}, got {type_name(obj)}")
            raise serialization_error(self, obj, ctx, cause) from cause
        try:
            return obj.model_dump_json().encode("utf-8")
        except Exception as exc:
            raise serialization_error(self, obj, ctx, exc) from exc

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._model_type.__qualname__})"


class PydanticDeserializer(Generic[M]):
    """Validates JSON bytes into an instance of one pydantic model.

    A record that is not valid JSON, or does not validate against the model, raises
    DeserializationError carrying the raw bytes, with pydantic's ValidationError as the cause.

    Example::

        PydanticDeserializer(Order)(b'{"id": 7, "placed_at": "2024-05-01T12:00:00Z"}', ctx)  # Order(...)
    """

    __slots__ = ("_model_type", "_validate")

    def __init__(self, model_type: type[M]) -> None:
        _checked_model_type(model_type)
        self._model_type = model_type
        self._validate = model_type.model_validate_json

    def __call__(self, data: bytes | None, ctx: SerializationContext) -> M | None:
        """Return the validated model, or None for None (a tombstone)."""
        if data is None:
            return None
        try:
            return self._validate(data)
        except Exception as exc:
            raise deserialization_error(self, data, ctx, exc) from exc

    def _context_free(self) -> ContextFree:
        return none_or(self._validate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._model_type.__qualname__})"
