"""Serializers for raw bytes, text and fixed-width numbers, byte-compatible with the Java client's.

``IntegerSerializer``, ``LongSerializer`` and ``DoubleSerializer`` write exactly what Kafka's Java
``IntegerSerializer`` (4 bytes), ``LongSerializer`` (8 bytes) and ``DoubleSerializer`` (8 bytes, IEEE
754) write: big-endian, signed. So a Python service and a Java or Kafka Streams service can share a
topic. Every serializer maps None to None (a null key, or a tombstone value) and every deserializer
maps None back to None.
"""

from __future__ import annotations

import codecs
import struct
from typing import ClassVar, Generic, TypeVar

from kafka_client.errors import ConfigError, ConfigProblem
from kafka_client.serialization._context import ContextFree, SerializationContext, none_or
from kafka_client.serialization._failures import deserialization_error, serialization_error, type_name

__all__ = [
    "BytesDeserializer",
    "BytesSerializer",
    "DoubleDeserializer",
    "DoubleSerializer",
    "IntegerDeserializer",
    "IntegerSerializer",
    "LongDeserializer",
    "LongSerializer",
    "StringDeserializer",
    "StringSerializer",
]


class BytesSerializer:
    """Passes bytes through unchanged; bytearray and memoryview are copied into bytes.

    Anything else (a str, an int, a list) is refused rather than guessed at: ``bytes(5)`` would
    silently produce five zero bytes.

    Example::

        BytesSerializer()(b"\\x00\\x01", ctx)  # b"\\x00\\x01"
    """

    __slots__ = ()

    def __call__(self, obj: bytes | bytearray | memoryview | None, ctx: SerializationContext) -> bytes | None:
        """Return ``obj`` as bytes (the same object when it already is bytes)."""
        if obj is None or type(obj) is bytes:
            return obj
        if isinstance(obj, bytearray | memoryview | bytes):
            return bytes(obj)
        cause = TypeError(f"expected bytes, bytearray or memoryview, got {type_name(obj)}")
        raise serialization_error(self, obj, ctx, cause) from cause


def _unchanged(data: bytes | None) -> bytes | None:
    return data


class BytesDeserializer:
    """Returns the record's bytes as they are: for payloads the application decodes itself."""

    __slots__ = ()

    def __call__(self, data: bytes | None, ctx: SerializationContext) -> bytes | None:
        """Return ``data`` unchanged."""
        return data

    def _context_free(self) -> ContextFree:
        return _unchanged


def _checked_codec(encoding: str, errors: str) -> str:
    """The canonical name of ``encoding`` (``"UTF8"`` becomes ``"utf-8"``, which has a fast path)."""
    problems = []
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError:
        problems.append(ConfigProblem("encoding", "unknown text encoding", value=repr(encoding)))
    try:
        codecs.lookup_error(errors)
    except LookupError:
        problems.append(
            ConfigProblem(
                "errors",
                "unknown codec error handler",
                value=repr(errors),
                hint="use 'strict', 'replace', 'ignore', 'backslashreplace' or 'surrogateescape'",
            )
        )
    if problems:
        raise ConfigError(problems)
    return encoding


class StringSerializer:
    """Encodes a str as text, UTF-8 by default (Java's ``StringSerializer`` default too).

    ``errors`` is the codec error handler: ``"strict"`` (the default) refuses text the encoding cannot
    represent; ``"replace"`` substitutes ``?``. An unknown encoding or handler raises ConfigError here,
    not on the first message.

    Example::

        StringSerializer()("héllo", ctx)  # b"h\\xc3\\xa9llo"
        StringSerializer("latin-1")("héllo", ctx)  # b"h\\xe9llo"
    """

    __slots__ = ("_encoding", "_errors")

    def __init__(self, encoding: str = "utf-8", errors: str = "strict") -> None:
        self._encoding = _checked_codec(encoding, errors)
        self._errors = errors

    def __call__(self, obj: str | None, ctx: SerializationContext) -> bytes | None:
        """Return ``obj`` encoded; a non-str raises SerializationError."""
        if obj is None:
            return None
        try:
            return str.encode(obj, self._encoding, self._errors)
        except Exception as exc:
            raise serialization_error(self, obj, ctx, exc) from exc


