"""kafka-top's pure parts: lag trend, filter grammar, commands, decoding, export, browse start, contexts."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from kafka_top.browse import BrowseStart, parse_start
from kafka_top.commands import Command, CommandError, parse_command
from kafka_top.contexts import ContextError, load_contexts
from kafka_top.decode import decode_bytes
from kafka_top.filtering import RowFilter
from kafka_top.screens.groups import format_duration
from kafka_top.screens.messages import parse_partitions
from kafka_top.screens.topics import format_retention
from kafka_top.table import Column, Row, export_rows, sort_rows
from kafka_top.trend import LagHistory, LagSample, Trend, sparkline


def history(*samples: tuple[float, int, int]) -> LagHistory:
    h = LagHistory(window_s=30, stall_after_s=10)
    for at, lag, committed in samples:
        h.record("g", LagSample(at, lag, committed))
    return h


@pytest.mark.parametrize(
    ("samples", "trend"),
    [
        ([], Trend.NEW),
        ([(0, 5, 0)], Trend.NEW),
        ([(0, 0, 0)], Trend.CAUGHT_UP),
        ([(0, 5, 0), (2, 9, 3)], Trend.GROWING),
        ([(0, 9, 0), (2, 5, 6)], Trend.DRAINING),
        ([(0, 5, 0), (2, 5, 4)], Trend.STEADY),
        ([(0, 5, 0), (2, 7, 0)], Trend.GROWING),  # no commit yet, but too soon to call it stalled
        ([(0, 5, 0), (6, 6, 0), (12, 7, 0)], Trend.STALLED),
        ([(0, 5, 7), (12, 5, 7)], Trend.STALLED),
        ([(0, 50, 0), (100, 9, 0), (110, 5, 4)], Trend.DRAINING),  # only the last 30 s count
    ],
)
def test_trend_from_samples(samples: list[tuple[float, int, int]], trend: Trend) -> None:
    assert history(*samples).trend("g") is trend


def test_seconds_to_clear_and_sparkline() -> None:
    h = history((0, 100, 0), (10, 80, 30))
    assert h.seconds_to_clear("g") == pytest.approx(40.0)  # 2 msg/s drained, 80 left
    assert history((0, 5, 0), (10, 9, 0)).seconds_to_clear("g") is None
    assert history((0, 0, 0)).seconds_to_clear("g") == 0.0
    assert sparkline([0, 7, 14]) == "▁▅█"
    assert sparkline([3, 3]) == "▄▄"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline(range(20), width=4) == "▁▃▆█"
    h.forget_except([])
    assert h.samples("g") == []


COLUMNS = (Column("group", "GROUP"), Column("state", "STATE"), Column("lag", "LAG", numeric=True))
ROWS = [
    Row("billing", {"group": "billing", "state": "Stable", "lag": 18}),
    Row("audit", {"group": "audit", "state": "Empty", "lag": 0}),
    Row("search", {"group": "search", "state": "Empty", "lag": None}),
]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("", ["billing", "audit", "search"]),
        ("bill", ["billing"]),
        ("BILL", ["billing"]),
        ("!bill", ["audit", "search"]),
        ("^(au|se)", ["audit", "search"]),
        ("lag>0", ["billing"]),
        ("lag<=0", ["audit"]),
        ("state=empty", ["audit", "search"]),
        ("!state=Empty", ["billing"]),
        ("LAG != 18", ["audit", "search"]),
        ("[unclosed", []),
    ],
)
def test_filter_grammar(text: str, keys: list[str]) -> None:
    assert [r.key for r in RowFilter.parse(text, COLUMNS).apply(ROWS)] == keys


def test_sort_keeps_empty_values_last() -> None:
    lag = COLUMNS[2]
    assert [r.key for r in sort_rows(ROWS, lag, descending=True)] == ["billing", "audit", "search"]
    assert [r.key for r in sort_rows(ROWS, lag)] == ["audit", "billing", "search"]
    assert [r.key for r in sort_rows(ROWS, COLUMNS[0])] == ["audit", "billing", "search"]


def test_export_json_and_csv(tmp_path: Path) -> None:
    assert export_rows(tmp_path / "t.json", COLUMNS, ROWS) == 3
    assert json.loads((tmp_path / "t.json").read_text())[2] == {
        "group": "search",
        "state": "Empty",
        "lag": None,
    }
    export_rows(tmp_path / "t.csv", COLUMNS, ROWS[:2])
    with (tmp_path / "t.csv").open() as handle:
        assert list(csv.reader(handle)) == [
            ["group", "state", "lag"],
            ["billing", "Stable", "18"],
            ["audit", "Empty", "0"],
        ]
    with pytest.raises(ValueError, match=r"\.json or \.csv"):
        export_rows(tmp_path / "t.txt", COLUMNS, ROWS)


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("groups", Command("groups")),
        (":g /billing", Command("groups", filter="billing")),
        ("g /!audit @prod", Command("groups", filter="!audit", context="prod")),
        ("brokers", Command("topics")),
        ("ctx staging", Command("ctx", ("staging",))),
        ("export /tmp/x.csv", Command("export", ("/tmp/x.csv",))),
        ("q", Command("quit")),
        ("DLQ", Command("dlq")),
    ],
)
def test_command_aliases(line: str, command: Command) -> None:
    assert parse_command(line) == command


def test_unknown_command_names_the_known_ones() -> None:
    with pytest.raises(CommandError, match=r"unknown command :pods; known: :groups"):
        parse_command("pods")
    with pytest.raises(CommandError, match="empty"):
        parse_command(" ")


@pytest.mark.parametrize(
    ("data", "kind", "one_line"),
    [
        (None, "null", "∅"),
        (b'{"id": 7, "name": "caf\xc3\xa9"}', "json", '{"id":7,"name":"café"}'),
        (b"[1, 2]", "json", "[1,2]"),
        (b"hello\nworld", "str", "hello⏎world"),
        (b"42", "str", "42"),
        (b"\x00\x01\xff", "hex", "00 01 ff"),
        (b"\xc3\x28", "hex", "c3 28"),  # invalid UTF-8
        (b"bell\x07", "hex", "62 65 6c 6c 07"),  # printable UTF-8 only
    ],
)
def test_decode_per_value(data: bytes | None, kind: str, one_line: str) -> None:
    decoded = decode_bytes(data)
    assert (decoded.kind, decoded.one_line) == (kind, one_line)


def test_decoded_json_is_pretty_in_full_and_cut_when_short() -> None:
    decoded = decode_bytes(b'{"a": 1}')
    assert decoded.text == '{\n  "a": 1\n}'
    assert decode_bytes(b"x" * 100).short(10) == "xxxxxxxxx…"


def test_browse_start_forms() -> None:
    assert parse_start("") == BrowseStart("end", count=20)
    assert parse_start("-5") == BrowseStart("end", count=5)
    assert parse_start("beginning") == BrowseStart("beginning")
    assert parse_start("42") == BrowseStart("offset", offset=42)
    when = parse_start("2024-05-01T12:00:00+00:00")
    assert when.kind == "time"
    assert when.time == dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    assert parse_start("2024-05-01T12:00").time is not None
    with pytest.raises(ValueError, match="use an offset"):
        parse_start("yesterday")
    assert parse_partitions("all", [0, 1, 2]) == [0, 1, 2]
    assert parse_partitions("2, 0", [0, 1, 2]) == [2, 0]
    with pytest.raises(ValueError, match="no partition 5"):
        parse_partitions("5", [0, 1, 2])


def test_formats() -> None:
    assert [format_duration(s) for s in (None, 5, 600, 7200)] == ["-", "5s", "10m", "2.0h"]
    assert [format_retention(ms) for ms in (None, -1, 604_800_000, 3_600_000, 1500)] == [
        None,
        "forever",
        "7d",
        "1h",
        "1500ms",
    ]


def test_contexts_file_with_production_and_base_settings(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("client_id: from-base\n")
    (tmp_path / "prod.yaml").write_text("bootstrap_servers: prod-1:9092,prod-2:9092\n")
    contexts_file = tmp_path / "kafka-top.yaml"
    contexts_file.write_text(
        "current_context: local\n"
        "contexts:\n"
        "  local:\n"
        "    bootstrap_servers: localhost:9092\n"
        "  prod:\n"
        "    production: true\n"
        "    settings_files: [prod.yaml]\n"
        "  staging:\n"
        "    production: true\n"
        "    read_only: false\n"
        "    bootstrap_servers: staging:9092\n"
    )
    found = load_contexts([base, contexts_file])
    assert found.current == "local"
    assert found.names == ["local", "prod", "staging"]
    prod = found.get("prod")
    assert (prod.production, prod.read_only, prod.bootstrap_servers) == (
        True,
        True,
        "prod-1:9092,prod-2:9092",
    )
    assert prod.settings.client_id == "from-base"
    assert found.get("staging").read_only is False
    chosen = load_contexts([contexts_file], context="prod", bootstrap_servers="override:9092")
    assert chosen.current == "prod"
    assert chosen.get("prod").bootstrap_servers == "override:9092"
    assert chosen.get("local").bootstrap_servers == "localhost:9092"
    with pytest.raises(ContextError, match="unknown context 'nope'; known: local, prod, staging"):
        load_contexts([contexts_file], context="nope")


def test_no_contexts_file_means_one_default_context(tmp_path: Path) -> None:
    single = load_contexts([], bootstrap_servers="broker:9092")
    assert single.names == ["default"]
    assert single.get("default").bootstrap_servers == "broker:9092"
    with pytest.raises(ContextError, match="needs a --config file with a 'contexts:' section"):
        load_contexts([], context="prod")
    bad = tmp_path / "bad.yaml"
    bad.write_text("contexts: [\n")
    with pytest.raises(ContextError, match="not valid YAML"):
        load_contexts([bad])
