"""The public surface of kafka_client.config is pinned: changing it is a deliberate act."""

from __future__ import annotations

import ast
import inspect

import kafka_client.config as config
from kafka_client.config import KafkaClientSettings


def test_all_is_pinned() -> None:
    assert set(config.__all__) == {
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
    }


def test_public_names_have_docstrings() -> None:
    for name in config.__all__:
        value = getattr(config, name)
        if callable(value):
            assert inspect.getdoc(value), name


def test_root_fields() -> None:
    assert list(KafkaClientSettings.model_fields) == [
        "bootstrap_servers",
        "client_id",
        "backend",
        "security",
        "producer",
        "consumer",
        "observability",
        "native",
        "native_kafka_python",
    ]


def test_package_init_holds_re_exports_only() -> None:
    tree = ast.parse(inspect.getsource(config))
    docstring, *statements = tree.body
    assert isinstance(docstring, ast.Expr)
    for statement in statements:
        is_all = isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]) == "__all__"
        assert isinstance(statement, ast.ImportFrom) or is_all, ast.unparse(statement)
