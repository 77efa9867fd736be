"""Suite-wide hooks: the coverage gate (``fail_under`` applies to the full suite only).

The hooks are imported rather than listed in ``pytest_plugins``: pytest rejects ``pytest_plugins`` in a
conftest below the rootdir (``uv run pytest .`` would fail to collect).
"""

from tests.coverage_gate import (
    pytest_collection_finish,
    pytest_configure,
    pytest_deselected,
    pytest_terminal_summary,
)

__all__ = ["pytest_collection_finish", "pytest_configure", "pytest_deselected", "pytest_terminal_summary"]
