"""The observability issue's overhead budget, now one slice of the side-by-side harness.

Raw confluent-kafka against this library with default observability, with everything off, and with each
plugin alone (the report's per-plugin cost table): 100-byte values fire-and-forget, and the consumer's
batch loop with commits after processing. Options are those of ``python -m benchmarks run``
(``--messages``, ``--rounds``, ``--bootstrap``, ``--quick``...); ``--contenders`` replaces the list below::

    uv run python benchmarks/overhead.py --messages 500000 --rounds 3

runs ``python -m benchmarks run --cases produce-ff-100B,consume-bytes`` with :data:`DEFAULTS`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

DEFAULTS = [
    "--cases",
    "produce-ff-100B,consume-bytes",
    "--contenders",
    "confluent,kafka-client,kafka-client-bare,kafka-client-metrics,kafka-client-tracing,kafka-client-logging",
    "--messages",
    "500000",
]


def main(argv: list[str]) -> None:
    """Run the overhead slice; options given on the command line win over :data:`DEFAULTS`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    cli = importlib.import_module("benchmarks.cli")
    given = {arg.split("=", 1)[0] for arg in argv if arg.startswith("--")}
    defaults = [
        part
        for flag, value in zip(DEFAULTS[::2], DEFAULTS[1::2], strict=True)
        if flag not in given
        for part in (flag, value)
    ]
    cli.main(["run", "--label", "overhead", *defaults, *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
