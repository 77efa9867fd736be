"""The root settings model, :class:`KafkaClientSettings`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Self

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kafka_client.config._clients import ConsumerSettings, ObservabilitySettings, ProducerSettings
from kafka_client.config._fields import ENV_NESTED_DELIMITER, ENV_PREFIX, REDACTED, is_secret_key
from kafka_client.config._problems import problems_from_validation_error
from kafka_client.config._security import SecuritySettings
from kafka_client.config._sources import MergedSources, collect_sources
from kafka_client.errors import ConfigError
from kafka_client.typing import BackendName, NativeConfigValue

# Set while validating data that was already merged from every source, so that __init__ (which
# pydantic also calls from model_validate) does not read the environment a second time.
_MERGED: ContextVar[bool] = ContextVar("kafka_client_settings_merged", default=False)

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
_HOST_PORT = re.compile(rf"{_HOST}:(?P<port>[0-9]{{1,5}})")


def _is_host_port(server: str) -> bool:
    match = _HOST_PORT.fullmatch(server)
    return match is not None and 0 < int(match["port"]) < 65536


class KafkaClientSettings(BaseSettings):
    """Everything a kafka_client producer, consumer or admin client is configured with.

    Built from, highest precedence first: keyword arguments, ``KAFKA_CLIENT_*`` environment variables
    (nested with ``__``: ``KAFKA_CLIENT_PRODUCER__ACKS=1``), then the production defaults. Use
    :func:`kafka_client.config.load_settings` to add YAML files and a preset below those. Any problem
    raises one ``ConfigError`` listing them all; pydantic's ``ValidationError`` never escapes.

    >>> KafkaClientSettings(bootstrap_servers="kafka-1:9092,kafka-2:9092", producer={"linger_ms": 20})
    ... # doctest: +SKIP

    ``native`` holds raw librdkafka properties and ``native_kafka_python`` raw kafka-python keyword
    arguments; both are applied last and win over everything else (an escape hatch, unvalidated).
    """

    model_config = SettingsConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
    )

    bootstrap_servers: list[str]
    client_id: str = Field(default="kafka-client", min_length=1)
    backend: BackendName = "auto"
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    producer: ProducerSettings = Field(default_factory=ProducerSettings)
    consumer: ConsumerSettings = Field(default_factory=ConsumerSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    native: dict[str, NativeConfigValue] = Field(default_factory=dict)
    native_kafka_python: dict[str, Any] = Field(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        if _MERGED.get():
            super().__init__(**values)
            return
        merged = collect_sources(type(self), (), values.pop("preset", None), os.environ, values)
        token = _MERGED.set(True)
        try:
            super().__init__(**merged.data)
        except ValidationError as exc:
            # `from None`: the ValidationError (kept as __context__) would print secret inputs.
            raise ConfigError(
                [
                    *merged.problems,
                    *problems_from_validation_error(exc, KafkaClientSettings, merged.origin_of),
                ]
            ) from None
        finally:
            _MERGED.reset(token)
        if merged.problems:
            raise ConfigError(merged.problems)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a mapping like the constructor does; raises ``ConfigError``, never ``ValidationError``."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise _as_config_error(exc) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a JSON document like the constructor does; raises ``ConfigError``."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise _as_config_error(exc) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the init arguments: the environment is merged by our own loader, which records sources."""
        return (init_settings,)

    @classmethod
    def from_yaml(
        cls,
        *yaml_files: str | Path,
        preset: str | None = None,
        env: dict[str, str] | None = None,
        **overrides: Any,
    ) -> KafkaClientSettings:
        """Same as :func:`kafka_client.config.load_settings`, as a constructor."""
        from kafka_client.config._loading import load_settings

        return load_settings(*yaml_files, preset=preset, env=env, **overrides)

    @field_validator("bootstrap_servers", mode="before")
    @classmethod
    def _split_servers(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("bootstrap_servers")
    @classmethod
    def _check_servers(cls, servers: list[str]) -> list[str]:
        if not servers:
            raise PydanticCustomError(
                "bootstrap_servers_empty",
                "needs at least one broker address",
                {"hint": "list brokers as host:port, e.g. bootstrap_servers: kafka-1:9092,kafka-2:9092"},
            )
        bad = [server for server in servers if not _is_host_port(server)]
        if bad:
            raise PydanticCustomError(
                "bootstrap_server",
                "{bad} is not a host:port broker address",
                {
                    "bad": ", ".join(repr(server) for server in bad),
                    "hint": "write each broker as host:port, e.g. kafka-1.example.com:9092 "
                    "(no scheme such as PLAINTEXT://, port 1-65535, IPv6 in brackets)",
                },
            )
        return servers

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            if name in ("native", "native_kafka_python") and isinstance(value, dict):
                value = {key: REDACTED if is_secret_key(key) else item for key, item in value.items()}
            yield name, value


def _as_config_error(exc: ValidationError) -> ConfigError:
    # pydantic wraps a ConfigError raised by __init__ (it is a ValueError) into a ValidationError.
    for err in exc.errors(include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigError):
            return cause
    return ConfigError(problems_from_validation_error(exc, KafkaClientSettings))


def validate_merged(merged: MergedSources) -> KafkaClientSettings:
    """Validate merged sources into settings, raising one ``ConfigError`` with every problem."""
    token = _MERGED.set(True)
    try:
        settings = KafkaClientSettings(**merged.data)
    except ValidationError as exc:
        raise ConfigError(
            [*merged.problems, *problems_from_validation_error(exc, KafkaClientSettings, merged.origin_of)]
        ) from None
    finally:
        _MERGED.reset(token)
    if merged.problems:
        raise ConfigError(merged.problems)
    return settings
