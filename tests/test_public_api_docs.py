"""Every public name is documented and appears in the API reference (docs/reference/, mkdocstrings).

"Public" means listed in a public module's ``__all__``: the library's top-level package and its
per-area packages, the exporter's package and command line, and every kafka-top module with an
``__all__`` (found by walking the package, so a new module cannot slip past).

Docstrings are read the way mkdocstrings reads them, with griffe (statically): a class or function
needs its own docstring (an inherited one or a dataclass's generated signature does not count), and a
constant or type alias needs an attribute docstring, the string literal right after the assignment,
which is what the reference renders under its name. A ``#:`` comment is not seen by mkdocstrings, so
it does not count either.

Presence in the reference is checked on the built site's ``objects.inv``, the inventory mkdocstrings
writes of every object it rendered: the most honest check that a reader can find the name.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import griffe
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEARCH_PATHS = ("src", "exporters/src", "tui/src")
REFERENCE = ROOT / "docs" / "reference"

LIBRARY_MODULES = (
    "kafka_client",
    "kafka_client.config",
    "kafka_client.admin",
    "kafka_client.health",
    "kafka_client.resilience",
    "kafka_client.observability",
    "kafka_client.serialization",
    "kafka_client.testing",
    "kafka_client.errors",
)
EXPORTER_MODULES = ("kafka_client_exporter", "kafka_client_exporter.cli")


def _reexported_by_parent(module: str) -> bool:
    """Whether the parent package exports every name of ``module`` (it is documented there, once)."""
    names = importlib.import_module(module).__all__
    parent = importlib.import_module(module.rpartition(".")[0])
    return set(names) <= set(getattr(parent, "__all__", ()))


def _modules_with_all(package: str) -> Iterator[str]:
    """The package and each submodule with ``__all__`` and no ``_`` in its path, unless re-exported."""
    root = importlib.import_module(package)
    yield package
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        if hasattr(importlib.import_module(info.name), "__all__") and not _reexported_by_parent(info.name):
            yield info.name


PUBLIC_MODULES = (*LIBRARY_MODULES, *EXPORTER_MODULES, *_modules_with_all("kafka_top"))


def _public_names(module: str) -> list[tuple[str, str]]:
    return [(module, name) for name in importlib.import_module(module).__all__]


PUBLIC_NAMES = [pair for module in PUBLIC_MODULES for pair in _public_names(module)]


def undocumented(loader: griffe.GriffeLoader, names: Iterable[tuple[str, str]]) -> list[str]:
    """The ``module.name`` of each name whose object griffe finds no non-empty docstring for."""
    missing = []
    for module, name in names:
        obj = loader.modules_collection[module][name]
        target = obj.final_target if obj.is_alias else obj
        if target.docstring is None or not target.docstring.value.strip():
            missing.append(f"{module}.{name}")
    return missing


def _load(*packages: str, search_paths: Iterable[Path]) -> griffe.GriffeLoader:
    loader = griffe.GriffeLoader(search_paths=[str(path) for path in search_paths])
    for package in packages:
        loader.load(package)
    loader.resolve_aliases(implicit=False, external=False)
    return loader


@pytest.fixture(scope="module")
def loader() -> griffe.GriffeLoader:
    return _load(
        "kafka_client", "kafka_client_exporter", "kafka_top", search_paths=[ROOT / p for p in SEARCH_PATHS]
    )


def read_inventory(path: Path) -> set[str]:
    """The object names in a Sphinx ``objects.inv`` (version 2: four header lines, then zlib)."""
    data = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    assert data.startswith(b"# Sphinx inventory version 2"), data[:header_end]
    body = zlib.decompress(data[header_end:]).decode()
    return {line.split(" ", 1)[0] for line in body.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    site = tmp_path_factory.mktemp("site")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    assert mkdocs, "mkdocs is not installed in the environment; run 'uv sync'"
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return read_inventory(site / "objects.inv")


def test_every_public_module_has_a_reference_directive() -> None:
    directives = {
        match.group(1)
        for page in REFERENCE.glob("*.md")
        for match in re.finditer(r"^::: ([\w.]+)\s*$", page.read_text(), re.MULTILINE)
    }
    assert sorted(set(PUBLIC_MODULES) - directives) == []


def test_every_public_name_resolves_at_runtime() -> None:
    unresolved = [
        f"{module}.{name}"
        for module, name in PUBLIC_NAMES
        if not hasattr(importlib.import_module(module), name)
    ]
    assert unresolved == []


def test_every_public_name_has_a_docstring(loader: griffe.GriffeLoader) -> None:
    assert undocumented(loader, PUBLIC_NAMES) == []


def test_every_public_name_is_in_the_built_reference(inventory: set[str]) -> None:
    # The walk found kafka-top's modules (a silently short list would pass everything below).
    assert len(PUBLIC_MODULES) >= 30
    assert len(PUBLIC_NAMES) >= 250
    missing = [f"{module}.{name}" for module, name in PUBLIC_NAMES if f"{module}.{name}" not in inventory]
    assert missing == []


def test_the_docstring_check_catches_what_mkdocstrings_would_render_empty(tmp_path: Path) -> None:
    package = tmp_path / "sample"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""A sample."""\n'
        "from dataclasses import dataclass\n"
        "from sample._impl import Documented, Undocumented\n\n"
        "#: A comment mkdocstrings does not read.\n"
        "COMMENTED = 1\n"
        'DOCUMENTED = 2\n"""An attribute docstring."""\n\n'
        "@dataclass\nclass Record:\n    x: int\n\n"
        "class Child(Documented):\n    pass\n\n"
        "def bare() -> None:\n    pass\n"
    )
    (package / "_impl.py").write_text(
        'class Documented:\n    """Has one."""\n\nclass Undocumented:\n    pass\n'
    )
    names = ["COMMENTED", "DOCUMENTED", "Record", "Child", "bare", "Documented", "Undocumented"]
    missing = undocumented(_load("sample", search_paths=[tmp_path]), [("sample", n) for n in names])
    assert missing == [
        "sample.COMMENTED",
        "sample.Record",
        "sample.Child",
        "sample.bare",
        "sample.Undocumented",
    ]


def test_read_inventory_lists_object_names(tmp_path: Path) -> None:
    body = b"kafka_client py:module 1 reference/kafka_client/#$ -\nkafka_client.Producer py:class 1 x/#$ -\n"
    header = b"# Sphinx inventory version 2\n# Project: p\n# Version: 0\n# compressed with zlib\n"
    (tmp_path / "objects.inv").write_bytes(header + zlib.compress(body))
    assert read_inventory(tmp_path / "objects.inv") == {"kafka_client", "kafka_client.Producer"}
