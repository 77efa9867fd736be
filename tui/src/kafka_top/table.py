"""Tables as data: columns, rows of plain values, sorting, and export to JSON or CSV.

Every screen builds :class:`Row` values (plain str/int/float/None) from what the library returned;
the same values are rendered, filtered, sorted and exported, so an exported file holds exactly what
the table showed, as numbers where the table showed numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text

__all__ = ["Column", "Row", "cell_text", "export_rows", "render_cell", "sort_rows"]

Renderer = Callable[[Any], Text | str]


@dataclass(frozen=True)
class Column:
    """A column: ``key`` in rows and exports, ``label`` on screen; numeric ones sort and align as numbers."""

    key: str
    label: str
    numeric: bool = False
    render: Renderer | None = None


@dataclass(frozen=True)
class Row:
    """One table row: a stable ``key`` (the cursor and marks follow it) and its values by column key."""

    key: str
    values: Mapping[str, Any]
    payload: Any = field(default=None, compare=False)  # the library object the row came from


def cell_text(value: Any) -> str:
    """How a plain value reads in a cell: None is ``-``, like Kafka's own tools."""
    if value is None:
        return "-"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def render_cell(column: Column, value: Any) -> Text | str:
    """A cell as the table shows it: the column's own renderer, else its text (numbers right-aligned)."""
    if column.render is not None:
        return column.render(value)
    if column.numeric:
        return Text(cell_text(value), justify="right")
    return cell_text(value)


def _sort_key(column: Column, value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, 0 if column.numeric else "")
    if column.numeric and isinstance(value, int | float):
        return (0, value)
    return (0, cell_text(value).lower())


def sort_rows(rows: Sequence[Row], column: Column, descending: bool = False) -> list[Row]:
    """Rows ordered by one column; empty values (``-``) always last."""
    present = [r for r in rows if r.values.get(column.key) is not None]
    missing = [r for r in rows if r.values.get(column.key) is None]
    ordered = sorted(present, key=lambda r: _sort_key(column, r.values.get(column.key)), reverse=descending)
    return ordered + missing


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def export_rows(path: str | Path, columns: Sequence[Column], rows: Iterable[Row]) -> int:
    """Write rows to ``path`` as JSON (a list of objects) or CSV, by its suffix; return how many.

    Raises ``ValueError`` for another suffix and ``OSError`` when the file cannot be written.
    """
    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ValueError(f"export to a .json or .csv file, not {target.name!r}")
    records = [{c.key: _plain(r.values.get(c.key)) for c in columns} for r in rows]
    if suffix == ".json":
        target.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[c.key for c in columns])
            writer.writeheader()
            for record in records:
                writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return len(records)
