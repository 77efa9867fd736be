"""The coverage gate (tests/coverage_gate.py): configured for the suite, enforced on a full run only.

Enforcement is shown on a small sample project wired exactly like this repository (the threshold in
``[tool.coverage.report]``, ``--cov`` in addopts, this repository's ``tests/conftest.py``) and run
by a real pytest in a subprocess: running this repository's own full suite inside a test would recurse.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import tests.conftest
import tests.coverage_gate

ROOT = Path(__file__).resolve().parent.parent

SAMPLE_MODULE = """\
def double(x):
    return x * 2


def triple(x):
    return x * 3
"""
SAMPLE_PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["checks"]
addopts = "-p pytest_cov -p no:cacheprovider --cov --cov-report=term"

[tool.coverage.run]
source = ["sample_mod"]
data_file = "coverage.data"

[tool.coverage.report]
fail_under = 90
precision = 1
"""
TEST_DOUBLE = "from sample_mod import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
TEST_TRIPLE = "from sample_mod import triple\n\n\ndef test_triple():\n    assert triple(2) == 6\n"


def test_the_full_suite_threshold_is_configured() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["coverage"]["report"]["fail_under"] == 90
    assert pyproject["tool"]["coverage"]["run"]["source"] == ["kafka_client"]
    assert "--cov" in pyproject["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert pyproject["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]
    assert tests.conftest.pytest_collection_finish is tests.coverage_gate.pytest_collection_finish


def _sample(tmp_path: Path, *, triple_tested: bool) -> Path:
    (tmp_path / "pyproject.toml").write_text(SAMPLE_PYPROJECT)
    (tmp_path / "sample_mod.py").write_text(SAMPLE_MODULE)
    checks = tmp_path / "checks"
    (checks / "unit").mkdir(parents=True)
    (checks / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (checks / "unit" / "test_double.py").write_text(TEST_DOUBLE)
    (checks / "test_triple.py").write_text(
        TEST_TRIPLE if triple_tested else "def test_nothing():\n    pass\n"
    )
    return tmp_path


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COV_CORE_", "COVERAGE_", "PYTEST_")) and key != "PYTHONPATH"
    }
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(ROOT)])
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only pytest-cov (from addopts): a fast start
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_full_run_below_the_threshold_fails(tmp_path: Path) -> None:
    result = _pytest(_sample(tmp_path, triple_tested=False))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert "Coverage failure: total of 75.0 is less than fail-under=90" in result.stdout
    assert "coverage gate:" not in result.stdout


@pytest.mark.parametrize("args", [(), ("checks",), (".",)], ids=["no-args", "testpaths", "rootdir"])
def test_a_full_run_at_the_threshold_passes(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = _pytest(_sample(tmp_path, triple_tested=True), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert "Required test coverage of 90.0% reached. Total coverage: 100.00%" in result.stdout


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("checks/unit",), "only checks/unit"),
        (("checks/unit/test_double.py",), "only checks/unit/test_double.py"),
        (("checks/unit/test_double.py::test_double",), "single tests selected"),
        (("-k", "double"), "1 deselected"),
    ],
    ids=["directory", "file", "node-id", "keyword"],
)
def test_a_subset_reports_coverage_without_failing(
    tmp_path: Path, args: tuple[str, ...], reason: str
) -> None:
    result = _pytest(_sample(tmp_path, triple_tested=True), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "75.0%" in result.stdout  # the report is still there
    assert f"coverage gate: fail_under=90 not enforced: {reason}" in result.stdout
    assert "Coverage failure" not in result.stdout


def test_an_explicit_threshold_is_enforced_on_a_subset(tmp_path: Path) -> None:
    result = _pytest(_sample(tmp_path, triple_tested=True), "checks/unit", "--cov-fail-under=90")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Coverage failure: total of 75.0 is less than fail-under=90" in result.stdout
