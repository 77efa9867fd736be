"""``python -m benchmarks``: see :mod:`benchmarks.cli`.

A measurement's child process (``python -m benchmarks child SPEC``) goes straight to the measurement,
without the command line's imports, so they count in no contender's memory or import time.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run ``child`` and ``memory`` directly, everything else through :func:`benchmarks.cli.main`."""
    argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] == "child":
        from benchmarks.child import run_child

        run_child(argv[1])
        return
    if argv == ["memory"]:  # also measured without the command line's imports
        from benchmarks.memory import table

        print(table())
        return
    from benchmarks.cli import main as cli_main

    cli_main(argv)


if __name__ == "__main__":
    main()
