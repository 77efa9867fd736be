"""What is measured: every case, its parameters, and how ``--cases`` selects them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One benchmark case. ``divisor`` scales ``--messages`` down for big values (same bytes order)."""

    id: str
    kind: str  # produce | consume | latency | footprint
    title: str
    size: int = 100
    mode: str = "ff"
    fmt: str = "bytes"
    rate: int = 0
    preset: str = "default"
    divisor: int = 1
    only: tuple[str, ...] = ()  # contenders run by default ("" = every contender that supports the kind)

    def messages(self, base: int) -> int:
        """How many messages this case sends or reads for ``--messages base``."""
        return max(1, base // self.divisor)


_SIZES = ((100, "100B", 1), (1024, "1KiB", 4), (10240, "10KiB", 20))
_LATENCY_CONTENDERS = ("confluent", "kafka-client")
# Big values: the contenders the targets compare, and the other libraries; the library's variants run
# at 100 B (or when named with --contenders).
_BIG_VALUE_CONTENDERS = ("confluent", "confluent-otel", "kafka-client", "kafka-client-async", "kafka-python",
                         "aiokafka")  # fmt: skip

CASES: dict[str, Case] = {
    case.id: case
    for case in (
        *(
            Case(
                f"produce-{mode}-{label}",
                "produce",
                f"produce {label} values, {'fire-and-forget' if mode == 'ff' else 'every future awaited'}",
                size=size,
                mode=mode,
                divisor=divisor,
                only=() if size == 100 else _BIG_VALUE_CONTENDERS,
            )
            for mode in ("ff", "await")
            for size, label, divisor in _SIZES
        ),
        Case("consume-bytes", "consume", "consume 100 B values as bytes, commit after processing"),
        Case(
            "consume-json",
            "consume",
            "consume ~100 B JSON values, decoded, commit after processing",
            fmt="json",
        ),
        *(
            Case(
                f"latency-{label}-{preset}",
                "latency",
                f"end-to-end latency at {rate:,} msg/s, {preset} settings",
                rate=rate,
                preset=preset,
                only=_LATENCY_CONTENDERS,
            )
            for preset in ("default", "low-latency")
            for rate, label in ((1000, "1k"), (10_000, "10k"))
        ),
        Case("footprint", "footprint", "import time, and RSS with one producer that delivered a message"),
    )
}
"""Every case, in the order a run measures them."""


def parse_cases(text: str | None) -> list[Case]:
    """Cases named in a comma-separated list; a name also selects every case it prefixes (``produce``,
    ``produce-ff``, ``latency-1k``...). All cases when empty."""
    if not text:
        return list(CASES.values())
    tokens = [token.strip() for token in text.split(",") if token.strip()]
    chosen: list[Case] = []
    for token in tokens:
        matched = [case for case in CASES.values() if case.id == token or case.id.startswith(token + "-")]
        if not matched:
            raise ValueError(f"unknown case {token!r}; choose from {', '.join(CASES)} (or a prefix)")
        chosen.extend(case for case in matched if case not in chosen)
    return [case for case in CASES.values() if case in chosen]
