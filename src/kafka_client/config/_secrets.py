"""Secrets read from files (``password_file`` beside ``password``) at validation time.

Mounting a secret as a file (Kubernetes secrets, Docker secrets, Vault agent) keeps it out of the
environment and out of YAML under version control; reading it while validating means a missing or
empty file is reported with every other problem, before any client is built.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, SecretStr

from kafka_client.config._problems import problem
from kafka_client.errors import ConfigProblem


def resolve_secret_file(
    value: SecretStr | None, file: Path | None, name: str, problems: list[ConfigProblem]
) -> SecretStr | None:
    """Return the secret: ``value``, or the stripped content of ``file``.

    Setting both is a problem unless they agree (settings that were already resolved once are
    validated again unchanged, for example when a section object is passed as an override).
    """
    if file is None:
        return value
    file_field = f"{name}_file"
    try:
        content = file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        problems.append(
            problem(file_field, "secret file does not exist", "create the file or fix the path", file)
        )
        return value
    except (OSError, UnicodeDecodeError) as exc:
        reason = type(exc).__name__ if isinstance(exc, UnicodeDecodeError) else (exc.strerror or "unreadable")
        problems.append(
            problem(
                file_field,
                f"secret file cannot be read ({reason})",
                "check the path and the file's permissions; it must be UTF-8 text",
                file,
            )
        )
        return value
    if value is not None and value.get_secret_value() != content:
        problems.append(
            problem(
                name,
                f"both {name} and {file_field} are set",
                f"set only one of them; {file_field} keeps the secret out of configuration files",
                value,
                secret=True,
            )
        )
        return value
    if not content:
        problems.append(problem(file_field, "secret file is empty", "write the secret into the file", file))
        return value
    return SecretStr(content)


def resolve_secret_field(model: BaseModel, name: str, problems: list[ConfigProblem]) -> None:
    """Resolve ``model.<name>`` from ``model.<name>_file`` in place.

    A secret read from its file is not marked as explicitly set, so ``model_dump(exclude_unset=True)``
    leaves it out and validating the dump reads the file again (picking up a rotated secret).
    """
    file: Path | None = getattr(model, f"{name}_file")
    setattr(model, name, resolve_secret_file(getattr(model, name), file, name, problems))
    if file is not None:
        model.__pydantic_fields_set__.discard(name)
