"""Fuzzing every built-in deserializer: arbitrary bytes (or None) with arbitrary headers either decode or
raise DeserializationError carrying the untouched bytes and where they came from; nothing else escapes.
That is the contract the consumer and the DLQ rely on to route a poison pill instead of crashing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kafka_client.errors import DeserializationError
from kafka_client.serialization import MessageField, SerializationContext, get_deserializer


class Order(pydantic.BaseModel):
    id: int
    note: str | None = None


DESERIALIZERS: dict[str, Callable[[], Any]] = {
    "bytes": lambda: get_deserializer("bytes"),
    "str": lambda: get_deserializer("str"),
    "str-latin1": lambda: get_deserializer("str", encoding="latin-1"),
    "json-stdlib": lambda: get_deserializer("json", use_orjson=False),
    "json-orjson": lambda: get_deserializer("json", use_orjson=True),
    "pydantic": lambda: get_deserializer("pydantic", model_type=Order),
    "int": lambda: get_deserializer("int"),
    "long": lambda: get_deserializer("long"),
    "double": lambda: get_deserializer("double"),
}

# Mostly garbage, with near-misses of each format mixed in (valid JSON, 4 and 8 byte numbers).
payloads = st.one_of(
    st.none(),
    st.binary(max_size=256),
    st.binary(min_size=4, max_size=4),
    st.binary(min_size=8, max_size=8),
    st.text(max_size=64).map(str.encode),
    st.sampled_from([b'{"id": 7}', b'{"id": "x"}', b"[1, 2", b"\xef\xbb\xbf{}", b"NaN", b"1e999999"]),
)
headers = st.none() | st.lists(
    st.tuples(st.text(max_size=12), st.none() | st.binary(max_size=16)), max_size=4
)


def test_every_registered_builtin_is_fuzzed() -> None:
    from kafka_client.serialization import available_deserializers

    fuzzed = {name.split("-")[0] for name in DESERIALIZERS}
    assert set(available_deserializers()) - {"string"} <= fuzzed  # "string" is an alias of "str"


@pytest.mark.parametrize("name", sorted(DESERIALIZERS))
@hypothesis_settings(max_examples=300, deadline=None)
@given(data=payloads, record_headers=headers, field=st.sampled_from([MessageField.KEY, MessageField.VALUE]))
def test_arbitrary_bytes_decode_or_raise_only_deserialization_error(
    name: str, data: bytes | None, record_headers: Any, field: MessageField
) -> None:
    deserializer = DESERIALIZERS[name]()
    ctx = SerializationContext("fuzzed", field, record_headers, partition=3, offset=41)
    failure: DeserializationError | None = None
    try:
        deserializer(data, ctx)
    except DeserializationError as exc:  # anything else escaping fails the test
        failure = exc
    if failure is not None:
        assert failure.raw == data  # the DLQ forwards exactly these bytes
        assert (failure.topic, failure.partition, failure.offset) == ("fuzzed", 3, 41)
        assert failure.field == field.value
