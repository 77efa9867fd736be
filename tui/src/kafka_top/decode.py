"""Showing record bytes to a person: JSON, text, or hex, decided per value and never raising.

A record that is not UTF-8 (Avro, Protobuf, compressed or corrupt bytes) is shown as hex, so one bad
record never stops the browsing of its neighbours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

__all__ = ["Decoded", "decode_bytes", "decode_headers"]

Kind = Literal["null", "json", "str", "hex"]
_JSON_STARTS = frozenset('{["-0123456789tfn')
_ALLOWED_CONTROLS = frozenset("\n\r\t")


@dataclass(frozen=True)
class Decoded:
    """A value as shown: its ``kind``, the full ``text`` (JSON pretty-printed) and a one-line form."""

    kind: Kind
    text: str
    one_line: str

    def short(self, width: int = 60) -> str:
        """The one-line form cut to ``width`` characters."""
        return self.one_line if len(self.one_line) <= width else self.one_line[: width - 1] + "…"


NULL = Decoded("null", "null", "∅")


def _hex(data: bytes) -> Decoded:
    return Decoded("hex", data.hex(" "), data.hex(" "))


def decode_bytes(data: bytes | None) -> Decoded:
    """``data`` as JSON when it parses, else as text when it is printable UTF-8, else as hex."""
    if data is None:
        return NULL
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _hex(data)
    except Exception:  # a bytes-like that misbehaves: still show something
        return _hex(bytes(data))
    if any(not c.isprintable() and c not in _ALLOWED_CONTROLS for c in text):
        return _hex(data)
    stripped = text.strip()
    if stripped and stripped[0] in _JSON_STARTS:
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            if isinstance(parsed, dict | list):
                return Decoded(
                    "json",
                    json.dumps(parsed, indent=2, ensure_ascii=False),
                    json.dumps(parsed, ensure_ascii=False, separators=(",", ":")),
                )
    return Decoded("str", text, text.replace("\n", "⏎"))


def decode_headers(headers: list[tuple[str, bytes | None]]) -> list[tuple[str, Decoded]]:
    """Each header's value decoded on its own, in order (a header name may repeat)."""
    return [(name, decode_bytes(value)) for name, value in headers]
