"""JSON: round trips and exact bytes on the standard-library engine, and how the engine is chosen."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sys
import uuid
from decimal import Decimal
from typing import Any

import pytest

from kafka_client.errors import ConfigError, DeserializationError, MissingDependencyError, SerializationError
from kafka_client.serialization import JsonDeserializer, JsonSerializer, SerializationContext

from ._fake_orjson import make_fake_orjson


@pytest.fixture
def without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import orjson`` fail, whether or not it is installed."""
    monkeypatch.setitem(sys.modules, "orjson", None)


@pytest.fixture
def fake_orjson(monkeypatch: pytest.MonkeyPatch) -> Any:
    module = make_fake_orjson()
    monkeypatch.setitem(sys.modules, "orjson", module)
    return module


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: float


NESTED = {
    "id": 7,
    "name": "héllo 日本 🎉",
    "ok": True,
    "missing": None,
    "ratio": 0.25,
    "big": 2**100,
    "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2, "tags": []}],
    "deep": {"a": {"b": {"c": [[], {}, [1, [2, [3]]]]}}},
}


def stdlib_pair() -> tuple[JsonSerializer, JsonDeserializer]:
    return JsonSerializer(use_orjson=False), JsonDeserializer(use_orjson=False)


@pytest.mark.parametrize(
    "value", [NESTED, [], {}, "", "text", 0, -1, 1.5, True, False, [None], {"k": None}, 2**200]
)
def test_stdlib_round_trip(value: object, value_ctx: SerializationContext) -> None:
    serializer, deserializer = stdlib_pair()
    assert deserializer(serializer(value, value_ctx), value_ctx) == value


def test_output_is_compact_utf8_with_unescaped_unicode(value_ctx: SerializationContext) -> None:
    serializer, _ = stdlib_pair()
    assert serializer({"b": [1, None], "a": "é€"}, value_ctx) == '{"b":[1,null],"a":"é€"}'.encode()


def test_sort_keys_sorts_at_every_level(value_ctx: SerializationContext) -> None:
    serializer = JsonSerializer(sort_keys=True, use_orjson=False)
    assert serializer({"b": {"z": 1, "y": 2}, "a": 0}, value_ctx) == b'{"a":0,"b":{"y":2,"z":1}}'


def test_top_level_none_is_a_tombstone_and_null_reads_as_none(value_ctx: SerializationContext) -> None:
    serializer, deserializer = stdlib_pair()
    assert serializer(None, value_ctx) is None
    assert deserializer(None, value_ctx) is None
    assert deserializer(b"null", value_ctx) is None


def test_types_orjson_handles_natively_are_handled_by_stdlib_too(value_ctx: SerializationContext) -> None:
    value = {
        "at": dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC),
        "day": dt.date(2024, 5, 1),
        "time": dt.time(1, 2, 3),
        "id": uuid.UUID(int=1),
        "colour": Colour.RED,
        "point": Point(1, 2.5),
    }
    assert JsonSerializer(use_orjson=False)(value, value_ctx) == (
        b'{"at":"2024-05-01T12:00:00.123456+00:00","day":"2024-05-01","time":"01:02:03",'
        b'"id":"00000000-0000-0000-0000-000000000001","colour":"red","point":{"x":1,"y":2.5}}'
    )


def test_default_handles_other_types(value_ctx: SerializationContext) -> None:
    serializer = JsonSerializer(default=str, use_orjson=False)
    assert serializer({"price": Decimal("1.50"), "at": dt.date(2024, 1, 2)}, value_ctx) == (
        b'{"price":"1.50","at":"2024-01-02"}'
    )


def test_unserializable_value_names_topic_field_type_and_cause(key_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError) as caught:
        JsonSerializer(use_orjson=False)({"price": Decimal("1.50")}, key_ctx)
    err = caught.value
    assert (err.topic, err.field, err.obj_type) == ("orders", "key", "dict")
    assert isinstance(err.__cause__, TypeError)
    assert str(err) == (
        "JsonSerializer could not serialize the key for topic 'orders': TypeError: Object of type "
        "Decimal is not JSON serializable [got dict: {'price': Decimal('1.50')}]"
    )


