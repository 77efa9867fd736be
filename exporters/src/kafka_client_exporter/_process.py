"""Process-wide settings of the daemon.

glibc gives each thread that allocates its own malloc arena (up to 8 per core). The exporter's
collection runs in short-lived worker threads, so a cycle's memory lands in a fresh arena and the
previous one's is not reused: the peak RSS at 2,000 groups over 10,000 partitions measured 254 MB with
the default and 199 MB with two arenas. With the committed offsets read through kafka-python (its
I/O thread allocates too), two arenas peaked at 223-257 MB in three runs and one arena at 224-226 MB
in two, at the same cycle time. :func:`limit_malloc_arenas` sets that limit (the same as
``MALLOC_ARENA_MAX=1``) before any thread starts; elsewhere than glibc it does nothing.

CPython's cyclic garbage collector makes a young-generation pass every 700 net container allocations
and, every few of those, a full pass over every live container. A cycle at 2,000 groups over 10,000
partitions allocates a great many short-lived containers (freed by reference counting: they form no
cycles) while keeping ~260,000 (status windows, lag tables, this cycle's readings): with the default
thresholds, ~500 passes a cycle, 4 or 5 of them full, took 0.7-1.2 s of a 3 s cycle's CPU once the
status windows were full. :func:`relax_garbage_collector` raises the young generation's threshold
to 50,000: ~3 passes a cycle and a full one every few cycles, 0.1-0.3 s, at the same resident memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys

__all__ = ["GC_THRESHOLDS", "limit_malloc_arenas", "relax_garbage_collector"]

_M_ARENA_MAX = -8  # glibc's mallopt parameter number
#: The collector's thresholds in the daemon (CPython's defaults: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 10)


def limit_malloc_arenas(arenas: int = 1) -> bool:
    """Limit glibc's malloc arenas (unless ``MALLOC_ARENA_MAX`` is set); True when applied."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


def relax_garbage_collector() -> None:
    """Run the cyclic garbage collector less often (:data:`GC_THRESHOLDS`; see the module)."""
    gc.set_threshold(*GC_THRESHOLDS)
