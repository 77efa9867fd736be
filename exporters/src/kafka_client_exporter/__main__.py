"""``python -m kafka_client_exporter``: the same as the ``kafka-client-exporter`` command."""

from kafka_client_exporter.cli import main

main()
