"""Testing tools: a real embedded Kafka broker, the pytest plugin, and in-memory test doubles.

``EmbeddedKafka`` needs Java 17+ and downloads the pinned broker jars once into a per-user cache.
Names are imported on first use so that loading the pytest plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kafka_client.testing.embedded import DEFAULT_USERS, KAFKA_TOOLS, SUPER_USER, EmbeddedKafka
    from kafka_client.testing.memory import MemoryCluster, memory_cluster

__all__ = ["DEFAULT_USERS", "KAFKA_TOOLS", "SUPER_USER", "EmbeddedKafka", "MemoryCluster", "memory_cluster"]

_LAZY = {
    **{
        name: "kafka_client.testing.embedded"
        for name in ("DEFAULT_USERS", "KAFKA_TOOLS", "SUPER_USER", "EmbeddedKafka")
    },
    "MemoryCluster": "kafka_client.testing.memory",
    "memory_cluster": "kafka_client.testing.memory",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kafka_client.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
