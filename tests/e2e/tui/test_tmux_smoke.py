"""kafka-top in a real terminal (tmux): start it on the broker, see the lagging group, press keys, quit.

Needs tmux (``apt-get install -y tmux``): without it this test fails, it does not skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kafka_client import Consumer, Producer, TopicPartitionOffset
from kafka_client.testing.pytest_plugin import KafkaBroker

SESSION = "kafka-top"


class Tmux:
    """One private tmux server (its own socket), so the test never touches a user's sessions."""

    def __init__(self, exe: str, workdir: Path) -> None:
        self.exe = exe
        self.socket = f"kafka-top-test-{uuid.uuid4().hex[:8]}"
        # The pane's shell writes the command's exit status to this file. Neither tmux's
        # #{pane_dead_status} nor an echo on the screen is reliable under load: CI saw a pane marked dead
        # with no status, and another whose echoed status never reached the captured screen.
        self.status_file = workdir / "exit-status"

    def __call__(self, *args: str) -> str:
        result = subprocess.run(
            [self.exe, "-L", self.socket, *args], capture_output=True, text=True, timeout=30, check=False
        )
        assert result.returncode == 0, f"tmux {' '.join(args)}: {result.stderr}"
        return result.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", SESSION)

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"kafka-top never showed {what} within {timeout:.0f} s; the screen was:\n{text}")
            time.sleep(0.2)

    def start(self, command: str) -> int:
        """Run ``command`` in a new 200x50 session; return its pid (a child of the pane's shell)."""
        shell_line = f"{command}; echo $? > {self.status_file}"
        self(
            "new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50", shell_line,
            ";", "set-option", "-t", SESSION, "remain-on-exit", "on",
        )  # fmt: skip
        shell = int(self("display-message", "-p", "-t", SESSION, "#{pane_pid}").strip())
        deadline = time.monotonic() + 30
        while True:
            children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
            if children:
                return int(children[0])
            assert time.monotonic() < deadline, f"the pane's shell (pid {shell}) never started {command!r}"
            time.sleep(0.05)

    def exit_status(self, timeout: float) -> int:
        """Wait for the command started by :meth:`start` to exit; return its exit status."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.status_file.read_text() if self.status_file.exists() else ""
            if text.endswith("\n"):  # the shell's write is complete
                return int(text)
            if time.monotonic() > deadline:
                screen = self.screen()
                pytest.fail(f"kafka-top did not exit within {timeout:.0f} s; the screen was:\n{screen}")
            time.sleep(0.2)

    def keys(self, *keys: str) -> None:
        self("send-keys", "-t", SESSION, *keys)

    def kill_server(self) -> None:
        found = subprocess.run(
            [self.exe, "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        subprocess.run(
            [self.exe, "-L", self.socket, "kill-server"], capture_output=True, timeout=30, check=False
        )
        if found.returncode == 0 and found.stdout.strip():
            Path(found.stdout.strip()).unlink(missing_ok=True)  # tmux leaves its socket file behind


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    exe = shutil.which("tmux")
    if exe is None:
        pytest.fail(
            "tmux is not installed: this smoke test runs kafka-top in a real terminal; "
            "install it with 'apt-get install -y tmux'"
        )
    server = Tmux(exe, tmp_path)
    try:
        yield server
    finally:
        server.kill_server()


@pytest.fixture
def lagging_group(kafka_broker: KafkaBroker) -> str:
    """A topic with 30 messages and a group (no members) that committed 12: lag 18."""
    topic, group = f"top-smoke-{uuid.uuid4().hex[:8]}", f"top-smoke-{uuid.uuid4().hex[:8]}"
    with Producer(bootstrap_servers=kafka_broker.bootstrap_servers) as producer:
        for future in [producer.send(topic, f"m{i}".encode(), partition=0) for i in range(30)]:
            future.result(timeout=30)
    with Consumer(
        bootstrap_servers=kafka_broker.bootstrap_servers, group_id=group, commit_strategy="manual"
    ) as c:
        deadline = time.monotonic() + 30
        while True:
            try:
                c.commit(offsets=[TopicPartitionOffset(topic, 0, 12)])
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    return group


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_kafka_top_in_tmux_shows_the_lag_takes_keys_and_quits(
    tmux: Tmux, kafka_broker: KafkaBroker, lagging_group: str
) -> None:
    exe = shutil.which("kafka-top", path=str(Path(sys.executable).parent))
    assert exe, "the kafka-top script is not installed; run 'uv sync'"
    pid = tmux.start(f"{exe} --bootstrap-servers {kafka_broker.bootstrap_servers} --refresh 1")

    tmux.wait_for(lambda s: "GROUP" in s and "LAG" in s and "updated" in s, "the groups table")
    tmux.keys("/")
    tmux.wait_for(lambda s: "!text inverts" in s, "the filter bar")  # keys typed before it opens are commands
    tmux.keys("-l", lagging_group)
    tmux.keys("Enter")
    screen = tmux.wait_for(lambda s: f"filter /{lagging_group}" in s, "the filtered groups table")
    row = next(line for line in screen.splitlines() if lagging_group in line and "Empty" in line)
    assert row.split()[1:6] == ["Empty", "0", "1", "18", "18"], row

    tmux.keys("?")
    tmux.wait_for(lambda s: "kafka-top help" in s and "Filter" in s, "the help screen")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "kafka-top help" not in s, "the groups screen again")
    tmux.keys(":")
    tmux.wait_for(lambda s: ":groups  :health" in s, "the command bar")
    tmux.keys("-l", "health")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "CHECK" in s and "brokers" in s, "the health screen")
    tmux.keys("q")
    assert tmux.exit_status(timeout=30) == 0
    assert not _alive(pid), f"kafka-top (pid {pid}) is still running after quitting"


def _broker_children(pid: int) -> list[int]:
    """The embedded broker JVMs started by process ``pid``."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if b"kafka.Kafka" in cmdline:
            found.append(int(child))
    return found


