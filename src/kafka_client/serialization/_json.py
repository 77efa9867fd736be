"""JSON serialization, with orjson when it is installed and the standard library otherwise.

The engine is chosen once, in ``__init__``: the per-message call is one bound function. Output is
compact UTF-8 JSON in both engines (no spaces, non-ASCII characters not escaped; only the spelling of
some floats differs, ``1e-7`` against ``1e-07``), so what a consumer reads does not depend on which
engine the producer had.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import importlib
import json
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any, Literal, TypeAlias

from kafka_client.errors import ConfigError, ConfigProblem, MissingDependencyError
from kafka_client.serialization._context import ContextFree, SerializationContext, none_or
from kafka_client.serialization._failures import deserialization_error, serialization_error

__all__ = ["JsonDeserializer", "JsonEngine", "JsonSerializer"]

JsonEngine: TypeAlias = Literal["orjson", "json"]
"""Which library a JSON serializer runs on: ``orjson`` (fast, optional) or the standard ``json``."""

_ORJSON_EXTRA = "orjson"


def _import_orjson() -> ModuleType | None:
    try:
        return importlib.import_module("orjson")
    except ImportError:
        return None


def _choose_orjson(use_orjson: bool | None, purpose: str) -> ModuleType | None:
    """orjson when asked for (raising when absent) or, with ``None``, whenever it is importable."""
    if use_orjson is False:
        return None
    orjson = _import_orjson()
    if orjson is None and use_orjson:
        raise MissingDependencyError("orjson", _ORJSON_EXTRA, purpose)
    return orjson


def _orjson_native_types(obj: object) -> object:
    """Give the standard library the types orjson serializes natively, in orjson's format.

    Without this, code tested where orjson is installed could fail where it is not (or the reverse).
    """
    if isinstance(obj, dt.datetime | dt.date | dt.time):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _stdlib_default(default: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if default is None:
        return _orjson_native_types

    def native_then_default(obj: object) -> object:
        try:
            return _orjson_native_types(obj)
        except TypeError:
            return default(obj)

    return native_then_default


class JsonSerializer:
    """Serializes JSON-compatible values (dicts, lists, str, int, float, bool, None inside) to UTF-8 JSON.

    ``default`` is called for objects JSON has no type for and returns something it has (or raises
    TypeError). datetime, date, time (ISO 8601), UUID (str), Enum (its value) and dataclasses (objects)
    are handled in both engines. ``sort_keys`` makes the bytes deterministic (for compacted topics
    keyed by JSON, or for comparing). ``use_orjson``: None uses orjson when it is importable, True
    requires it (MissingDependencyError when absent), False always uses the standard library.

    A top-level None is a tombstone (serialized to None, not ``b"null"``). The engines differ on values
    that are not portable JSON: orjson writes NaN and infinities as ``null`` and refuses ints beyond
    64 bits and non-str dict keys; the standard library refuses NaN and infinities and accepts the rest.

    Example::

        JsonSerializer(sort_keys=True)({"b": 1, "a": [True, None]}, ctx)  # b'{"a":[true,null],"b":1}'
    """

    __slots__ = ("_dumps", "engine")

    def __init__(
        self,
        default: Callable[[Any], Any] | None = None,
        sort_keys: bool = False,
        *,
        use_orjson: bool | None = None,
    ) -> None:
        orjson = _choose_orjson(use_orjson, "JsonSerializer(use_orjson=True)")
        self.engine: JsonEngine
        self._dumps: Callable[[Any], bytes]
        if orjson is not None:
            option = orjson.OPT_SORT_KEYS if sort_keys else 0
            self._dumps = functools.partial(orjson.dumps, default=default, option=option)
            self.engine = "orjson"
        else:
            encode = json.JSONEncoder(
                default=_stdlib_default(default),
                sort_keys=sort_keys,
                separators=(",", ":"),
                ensure_ascii=False,
                allow_nan=False,
            ).encode

            def dumps(obj: Any) -> bytes:
                return encode(obj).encode("utf-8")

            self._dumps = dumps
            self.engine = "json"

    def __call__(self, obj: object, ctx: SerializationContext) -> bytes | None:
        """Return ``obj`` as JSON bytes, or None for None."""
        if obj is None:
            return None
        try:
            return self._dumps(obj)
        except Exception as exc:
            raise serialization_error(self, obj, ctx, exc) from exc

    def __repr__(self) -> str:
        return f"{type(self).__name__}(engine={self.engine!r})"


class JsonDeserializer:
    """Parses UTF-8 JSON into dicts, lists, str, int, float, bool and None.

    ``object_hook`` is called with every decoded JSON object (innermost first) and its result replaces
    it, as in :func:`json.loads`; orjson has no such hook, so passing one selects the standard library
    when ``use_orjson`` is None, and is a ConfigError with ``use_orjson=True``.

    Example::

        JsonDeserializer()(b'{"id": 7, "tags": ["a"]}', ctx)  # {"id": 7, "tags": ["a"]}
    """

    __slots__ = ("_loads", "engine")

    def __init__(
        self,
        object_hook: Callable[[dict[str, Any]], Any] | None = None,
        *,
        use_orjson: bool | None = None,
    ) -> None:
        if object_hook is not None:
            if use_orjson:
                raise ConfigError(
                    [
                        ConfigProblem(
                            "object_hook",
                            "orjson cannot call an object_hook",
                            hint="pass use_orjson=None or False to parse with the standard library",
                        )
                    ]
                )
            use_orjson = False
        orjson = _choose_orjson(use_orjson, "JsonDeserializer(use_orjson=True)")
        self.engine: JsonEngine
        self._loads: Callable[[bytes], Any]
        if orjson is not None:
            self._loads = orjson.loads
            self.engine = "orjson"
        elif object_hook is not None:
            self._loads = functools.partial(json.loads, object_hook=object_hook)
            self.engine = "json"
        else:
            self._loads = json.loads
            self.engine = "json"

    def __call__(self, data: bytes | None, ctx: SerializationContext) -> Any:
        """Return the value ``data`` encodes, or None for None (a tombstone)."""
        if data is None:
            return None
        try:
            return self._loads(data)
        except Exception as exc:
            raise deserialization_error(self, data, ctx, exc) from exc

    def _context_free(self) -> ContextFree:
        return none_or(self._loads)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(engine={self.engine!r})"
