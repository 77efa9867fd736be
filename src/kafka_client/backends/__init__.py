"""Backends: the only modules that import a Kafka client library (confluent-kafka or kafka-python)."""
