"""Pydantic models: exact round trips of nested types, validation failures as poison pills."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest
from pydantic import BaseModel, Field, ValidationError

from kafka_client.errors import ConfigError, DeserializationError, SerializationError
from kafka_client.serialization import PydanticDeserializer, PydanticSerializer, SerializationContext


class Status(enum.StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"


class Line(BaseModel):
    sku: str
    quantity: int = Field(gt=0)
    unit_price: Decimal


class Customer(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None = None


class Order(BaseModel):
    id: int
    placed_at: dt.datetime
    status: Status
    customer: Customer
    lines: list[Line]
    tags: set[str] = set()
    attributes: dict[str, float] = {}
    ship_within: dt.timedelta | None = None


class PriorityOrder(Order):
    priority: int


ORDER = Order(
    id=2**62,
    placed_at=dt.datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    status=Status.SHIPPED,
    customer=Customer(id=uuid.UUID(int=42), name="Zoë 日本"),
    lines=[Line(sku="a-1", quantity=2, unit_price=Decimal("19.99")), Line(sku="", quantity=1, unit_price=0)],
    tags={"gift", "express"},
    attributes={"weight_kg": 1.25},
    ship_within=dt.timedelta(days=2, seconds=5),
)


def test_nested_model_round_trips_exactly(value_ctx: SerializationContext) -> None:
    data = PydanticSerializer(Order)(ORDER, value_ctx)
    assert isinstance(data, bytes)
    assert data == ORDER.model_dump_json().encode()
    restored = PydanticDeserializer(Order)(data, value_ctx)
    assert restored == ORDER
    assert type(restored) is Order


def test_minimal_model_round_trips(value_ctx: SerializationContext) -> None:
    customer = Customer(id=uuid.UUID(int=0), name="")
    data = PydanticSerializer(Customer)(customer, value_ctx)
    assert data == b'{"id":"00000000-0000-0000-0000-000000000000","name":"","email":null}'
    assert PydanticDeserializer(Customer)(data, value_ctx) == customer


def test_subclass_instances_are_accepted_with_all_their_fields(value_ctx: SerializationContext) -> None:
    order = PriorityOrder(**ORDER.model_dump(), priority=1)
    data = PydanticSerializer(Order)(order, value_ctx)
    assert data is not None
    assert b'"priority":1' in data


def test_none_is_a_tombstone_both_ways(value_ctx: SerializationContext) -> None:
    assert PydanticSerializer(Order)(None, value_ctx) is None
    assert PydanticDeserializer(Order)(None, value_ctx) is None


@pytest.mark.parametrize("obj", [Customer(id=uuid.UUID(int=1), name="x"), {"id": 1}])
def test_other_objects_are_refused(obj: object, key_ctx: SerializationContext) -> None:
    with pytest.raises(SerializationError) as caught:
        PydanticSerializer(Order)(obj, key_ctx)  # type: ignore[arg-type]
    err = caught.value
    assert (err.topic, err.field) == ("orders", "key")
    assert isinstance(err.__cause__, TypeError)
    assert f"TypeError: expected a Order, got {err.obj_type}" in str(err)


def test_unserializable_field_is_a_serialization_error(value_ctx: SerializationContext) -> None:
    class Loose(BaseModel):
        payload: object

    serializer = PydanticSerializer(Loose)
    with pytest.raises(SerializationError, match="PydanticSerializer could not serialize") as caught:
        serializer(Loose(payload=object()), value_ctx)
    assert caught.value.obj_type.endswith("Loose")  # type: ignore[union-attr]


def test_validation_failure_is_a_poison_pill(consumed_ctx: SerializationContext) -> None:
    data = ORDER.model_dump_json().replace('"quantity":2', '"quantity":0').encode()
    with pytest.raises(DeserializationError) as caught:
        PydanticDeserializer(Order)(data, consumed_ctx)
    err = caught.value
    assert err.raw is data
    assert (err.topic, err.partition, err.offset, err.field) == ("orders", 3, 42, "value")
    assert isinstance(err.__cause__, ValidationError)
    message = str(err)
    assert message.startswith(
        "PydanticDeserializer could not deserialize the value of the record at topic 'orders' partition 3 "
        "offset 42: pydantic_core.ValidationError: 1 validation error for Order\nlines.0.quantity"
    )
    assert message.endswith(f"[raw {len(data)} bytes: {data[:64]!r}...]")


@pytest.mark.parametrize("data", [b"", b"not json", b'{"id": 1}', b"[]"])
def test_invalid_json_or_shape_is_a_poison_pill(data: bytes, consumed_ctx: SerializationContext) -> None:
    with pytest.raises(DeserializationError) as caught:
        PydanticDeserializer(Customer)(data, consumed_ctx)
    assert caught.value.raw is data


@pytest.mark.parametrize("model_type", [dict, "Order", Order(**ORDER.model_dump())])
def test_model_type_must_be_a_model_class(model_type: object) -> None:
    for make in (PydanticSerializer, PydanticDeserializer):
        with pytest.raises(ConfigError, match=r"must be a pydantic\.BaseModel subclass"):
            make(model_type)  # type: ignore[arg-type]


def test_repr_names_the_model() -> None:
    assert repr(PydanticSerializer(Order)) == "PydanticSerializer(Order)"
    assert repr(PydanticDeserializer(Order)) == "PydanticDeserializer(Order)"
