"""The generator is code like the rest: ruff-clean, formatted and ``mypy --strict`` (dashboards/ is not
in the repository-wide checks' paths, which cover the packages and tests)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from dashboards import generate

REPO = generate.ROOT.parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} is not installed in the environment; run 'uv sync'"
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_lint_and_format_are_clean() -> None:
    lint = _run(_tool("ruff"), "check", "dashboards")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run(_tool("ruff"), "format", "--check", "dashboards")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict_is_clean() -> None:
    # the library and the exporter are installed (editable) with their py.typed markers
    result = _run(_tool("mypy"), "--strict", "dashboards")
    assert result.returncode == 0, result.stdout + result.stderr
