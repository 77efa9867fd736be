"""The child process: run one :class:`RunSpec` and print its result as one marked JSON line."""

from __future__ import annotations

import json
import sys

from benchmarks.contenders import CONTENDERS
from benchmarks.spec import RunSpec

RESULT_MARK = "BENCH-RESULT "
"""Prefix of the line carrying the result (clients may write their own lines to stdout)."""


def run_child(spec_json: str) -> None:
    """Measure ``spec_json`` in this process and print ``BENCH-RESULT {...}``."""
    spec = RunSpec.from_json(spec_json)
    result = CONTENDERS[spec.contender].runner(spec.kind)(spec)
    sys.stdout.write(RESULT_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()


def parse_child_output(stdout: str) -> dict[str, object]:
    """The result a child printed; ``ValueError`` if it printed none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            result: dict[str, object] = json.loads(line[len(RESULT_MARK) :])
            return result
    raise ValueError("the child printed no result line")