class StringDeserializer:
    """Decodes text, UTF-8 by default; with ``errors="strict"`` invalid bytes raise DeserializationError.

    Example::

        StringDeserializer()(b"h\\xc3\\xa9llo", ctx)  # "héllo"
    """

    __slots__ = ("_encoding", "_errors")

    def __init__(self, encoding: str = "utf-8", errors: str = "strict") -> None:
        self._encoding = _checked_codec(encoding, errors)
        self._errors = errors

    def __call__(self, data: bytes | None, ctx: SerializationContext) -> str | None:
        """Return ``data`` decoded."""
        if data is None:
            return None
        try:
            return str(data, self._encoding, self._errors)
        except Exception as exc:
            raise deserialization_error(self, data, ctx, exc) from exc

    def _context_free(self) -> ContextFree:
        encoding, errors = self._encoding, self._errors
        return none_or(lambda data: str(data, encoding, errors))


N = TypeVar("N", int, float)


class _FixedWidthSerializer(Generic[N]):
    """Packs a number with one precompiled ``struct`` format; the subclasses only name it."""

    __slots__ = ("_pack",)
    _format: ClassVar[str]

    def __init__(self) -> None:
        self._pack = struct.Struct(self._format).pack

    def __call__(self, obj: N | None, ctx: SerializationContext) -> bytes | None:
        """Return the fixed-width big-endian encoding of ``obj``."""
        if obj is None:
            return None
        try:
            return self._pack(obj)
        except Exception as exc:
            raise serialization_error(self, obj, ctx, exc) from exc


class _FixedWidthDeserializer(Generic[N]):
    """Unpacks a number with one precompiled ``struct`` format; any other length is refused."""

    __slots__ = ("_unpack",)
    _format: ClassVar[str]

    def __init__(self) -> None:
        self._unpack = struct.Struct(self._format).unpack

    def __call__(self, data: bytes | None, ctx: SerializationContext) -> N | None:
        """Return the number encoded in ``data``."""
        if data is None:
            return None
        try:
            value: N = self._unpack(data)[0]
        except Exception as exc:
            raise deserialization_error(self, data, ctx, exc) from exc
        return value

    def _context_free(self) -> ContextFree:
        unpack = self._unpack
        return none_or(lambda data: unpack(data)[0])


class IntegerSerializer(_FixedWidthSerializer[int]):
    """Writes an int as 4 bytes, big-endian, signed: Java's ``IntegerSerializer`` and confluent-kafka's.

    Values outside -2**31 .. 2**31-1 raise SerializationError (use LongSerializer for those).

    Example::

        IntegerSerializer()(1, ctx)  # b"\\x00\\x00\\x00\\x01"
        IntegerSerializer()(-1, ctx)  # b"\\xff\\xff\\xff\\xff"
    """

    __slots__ = ()
    _format = ">i"


class IntegerDeserializer(_FixedWidthDeserializer[int]):
    """Reads a 4-byte big-endian signed int (Java's ``IntegerDeserializer``); other lengths are refused."""

    __slots__ = ()
    _format = ">i"


class LongSerializer(_FixedWidthSerializer[int]):
    """Writes an int as 8 bytes, big-endian, signed: Java's ``LongSerializer``.

    Kafka Streams writes ``count()`` results, and many services their keys, as Longs.

    Example::

        LongSerializer()(1, ctx)  # b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01"
    """

    __slots__ = ()
    _format = ">q"


class LongDeserializer(_FixedWidthDeserializer[int]):
    """Reads an 8-byte big-endian signed int (Java's ``LongDeserializer``); other lengths are refused."""

    __slots__ = ()
    _format = ">q"


class DoubleSerializer(_FixedWidthSerializer[float]):
    """Writes a float as 8 bytes, big-endian IEEE 754: Java's ``DoubleSerializer`` and confluent-kafka's.

    Infinities and NaN are written as IEEE 754 encodes them and read back as such; ints are accepted
    and converted (exactly up to 2**53).

    Example::

        DoubleSerializer()(1.0, ctx)  # b"?\\xf0\\x00\\x00\\x00\\x00\\x00\\x00"
    """

    __slots__ = ()
    _format = ">d"


class DoubleDeserializer(_FixedWidthDeserializer[float]):
    """Reads an 8-byte big-endian IEEE 754 double (Java's ``DoubleDeserializer``); other lengths fail."""

    __slots__ = ()
    _format = ">d"
