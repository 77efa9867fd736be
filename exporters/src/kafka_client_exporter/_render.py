"""The Prometheus text exposition, rendered once per collection cycle and served as bytes.

A cycle writes its samples into a :class:`SeriesWriter` (exposition lines grouped by metric, already
renamed by the naming profile, frozen into one bytes block per metric when the cycle ends);
:class:`Exposition` joins every cluster's blocks under one HELP/TYPE header per metric and caches the
result, so a scrape costs a dictionary look-up and a socket write.
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
    """One cluster's samples of one cycle, grouped by metric (canonical name), already renamed by the
    naming profile. Lines are kept as text while the cycle writes them; :meth:`freeze` turns each
    metric's lines into one ``bytes`` block (what the exposition serves), so a finished cycle holds
    one compact copy of its series instead of a string object per line."""

    __slots__ = ("_heads", "blocks", "count", "lines", "profile")

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.lines: dict[str, list[str]] = {}
        self.blocks: dict[str, bytes] = {}
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

    def sink(self, name: str) -> tuple[str, list[str]]:
        """``(prefix, lines)`` of an unscaled labelled metric, for the per-partition hot path: the
        caller appends ``f"{prefix}{body}}} {value}\\n"`` lines itself and adds their number to
        :attr:`count`, which saves a call and a look-up per sample."""
        out_name, _labels, scale = self._head(name)
        if scale != 1.0:
            raise ValueError(f"{name} is scaled by the profile: write it with add_body")
        lines = self.lines.get(name)
        if lines is None:
            lines = self.lines[name] = []
        return out_name + "{", lines

    def mark(self) -> tuple[int, dict[str, int]]:
        """A point to :meth:`rollback` to (lines written since are taken back)."""
        return self.count, {name: len(lines) for name, lines in self.lines.items()}

    def rollback(self, mark: tuple[int, dict[str, int]]) -> int:
        """Take back the lines written since ``mark`` (not across :meth:`freeze`); returns how many."""
        count, lengths = mark
        for name, lines in self.lines.items():
            del lines[lengths.get(name, 0) :]
        taken, self.count = self.count - count, count
        return taken

    def freeze(self) -> SeriesWriter:
        """Turn the lines written so far into bytes blocks (idempotent); returns self."""
        blocks = self.blocks
        for name, lines in self.lines.items():
            if lines:
                block = "".join(lines).encode()
                blocks[name] = blocks[name] + block if name in blocks else block
        self.lines = {}
        return self

    def absorb(self, other: SeriesWriter) -> None:
        """Append every sample of ``other`` (written with the same profile)."""
        self.freeze()
        other.freeze()
        blocks = self.blocks
        for name, block in other.blocks.items():
            blocks[name] = blocks[name] + block if name in blocks else block
        self.count += other.count


class Exposition:
    """The merged, cached exposition of every cluster; thread-safe (collector threads update it)."""

    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._parts: dict[str, SeriesWriter] = {}
        self._lock = threading.Lock()
        self._version = 0
        self._rendered: bytes | None = None
        self._gzipped: bytes | None = None
        self._cached_version = -1
        self._rendering = False

    def update(self, key: str, writer: SeriesWriter) -> None:
        """Replace the series of ``key`` (a cluster name, or ``""`` for exporter-wide series)."""
        writer.freeze()
        with self._lock:
            self._parts[key] = writer
            self._version += 1

    def remove(self, key: str) -> None:
        """Drop the series of ``key``."""
        with self._lock:
            self._parts.pop(key, None)
            self._version += 1

    def prerender(self) -> None:
        """Render and compress the current series now (a collector calls it after :meth:`update`),
        outside the lock: meanwhile scrapes keep getting the previous complete exposition."""
        with self._lock:
            if self._cached_version == self._version:
                return
            version, parts = self._version, [self._parts[k].blocks for k in sorted(self._parts)]
            self._rendering = self._rendered is not None
        try:
            rendered = self._join(parts)
            gzipped = gzip.compress(rendered, compresslevel=1)
        finally:
            with self._lock:
                self._rendering = False
        with self._lock:
            if version == self._version:
                self._rendered, self._gzipped, self._cached_version = rendered, gzipped, version

    def render(self) -> bytes:
        """The whole exposition: the cached one unless an update came since (then rendered here,
        except while a collector is rendering it: the previous one is served meanwhile)."""
        with self._lock:
            if self._rendered is None or (self._cached_version != self._version and not self._rendering):
                parts = [self._parts[k].blocks for k in sorted(self._parts)]
                self._rendered, self._gzipped = self._join(parts), None
                self._cached_version = self._version
            return self._rendered

    def render_gzip(self) -> bytes:
        """The exposition, gzip-compressed (also cached)."""
        body = self.render()
        with self._lock:
            if self._gzipped is None or self._rendered is not body:
                self._gzipped = gzip.compress(body, compresslevel=1)
            return self._gzipped

    def _join(self, parts: list[dict[str, bytes]]) -> bytes:
        chunks: list[bytes] = []
        for name, spec in METRICS.items():
            blocks = [part[name] for part in parts if name in part]
            if not blocks:
                continue
            out_name = self.profile.metric_name(name)
            head = f"# HELP {out_name} {_escape_help(spec.help)}\n# TYPE {out_name} {spec.kind}\n"
            chunks.append(head.encode())
            chunks.extend(blocks)
        return b"".join(chunks)
