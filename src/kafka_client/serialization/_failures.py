"""Building the errors a failing serializer or deserializer raises, the same way for every one of them.

Kept apart from the serializers so that custom serializers (and the consumer, when it wraps an
exception a user's deserializer raised) produce errors carrying the same attributes and message shape.
"""

from __future__ import annotations

import reprlib

from kafka_client.errors import DeserializationError, SerializationError
from kafka_client.serialization._context import SerializationContext

__all__ = ["deserialization_error", "serialization_error", "type_name"]

MAX_OBJECT_PREVIEW = 200
"""At most this many characters of an object's repr appear in a SerializationError message."""

MAX_RAW_PREVIEW = 64
"""At most this many bytes of a record appear in a DeserializationError message."""

# reprlib bounds the work too, not only the output, for large builtin containers and strings.
_bounded = reprlib.Repr()
_bounded.maxstring = MAX_OBJECT_PREVIEW
_bounded.maxother = MAX_OBJECT_PREVIEW
_bounded.maxlong = MAX_OBJECT_PREVIEW


def type_name(obj: object) -> str:
    """The qualified name of ``obj``'s type, without the module for builtins: ``"decimal.Decimal"``."""
    cls = type(obj)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _preview_object(obj: object) -> str:
    text = _bounded.repr(obj)  # a __repr__ that raises becomes "<X instance at 0x...>"
    if len(text) > MAX_OBJECT_PREVIEW:
        return text[: MAX_OBJECT_PREVIEW - 3] + "..."
    return text


def _preview_raw(raw: bytes | None) -> str:
    if raw is None:
        return "None"
    shown = repr(bytes(raw[:MAX_RAW_PREVIEW]))
    more = "..." if len(raw) > MAX_RAW_PREVIEW else ""
    return f"{len(raw)} bytes: {shown}{more}"


def _describe(cause: BaseException) -> str:
    cls = type(cause)
    package = cls.__module__.partition(".")[0]
    # "struct.error" and "orjson.JSONDecodeError" say more than "error"; private submodules say less.
    name = cls.__qualname__ if package == "builtins" else f"{package}.{cls.__qualname__}"
    text = str(cause)
    return f"{name}: {text}" if text else name


def _source_name(source: object) -> str:
    return source if isinstance(source, str) else type(source).__name__


def serialization_error(
    source: object, obj: object, ctx: SerializationContext, cause: BaseException
) -> SerializationError:
    """The SerializationError to raise when ``source`` failed to serialize ``obj``; raise it ``from cause``.

    ``source`` is the serializer (its class name is shown) or a name. The message names the serializer,
    the field and topic, the cause, and the object's type with a repr cut to 200 characters.

    Example::

        try:
            return encode(obj)
        except Exception as exc:
            raise serialization_error(self, obj, ctx, exc) from exc
    """
    obj_type = type_name(obj)
    message = (
        f"{_source_name(source)} could not serialize the {ctx.field} for topic {ctx.topic!r}: "
        f"{_describe(cause)} [got {obj_type}: {_preview_object(obj)}]"
    )
    return SerializationError(message, topic=ctx.topic, field=str(ctx.field), obj_type=obj_type)


def deserialization_error(
    source: object, data: bytes | None, ctx: SerializationContext, cause: BaseException
) -> DeserializationError:
    """The DeserializationError to raise when ``source`` failed on ``data``; raise it ``from cause``.

    The error keeps ``data`` untouched as ``raw`` (the dead-letter queue forwards it) and copies topic,
    partition, offset and field from ``ctx``. The message names the serializer, the record's position,
    the cause, and at most the first 64 bytes of the data.

    Example::

        try:
            return decode(data)
        except Exception as exc:
            raise deserialization_error(self, data, ctx, exc) from exc
    """
    where = f"topic {ctx.topic!r}"
    if ctx.partition is not None:
        where += f" partition {ctx.partition}"
    if ctx.offset is not None:
        where += f" offset {ctx.offset}"
    message = (
        f"{_source_name(source)} could not deserialize the {ctx.field} of the record at {where}: "
        f"{_describe(cause)} [raw {_preview_raw(data)}]"
    )
    return DeserializationError(
        message,
        topic=ctx.topic,
        partition=ctx.partition,
        offset=ctx.offset,
        field=str(ctx.field),
        raw=data,
    )
