"""The ``kafka-client`` command."""

from kafka_client.cli._main import cli, main

__all__ = ["cli", "main"]
