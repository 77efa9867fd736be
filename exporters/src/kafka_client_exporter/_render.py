"""The Prometheus text exposition, rendered once per collection cycle and served as bytes.

A cycle writes its samples into a :class:`SeriesWriter` (exposition lines grouped by metric, already
renamed by the naming profile, frozen into one bytes block per metric when the cycle ends);
:class:`Exposition` joins every cluster's blocks under one HELP/TYPE header per metric and caches the
result, so a scrape costs a dictionary look-up and a socket write.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Iterable, Sequence

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

    def mark(self, names: Iterable[str]) -> tuple[int, dict[str, int]]:
        """A point to :meth:`rollback` to: lines of the metrics ``names`` written since are taken back."""
        lines = self.lines
        return self.count, {name: len(lines[name]) if name in lines else 0 for name in names}

    def rollback(self, mark: tuple[int, dict[str, int]]) -> int:
        """Take back the lines written since ``mark`` (not across :meth:`freeze`); returns how many."""
        count, lengths = mark
        for name, length in lengths.items():
            if name in self.lines:
                del self.lines[name][length:]
        taken, self.count = self.count - count, count
        return taken

    def freeze(self) -> SeriesWriter:
        """Turn the lines written so far into bytes blocks (idempotent); returns self. Each metric's
        lines are released as soon as its block is made, so the peak is one metric's text, not all."""
        blocks, lines_of = self.blocks, self.lines
        for name in list(lines_of):
            lines = lines_of.pop(name)
            if lines:
                block = "".join(lines).encode()
                del lines[:]
                blocks[name] = blocks[name] + block if name in blocks else block
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
    """The merged, cached exposition of every cluster; thread-safe (collector threads update it).

    The text is never joined into one more copy: :meth:`chunks` is the HELP/TYPE headers and each
    cluster's per-metric blocks in order (references), written to the socket one after the other;
    only the gzip form (what Prometheus asks for) is a separate, much smaller, buffer.
    """

    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._parts: dict[str, SeriesWriter] = {}
        self._lock = threading.Lock()
        self._version = 0
        self._chunks: tuple[bytes, ...] = ()
        self._chunks_version = -1
        self._gzipped: bytes | None = None
        self._gzipped_version = -1
        self._compressing = False
        self._heads = {
            name: (
                f"# HELP {profile.metric_name(name)} {_escape_help(spec.help)}\n"
                f"# TYPE {profile.metric_name(name)} {spec.kind}\n"
            ).encode()
            for name, spec in METRICS.items()
        }

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

    def chunks(self) -> tuple[bytes, ...]:
        """The exposition as consecutive byte strings (cheap: references to the cached blocks)."""
        with self._lock:
            return self._chunks_locked()

    def _chunks_locked(self) -> tuple[bytes, ...]:
        if self._chunks_version != self._version:
            parts = [self._parts[key].blocks for key in sorted(self._parts)]
            out: list[bytes] = []
            for name, head in self._heads.items():
                blocks = [part[name] for part in parts if name in part]
                if blocks:
                    out.append(head)
                    out.extend(blocks)
            self._chunks, self._chunks_version = tuple(out), self._version
        return self._chunks

    def render(self) -> bytes:
        """The whole exposition as one byte string (a copy: scrapes use :meth:`chunks`)."""
        return b"".join(self.chunks())

    def prerender(self) -> None:
        """Compress the current exposition now (a collector calls it after :meth:`update`), outside
        the lock: meanwhile gzip scrapes keep getting the previous complete exposition."""
        with self._lock:
            if self._gzipped_version == self._version:
                return
            version, chunks = self._version, self._chunks_locked()
            self._compressing = self._gzipped is not None
        try:
            gzipped = _gzip(chunks)
        finally:
            with self._lock:
                self._compressing = False
        with self._lock:
            if version == self._version:
                self._gzipped, self._gzipped_version = gzipped, version

    def render_gzip(self) -> bytes:
        """The exposition, gzip-compressed: cached per update (compressed here when no collector
        is compressing it; while one is, the previous one is served)."""
        with self._lock:
            stale = self._gzipped_version != self._version
            if self._gzipped is None or (stale and not self._compressing):
                self._gzipped, self._gzipped_version = _gzip(self._chunks_locked()), self._version
            return self._gzipped


def _gzip(chunks: Sequence[bytes]) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    out = [compressor.compress(chunk) for chunk in chunks]
    out.append(compressor.flush())
    return b"".join(out)
