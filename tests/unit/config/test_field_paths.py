"""Resolving locations inside the settings models: what they name and whether their value is a secret.

Redaction and error messages rely on this: a path that resolves wrongly either leaks a secret or points
a user at the wrong field.
"""

from __future__ import annotations

from pydantic import SecretStr

from kafka_client.config import KafkaClientSettings
from kafka_client.config._fields import is_secret_key, resolve, secret_paths
from kafka_client.config._security import SASLSettings, SecuritySettings


def test_every_secret_field_of_the_settings_is_known() -> None:
    assert secret_paths(KafkaClientSettings) == [
        ("security", "tls", "key_password"),
        ("security", "sasl", "password"),
        ("security", "sasl", "oauth", "oidc_client_secret"),
    ]


def test_the_empty_path_is_the_root_model() -> None:
    resolved = resolve(KafkaClientSettings, [])
    assert (resolved.parts, resolved.kind, resolved.secret, resolved.parent) == ((), "model", False, None)
    assert resolved.annotation is KafkaClientSettings
    assert resolved.dotted == ""


def test_a_nested_model_and_a_secret_leaf() -> None:
    security = resolve(KafkaClientSettings, ["security"])
    assert (security.dotted, security.kind, security.annotation) == ("security", "model", SecuritySettings)
    password = resolve(KafkaClientSettings, ["security", "sasl", "password"])
    assert (password.dotted, password.kind, password.secret, password.parent) == (
        "security.sasl.password",
        "leaf",
        True,
        SASLSettings,
    )
    assert password.annotation == SecretStr | None


def test_a_native_property_is_a_dict_item_secret_by_its_name() -> None:
    secret = resolve(KafkaClientSettings, ["native", "sasl.password"])
    assert (secret.dotted, secret.kind, secret.secret) == ("native.sasl.password", "dict_item", True)
    plain = resolve(KafkaClientSettings, ["native", "linger.ms"])
    assert (plain.dotted, plain.kind, plain.secret) == ("native.linger.ms", "dict_item", False)


def test_an_unknown_name_resolves_to_unknown_under_its_parent() -> None:
    resolved = resolve(KafkaClientSettings, ["producer", "lingr_ms"])
    assert (resolved.dotted, resolved.kind, resolved.secret) == ("producer.lingr_ms", "unknown", False)
    assert resolved.parent is not None
    assert "linger_ms" in resolved.parent.model_fields  # the did-you-mean candidates come from here


def test_native_property_names_holding_secrets() -> None:
    secret = ["sasl.password", "ssl_password", "sasl.oauthbearer.config", "ssl.keystore.password", "JAAS"]
    assert [is_secret_key(k) for k in secret] == [True] * 5
    assert [is_secret_key(k) for k in ["linger.ms", "bootstrap.servers", "sasl.username", 7]] == [False] * 4
