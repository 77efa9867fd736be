"""The exporter's configuration: :class:`ExporterSettings`, loaded from YAML, environment and overrides.

Same rules as the library's settings: unknown keys are errors (with a did-you-mean hint), every
problem is reported at once in one :class:`~kafka_client.ConfigError`, values are never echoed when
secret. Each cluster's client settings (``bootstrap_servers``, ``security``, ``native`` ...) are the
library's own, validated by :func:`kafka_client.config.load_settings`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kafka_client.config import KafkaClientSettings, explain_sources
from kafka_client.config._base import SettingsSection
from kafka_client.config._problems import raise_if_problems
from kafka_client.errors import ConfigError

__all__ = [
    "DEFAULT_PORT",
    "ENV_PREFIX",
    "ClusterSettings",
    "ExporterSettings",
    "NameFilter",
    "OtlpSettings",
    "TimestampReadSettings",
]

DEFAULT_PORT = 9308
#: Environment variables setting exporter keys: ``KAFKA_CLIENT_EXPORTER_PORT=9400``, nested with ``__``.
ENV_PREFIX = "KAFKA_CLIENT_EXPORTER_"
DEFAULT_DLQ_PATTERN = r"^(?P<source>.+)\.dlq$"
#: The client id of the exporter's admin clients unless the cluster's settings give one.
DEFAULT_CLIENT_ID = "kafka-client-exporter"


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _check_regexes(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return patterns


class NameFilter(SettingsSection):
    """Which names (groups or topics) are collected: those matching an ``allow`` regex (all when the
    list is empty) and no ``deny`` regex. Regexes match anywhere in the name (``re.search``); anchor
    them with ``^...$`` for whole names. Applied before anything is stored."""

    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    _allow: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _deny: list[re.Pattern[str]] = PrivateAttr(default_factory=list)

    _lists = field_validator("allow", "deny", mode="before")(_as_list)
    _regexes = field_validator("allow", "deny")(_check_regexes)

    def model_post_init(self, context: Any, /) -> None:
        self._allow = [re.compile(p) for p in self.allow]
        self._deny = [re.compile(p) for p in self.deny]

    def matches(self, name: str) -> bool:
        """Whether ``name`` passes the filter."""
        return self.matcher()(name)

    def matcher(self) -> Callable[[str], bool]:
        """:meth:`matches` as a plain function (no model attribute look-ups: for loops over
        thousands of names)."""
        allow, deny = tuple(self._allow), tuple(self._deny)

        def matches(name: str) -> bool:
            if allow and not any(p.search(name) for p in allow):
                return False
            return not any(p.search(name) for p in deny)

        return matches


class TimestampReadSettings(SettingsSection):
    """Lag seconds method ``timestamp``: read the record at the committed offset of the lagging
    partitions of the groups matching ``groups`` (regexes; none by default, so nothing is read), at
    most ``max_reads_per_cycle`` partitions a cycle, for at most ``timeout_s`` a cycle."""

    groups: list[str] = Field(default_factory=list)
    max_reads_per_cycle: int = Field(500, ge=1)
    timeout_s: float = Field(5.0, gt=0)
    _groups: list[re.Pattern[str]] = PrivateAttr(default_factory=list)

    _lists = field_validator("groups", mode="before")(_as_list)
    _regexes = field_validator("groups")(_check_regexes)

    def model_post_init(self, context: Any, /) -> None:
        self._groups = [re.compile(p) for p in self.groups]

    @property
    def enabled(self) -> bool:
        """Whether any group is configured."""
        return bool(self._groups)

    def wants(self, group_id: str) -> bool:
        """Whether ``group_id``'s lag seconds come from record timestamps."""
        return any(p.search(group_id) for p in self._groups)


class OtlpSettings(SettingsSection):
    """OpenTelemetry metrics export over OTLP/HTTP (needs the ``otlp`` extra). ``endpoint`` is the
    full URL (``http://collector:4318/v1/metrics``); ``headers`` are sent with every export and are
    secrets (never logged or shown)."""

    endpoint: str = Field(min_length=1)
    interval_s: float = Field(60.0, gt=0, description="seconds between exports")
    timeout_s: float = Field(10.0, gt=0, description="deadline of one export request")
    headers: dict[str, SecretStr] = Field(default_factory=dict)

    @field_validator("endpoint")
    @classmethod
    def _check_endpoint(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                f"must be an http:// or https:// URL (like http://collector:4318/v1/metrics), not {value!r}"
            )
        return value


