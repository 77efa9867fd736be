"""kafka-top: the Textual terminal UI an on-call engineer opens first.

Consumer groups with lag and its trend, health checks, ACLs, topics and messages of a Kafka cluster,
driven by the keyboard after k9s. Run ``kafka-top --bootstrap-servers HOST:PORT`` or
``python -m kafka_top``; embed with :class:`kafka_top.app.KafkaTopApp`.
"""

__version__ = "0.1.0"
"""kafka-top's version, shown by ``kafka-top --version``."""

__all__ = ["__version__"]