def _column(screen: str, first: str, index: int) -> str | None:
    """The ``index``-th word of the row starting with ``first`` (None while there is no such row)."""
    row = next((line.split() for line in screen.splitlines() if line.split()[:1] == [first]), None)
    return row[index] if row is not None and len(row) > index else None


def test_kafka_top_demo_shows_the_slow_group_lagging_opens_the_dlq_and_leaves_nothing_running(
    tmux: Tmux,
) -> None:
    exe = shutil.which("kafka-top", path=str(Path(sys.executable).parent))
    assert exe, "the kafka-top script is not installed; run 'uv sync'"
    pid = tmux.start(f"{exe} --demo --refresh 1")

    def lag(screen: str, group: str) -> int | None:
        value = _column(screen, group, 4)
        return int(value) if value is not None and value.isdigit() else None

    def slow_group_behind(screen: str) -> bool:
        slow, healthy = lag(screen, "analytics-slow"), lag(screen, "billing")
        if slow is None or healthy is None:
            return False
        row = next(line for line in screen.splitlines() if line.split()[:1] == ["analytics-slow"])
        return slow > healthy and "growing" in row.split()

    # Both groups start at lag 0 behind the producer; then billing keeps up and analytics-slow falls behind.
    screen = tmux.wait_for(slow_group_behind, "the slow group behind with a growing lag", timeout=120)
    # GROUP STATE MEMBERS PARTS LAG ...: one member owns the 3 partitions of 'orders'.
    assert [_column(screen, "analytics-slow", i) for i in (1, 2, 3)] == ["Stable", "1", "3"]
    brokers = _broker_children(pid)
    assert len(brokers) == 1, f"expected one broker JVM under kafka-top (pid {pid}), found {brokers}"

    tmux.keys(":")
    tmux.wait_for(lambda s: ":groups  :health" in s, "the command bar")
    tmux.keys("-l", "dlq")
    tmux.keys("Enter")
    screen = tmux.wait_for(
        lambda s: "DLQ TOPIC" in s and _column(s, "orders.dlq", 3) not in (None, "0", "-"),
        "the DLQ topic with dead letters",
    )
    assert _column(screen, "orders.dlq", 1) == "orders"
    tmux.keys("Enter")
    screen = tmux.wait_for(lambda s: "messages by exception" in s, "the dead letters of orders.dlq")
    assert "DeserializationError" in screen

    tmux.keys("q")
    assert tmux.exit_status(timeout=60) == 0, tmux.screen()
    assert "kafka-top: demo stopped" in tmux.screen()
    assert not _alive(pid), f"kafka-top (pid {pid}) is still running after quitting"
    assert not _alive(brokers[0]), f"the demo's broker JVM (pid {brokers[0]}) is still running"
