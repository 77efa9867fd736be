"""``python -m benchmarks``: see :mod:`benchmarks.cli`.

A measurement's child process (``python -m benchmarks child SPEC``) goes straight to the measurement,
without the command line's imports, so they count in no contender's memory or import time.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run ``child``, ``memory`` and ``plugins [MESSAGES]`` directly, the rest through the command line."""
    argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] == "child":
        from benchmarks.child import run_child

        run_child(argv[1])
        return
    if argv == ["memory"]:  # also measured without the command line's imports
        from benchmarks.memory import table

        print(table())
        return
    if argv[:1] == ["plugins"]:  # no broker: each plugin's CPU per message on the in-memory transport
        from benchmarks.plugins import table

        messages = int(argv[1]) if len(argv) > 1 else 100_000
        print(table(messages))
        return
    from benchmarks.cli import main as cli_main

    cli_main(argv)


if __name__ == "__main__":
    main()
