"""Every validation rule: the exact field path, the value (or its redaction) and no leaked secret."""

from __future__ import annotations

import pytest

from kafka_client.config import KafkaClientSettings
from kafka_client.errors import ConfigError

from ._helpers import SECRET, assert_no_leak, config_error, load, problem_at

REDACTED = "'**********'"


def test_transactions_need_idempotence() -> None:
    error = config_error(producer={"transactional_id": "orders-tx", "enable_idempotence": False, "acks": 1})
    found = problem_at(error, "producer.enable_idempotence")
    assert found.value == "False"
    assert "orders-tx" in found.message
    assert found.hint is not None
    assert "enable_idempotence: true" in found.hint
    assert len(error.problems) == 1


@pytest.mark.parametrize("acks", [0, 1, "1", "0"])
def test_idempotence_needs_acks_all(acks: object) -> None:
    error = config_error(producer={"acks": acks})
    found = problem_at(error, "producer.acks")
    assert found.value == repr(int(str(acks)))
    assert found.source == "override"
    assert found.hint is not None
    assert "producer.acks: all" in found.hint


def test_idempotence_limits_in_flight_and_needs_retries() -> None:
    error = config_error(producer={"max_in_flight": 6, "retries": 0})
    assert problem_at(error, "producer.max_in_flight").value == "6"
    assert problem_at(error, "producer.retries").value == "0"


def test_delivery_timeout_covers_linger_and_request_timeout() -> None:
    error = config_error(producer={"delivery_timeout_ms": 1000, "linger_ms": 5, "request_timeout_ms": 30000})
    found = problem_at(error, "producer.delivery_timeout_ms")
    assert found.value == "1000"
    assert "5 + 30000" in found.message


def test_transaction_timeout_covers_delivery_timeout() -> None:
    error = config_error(producer={"transactional_id": "tx", "transaction_timeout_ms": 60000})
    found = problem_at(error, "producer.delivery_timeout_ms")
    assert (found.value, found.message) == (
        "120000",
        "must not exceed transaction_timeout_ms (60000) when transactional",
    )
    settings = load(
        producer={"transactional_id": "tx", "transaction_timeout_ms": 60000, "delivery_timeout_ms": 60000}
    )
    assert settings.producer.transaction_timeout_ms == 60000


def test_retry_backoff_max_not_below_backoff() -> None:
    error = config_error(producer={"retry_backoff_ms": 500, "retry_backoff_max_ms": 100})
    assert problem_at(error, "producer.retry_backoff_max_ms").value == "100"


def test_consumer_timeouts() -> None:
    error = config_error(consumer={"heartbeat_interval_ms": 500000, "session_timeout_ms": 400000})
    assert problem_at(error, "consumer.heartbeat_interval_ms").value == "500000"
    assert problem_at(error, "consumer.session_timeout_ms").value == "400000"


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_password_mechanisms_need_username_and_password(mechanism: str) -> None:
    error = config_error(security={"protocol": "SASL_SSL", "sasl": {"mechanism": mechanism}})
    assert (
        problem_at(error, "security.sasl.username").message == f"SASL mechanism {mechanism} needs a username"
    )
    assert (
        problem_at(error, "security.sasl.password").message == f"SASL mechanism {mechanism} needs a password"
    )
    assert len(error.problems) == 2


def test_scram_without_password_reports_only_password() -> None:
    error = config_error(
        security={"protocol": "SASL_SSL", "sasl": {"mechanism": "SCRAM-SHA-512", "username": "svc"}}
    )
    assert [p.path for p in error.problems] == ["security.sasl.password"]


def test_oauthbearer_needs_oauth() -> None:
    error = config_error(security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER"}})
    found = problem_at(error, "security.sasl.oauth")
    assert found.hint is not None
    assert "token_provider" in found.hint
    assert "aws-msk-iam-sasl-signer" in found.hint


def test_oauthbearer_rejects_password_without_leaking_it() -> None:
    error = config_error(
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "OAUTHBEARER", "password": SECRET, "oauth": {"token_provider": "m.x:f"}},
        }
    )
    assert problem_at(error, "security.sasl.password").value == REDACTED
    assert_no_leak(error, SECRET)


