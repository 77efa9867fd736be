"""``kafka-client demo --duration S``: the live demo workload (what ``kafka-top --demo`` shows), headless."""

from __future__ import annotations

import re
import subprocess


def test_demo_duration_runs_the_workload_and_prints_its_summary(kafka_client_exe: str) -> None:
    result = subprocess.run(
        [kafka_client_exe, "demo", "--duration", "8"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""  # the clients' logs went to the broker's folder, not the terminal
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"Kafka 4\.4\.0 ready at 127\.0\.0\.1:\d+", lines[1]), lines
    assert lines[2] == "demo workload running: producer, groups 'billing' and 'analytics-slow'"
    assert lines[3] == "running for 8 s (Ctrl-C stops early)..."
    ran = re.fullmatch(r"ran ([\d.]+) s: produced (\d+) messages to 'orders' \(4 bad\)", lines[4])
    assert ran, lines[4]
    produced = int(ran.group(2))
    assert 8.0 <= float(ran.group(1)) < 12.0
    assert 100 <= produced <= 20 * 12  # 20 messages per second
    billing = re.fullmatch(r"group 'billing': handled (\d+) messages, lag now (\d+)", lines[5])
    slow = re.fullmatch(r"group 'analytics-slow': handled (\d+) messages, lag now (\d+)", lines[6])
    assert billing, lines[5]
    assert slow, lines[6]
    # billing keeps up (the 4 bad messages went to the DLQ, not its handler); the slow group falls behind.
    assert int(billing.group(1)) + 4 + int(billing.group(2)) >= produced - 20
    assert int(slow.group(1)) <= float(ran.group(1)) * 4 + 1  # 0.25 s per message
    assert int(slow.group(2)) > int(billing.group(2))
    assert lines[7] == "dead letters in 'orders.dlq': 4 (DeserializationError 2, RejectedOrderError 2)"
    assert lines[-1] == "broker stopped; demo complete"
