"""Running a benchmark command from the repository root, as its README line does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent.parent


def run_benchmark(*argv: str) -> subprocess.CompletedProcess[str]:
    """``python <argv>`` in the repository root (10 min at most); fails the test unless it exits 0."""
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done
