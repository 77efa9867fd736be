"""Type aliases and Protocols shared across kafka_client.

Kept in one module so that the public signatures of the config, producer, consumer and backend
packages spell the same concept the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

__all__ = ["BackendName", "ClientRole", "NativeConfigValue", "TokenProvider"]

TokenProvider: TypeAlias = Callable[[], tuple[str, float]]
"""Returns a fresh SASL/OAUTHBEARER token and its expiry as seconds since the epoch.

The client calls it whenever the current token is about to expire, so it may do network I/O (for
example sign an AWS MSK IAM token or call an identity provider).
"""

ClientRole: TypeAlias = Literal["producer", "consumer", "admin"]
"""Which kind of client a native configuration is built for; each gets only the keys it uses."""

BackendName: TypeAlias = Literal["auto", "confluent", "kafka-python", "memory"]
"""The Kafka client library to run on; ``auto`` prefers confluent-kafka when it is installed.

``memory`` runs on the in-process :class:`~kafka_client.testing.memory.MemoryCluster` registered for the
first bootstrap address: the switch that runs unchanged application code in unit tests.
"""

NativeConfigValue: TypeAlias = str | int | float | bool
"""A value librdkafka accepts for a configuration property."""
