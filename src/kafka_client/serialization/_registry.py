"""Serializers by name, so configuration files can say ``value_serializer: json``.

A name maps to a factory: a class or function that takes keyword options and returns a serializer.
Built-ins are registered here; plugins register with :func:`register_serializer` or, without any import
in the application, with a ``kafka_client.serializers`` / ``kafka_client.deserializers`` entry point,
which is loaded only when a name no registered factory has is looked up.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeAlias, TypeVar, cast

from kafka_client.errors import ConfigError, ConfigProblem
from kafka_client.serialization._context import Deserializer, Serializer
from kafka_client.serialization._json import JsonDeserializer, JsonSerializer
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

__all__ = [
    "DESERIALIZER_ENTRY_POINT_GROUP",
    "SERIALIZER_ENTRY_POINT_GROUP",
    "DeserializerFactory",
    "SerializerFactory",
    "available_deserializers",
    "available_serializers",
    "get_deserializer",
    "get_serializer",
    "register_deserializer",
    "register_serializer",
]

SERIALIZER_ENTRY_POINT_GROUP = "kafka_client.serializers"
"""The entry point group plugins declare serializer factories in."""

DESERIALIZER_ENTRY_POINT_GROUP = "kafka_client.deserializers"
"""The entry point group plugins declare deserializer factories in."""

SerializerFactory: TypeAlias = Callable[..., Serializer[Any]]
"""Makes a serializer from keyword options: a serializer class, or a function returning one."""

DeserializerFactory: TypeAlias = Callable[..., Deserializer[Any]]
"""Makes a deserializer from keyword options: a deserializer class, or a function returning one."""

P = TypeVar("P")


def _key(name: str) -> str:
    return name.strip().lower()


class _Registry(Generic[P]):
    """The factories for one direction (serializers or deserializers), plus that direction's plugins."""

    def __init__(self, kind: str, group: str, builtins: Mapping[str, Callable[..., P]]) -> None:
        self.kind = kind
        self.group = group
        self._factories: dict[str, Callable[..., P]] = dict(builtins)

    def _problem(self, message: str, value: str | None = None, hint: str | None = None) -> ConfigError:
        return ConfigError([ConfigProblem(self.kind, message, value=value, hint=hint)])

    def register(self, name: str, factory: Callable[..., P], *, replace: bool) -> None:
        key = _key(name)
        if not key:
            raise self._problem("a name must not be empty", value=repr(name))
        if not callable(factory):
            raise self._problem(f"the factory for {key!r} is not callable", value=repr(factory))
        if key in self._factories and not replace:
            raise self._problem(
                f"{key!r} is already registered", hint="pass replace=True to replace it deliberately"
            )
        self._factories[key] = factory

    def _plugins(self) -> list[EntryPoint]:
        # Not cached: a miss is rare (configuration time), and a plugin installed after the first
        # lookup must still be found.
        return list(entry_points(group=self.group))

    def names(self) -> list[str]:
        return sorted(set(self._factories) | {_key(ep.name) for ep in self._plugins()})

    def _load_plugin(self, key: str) -> Callable[..., P] | None:
        for plugin in self._plugins():
            if _key(plugin.name) != key:
                continue
            try:
                loaded = plugin.load()
            except Exception as exc:
                raise self._problem(
                    f"the plugin for {key!r} failed to load: {type(exc).__name__}: {exc}",
                    value=plugin.value,
                    hint=f"entry point group {self.group!r}; is its package installed completely?",
                ) from exc
            if not callable(loaded):
                raise self._problem(f"the plugin for {key!r} is not callable", value=plugin.value)
            return self._factories.setdefault(key, loaded)
        return None

    def factory(self, name: str) -> Callable[..., P]:
        key = _key(name)
        found = self._factories.get(key)
        if found is None:
            found = self._load_plugin(key)
        if found is not None:
            return found
        known = self.names()
        close = difflib.get_close_matches(key, known, n=1)
        suggestion = f"; did you mean {close[0]!r}?" if close else ""
        raise self._problem(
            f"unknown {self.kind}",
            value=repr(name),
            hint=f"known: {', '.join(known)}{suggestion}",
        )

    def _build(self, label: str, factory: Callable[..., P], options: dict[str, Any]) -> P:
        try:
            built = factory(**options)
        except ConfigError:
            raise
        except (TypeError, ValueError) as exc:
            raise self._problem(f"invalid options for {label!r}: {exc}", value=repr(options)) from exc
        if not callable(built):
            raise self._problem(f"the factory for {label!r} returned a non-callable", value=repr(built))
        return built

    def resolve(self, name_or_obj: object, options: dict[str, Any]) -> P:
        if isinstance(name_or_obj, str):
            return self._build(_key(name_or_obj), self.factory(name_or_obj), options)
        if isinstance(name_or_obj, type):
            return self._build(name_or_obj.__qualname__, name_or_obj, options)
        if callable(name_or_obj):
            if options:
                raise self._problem(
                    "options apply only to a name or a class, not to a ready-made callable",
                    value=repr(sorted(options)),
                )
            return cast(P, name_or_obj)
        raise self._problem(f"expected a name or a callable {self.kind}", value=repr(name_or_obj))


