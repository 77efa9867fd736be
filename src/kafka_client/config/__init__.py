"""Configuration of kafka_client: validated settings, their sources, presets and native translation.

Load settings with :func:`load_settings` (YAML files, a preset, ``KAFKA_CLIENT_*`` environment
variables and keyword overrides), see where each value came from with :func:`explain_sources`, and
build a native client configuration with :func:`to_confluent_config` or
:func:`to_kafka_python_config`. Every problem is reported at once in one ``ConfigError``.
"""

from kafka_client.config._clients import ConsumerSettings, ObservabilitySettings, ProducerSettings
from kafka_client.config._confluent import to_confluent_config
from kafka_client.config._kafka_python import to_kafka_python_config
from kafka_client.config._loading import SettingsWithSources, explain_sources, load_settings
from kafka_client.config._presets import PRESETS, available_presets, preset_values
from kafka_client.config._render import redact_native_config, redacted_settings, render_settings_yaml
from kafka_client.config._security import OAuthSettings, SASLSettings, SecuritySettings, TLSSettings
from kafka_client.config._settings import KafkaClientSettings

__all__ = [
    "PRESETS",
    "ConsumerSettings",
    "KafkaClientSettings",
    "OAuthSettings",
    "ObservabilitySettings",
    "ProducerSettings",
    "SASLSettings",
    "SecuritySettings",
    "SettingsWithSources",
    "TLSSettings",
    "available_presets",
    "explain_sources",
    "load_settings",
    "preset_values",
    "redact_native_config",
    "redacted_settings",
    "render_settings_yaml",
    "to_confluent_config",
    "to_kafka_python_config",
]
