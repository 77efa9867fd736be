"""Copy a report into the docs: its Markdown into docs/performance.md (between markers), its plots
into docs/images/benchmarks/, so the site shows the latest committed figures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "performance.md"
IMAGES = ROOT / "docs" / "images" / "benchmarks"
BEGIN, END = "<!-- report:begin -->", "<!-- report:end -->"


def embedded(markdown: str, images: str) -> str:
    """The report's Markdown one heading level down, its plots linked from ``images``."""
    text = re.sub(r"^(#+) ", r"#\1 ", markdown, flags=re.MULTILINE)
    return re.sub(r"!\[([^]]*)\]\(([^/)]+\.png)\)", rf"![\1]({images}/\2)", text)


def publish(report_dir: Path, page: Path = PAGE, images: Path = IMAGES) -> None:
    """Replace the report section of ``page`` with ``report_dir``'s report and copy its plots."""
    text = page.read_text()
    if BEGIN not in text or END not in text:
        raise ValueError(f"{page} has no {BEGIN} ... {END} section to replace")
    images.mkdir(parents=True, exist_ok=True)
    for plot in report_dir.glob("*.png"):
        shutil.copyfile(plot, images / plot.name)
    relative = images.relative_to(page.parent).as_posix()
    body = embedded((report_dir / "report.md").read_text(), relative)
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    page.write_text(f"{head}{BEGIN}\n\n{body.strip()}\n\n{END}{tail}")
