"""The ``:`` command line, after k9s: a view by name or alias, with an optional ``/filter`` and ``@context``.

``:groups``, ``:g /billing``, ``:topics @prod``, ``:ctx``, ``:ctx staging``, ``:export lag.csv``, ``:q``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALIASES", "VIEWS", "Command", "CommandError", "parse_command"]

VIEWS = ("groups", "health", "acls", "topics", "dlq")
"""The views (app modes) a command can open."""

ALIASES: dict[str, tuple[str, ...]] = {
    "groups": ("groups", "g", "group", "cg", "consumergroups", "lag"),
    "health": ("health", "h", "hc", "checks"),
    "acls": ("acls", "acl", "a"),
    "topics": ("topics", "t", "topic", "tp", "brokers", "b"),
    "dlq": ("dlq", "deadletter", "dead-letter"),
    "ctx": ("ctx", "context", "contexts"),
    "export": ("export", "save", "x"),
    "help": ("help", "?"),
    "quit": ("quit", "q", "q!", "exit"),
}
"""Every command by its aliases; the first alias is the command's name."""

_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


class CommandError(ValueError):
    """A command line that names no known command."""


@dataclass(frozen=True)
class Command:
    """A parsed command: its canonical ``name``, plain ``args``, and the ``/filter`` and ``@context``."""

    name: str
    args: tuple[str, ...] = ()
    filter: str | None = None
    context: str | None = None


def parse_command(text: str) -> Command:
    """``"g /billing @prod"`` -> ``Command("groups", (), "billing", "prod")``.

    Raises :class:`CommandError` for an unknown command.
    """
    words = text.strip().removeprefix(":").split()
    if not words:
        raise CommandError("empty command; try :groups, :health, :acls, :topics, :ctx or :q")
    head = words[0].lower()
    name = _BY_ALIAS.get(head)
    if name is None:
        known = ", ".join(f":{n}" for n in ALIASES)
        raise CommandError(f"unknown command :{head}; known: {known}")
    args: list[str] = []
    filter_words: list[str] | None = None
    context: str | None = None
    for word in words[1:]:
        if word.startswith("@") and len(word) > 1:
            context = word[1:]
        elif filter_words is not None:
            filter_words.append(word)
        elif word.startswith("/") and name != "export":
            filter_words = [word[1:]]
        else:
            args.append(word)
    filter_text = " ".join(filter_words).strip() if filter_words is not None else None
    return Command(name, tuple(args), filter_text or None, context)
