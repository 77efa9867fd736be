"""The repository's own checks, run as part of the one test command: lint, format, types, docs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_PATHS = ("src", "tests", "scripts", "examples", "benchmarks", "exporters", "tui")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} is not installed in the environment; run 'uv sync'"
    return path


def test_ruff_lint_is_clean() -> None:
    result = _run(_tool("ruff"), "check", *PYTHON_PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run(_tool("ruff"), "format", "--check", *PYTHON_PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("member", ["exporters/src", "tui/src"])
def test_mypy_strict_is_clean_for_workspace_members(member: str) -> None:
    result = _run(_tool("mypy"), "--strict", member)
    assert result.returncode == 0, result.stdout + result.stderr


def test_docs_build_strictly(tmp_path: Path) -> None:
    result = _run(_tool("mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.parametrize("member", ["kafka_client_exporter", "kafka_top"])
def test_workspace_members_import(member: str) -> None:
    result = _run(sys.executable, "-c", f"import {member}")
    assert result.returncode == 0, result.stderr
