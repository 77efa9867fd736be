"""Testing tools: a real embedded Kafka broker and the pytest plugin.

``EmbeddedKafka`` needs Java 17+ and downloads the pinned broker jars once into a per-user cache.
"""

from kafka_client.testing.embedded import DEFAULT_USERS, KAFKA_TOOLS, SUPER_USER, EmbeddedKafka

__all__ = ["DEFAULT_USERS", "KAFKA_TOOLS", "SUPER_USER", "EmbeddedKafka"]