def test_sasl_settings_need_a_sasl_protocol() -> None:
    sasl = {"mechanism": "PLAIN", "username": "u", "password": SECRET}
    error = config_error(security={"protocol": "SSL", "sasl": sasl})
    found = problem_at(error, "security.protocol")
    assert found.value == "'SSL'"
    assert found.hint is not None
    assert "SASL_SSL" in found.hint
    assert_no_leak(error, SECRET)


@pytest.mark.parametrize("protocol", ["SASL_SSL", "SASL_PLAINTEXT"])
def test_sasl_protocol_needs_sasl_settings(protocol: str) -> None:
    error = config_error(security={"protocol": protocol})
    assert problem_at(error, "security.sasl").message == f"security.protocol {protocol} needs SASL settings"


def test_oauth_token_provider_and_oidc_are_exclusive() -> None:
    oauth = {"token_provider": "myapp.auth:token", "oidc_client_id": "c", "oidc_client_secret": SECRET}
    error = config_error(
        security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}}
    )
    assert problem_at(error, "security.sasl.oauth.token_provider").message.startswith("set either")
    assert_no_leak(error, SECRET)


def test_oauth_needs_a_token_source() -> None:
    error = config_error(security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": {}}})
    assert (
        problem_at(error, "security.sasl.oauth.token_provider").message
        == "no OAUTHBEARER token source is set"
    )


def test_oidc_needs_endpoint_client_id_and_secret() -> None:
    oauth = {"oidc_scope": "kafka", "oidc_token_endpoint_url": "ftp://idp/token"}
    error = config_error(
        security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}}
    )
    assert {p.path for p in error.problems} == {
        "security.sasl.oauth.oidc_client_id",
        "security.sasl.oauth.oidc_client_secret",
        "security.sasl.oauth.oidc_token_endpoint_url",
    }
    assert problem_at(error, "security.sasl.oauth.oidc_token_endpoint_url").value == "'ftp://idp/token'"


def test_token_provider_string_must_be_an_import_string() -> None:
    oauth = {"token_provider": "not an import string"}
    error = config_error(
        security={"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER", "oauth": oauth}}
    )
    found = problem_at(error, "security.sasl.oauth.token_provider")
    assert found.value == "'not an import string'"
    assert found.hint == "name the function as 'package.module:function', e.g. 'myapp.auth:msk_token'"


def test_unknown_key_has_did_you_mean() -> None:
    error = config_error(producer={"ackz": 1})
    found = problem_at(error, "producer.ackz")
    assert found.message == "unknown setting 'ackz'"
    assert found.hint == "did you mean 'acks'?"
    assert found.value is None


def test_unknown_top_level_librdkafka_style_key() -> None:
    error = config_error(**{"bootstrap.servers": "x:1"})
    assert problem_at(error, "bootstrap.servers").hint == "did you mean 'bootstrap_servers'?"
    error = config_error(**{"socket.keepalive.enable": True})
    hint = problem_at(error, "socket.keepalive.enable").hint
    assert hint is not None
    assert hint.startswith("native client properties go under 'native:'")


def test_unknown_secret_looking_key_never_shows_its_value() -> None:
    error = config_error(security={"protocol": "SASL_SSL", "sasl": {"mechanism": "PLAIN", "pasword": SECRET}})
    assert problem_at(error, "security.sasl.pasword").hint == "did you mean 'password'?"
    assert_no_leak(error, SECRET)


def test_wrong_type_shows_value_and_hint() -> None:
    error = config_error(producer={"linger_ms": "soon"})
    found = problem_at(error, "producer.linger_ms")
    assert found.value == "'soon'"
    assert found.hint == "use a whole number, e.g. 1000"


def test_wrong_literal_lists_the_choices() -> None:
    error = config_error(producer={"compression": "brotli"})
    found = problem_at(error, "producer.compression")
    assert found.value == "'brotli'"
    assert found.hint == "use one of: 'none', 'gzip', 'snappy', 'lz4' or 'zstd'"