class ClusterSettings(SettingsSection):
    """One cluster: its ``name`` (the ``cluster`` label) and the library's client settings.

    Every key other than ``name``, ``config_files`` and ``preset`` is a :class:`KafkaClientSettings`
    key (``bootstrap_servers``, ``client_id``, ``security``, ``native`` ...). The client settings are
    built with ``load_settings(*config_files, preset=preset, **keys)``, so their precedence is: keys
    given here > ``KAFKA_CLIENT_*`` environment variables > ``config_files`` > preset > defaults
    (``client_id`` defaults to ``kafka-client-exporter``).
    """

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)

    name: str = Field(min_length=1, max_length=200)
    config_files: list[Path] = Field(default_factory=list)
    preset: str | None = None
    _client: KafkaClientSettings | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build_client_settings(self, info: ValidationInfo) -> ClusterSettings:
        context = info.context if isinstance(info.context, Mapping) else {}
        env = client_environment(context.get("env", os.environ))
        keys = dict(self.model_extra or {})
        try:
            loaded = explain_sources(*self.config_files, preset=self.preset, env=env, **keys)
        except ConfigError as exc:
            raise_if_problems(exc.problems)
            raise  # pragma: no cover - raise_if_problems raised
        client = loaded.settings
        if loaded.source_of("client_id") == "default":
            client = client.model_copy(update={"client_id": DEFAULT_CLIENT_ID})
        self._client = client
        return self

    @property
    def client(self) -> KafkaClientSettings:
        """The validated client settings of this cluster."""
        if self._client is None:  # pragma: no cover - set by validation
            raise RuntimeError("cluster settings were not validated")
        return self._client


def client_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The environment handed to the clusters' client settings: without the exporter's own variables
    (they share the ``KAFKA_CLIENT_`` prefix and would be read as unknown client settings)."""
    return {k: v for k, v in env.items() if not k.upper().startswith(ENV_PREFIX)}


class ExporterSettings(SettingsSection):
    """Everything the exporter daemon is configured with (see docs/exporter.md for each key).

    >>> ExporterSettings(clusters=[{"name": "prod", "bootstrap_servers": "kafka-1:9092"}])  # doctest: +SKIP
    """

    clusters: list[ClusterSettings] = Field(min_length=1)
    interval_s: float = Field(30.0, gt=0, description="seconds between the starts of collection cycles")
    timeout_s: float = Field(30.0, gt=0, description="deadline of each Kafka call in a cycle")
    host: str = "0.0.0.0"
    port: int = Field(DEFAULT_PORT, ge=0, le=65535)
    groups: NameFilter = Field(default_factory=NameFilter)
    topics: NameFilter = Field(default_factory=NameFilter)
    include_internal_topics: bool = False
    max_series: int = Field(1_000_000, ge=1, description="per cluster; per-partition group series go first")
    status_window: int = Field(10, ge=2, description="commit samples per partition for the status rules")
    lookup_table_size: int = Field(60, ge=2, description="(offset, time) points per partition")
    state_file: Path | None = None
    state_save_interval_s: float = Field(60.0, gt=0)
    stale_after_s: float | None = Field(
        None, gt=0, description="serve a failing cluster's last series this long (default 5 intervals)"
    )
    profile: Literal["kafka_exporter", "kafka-lag-exporter"] = "kafka_exporter"
    dlq_pattern: str = DEFAULT_DLQ_PATTERN
    acls: bool = True
    timestamp_reads: TimestampReadSettings = Field(default_factory=TimestampReadSettings)
    otlp: OtlpSettings | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("dlq_pattern")
    @classmethod
    def _check_dlq_pattern(cls, value: str) -> str:
        _check_regexes([value])
        return value

    @field_validator("clusters")
    @classmethod
    def _unique_names(cls, clusters: list[ClusterSettings]) -> list[ClusterSettings]:
        names = [c.name for c in clusters]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"cluster names must be unique; repeated: {', '.join(duplicates)}")
        return clusters

    @property
    def effective_stale_after_s(self) -> float:
        """How long a failing cluster's last good series stay served."""
        return self.stale_after_s if self.stale_after_s is not None else 5 * self.interval_s

    @property
    def dlq_regex(self) -> re.Pattern[str]:
        return re.compile(self.dlq_pattern)
