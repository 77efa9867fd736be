"""Serializers by name: built-ins, registration, unknown names, and plugins from real entry points."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafka_client.errors import ConfigError
from kafka_client.serialization import (
    BytesDeserializer,
    BytesSerializer,
    DoubleDeserializer,
    DoubleSerializer,
    IntegerDeserializer,
    IntegerSerializer,
    JsonDeserializer,
    JsonSerializer,
    LongDeserializer,
    LongSerializer,
    PydanticDeserializer,
    PydanticSerializer,
    SerializationContext,
    StringDeserializer,
    StringSerializer,
    available_deserializers,
    available_serializers,
    get_deserializer,
    get_serializer,
    register_deserializer,
    register_serializer,
)

from .test_pydantic import Customer

pytestmark = pytest.mark.usefixtures("isolated_registry")

BUILTINS = [
    ("bytes", BytesSerializer, BytesDeserializer),
    ("str", StringSerializer, StringDeserializer),
    ("string", StringSerializer, StringDeserializer),
    ("json", JsonSerializer, JsonDeserializer),
    ("int", IntegerSerializer, IntegerDeserializer),
    ("long", LongSerializer, LongDeserializer),
    ("double", DoubleSerializer, DoubleDeserializer),
]


@pytest.mark.parametrize(("name", "serializer_type", "deserializer_type"), BUILTINS)
def test_builtin_names(name: str, serializer_type: type, deserializer_type: type) -> None:
    assert type(get_serializer(name)) is serializer_type
    assert type(get_deserializer(name)) is deserializer_type


def test_names_are_case_and_space_insensitive() -> None:
    assert type(get_serializer(" JSON ")) is JsonSerializer


def test_options_reach_the_factory(value_ctx: SerializationContext) -> None:
    assert get_serializer("str", encoding="latin-1")("é", value_ctx) == b"\xe9"
    assert get_serializer("json", sort_keys=True, use_orjson=False)({"b": 1, "a": 2}, value_ctx) == (
        b'{"a":2,"b":1}'
    )
    deserializer = get_deserializer("pydantic", model_type=Customer)
    assert isinstance(deserializer, PydanticDeserializer)
    assert isinstance(get_serializer("pydantic", model_type=Customer), PydanticSerializer)


def test_invalid_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="invalid options for 'pydantic'") as caught:
        get_serializer("pydantic")
    assert isinstance(caught.value.__cause__, TypeError)
    with pytest.raises(ConfigError, match="invalid options for 'json'"):
        get_deserializer("json", sort_keys=True)


def test_config_errors_from_the_factory_pass_through() -> None:
    with pytest.raises(ConfigError) as caught:
        get_serializer("str", encoding="nope")
    assert caught.value.problems[0].path == "encoding"


def test_unknown_name_lists_known_names_and_suggests_one() -> None:
    with pytest.raises(ConfigError) as caught:
        get_serializer("jsno")
    err = caught.value
    assert isinstance(err, ValueError)
    (problem,) = err.problems
    assert (problem.path, problem.message, problem.value) == ("serializer", "unknown serializer", "'jsno'")
    known = "bytes, double, int, json, long, pydantic, str, string"
    assert problem.hint == f"known: {known}; did you mean 'json'?"


def test_unknown_deserializer_without_a_close_match() -> None:
    with pytest.raises(ConfigError) as caught:
        get_deserializer("protobuf-thing")
    (problem,) = caught.value.problems
    assert problem.path == "deserializer"
    assert problem.hint is not None
    assert "did you mean" not in problem.hint


def test_callables_are_returned_unchanged(value_ctx: SerializationContext) -> None:
    def upper(obj: str | None, ctx: SerializationContext) -> bytes | None:
        return None if obj is None else obj.upper().encode()

    serializer = JsonSerializer()
    assert get_serializer(upper) is upper
    assert get_serializer(serializer) is serializer
    deserializer = StringDeserializer()
    assert get_deserializer(deserializer) is deserializer


def test_options_with_a_ready_callable_are_refused() -> None:
    with pytest.raises(ConfigError, match="options apply only to a name or a class"):
        get_serializer(JsonSerializer(), sort_keys=True)


def test_a_class_is_instantiated_with_the_options(value_ctx: SerializationContext) -> None:
    serializer = get_serializer(StringSerializer, encoding="latin-1")
    assert isinstance(serializer, StringSerializer)
    assert serializer("é", value_ctx) == b"\xe9"


def test_neither_name_nor_callable_is_refused() -> None:
    with pytest.raises(ConfigError, match="expected a name or a callable serializer"):
        get_serializer(42)  # type: ignore[arg-type]


def test_register_and_get(value_ctx: SerializationContext) -> None:
    class Reversed:
        def __init__(self, suffix: str = "") -> None:
            self.suffix = suffix

        def __call__(self, obj: str | None, ctx: SerializationContext) -> bytes | None:
            return None if obj is None else (obj[::-1] + self.suffix).encode()

    register_serializer("Reversed", Reversed)
    assert "reversed" in available_serializers()
    assert get_serializer("reversed", suffix="!")("abc", value_ctx) == b"cba!"


def test_register_refuses_a_taken_name_unless_replacing() -> None:
    with pytest.raises(ConfigError, match="'json' is already registered"):
        register_serializer("json", StringSerializer)
    register_serializer("json", StringSerializer, replace=True)
    assert type(get_serializer("json")) is StringSerializer


def test_register_refuses_empty_names_and_non_callables() -> None:
    with pytest.raises(ConfigError, match="a name must not be empty"):
        register_deserializer("  ", StringDeserializer)
    with pytest.raises(ConfigError, match="is not callable"):
        register_deserializer("x", "not callable")  # type: ignore[arg-type]


def test_a_factory_returning_a_non_callable_is_refused() -> None:
    register_serializer("broken-factory", lambda: "nope")  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError, match="returned a non-callable"):
        get_serializer("broken-factory")


# --- plugins from entry points -------------------------------------------------------------------

PLUGIN_SOURCE = """
from __future__ import annotations