def test_wrong_type_of_secret_is_redacted() -> None:
    error = config_error(
        security={
            "protocol": "SASL_SSL",
            "sasl": {"mechanism": "PLAIN", "username": "u", "password": 918273645},
        }
    )
    found = problem_at(error, "security.sasl.password")
    assert found.value == REDACTED
    assert_no_leak(error, "918273645")


def test_section_of_wrong_type_names_only_its_type() -> None:
    error = config_error(security={"protocol": "SASL_SSL", "sasl": f"user:{SECRET}"})
    assert problem_at(error, "security.sasl").value == "a value of type str"
    assert_no_leak(error, SECRET)


def test_missing_required_setting_names_yaml_and_env() -> None:
    error = config_error(bootstrap_servers=None)
    assert problem_at(error, "bootstrap_servers").message == "Input should be a valid list"
    error = config_error(security={"protocol": "SASL_SSL", "sasl": {"username": "u"}})
    found = problem_at(error, "security.sasl.mechanism")
    assert found.message == "required setting is missing"
    assert found.hint == (
        "set 'security.sasl.mechanism' in a YAML file, or KAFKA_CLIENT_SECURITY__SASL__MECHANISM"
    )


@pytest.mark.parametrize(
    ("servers", "bad"),
    [
        ("kafka", "'kafka'"),
        ("kafka:9092,PLAINTEXT://kafka-2:9092", "'PLAINTEXT://kafka-2:9092'"),
        ("kafka:99999", "'kafka:99999'"),
        ("kafka:0", "'kafka:0'"),
        (["kafka:9092", "-bad-:1"], "'-bad-:1'"),
    ],
)
def test_bad_bootstrap_servers(servers: object, bad: str) -> None:
    error = config_error(bootstrap_servers=servers)
    found = problem_at(error, "bootstrap_servers")
    assert found.message == f"{bad} is not a host:port broker address"
    assert found.value == repr(servers)


def test_empty_bootstrap_servers() -> None:
    found = problem_at(config_error(bootstrap_servers=" , "), "bootstrap_servers")
    assert found.message == "needs at least one broker address"


@pytest.mark.parametrize(
    ("servers", "parsed"),
    [
        ("a:1,b:2", ["a:1", "b:2"]),
        (" a:1 , b.example.com:9093 ", ["a:1", "b.example.com:9093"]),
        (["[::1]:9092", "10.0.0.1:9092"], ["[::1]:9092", "10.0.0.1:9092"]),
    ],
)
def test_good_bootstrap_servers(servers: object, parsed: list[str]) -> None:
    assert load(bootstrap_servers=servers).bootstrap_servers == parsed


def test_every_problem_is_collected_across_sections() -> None:
    error = config_error(
        bootstrap_servers="nope",
        producer={"acks": 1, "linger_ms": -1},
        consumer={"isolation_level": "dirty"},
        observability={"log_level": "LOUD"},
        security={"protocol": "SASL_SSL"},
    )
    assert [p.path for p in error.problems] == [
        "bootstrap_servers",
        "security.sasl",
        "producer.linger_ms",
        "consumer.isolation_level",
        "observability.log_level",
    ]
    assert str(error).startswith("5 configuration problems:\n  - bootstrap_servers: ")


def test_validation_error_never_escapes_any_entry_point() -> None:
    with pytest.raises(ConfigError):
        KafkaClientSettings(bootstrap_servers="x")
    with pytest.raises(ConfigError):
        KafkaClientSettings.model_validate({"bootstrap_servers": "x"})
    with pytest.raises(ConfigError):
        KafkaClientSettings.model_validate_json('{"bootstrap_servers": 5}')
    with pytest.raises(ConfigError) as caught:
        KafkaClientSettings.model_validate(
            {"bootstrap_servers": "k:1", "security": {"sasl": {"password": SECRET}}}
        )
    assert_no_leak(caught.value, SECRET)


def test_error_text_format() -> None:
    error = config_error(producer={"acks": 1})
    assert str(error) == (
        "1 configuration problem:\n"
        "  - producer.acks: an idempotent producer needs acks 'all' (got 1, from override)\n"
        "    hint: set producer.acks: all, or producer.enable_idempotence: false "
        "(retries may then duplicate messages)"
    )
