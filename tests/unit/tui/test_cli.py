"""``kafka-top``'s command line: usage errors exit 2 with a message, before any UI or broker starts."""

from __future__ import annotations

import pytest

from kafka_top.cli import build_parser, main


@pytest.mark.parametrize(
    "extra",
    [["--bootstrap-servers", "localhost:9092"], ["--config", "kafka-top.yaml"], ["--context", "prod"]],
)
def test_demo_refuses_a_cluster_of_its_own(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", *extra]) == 2
    assert capsys.readouterr().err == (
        "kafka-top: --demo starts its own broker; drop --bootstrap-servers, --config and --context\n"
    )


def test_demo_is_a_documented_option() -> None:
    parser = build_parser()
    assert parser.parse_args(["--demo"]).demo is True
    assert parser.parse_args([]).demo is False
    (demo,) = [action for action in parser._actions if "--demo" in action.option_strings]
    assert demo.help is not None
    assert demo.help.startswith("start an embedded Kafka broker with a live workload")
