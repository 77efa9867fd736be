"""The real orjson engine: skipped unless orjson is installed.

Run them with ``uv run --with orjson pytest tests/unit/serialization``. The parity tests pin that both
engines write the same bytes for portable JSON (floats aside: orjson writes ``1e-7`` where the standard
library writes ``1e-07``, the same number), so a producer's choice of engine is invisible to consumers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid

import pytest

from kafka_client.errors import DeserializationError, SerializationError
from kafka_client.serialization import JsonDeserializer, JsonSerializer, SerializationContext

orjson = pytest.importorskip("orjson")


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: float


PORTABLE = [
    {"id": 7, "name": "héllo 日本 🎉", "ok": True, "none": None, "ratio": 0.1, "items": [{"a": []}, {}]},
    ["", 0, -(2**63), 2**64 - 1, 0.5, 1.5e300, "\x00\u2028"],
    {"at": dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC), "day": dt.date(2024, 5, 1)},
    {"id": uuid.UUID(int=1), "colour": Colour.RED, "point": Point(1, 2.5), "time": dt.time(1, 2, 3)},
]


def test_auto_picks_orjson() -> None:
    assert JsonSerializer().engine == "orjson"
    assert JsonDeserializer().engine == "orjson"


@pytest.mark.parametrize("value", PORTABLE)
@pytest.mark.parametrize("sort_keys", [False, True])
def test_both_engines_write_the_same_bytes(
    value: object, sort_keys: bool, value_ctx: SerializationContext
) -> None:
    fast = JsonSerializer(sort_keys=sort_keys, use_orjson=True)(value, value_ctx)
    stdlib = JsonSerializer(sort_keys=sort_keys, use_orjson=False)(value, value_ctx)
    assert fast == stdlib


@pytest.mark.parametrize("value", PORTABLE[:2])
def test_orjson_round_trip(value: object, value_ctx: SerializationContext) -> None:
    data = JsonSerializer(use_orjson=True)(value, value_ctx)
    assert JsonDeserializer(use_orjson=True)(data, value_ctx) == value


def test_engines_may_spell_a_float_differently_but_mean_the_same(value_ctx: SerializationContext) -> None:
    value = [1e-7, 0.00001, 1e16, 123456789012345680.0]
    fast = JsonSerializer(use_orjson=True)(value, value_ctx)
    stdlib = JsonSerializer(use_orjson=False)(value, value_ctx)
    assert fast != stdlib
    for data in (fast, stdlib):
        for deserializer in (JsonDeserializer(use_orjson=True), JsonDeserializer(use_orjson=False)):
            assert deserializer(data, value_ctx) == value


def test_orjson_writes_nan_as_null(value_ctx: SerializationContext) -> None:
    assert JsonSerializer(use_orjson=True)([float("nan"), float("inf")], value_ctx) == b"[null,null]"


@pytest.mark.parametrize("value", [2**64, {1: "int key"}])
def test_orjson_refuses_what_stdlib_accepts(value: object, value_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError, match="JsonSerializer could not serialize the value"):
        JsonSerializer(use_orjson=True)(value, value_ctx)


def test_orjson_decode_error_is_a_poison_pill(consumed_ctx: SerializationContext) -> None:
    data = b'{"a": '
    with pytest.raises(DeserializationError, match=r"orjson\.JSONDecodeError") as caught:
        JsonDeserializer(use_orjson=True)(data, consumed_ctx)
    assert caught.value.raw is data
    assert isinstance(caught.value.__cause__, orjson.JSONDecodeError)
