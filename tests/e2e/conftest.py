"""End-to-end tests run the installed commands as a user would, in subprocesses."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def kafka_client_exe() -> str:
    path = shutil.which("kafka-client", path=str(Path(sys.executable).parent))
    assert path, "the kafka-client script is not installed; run 'uv sync'"
    return path
