"""The ``/`` filter grammar, after k9s: a case-insensitive regex over every cell, ``!`` to invert.

``/billing``  rows with "billing" anywhere; ``/!billing`` every other row;
``/lag>100``, ``/state=Empty``, ``/members!=0`` compare one column (numbers as numbers);
an invalid regex is matched as plain text.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka_top.table import Column, Row, cell_text

__all__ = ["RowFilter"]

_PREDICATE = re.compile(r"^\s*([A-Za-z_][\w ]*?)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class RowFilter:
    """A parsed filter; ``RowFilter.parse("")`` matches everything."""

    text: str
    inverted: bool
    column: str | None = None
    op: str | None = None
    operand: str = ""
    pattern: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, text: str, columns: Sequence[Column] = ()) -> RowFilter:
        raw = text.strip()
        inverted = raw.startswith("!")
        body = raw[1:].strip() if inverted else raw
        match = _PREDICATE.match(body)
        if match:
            name = match.group(1).strip().lower()
            for column in columns:
                if name in (column.key.lower(), column.label.lower()):
                    return cls(raw, inverted, column.key, match.group(2), match.group(3))
        try:
            pattern = re.compile(body, re.IGNORECASE)
        except re.error:
            pattern = re.compile(re.escape(body), re.IGNORECASE)
        return cls(raw, inverted, pattern=pattern if body else None)

    @property
    def active(self) -> bool:
        return self.column is not None or self.pattern is not None

    def _matches_positive(self, row: Row) -> bool:
        if self.column is not None and self.op is not None:
            value = row.values.get(self.column)
            compare = _OPERATORS[self.op]
            wanted = _number(self.operand)
            if isinstance(value, int | float) and not isinstance(value, bool) and wanted is not None:
                return compare(value, wanted)
            if self.op in ("=", "!="):
                return compare(cell_text(value).lower(), self.operand.lower())
            return False
        if self.pattern is None:
            return True
        return any(self.pattern.search(cell_text(v)) for v in row.values.values()) or bool(
            self.pattern.search(row.key)
        )

    def matches(self, row: Row) -> bool:
        if not self.active:
            return True
        return self._matches_positive(row) != self.inverted

    def apply(self, rows: Sequence[Row]) -> list[Row]:
        return [r for r in rows if self.matches(r)]
