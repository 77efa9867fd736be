"""A stand-in ``orjson`` module, for testing how the JSON serializers choose and drive their engine.

It behaves like the parts of orjson they use (bytes out, ``OPT_SORT_KEYS``, ``default=``) on top of the
standard library, and records the calls. The real orjson is exercised by test_json_orjson.py whenever
it is installed (``uv run --with orjson pytest tests/unit/serialization``).
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from typing import Any


def make_fake_orjson() -> types.ModuleType:
    module = types.ModuleType("orjson")
    calls: list[dict[str, Any]] = []

    def dumps(obj: Any, default: Callable[[Any], Any] | None = None, option: int = 0) -> bytes:
        calls.append({"obj": obj, "default": default, "option": option})
        sort_keys = bool(option & module.OPT_SORT_KEYS)
        return json.dumps(obj, default=default, sort_keys=sort_keys, separators=(",", ":")).encode()

    def loads(data: bytes) -> Any:
        calls.append({"loads": data})
        return json.loads(data)

    module.OPT_SORT_KEYS = 1 << 5  # type: ignore[attr-defined]
    module.dumps = dumps  # type: ignore[attr-defined]
    module.loads = loads  # type: ignore[attr-defined]
    module.calls = calls  # type: ignore[attr-defined]
    return module
