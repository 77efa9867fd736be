"""Publishing a report into the docs page: one heading level down, plots copied and relinked."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.publish import BEGIN, END, embedded, publish


def test_headings_go_one_level_down_and_plots_are_relinked() -> None:
    text = "# Report\n\n## Targets\n\n![throughput.png](throughput.png)\n\na # not a heading\n"
    assert embedded(text, "images/benchmarks") == (
        "## Report\n\n### Targets\n\n"
        "![throughput.png](images/benchmarks/throughput.png)\n\na # not a heading\n"
    )


def test_publish_replaces_only_the_marked_section(tmp_path: Path) -> None:
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.md").write_text("# Benchmark report: full\n\n![latency_cdf.png](latency_cdf.png)\n")
    (report / "latency_cdf.png").write_bytes(b"\x89PNG fake")
    page = tmp_path / "docs" / "performance.md"
    page.parent.mkdir()
    page.write_text(f"# Performance\n\nintro\n\n{BEGIN}\nold report\n{END}\n\nafter\n")
    publish(report, page, tmp_path / "docs" / "images" / "benchmarks")
    assert page.read_text() == (
        f"# Performance\n\nintro\n\n{BEGIN}\n\n## Benchmark report: full\n\n"
        f"![latency_cdf.png](images/benchmarks/latency_cdf.png)\n\n{END}\n\nafter\n"
    )
    assert (tmp_path / "docs" / "images" / "benchmarks" / "latency_cdf.png").read_bytes() == b"\x89PNG fake"
    publish(report, page, tmp_path / "docs" / "images" / "benchmarks")
    assert page.read_text().count(BEGIN) == 1


def test_a_page_without_markers_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n")
    with pytest.raises(ValueError, match=r"no <!-- report:begin --> \.\.\. <!-- report:end --> section"):
        publish(tmp_path, page, tmp_path / "images")
