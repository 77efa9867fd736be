"""SVG snapshots of every kafka-top screen, with fixed data and a frozen clock (pytest-textual-snapshot).

The first run of a new snapshot fails; look at the report, then accept with ``--snapshot-update``.
The same SVGs are the screenshots in docs/images (copied by hand after an accepted update).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from kafka_client.config import load_settings
from kafka_top.app import KafkaTopApp
from kafka_top.contexts import ClusterContext, ContextSet
from kafka_top.screens.acls import AclsScreen
from kafka_top.screens.base import TableScreen
from kafka_top.screens.dlq import DlqTopicsScreen
from kafka_top.screens.dlq_entries import DlqEntriesScreen
from kafka_top.screens.groups import GroupsScreen
from kafka_top.screens.health import HealthScreen
from kafka_top.screens.messages import MessagesScreen
from kafka_top.screens.partitions import GroupPartitionsScreen
from kafka_top.screens.topics import TopicsScreen
from tests.unit.tui.conftest import wait_for
from tests.unit.tui.snapshot_cluster import STAGES, FrozenClock, SnapshotCluster

SIZE = (130, 30)
SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clock times on screen are local: make local time UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def build(read_only: bool = False, production: bool = False) -> tuple[KafkaTopApp, SnapshotCluster]:
    clock = FrozenClock()
    cluster = SnapshotCluster(clock)
    settings = load_settings(bootstrap_servers="kafka-1.internal:9092")
    name = "prod-eu" if production else "local"
    contexts = ContextSet(
        (ClusterContext(name, settings, production=production, read_only=production),), name
    )
    app = KafkaTopApp(
        contexts, read_only=read_only, refresh_s=0, service_factory=lambda _: cluster, clock=clock
    )
    return app, cluster


async def loaded(pilot: Pilot[Any], kind: type, refreshes: int = 1) -> TableScreen[Any]:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and app.screen.refreshes >= refreshes)
    screen = app.screen
    assert isinstance(screen, TableScreen)
    return screen


async def settle(pilot: Pilot[Any]) -> None:
    """No blinking cursors, every message handled: the same frame every time."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def command(pilot: Pilot[Any], line: str) -> None:
    await pilot.press("colon")
    pilot.app.screen.query_one("#command-input", Input).value = line
    await pilot.press("enter")


async def groups_over_time(pilot: Pilot[Any], cluster: SnapshotCluster) -> None:
    """The groups screen after :data:`STAGES` refreshes, 2 s apart: trends, sparklines, lag seconds."""
    await loaded(pilot, GroupsScreen)
    for stage in range(1, STAGES):
        cluster.advance()
        await pilot.press("ctrl+r")
        await loaded(pilot, GroupsScreen, refreshes=stage + 1)


def test_groups_screen(snap_compare: SnapCompare) -> None:
    app, cluster = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await groups_over_time(pilot, cluster)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_partitions_screen(snap_compare: SnapCompare) -> None:
    app, cluster = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await groups_over_time(pilot, cluster)
        cluster.clock.now += 1  # a second after the last refresh of the groups
        await pilot.press("down", "down", "enter")  # billing: estimated lag seconds, three members
        await loaded(pilot, GroupPartitionsScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_health_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "health")
        await loaded(pilot, HealthScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_acls_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "acls")
        await loaded(pilot, AclsScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_acl_create_form(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "acls")
        await loaded(pilot, AclsScreen)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_topics_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "topics")
        await loaded(pilot, TopicsScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_messages_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "topics")
        await loaded(pilot, TopicsScreen)
        await pilot.press("down", "enter")  # orders (clicks is first)
        await loaded(pilot, MessagesScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_dlq_topics_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "dlq")
        await loaded(pilot, DlqTopicsScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_dlq_entries_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "dlq")
        await loaded(pilot, DlqTopicsScreen)
        await pilot.press("enter")
        await loaded(pilot, DlqEntriesScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_dead_letter_detail(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "dlq")
        await loaded(pilot, DlqTopicsScreen)
        await pilot.press("enter")
        await loaded(pilot, DlqEntriesScreen)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare: SnapCompare) -> None:
    app, _ = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_production_context_is_red_and_read_only(snap_compare: SnapCompare) -> None:
    app, _ = build(production=True)

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        await command(pilot, "acls")
        await loaded(pilot, AclsScreen)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_stale_data_stays_on_screen_with_a_marker(snap_compare: SnapCompare) -> None:
    app, cluster = build()

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot, GroupsScreen)
        cluster.fail = True
        cluster.clock.now += 30
        await pilot.press("ctrl+r")
        await loaded(pilot, GroupsScreen, refreshes=2)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