_SERIALIZERS: _Registry[Serializer[Any]] = _Registry(
    "serializer",
    SERIALIZER_ENTRY_POINT_GROUP,
    {
        "bytes": BytesSerializer,
        "str": StringSerializer,
        "string": StringSerializer,
        "json": JsonSerializer,
        "pydantic": PydanticSerializer,
        "int": IntegerSerializer,
        "long": LongSerializer,
        "double": DoubleSerializer,
    },
)

_DESERIALIZERS: _Registry[Deserializer[Any]] = _Registry(
    "deserializer",
    DESERIALIZER_ENTRY_POINT_GROUP,
    {
        "bytes": BytesDeserializer,
        "str": StringDeserializer,
        "string": StringDeserializer,
        "json": JsonDeserializer,
        "pydantic": PydanticDeserializer,
        "int": IntegerDeserializer,
        "long": LongDeserializer,
        "double": DoubleDeserializer,
    },
)


def register_serializer(name: str, factory: SerializerFactory, *, replace: bool = False) -> None:
    """Make ``factory`` available as ``get_serializer(name, **options)``.

    Names are case-insensitive. Registering a taken name (a built-in included) raises ConfigError
    unless ``replace=True``, so two plugins cannot silently shadow each other.

    Example::

        class UpperSerializer:
            def __call__(self, obj: str | None, ctx: SerializationContext) -> bytes | None:
                return None if obj is None else obj.upper().encode()

        register_serializer("upper", UpperSerializer)
        get_serializer("upper")  # an UpperSerializer
    """
    _SERIALIZERS.register(name, factory, replace=replace)


def register_deserializer(name: str, factory: DeserializerFactory, *, replace: bool = False) -> None:
    """Make ``factory`` available as ``get_deserializer(name, **options)``; see register_serializer."""
    _DESERIALIZERS.register(name, factory, replace=replace)


def get_serializer(name_or_obj: str | Callable[..., Any], /, **options: Any) -> Serializer[Any]:
    """The serializer a configuration asks for.

    A name is looked up among the registered factories, then among ``kafka_client.serializers`` entry
    points, and called with ``options``; a class is called with ``options``; any other callable is
    returned unchanged (options are then refused). An unknown name raises ConfigError listing the
    known names and the closest one. Any callable is accepted because confluent-kafka's serializers
    are typed against its own context class: passing one through here is also how to give it our type.

    Example::

        get_serializer("json", sort_keys=True)  # JsonSerializer(engine=...)
        get_serializer(my_avro_serializer) is my_avro_serializer  # True
    """
    return _SERIALIZERS.resolve(name_or_obj, options)


def get_deserializer(name_or_obj: str | Callable[..., Any], /, **options: Any) -> Deserializer[Any]:
    """The deserializer a configuration asks for; see get_serializer (group ``kafka_client.deserializers``).

    Example::

        get_deserializer("pydantic", model_type=Order)  # PydanticDeserializer(Order)
    """
    return _DESERIALIZERS.resolve(name_or_obj, options)


def available_serializers() -> list[str]:
    """Every serializer name get_serializer accepts, sorted: registered ones and installed plugins."""
    return _SERIALIZERS.names()


def available_deserializers() -> list[str]:
    """Every deserializer name get_deserializer accepts, sorted: registered ones and installed plugins."""
    return _DESERIALIZERS.names()
