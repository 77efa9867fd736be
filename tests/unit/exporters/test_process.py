"""The daemon's process settings: glibc malloc arenas are limited unless the environment says; the
garbage collector runs less often."""

from __future__ import annotations

import gc
import sys

import pytest

from kafka_client_exporter._process import GC_THRESHOLDS, limit_malloc_arenas, relax_garbage_collector


def test_an_explicit_environment_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


def test_applied_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    import platform

    expected = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert limit_malloc_arenas() is expected


def test_the_garbage_collector_runs_less_often() -> None:
    default = gc.get_threshold()
    try:
        relax_garbage_collector()
        assert gc.get_threshold() == GC_THRESHOLDS == (50_000, 20, 10)
    finally:
        gc.set_threshold(*default)
