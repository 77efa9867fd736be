"""Walking the settings models by path: what kind of field a path names, and whether it is secret.

Error conversion, environment-variable decoding and redaction all need to answer "what is
``security.sasl.password``?" from a path alone; this module answers it once, from the models'
own field annotations, so a new field needs no extra registration anywhere.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, SecretStr

FieldKind = Literal["model", "dict", "dict_item", "list", "leaf", "unknown"]

ENV_PREFIX = "KAFKA_CLIENT_"
ENV_NESTED_DELIMITER = "__"
REDACTED = "**********"

# Substrings of native (librdkafka / kafka-python) property names whose values are secrets.
_SECRET_KEY_MARKERS = (
    "password",
    "secret",
    "credential",
    "jaas",
    "private",
    "keystore",
    "oauthbearer.config",
)


@dataclass(frozen=True)
class ResolvedPath:
    """Where a location inside the settings points.

    ``parts`` is the normalised path (union-member tags and list indexes dropped), ``kind`` what the
    last part names, ``secret`` whether its value must never be shown, ``parent`` the model that
    holds the last part (for did-you-mean suggestions), ``annotation`` the field's type.
    """

    parts: tuple[str, ...]
    kind: FieldKind
    secret: bool
    parent: type[BaseModel] | None
    annotation: Any = None

    @property
    def dotted(self) -> str:
        """The path as users write it: ``producer.acks``."""
        return ".".join(self.parts)


def is_secret_key(key: object) -> bool:
    """Whether a native property name (``sasl.password``, ``ssl_password``) holds a secret."""
    lowered = str(key).lower()
    return any(marker in lowered for marker in _SECRET_KEY_MARKERS)


def env_var_name(parts: Sequence[str]) -> str:
    """The environment variable that sets ``parts``: ``KAFKA_CLIENT_PRODUCER__ACKS``."""
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(part.upper() for part in parts)


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        members: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                members.extend(_members(arg))
        return members
    return [annotation]


def classify(annotation: Any) -> tuple[FieldKind, type[BaseModel] | None, bool]:
    """Classify a field annotation: its kind, the model class if it is one, and whether it is secret."""
    members = _members(annotation)
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            return "model", member, False
    origins = {typing.get_origin(member) or member for member in members}
    if dict in origins:
        return "dict", None, False
    if list in origins:
        return "list", None, False
    return "leaf", None, SecretStr in members


def resolve(root: type[BaseModel], loc: Sequence[str | int]) -> ResolvedPath:
    """Resolve a pydantic error location (or any path) against the settings models."""
    model: type[BaseModel] = root
    parts: list[str] = []
    for index, part in enumerate(loc):
        name = str(part)
        field = model.model_fields.get(name) if isinstance(part, str) else None
        if field is None:
            return ResolvedPath((*parts, name), "unknown", False, model)
        parts.append(name)
        kind, sub_model, secret = classify(field.annotation)
        if kind == "model" and sub_model is not None:
            if index == len(loc) - 1:
                return ResolvedPath(tuple(parts), "model", False, model, field.annotation)
            model = sub_model
            continue
        if kind == "dict" and index + 1 < len(loc):
            key = loc[index + 1]
            return ResolvedPath((*parts, str(key)), "dict_item", is_secret_key(key), model, field.annotation)
        return ResolvedPath(tuple(parts), kind, secret, model, field.annotation)
    return ResolvedPath(tuple(parts), "model", False, None, root)


def secret_paths(root: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every path in the models whose field type is a secret (used by tests and redaction)."""
    found: list[tuple[str, ...]] = []
    for name, field in root.model_fields.items():
        _kind, sub_model, secret = classify(field.annotation)
        if sub_model is not None:
            found.extend(secret_paths(sub_model, (*prefix, name)))
        elif secret:
            found.append((*prefix, name))
    return found
