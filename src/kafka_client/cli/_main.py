"""The ``kafka-client`` command group: every subcommand registers here."""

from __future__ import annotations

import click

from kafka_client.cli.acls_cmd import acls_group
from kafka_client.cli.config_cmd import config_group
from kafka_client.cli.demo import demo
from kafka_client.cli.dev_broker import dev_broker
from kafka_client.cli.dlq_cmd import dlq_group
from kafka_client.cli.health_cmd import health_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="generic-kafka-producer")
def cli() -> None:
    """kafka-client: a Kafka toolkit with production defaults and built-in observability."""


cli.add_command(dev_broker)
cli.add_command(demo)
cli.add_command(config_group)
cli.add_command(health_command)
cli.add_command(dlq_group)
cli.add_command(acls_group)


def main() -> None:
    """Entry point of the ``kafka-client`` script."""
    cli()
