"""The coverage gate: ``fail_under`` in ``[tool.coverage.report]`` is enforced on the full suite only.

``uv run pytest`` (CI's command) measures ``src/`` over every test and fails below the threshold. A
developer running a subset (``uv run pytest tests/unit/config``, ``-k lag``, ``--lf``) still gets the
coverage report, but no failure for the lines the tests they did not run would have covered: the
gate is waived, and the summary says so. An explicit ``--cov-fail-under=N`` is always honoured.

A run is the full suite when its arguments cover every ``testpaths`` directory (no arguments, ``tests``,
or ``.``), no argument names a single test (``::``), and nothing was deselected (``-k``, ``-m``,
``--deselect``, ``--lf``, ``--sw``).
"""

from __future__ import annotations

import os
import shlex

import pytest

_DESELECTED = pytest.StashKey[int]()
_WAIVED = pytest.StashKey[str]()
_COV_PLUGIN = "_cov"  # the name pytest-cov registers its plugin under


def _fail_under_given_explicitly(config: pytest.Config) -> bool:
    args = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    return any(str(arg).startswith("--cov-fail-under") for arg in args)


def subset_reason(config: pytest.Config, deselected: int) -> str | None:
    """Why this run is not the full suite, or None when it is."""
    if deselected:
        return f"{deselected} deselected"
    if config.getoption("lf", False) or config.getoption("stepwise", False):
        return "--lf/--sw run only some tests"
    if any("::" in arg for arg in config.args):
        return "single tests selected"
    invoked_from = config.invocation_params.dir
    selected = [(invoked_from / arg).resolve() for arg in config.args]
    testpaths = [(config.rootpath / path).resolve() for path in config.getini("testpaths")]
    uncovered = [
        path
        for path in testpaths or [config.rootpath]
        if not any(arg == path or arg in path.parents for arg in selected)
    ]
    if uncovered:
        return "only " + ", ".join(os.path.relpath(arg, config.rootpath) for arg in selected)
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_DESELECTED] = 0


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        config = items[0].config
        config.stash[_DESELECTED] = config.stash.get(_DESELECTED, 0) + len(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    cov = config.pluginmanager.getplugin(_COV_PLUGIN)
    options = getattr(cov, "options", None)
    if options is None or not getattr(options, "cov_fail_under", None):
        return  # no coverage measured, or no threshold to waive
    if _fail_under_given_explicitly(config):
        return
    reason = subset_reason(config, config.stash.get(_DESELECTED, 0))
    if reason is not None:
        config.stash[_WAIVED] = f"fail_under={options.cov_fail_under:g} not enforced: {reason}"
        options.cov_fail_under = None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    waived = config.stash.get(_WAIVED, None)
    if waived is not None:
        terminalreporter.write_line(
            f"coverage gate: {waived} (a subset; the gate applies to the full suite, `uv run pytest`)",
            yellow=True,
        )
