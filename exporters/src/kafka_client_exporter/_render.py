"""The Prometheus text exposition, rendered once per collection cycle and served as bytes.

A cycle writes its samples into a :class:`SeriesWriter` (exposition lines grouped by metric, already
renamed by the naming profile); :class:`Exposition` merges every cluster's lines under one HELP/TYPE
header per metric and caches the result, so a scrape costs a dictionary look-up and a socket write.
"""

from __future__ import annotations

import gzip
import math
import threading
from collections.abc import Sequence

from kafka_client_exporter.metric_names import METRICS, Profile

__all__ = ["Exposition", "SeriesWriter", "escape_label_value", "format_value"]


def format_value(value: float) -> str:
    """A sample value as Prometheus writes it: integers without a fraction, ``+Inf``, ``NaN``."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 2**53):
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def escape_label_value(value: str) -> str:
    """Escape a label value for the text format (backslash, double quote, line feed)."""
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return value


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class SeriesWriter:
    """One cluster's samples of one cycle, as exposition lines grouped by metric (canonical name)."""

    __slots__ = ("_heads", "count", "lines", "profile")

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.lines: dict[str, list[str]] = {}
        self.count = 0
        self._heads: dict[str, tuple[str, tuple[str, ...], float]] = {}

    def _head(self, name: str) -> tuple[str, tuple[str, ...], float]:
        head = self._heads.get(name)
        if head is None:
            spec = METRICS[name]
            profile = self.profile
            labels = tuple(profile.label_name(label) for label in spec.labels)
            head = (profile.metric_name(name), labels, profile.scale(name))
            self._heads[name] = head
        return head

    def add(
        self,
        name: str,
        labels: Sequence[str | int],
        value: float,
        *,
        suffix: str = "",
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Add one sample of metric ``name`` with label values in the order of its spec."""
        body = self.body(name, labels)
        if extra:
            more = ",".join(f'{key}="{escape_label_value(val)}"' for key, val in extra)
            body = f"{body},{more}" if body else more
        self.add_body(name, body, value, suffix=suffix)

    def body(self, name: str, labels: Sequence[str | int]) -> str:
        """The escaped ``key="value",...`` text of ``labels`` for metric ``name``: build it once and
        pass it to :meth:`add_body` for every metric with the same label names (the hot path)."""
        label_names = self._head(name)[1]
        return ",".join(
            f'{key}="{escape_label_value(str(val))}"' for key, val in zip(label_names, labels, strict=True)
        )

    def add_body(self, name: str, body: str, value: float, *, suffix: str = "") -> None:
        """Add one sample whose label text was built by :meth:`body` (same label names as ``name``)."""
        out_name, _labels, scale = self._head(name)
        shown = value * scale if scale != 1.0 else value
        line = (
            f"{out_name}{suffix}{{{body}}} {format_value(shown)}\n"
            if body
            else f"{out_name}{suffix} {format_value(shown)}\n"
        )
        lines = self.lines.get(name)
        if lines is None:
            lines = self.lines[name] = []
        lines.append(line)
        self.count += 1

    def absorb(self, other: SeriesWriter) -> None:
        """Append every line of ``other`` (written with the same profile)."""
        for name, lines in other.lines.items():
            self.lines.setdefault(name, []).extend(lines)
        self.count += other.count


class Exposition:
    """The merged, cached exposition of every cluster; thread-safe (collector threads update it)."""

    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._parts: dict[str, SeriesWriter] = {}
        self._lock = threading.Lock()
        self._rendered: bytes | None = None
        self._gzipped: bytes | None = None

    def update(self, key: str, writer: SeriesWriter) -> None:
        """Replace the lines of ``key`` (a cluster name, or ``""`` for exporter-wide series)."""
        with self._lock:
            self._parts[key] = writer
            self._rendered = self._gzipped = None

    def remove(self, key: str) -> None:
        with self._lock:
            self._parts.pop(key, None)
            self._rendered = self._gzipped = None

    def render(self) -> bytes:
        """The whole exposition (rendered at most once per update)."""
        with self._lock:
            if self._rendered is None:
                self._rendered = self._render_locked()
            return self._rendered

    def render_gzip(self) -> bytes:
        """The exposition, gzip-compressed (also cached)."""
        body = self.render()
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(body, compresslevel=5)
            return self._gzipped

    def _render_locked(self) -> bytes:
        parts = [self._parts[key] for key in sorted(self._parts)]
        chunks: list[str] = []
        for name, spec in METRICS.items():
            blocks = [part.lines[name] for part in parts if name in part.lines]
            if not blocks:
                continue
            out_name = self.profile.metric_name(name)
            chunks.append(f"# HELP {out_name} {_escape_help(spec.help)}\n# TYPE {out_name} {spec.kind}\n")
            for block in blocks:
                chunks.extend(block)
        return "".join(chunks).encode()
