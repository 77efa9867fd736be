"""Security settings: the transport (TLS) and authentication (SASL, OAUTHBEARER) sections."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kafka_client.config._base import SettingsSection, upper_if_str
from kafka_client.config._problems import problem, raise_if_problems, show_value
from kafka_client.config._secrets import resolve_secret_field
from kafka_client.config._tls import tls_file_problems
from kafka_client.errors import ConfigError, ConfigProblem
from kafka_client.typing import TokenProvider

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]

_IMPORT_STRING = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
_TOKEN_SOURCE_HINT = (
    "set security.sasl.oauth.token_provider to a function returning (token, expiry_epoch_seconds) "
    "(for AWS MSK IAM, one built on aws-msk-iam-sasl-signer), or the oidc_* client credentials"
)


class TLSSettings(SettingsSection):
    """TLS files and options; used when ``security.protocol`` is ``SSL`` or ``SASL_SSL``.

    Every file is loaded with the ``ssl`` module while validating, so a wrong path, a non-PEM file, a
    key that does not match its certificate or a wrong key password is reported before connecting.
    Without ``ca_file`` the system's trusted CAs are used.
    """

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    key_password: SecretStr | None = None
    key_password_file: Path | None = None
    check_hostname: bool = True

    @property
    def is_configured(self) -> bool:
        """Whether any TLS file or key password is set (so TLS was clearly intended)."""
        return any(
            value is not None
            for value in (
                self.ca_file,
                self.cert_file,
                self.key_file,
                self.key_password,
                self.key_password_file,
            )
        )

    @model_validator(mode="after")
    def _check_files(self) -> Self:
        problems: list[ConfigProblem] = []
        resolve_secret_field(self, "key_password", problems)
        problems.extend(tls_file_problems(self.ca_file, self.cert_file, self.key_file, self.key_password))
        raise_if_problems(problems)
        return self


class OAuthSettings(SettingsSection):
    """Where SASL/OAUTHBEARER tokens come from: a token provider, or OIDC client credentials.

    ``token_provider`` is a callable returning ``(token, expiry_epoch_seconds)``, or a
    ``"module:attribute"`` string naming one, imported only when a client is built. The ``oidc_*``
    fields configure the OAuth 2.0 client-credentials flow that librdkafka runs itself. Exactly one of
    the two must be set.
    """

    token_provider: TokenProvider | str | None = None
    oidc_token_endpoint_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    oidc_scope: str | None = None
    oidc_extensions: dict[str, str] = Field(default_factory=dict)

    @field_validator("token_provider")
    @classmethod
    def _import_string_shape(cls, value: TokenProvider | str | None) -> TokenProvider | str | None:
        if isinstance(value, str) and not _IMPORT_STRING.fullmatch(value):
            raise PydanticCustomError(
                "import_string",
                "is not a 'module:attribute' import string",
                {"hint": "name the function as 'package.module:function', e.g. 'myapp.auth:msk_token'"},
            )
        return value

    @property
    def uses_oidc(self) -> bool:
        """Whether any OIDC client-credentials field is set."""
        return bool(
            self.oidc_token_endpoint_url
            or self.oidc_client_id
            or self.oidc_client_secret
            or self.oidc_client_secret_file
            or self.oidc_scope
            or self.oidc_extensions
        )

    @model_validator(mode="after")
    def _check_token_source(self) -> Self:
        problems: list[ConfigProblem] = []
        resolve_secret_field(self, "oidc_client_secret", problems)
        if self.token_provider is not None and self.uses_oidc:
            problems.append(
                problem(
                    "token_provider",
                    "set either token_provider or the oidc_* client credentials, not both",
                    "keep token_provider for a custom token (e.g. AWS MSK IAM) or oidc_* for OAuth client "
                    "credentials, and remove the other",
                )
            )
        elif self.token_provider is None and not self.uses_oidc:
            problems.append(
                problem("token_provider", "no OAUTHBEARER token source is set", _TOKEN_SOURCE_HINT)
            )
        elif self.uses_oidc:
            required = {
                "oidc_token_endpoint_url": self.oidc_token_endpoint_url,
                "oidc_client_id": self.oidc_client_id,
                "oidc_client_secret": self.oidc_client_secret or self.oidc_client_secret_file,
            }
            for name, value in required.items():
                if not value:
                    problems.append(
                        problem(
                            name, "required for OIDC client credentials", f"set security.sasl.oauth.{name}"
                        )
                    )
            url = self.oidc_token_endpoint_url
            if url and not url.startswith(("https://", "http://")):
                problems.append(
                    problem(
                        "oidc_token_endpoint_url",
                        "is not an http(s) URL",
                        "use the identity provider's token endpoint, e.g. https://idp.example.com/oauth2/token",
                        url,
                    )
                )
        raise_if_problems(problems)
        return self

    def resolve_token_provider(self) -> TokenProvider | None:
        """The token provider as a callable, importing a ``"module:attribute"`` string now.

        Raises ``ConfigError`` naming ``security.sasl.oauth.token_provider`` when the import fails.
        """
        provider = self.token_provider
        if provider is None or callable(provider):
            return provider
        module_name, _, attribute = provider.partition(":")
        path = "security.sasl.oauth.token_provider"
        try:
            target: object = importlib.import_module(module_name)
            for part in attribute.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(
                [
                    ConfigProblem(
                        path,
                        f"cannot import the token provider ({type(exc).__name__}: {exc})",
                        show_value(provider),
                        "check the module is installed and the 'module:attribute' name is right",
                    )
                ]
            ) from None
        if not callable(target):
            raise ConfigError(
                [
                    ConfigProblem(
                        path,
                        "the imported token provider is not callable",
                        show_value(provider),
                        _TOKEN_SOURCE_HINT,
                    )
                ]
            )
        resolved: TokenProvider = target
        return resolved


class SASLSettings(SettingsSection):
    """SASL authentication: the mechanism and its credentials.

    PLAIN and SCRAM need ``username`` and ``password`` (or ``password_file``); OAUTHBEARER needs
    ``oauth``. Used when ``security.protocol`` is ``SASL_SSL`` or ``SASL_PLAINTEXT``.
    """

    mechanism: SaslMechanism
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    oauth: OAuthSettings | None = None

    @field_validator("mechanism", mode="before")
    @classmethod
    def _normalise_mechanism(cls, value: object) -> object:
        return upper_if_str(value)

    @model_validator(mode="after")
    def _check_credentials(self) -> Self:
        problems: list[ConfigProblem] = []
        resolve_secret_field(self, "password", problems)
        if self.mechanism == "OAUTHBEARER":
            if self.oauth is None:
                problems.append(
                    problem("oauth", "SASL mechanism OAUTHBEARER needs a token source", _TOKEN_SOURCE_HINT)
                )
            for name in ("username", "password"):
                if getattr(self, name) is not None:
                    problems.append(
                        problem(
                            name,
                            "is not used by SASL mechanism OAUTHBEARER",
                            f"remove security.sasl.{name}, or use mechanism PLAIN or SCRAM-SHA-512",
                            getattr(self, name),
                            secret=name == "password",
                        )
                    )
            raise_if_problems(problems)
            return self
        if not self.username:
            problems.append(
                problem(
                    "username",
                    f"SASL mechanism {self.mechanism} needs a username",
                    "set security.sasl.username (KAFKA_CLIENT_SECURITY__SASL__USERNAME)",
                )
            )
        if self.password is None and self.password_file is None:
            problems.append(
                problem(
                    "password",
                    f"SASL mechanism {self.mechanism} needs a password",
                    "set security.sasl.password_file, or security.sasl.password "
                    "(KAFKA_CLIENT_SECURITY__SASL__PASSWORD)",
                )
            )
        if self.oauth is not None:
            problems.append(
                problem(
                    "oauth",
                    "is only used with SASL mechanism OAUTHBEARER",
                    "remove security.sasl.oauth, or set security.sasl.mechanism: OAUTHBEARER",
                )
            )
        raise_if_problems(problems)
        return self


class SecuritySettings(SettingsSection):
    """How the client connects and authenticates: protocol, TLS and SASL.

    The protocol must agree with the other two: ``SASL_*`` needs ``sasl``, ``sasl`` needs ``SASL_*``,
    and TLS files need ``SSL`` or ``SASL_SSL`` (otherwise they would be silently ignored).
    """

    protocol: SecurityProtocol = "PLAINTEXT"
    tls: TLSSettings = Field(default_factory=TLSSettings)
    sasl: SASLSettings | None = None

    @field_validator("protocol", mode="before")
    @classmethod
    def _normalise_protocol(cls, value: object) -> object:
        return upper_if_str(value)

    @property
    def uses_tls(self) -> bool:
        """Whether the connection is encrypted with TLS."""
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        """Whether the client authenticates with SASL."""
        return self.protocol.startswith("SASL_")

    @model_validator(mode="after")
    def _check_protocol(self) -> Self:
        problems: list[ConfigProblem] = []
        if self.uses_sasl and self.sasl is None:
            problems.append(
                problem(
                    "sasl",
                    f"security.protocol {self.protocol} needs SASL settings",
                    "set security.sasl.mechanism and its credentials, or use protocol SSL or PLAINTEXT",
                )
            )
        if self.sasl is not None and not self.uses_sasl:
            problems.append(
                problem(
                    "protocol",
                    "SASL settings are set but the protocol does not use SASL",
                    "use SASL_SSL (or SASL_PLAINTEXT on a trusted network), or remove security.sasl",
                    self.protocol,
                )
            )
        if self.tls.is_configured and not self.uses_tls:
            problems.append(
                problem(
                    "protocol",
                    "TLS files are set but the protocol does not use TLS",
                    "use SSL or SASL_SSL, or remove the security.tls files",
                    self.protocol,
                )
            )
        raise_if_problems(problems)
        return self