def test_a_failing_default_is_a_serialization_error(value_ctx: SerializationContext) -> None:
    def default(obj: object) -> object:
        raise RuntimeError("no way")

    with pytest.raises(SerializationError, match="RuntimeError: no way") as caught:
        JsonSerializer(default=default, use_orjson=False)({1, 2}, value_ctx)
    assert caught.value.obj_type == "set"


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_stdlib_refuses_nan_and_infinity(number: float, value_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError, match="ValueError: Out of range float values"):
        JsonSerializer(use_orjson=False)({"x": number}, value_ctx)


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b"", json.JSONDecodeError),
        (b"{", json.JSONDecodeError),
        (b"{'single': 'quotes'}", json.JSONDecodeError),
        (b'{"a": 1} trailing', json.JSONDecodeError),
        (b'"\xff\xfe\xfa"', UnicodeDecodeError),
    ],
)
def test_invalid_json_is_a_poison_pill(
    data: bytes, cause: type[Exception], consumed_ctx: SerializationContext
) -> None:
    with pytest.raises(DeserializationError) as caught:
        JsonDeserializer(use_orjson=False)(data, consumed_ctx)
    err = caught.value
    assert err.raw is data
    assert (err.topic, err.partition, err.offset, err.field) == ("orders", 3, 42, "value")
    assert isinstance(err.__cause__, cause)
    assert str(err).startswith(
        "JsonDeserializer could not deserialize the value of the record at topic 'orders' partition 3 "
        "offset 42: "
    )


def test_object_hook_runs_innermost_first(value_ctx: SerializationContext) -> None:
    seen: list[dict[str, Any]] = []

    def hook(obj: dict[str, Any]) -> Any:
        seen.append(dict(obj))
        return {"wrapped": obj} if "inner" in obj else obj

    deserializer = JsonDeserializer(object_hook=hook)
    assert deserializer.engine == "json"
    assert deserializer(b'{"outer": {"inner": 1}}', value_ctx) == {"outer": {"wrapped": {"inner": 1}}}
    assert seen == [{"inner": 1}, {"outer": {"wrapped": {"inner": 1}}}]


def test_a_failing_object_hook_is_a_poison_pill(consumed_ctx: SerializationContext) -> None:
    def hook(obj: dict[str, Any]) -> Any:
        raise KeyError("type")

    with pytest.raises(DeserializationError, match="KeyError: 'type'"):
        JsonDeserializer(object_hook=hook)(b"{}", consumed_ctx)


# --- choosing the engine ---------------------------------------------------------------------------


def test_auto_uses_stdlib_when_orjson_is_missing(without_orjson: None) -> None:
    assert JsonSerializer().engine == "json"
    assert JsonDeserializer().engine == "json"


def test_auto_uses_orjson_when_importable(fake_orjson: Any, value_ctx: SerializationContext) -> None:
    serializer, deserializer = JsonSerializer(sort_keys=True, default=str), JsonDeserializer()
    assert (serializer.engine, deserializer.engine) == ("orjson", "orjson")
    assert repr(serializer) == "JsonSerializer(engine='orjson')"
    assert serializer({"b": 1, "a": 2}, value_ctx) == b'{"a":2,"b":1}'
    assert deserializer(b'{"a": 2}', value_ctx) == {"a": 2}
    assert fake_orjson.calls == [
        {"obj": {"b": 1, "a": 2}, "default": str, "option": fake_orjson.OPT_SORT_KEYS},
        {"loads": b'{"a": 2}'},
    ]


def test_orjson_without_sort_keys_passes_no_option(fake_orjson: Any, value_ctx: SerializationContext) -> None:
    JsonSerializer()({"a": 1}, value_ctx)
    assert fake_orjson.calls[-1]["option"] == 0


def test_orjson_errors_are_wrapped_too(fake_orjson: Any, consumed_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError, match="JsonSerializer could not serialize"):
        JsonSerializer()({1, 2}, consumed_ctx)
    with pytest.raises(DeserializationError) as caught:
        JsonDeserializer()(b"{nope", consumed_ctx)
    assert caught.value.raw == b"{nope"


def test_use_orjson_false_ignores_an_installed_orjson(fake_orjson: Any) -> None:
    assert JsonSerializer(use_orjson=False).engine == "json"
    assert JsonDeserializer(use_orjson=False).engine == "json"


def test_object_hook_selects_stdlib_even_with_orjson(fake_orjson: Any) -> None:
    assert JsonDeserializer(object_hook=dict).engine == "json"


def test_object_hook_with_orjson_required_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="orjson cannot call an object_hook") as caught:
        JsonDeserializer(object_hook=dict, use_orjson=True)
    assert caught.value.problems[0].path == "object_hook"


@pytest.mark.parametrize("make", [JsonSerializer, JsonDeserializer])
def test_requiring_missing_orjson_names_the_install_command(make: Any, without_orjson: None) -> None:
    with pytest.raises(MissingDependencyError) as caught:
        make(use_orjson=True)
    err = caught.value
    assert isinstance(err, ImportError)
    assert (err.package, err.extra) == ("orjson", "orjson")
    assert f"{make.__name__}(use_orjson=True) needs the 'orjson' package" in str(err)
    assert "pip install 'generic-kafka-producer[orjson]'" in str(err)
