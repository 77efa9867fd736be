"""Showing settings: redacted plain data, YAML with source comments, redacted native configs."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from kafka_client.config import explain_sources, redact_native_config, redacted_settings, render_settings_yaml

from ._helpers import SECRET


def provider() -> tuple[str, float]:
    return "t", 0.0


def test_secrets_callables_and_paths_are_plain_and_safe() -> None:
    explained = explain_sources(
        env={"KAFKA_CLIENT_SECURITY__SASL__PASSWORD": SECRET},
        bootstrap_servers="k:1",
        security={"protocol": "SASL_SSL", "sasl": {"mechanism": "PLAIN", "username": "u"}},
        native={"sasl.password": SECRET, "linger.ms": 3},
        native_kafka_python={"ssl_password": SECRET, "metadata_max_age_ms": 1},
    )
    data = redacted_settings(explained.settings)
    assert data["security"]["sasl"]["password"] == "**********"
    assert data["native"] == {"sasl.password": "**********", "linger.ms": 3}
    assert data["native_kafka_python"] == {"ssl_password": "**********", "metadata_max_age_ms": 1}
    text = render_settings_yaml(data, explained.sources)
    assert SECRET not in text
    assert "    password: '**********'  # from env:KAFKA_CLIENT_SECURITY__SASL__PASSWORD\n" in text
    assert "  sasl.password: '**********'  # from override\n" in text
    assert "bootstrap_servers: ['k:1']  # from override\n" in text
    assert "  acks: all  # from default\n" in text


def test_token_provider_shows_as_import_string() -> None:
    explained = explain_sources(
        env={},
        bootstrap_servers="k:1",
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "OAUTHBEARER", "oauth": {"token_provider": provider}},
        },
    )
    data = redacted_settings(explained.settings)
    assert data["security"]["sasl"]["oauth"]["token_provider"] == "tests.unit.config.test_render:provider"


def test_redact_native_config() -> None:
    class Assignor:
        pass

    config = {
        "sasl.password": SECRET,
        "ssl.key.password": SECRET,
        "sasl.oauthbearer.client.secret": SECRET,
        "sasl_plain_password": SECRET,
        "ssl_password": None,
        "oauth_cb": provider,
        "partition_assignment_strategy": [Assignor],
        "sasl_oauth_token_provider": object(),
        "linger.ms": 5,
    }
    redacted = redact_native_config(config)
    assert redacted == {
        "sasl.password": "**********",
        "ssl.key.password": "**********",
        "sasl.oauthbearer.client.secret": "**********",
        "sasl_plain_password": "**********",
        "ssl_password": None,
        "oauth_cb": "tests.unit.config.test_render:provider",
        "partition_assignment_strategy": [
            "tests.unit.config.test_render:test_redact_native_config.<locals>.Assignor"
        ],
        "sasl_oauth_token_provider": "<object object>",
        "linger.ms": 5,
    }
    assert SECRET not in str(redacted)


_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.-", min_size=1, max_size=12)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(_scalars, st.lists(_scalars, max_size=3)),
    lambda children: st.dictionaries(_keys, children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(_keys, _values, max_size=6), st.dictionaries(_keys, _keys, max_size=6))
def test_rendered_yaml_parses_back_to_the_data(data: dict[str, Any], sources: dict[str, str]) -> None:
    assert yaml.safe_load(render_settings_yaml(data, sources)) == (data or None)
