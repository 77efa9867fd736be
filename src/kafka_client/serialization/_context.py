"""The shape every serializer and deserializer has: a callable taking the object and a context.

The shape is confluent-kafka's, so its Schema Registry serializers (Avro, Protobuf, JSON Schema) can be
passed wherever a kafka_client serializer is expected, and ours wherever theirs is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, TypeVar

__all__ = ["ContextHeaders", "Deserializer", "MessageField", "SerializationContext", "Serializer"]

T_contra = TypeVar("T_contra", contravariant=True)
T_co = TypeVar("T_co", covariant=True)

ContextHeaders: TypeAlias = list[tuple[str, bytes | None]]
"""Record headers as Kafka clients pass them: ordered ``(name, value)`` pairs; names may repeat."""


class MessageField(enum.StrEnum):
    """Which part of a record is being (de)serialized.

    A ``StrEnum``, so ``MessageField.KEY == "key"``: it compares equal to confluent-kafka's
    ``MessageField.KEY``, which its Schema Registry serializers test ``ctx.field`` against.
    """

    KEY = "key"
    VALUE = "value"


@dataclass(frozen=True, slots=True, init=False)
class SerializationContext:
    """Where the bytes go to or come from, passed to every serializer and deserializer call.

    ``topic``, ``field`` and ``headers`` match confluent-kafka's context, so its serializers accept this
    one. ``headers`` is the record's own list: a serializer may append to it (Schema Registry
    serializers can put the schema id there). ``partition`` and ``offset`` are set when consuming and
    None when producing; they let a deserialization error say exactly which record is poisoned.

    Example::

        ctx = SerializationContext("orders", MessageField.VALUE)
        StringSerializer()("hello", ctx)  # b"hello"
    """

    topic: str
    field: MessageField
    headers: ContextHeaders | None
    partition: int | None
    offset: int | None

    def __init__(
        self,
        topic: str,
        field: MessageField,
        headers: ContextHeaders | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        # One context is made per key and per value of every message. A frozen dataclass's generated
        # __init__ goes through object.__setattr__ per field (about 1.3 us here); the slots' own
        # descriptors set the same fields in well under half that, and the instance stays frozen.
        _set_topic(self, topic)
        _set_field(self, field)
        _set_headers(self, headers)
        _set_partition(self, partition)
        _set_offset(self, offset)


def _slot_setter(name: str) -> Callable[[SerializationContext, object], None]:
    setter: Callable[[SerializationContext, object], None] = vars(SerializationContext)[name].__set__
    return setter


_set_topic = _slot_setter("topic")
_set_field = _slot_setter("field")
_set_headers = _slot_setter("headers")
_set_partition = _slot_setter("partition")
_set_offset = _slot_setter("offset")


class Serializer(Protocol[T_contra]):
    """Turns one key or value into bytes: ``(obj, ctx) -> bytes | None``.

    Returning None produces a null key or value (for values: a tombstone). Raise
    :class:`~kafka_client.errors.SerializationError` on failure, most easily with
    :func:`serialization_error`. Any callable of this shape qualifies, a plain function included::

        def upper(obj: str | None, ctx: SerializationContext) -> bytes | None:
            return None if obj is None else obj.upper().encode()
    """

    def __call__(self, obj: T_contra, ctx: SerializationContext, /) -> bytes | None:
        """Serialize ``obj`` for the topic and field in ``ctx``."""
        ...


class Deserializer(Protocol[T_co]):
    """Turns one key's or value's bytes back into an object: ``(data, ctx) -> object``.

    ``data`` is None for a null key or a tombstone; the built-ins return None for it. Raise
    :class:`~kafka_client.errors.DeserializationError` on failure (see :func:`deserialization_error`),
    so the consumer can route the record to the dead-letter queue with its original bytes.
    """

    def __call__(self, data: bytes | None, ctx: SerializationContext, /) -> T_co:
        """Deserialize ``data`` read from the topic, partition and offset in ``ctx``."""
        ...


ContextFree: TypeAlias = Callable[[bytes | None], Any]
"""A deserializer's success path without a context: ``data -> object``, raising anything on failure.

The built-in deserializers need their :class:`SerializationContext` only to describe a failure, so the
consumer calls this instead and builds the context (calling the deserializer itself, which raises the
documented error) only when it raises; one object less per key and value."""


def none_or(parse: Callable[[bytes], Any]) -> ContextFree:
    """``parse(data)``, or None for None (a null key or a tombstone)."""

    def parse_or_none(data: bytes | None) -> Any:
        return None if data is None else parse(data)

    return parse_or_none


def context_free(deserializer: object) -> ContextFree | None:
    """The deserializer's context-free success path, when it offers one (the built-ins do)."""
    make: Callable[[], ContextFree] | None = getattr(deserializer, "_context_free", None)
    return make() if make is not None else None
