"""The small local state file: lookup tables survive a restart, so lag seconds do not blank out.

Format (JSON, version 1)::

    {"version": 1, "saved_at": 1700000000.0,
     "clusters": {"prod": {"orders": {"0": [[offsets...], [times...]]}}}}

Written atomically (a temporary file renamed over the old one); an unreadable file is logged and
ignored, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from kafka_client import TopicPartition
from kafka_client.admin import OffsetTimeTable

__all__ = ["load_tables", "save_tables"]

_log = logging.getLogger("kafka_client_exporter")
VERSION = 1

Tables = dict[TopicPartition, OffsetTimeTable]


def save_tables(path: Path, clusters: Mapping[str, Mapping[TopicPartition, OffsetTimeTable]]) -> None:
    """Write every cluster's lookup tables to ``path`` atomically."""
    data: dict[str, dict[str, dict[str, list[list[float]]]]] = {}
    for cluster, tables in clusters.items():
        topics: dict[str, dict[str, list[list[float]]]] = data.setdefault(cluster, {})
        for tp, table in tables.items():
            if len(table):
                topics.setdefault(tp.topic, {})[str(tp.partition)] = [list(table.offsets), list(table.times)]
    document = {"version": VERSION, "saved_at": time.time(), "clusters": data}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_tables(path: Path, capacity: int) -> dict[str, Tables]:
    """Every cluster's lookup tables from ``path``; empty when it is missing or unreadable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        _log.warning("ignoring the unreadable state file %s (%s)", path, type(exc).__name__)
        return {}
    if not isinstance(document, dict) or document.get("version") != VERSION:
        _log.warning("ignoring the state file %s: not a version %d state file", path, VERSION)
        return {}
    out: dict[str, Tables] = {}
    try:
        for cluster, topics in document.get("clusters", {}).items():
            tables: Tables = out.setdefault(str(cluster), {})
            for topic, partitions in topics.items():
                for partition, (offsets, times) in partitions.items():
                    points = list(zip((int(o) for o in offsets), (float(t) for t in times), strict=True))
                    tables[TopicPartition(str(topic), int(partition))] = OffsetTimeTable.from_points(
                        points, capacity
                    )
    except (AttributeError, TypeError, ValueError) as exc:
        _log.warning("ignoring the malformed state file %s (%s)", path, type(exc).__name__)
        return {}
    return out