class ShoutSerializer:
    def __init__(self, suffix: str = "!") -> None:
        self.suffix = suffix

    def __call__(self, obj, ctx):
        return None if obj is None else (obj.upper() + self.suffix).encode()


class ShoutDeserializer:
    def __call__(self, data, ctx):
        return None if data is None else data.decode().lower()


NOT_CALLABLE = 42
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real installed distribution (a dist-info on sys.path) declaring serializer entry points."""
    module = f"kc_shout_plugin_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(PLUGIN_SOURCE)
    dist_info = tmp_path / f"{module}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent(
            f"""\
            [kafka_client.serializers]
            shout = {module}:ShoutSerializer
            missing-module = {module}_absent:Nothing
            not-callable = {module}:NOT_CALLABLE

            [kafka_client.deserializers]
            Shout = {module}:ShoutDeserializer
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield module
    sys.modules.pop(module, None)


def test_plugin_is_loaded_on_first_lookup(plugin: str, value_ctx: SerializationContext) -> None:
    assert plugin not in sys.modules
    assert "shout" in available_serializers()
    assert plugin not in sys.modules  # listing names does not import plugins

    serializer = get_serializer("shout", suffix="?")
    assert plugin in sys.modules
    assert serializer("hey", value_ctx) == b"HEY?"
    assert type(serializer).__module__ == plugin

    assert "shout" in available_deserializers()
    deserializer = get_deserializer("SHOUT")
    assert deserializer(b"HEY", value_ctx) == "hey"


def test_plugin_stays_registered_once_loaded(plugin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    get_serializer("shout")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if plugin not in p])
    assert type(get_serializer("shout")).__name__ == "ShoutSerializer"


def test_plugin_names_appear_in_the_unknown_name_hint(plugin: str) -> None:
    with pytest.raises(ConfigError) as caught:
        get_serializer("shoot")
    hint = caught.value.problems[0].hint
    assert hint is not None
    assert "shout" in hint
    assert hint.endswith("did you mean 'shout'?")


def test_builtins_win_over_a_plugin_of_the_same_name(plugin: str) -> None:
    assert "json" in available_serializers()
    assert type(get_serializer("json")) is JsonSerializer


def test_plugin_that_fails_to_import_is_a_config_error(plugin: str) -> None:
    with pytest.raises(ConfigError, match="the plugin for 'missing-module' failed to load") as caught:
        get_serializer("missing-module")
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)
    assert caught.value.problems[0].value == f"{plugin}_absent:Nothing"


def test_plugin_that_is_not_callable_is_a_config_error(plugin: str) -> None:
    with pytest.raises(ConfigError, match="the plugin for 'not-callable' is not callable"):
        get_serializer("not-callable")
