"""W3C trace context in Kafka headers: a getter and a setter for ``list[(name, bytes | None)]``."""

from __future__ import annotations

from opentelemetry.propagators.textmap import Getter, Setter

from kafka_client._records import Headers

__all__ = ["KafkaHeadersGetter", "KafkaHeadersSetter", "header_getter", "header_setter"]


class KafkaHeadersGetter(Getter[Headers]):
    """Reads propagation fields from Kafka headers; the last header of a name wins (like Message.header)."""

    def get(self, carrier: Headers, key: str) -> list[str] | None:
        found: bytes | None = None
        for name, value in carrier:
            if name == key and value is not None:
                found = value
        if found is None:
            return None
        return [found.decode("utf-8", "replace")]

    def keys(self, carrier: Headers) -> list[str]:
        return [name for name, _ in carrier]


class KafkaHeadersSetter(Setter[Headers]):
    """Writes propagation fields as UTF-8 header values, replacing any header of the same name.

    Replacing (instead of appending) matters when a message is forwarded with its original headers:
    two ``traceparent`` headers would leave the consumer guessing which context is meant.
    """

    def set(self, carrier: Headers, key: str, value: str) -> None:
        for index in range(len(carrier) - 1, -1, -1):
            if carrier[index][0] == key:
                del carrier[index]
        carrier.append((key, value.encode()))


header_getter = KafkaHeadersGetter()
header_setter = KafkaHeadersSetter()
