"""The base every settings section shares: unknown keys are errors and inputs stay out of messages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SettingsSection(BaseModel):
    """Base of the configuration sections.

    ``extra="forbid"`` turns a misspelt key into an error (with a did-you-mean hint) instead of a
    silently ignored setting; ``hide_input_in_errors`` keeps values (possibly secrets) out of the text
    of any pydantic error, as a second line of defence behind the conversion to ``ConfigError``.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


def upper_if_str(value: object) -> object:
    """Accept enum-like values in any case (``sasl_ssl`` from an environment variable)."""
    return value.upper() if isinstance(value, str) else value


def lower_if_str(value: object) -> object:
    """Accept enum-like values in any case (``LZ4``)."""
    return value.lower() if isinstance(value, str) else value
