"""``kafka-client config``: validate configuration files and show the effective settings.

Exit codes follow the CLI convention: 0 valid, 1 invalid configuration, 2 usage error (including a
file that does not exist). Output never contains a secret: values are redacted before printing.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
import yaml

from kafka_client.config import (
    KafkaClientSettings,
    available_presets,
    explain_sources,
    redact_native_config,
    redacted_settings,
    render_settings_yaml,
    to_confluent_config,
    to_kafka_python_config,
)
from kafka_client.errors import ConfigError, ConfigProblem, FeatureNotSupportedError, KafkaClientError

__all__ = ["config_group"]

_files_argument = click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="FILE...",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
_preset_option = click.option(
    "--preset",
    type=click.Choice(available_presets()),
    default=None,
    help="Preset under the files (wins over a 'preset:' key in them).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")


@click.group("config")
def config_group() -> None:
    """Validate configuration files and show the effective settings and where each came from.

    Files are deep-merged in the order given (base first, then overlays); KAFKA_CLIENT_*
    environment variables win over them, as they do in the library.
    """


def _print_problems(error: ConfigError, as_json: bool) -> None:
    if as_json:
        problems = [dataclasses.asdict(problem) for problem in error.problems]
        click.echo(json.dumps({"valid": False, "problems": problems}, indent=2))
    else:
        click.echo(str(error))


def _deep_check(settings: KafkaClientSettings) -> list[ConfigProblem]:
    """What loading cannot see: an unimportable token provider, a feature the chosen backend lacks."""
    problems: list[ConfigProblem] = []
    sasl = settings.security.sasl
    try:
        if sasl is not None and sasl.oauth is not None:
            sasl.oauth.resolve_token_provider()
        if settings.backend == "kafka-python":
            to_kafka_python_config(settings, "producer")
            to_kafka_python_config(settings, "consumer")
    except ConfigError as exc:
        problems.extend(exc.problems)
    except FeatureNotSupportedError as exc:
        problems.append(ConfigProblem("backend", str(exc), repr(settings.backend), exc.alternative))
    return problems


@config_group.command("validate")
@_files_argument
@_preset_option
@_json_option
def validate(files: tuple[Path, ...], preset: str | None, as_json: bool) -> None:
    """Check FILE... (merged, with the environment); print every problem and exit 1 if any."""
    try:
        settings = explain_sources(*files, preset=preset).settings
        problems = _deep_check(settings)
        if problems:
            raise ConfigError(problems)
    except ConfigError as exc:
        _print_problems(exc, as_json)
        raise SystemExit(1) from None
    if as_json:
        click.echo(json.dumps({"valid": True, "problems": []}, indent=2))
    else:
        click.echo(f"configuration is valid: {', '.join(str(file) for file in files)}")


@config_group.command("show")
@_files_argument
@_preset_option
@_json_option
@click.option(
    "--native",
    type=click.Choice(["confluent", "kafka-python"]),
    default=None,
    help="Show the configuration handed to this client library instead.",
)
@click.option(
    "--role",
    type=click.Choice(["producer", "consumer", "admin"]),
    default=None,
    help="With --native: the client the configuration is for (default: producer).",
)
def show(
    files: tuple[Path, ...], preset: str | None, as_json: bool, native: str | None, role: str | None
) -> None:
    """Print the effective settings of FILE..., secrets redacted, each with its source."""
    if role is not None and native is None:
        raise click.UsageError("--role is only meaningful with --native")
    try:
        explained = explain_sources(*files, preset=preset)
    except ConfigError as exc:
        _print_problems(exc, as_json)
        raise SystemExit(1) from None
    if native is not None:
        _show_native(explained.settings, native, role or "producer", as_json)
        return
    data = redacted_settings(explained.settings)
    if as_json:
        click.echo(json.dumps({"settings": data, "sources": dict(explained.sources)}, indent=2))
    else:
        click.echo(render_settings_yaml(data, explained.sources), nl=False)


def _show_native(settings: KafkaClientSettings, native: str, role: Any, as_json: bool) -> None:
    translate = to_confluent_config if native == "confluent" else to_kafka_python_config
    try:
        config = redact_native_config(translate(settings, role))
    except ConfigError as exc:
        _print_problems(exc, as_json)
        raise SystemExit(1) from None
    except KafkaClientError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    if as_json:
        click.echo(json.dumps(config, indent=2))
    else:
        click.echo(yaml.safe_dump(config, sort_keys=False, default_flow_style=False), nl=False)
