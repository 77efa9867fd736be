"""kafka-top driven by Pilot against a fake cluster: every screen, key and dialog, no broker needed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input

from kafka_client.admin import AclBinding
from kafka_client.config import load_settings
from kafka_top.app import KafkaTopApp
from kafka_top.contexts import ClusterContext, ContextSet
from kafka_top.screens.acl_form import AclForm
from kafka_top.screens.acls import AclsScreen
from kafka_top.screens.base import TableScreen
from kafka_top.screens.confirm import ConfirmDialog
from kafka_top.screens.context_picker import ContextPicker
from kafka_top.screens.detail import DetailScreen
from kafka_top.screens.groups import GroupsScreen
from kafka_top.screens.health import HealthScreen
from kafka_top.screens.help import HelpScreen
from kafka_top.screens.messages import MessagesScreen
from kafka_top.screens.partitions import GroupPartitionsScreen
from kafka_top.screens.topics import TopicsScreen
from kafka_top.widgets import StatusLine
from tests.unit.tui.conftest import FakeService, record, wait_for

AppFactory = Callable[..., KafkaTopApp]
SIZE = (160, 40)


def table_screen(app: KafkaTopApp) -> TableScreen[object]:
    screen = app.screen
    assert isinstance(screen, TableScreen)
    return screen


async def loaded(pilot: object, app: KafkaTopApp, kind: type, refreshes: int = 1) -> TableScreen[object]:
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and app.screen.refreshes >= refreshes)
    return table_screen(app)


async def command(pilot: object, line: str) -> None:
    """``:`` then the line (set at once: typing long lines key by key is slow), then enter."""
    await pilot.press("colon")  # type: ignore[attr-defined]
    pilot.app.screen.query_one("#command-input", Input).value = line  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


def keys(screen: TableScreen[object]) -> list[str]:
    return [r.key for r in screen.visible_rows()]


async def test_groups_screen_lists_every_group_most_lag_first_and_drills_down(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        assert keys(screen) == ["search", "billing", "audit"]
        billing = next(r for r in screen.visible_rows() if r.key == "billing").values
        assert (billing["state"], billing["members"], billing["lag"], billing["max_lag"]) == (
            "Stable",
            1,
            18,
            12,
        )
        assert screen.table.row_count == 3
        await pilot.press("down", "enter")
        partitions = await loaded(pilot, app, GroupPartitionsScreen)
        assert [
            (
                r.values["partition"],
                r.values["committed"],
                r.values["log_end"],
                r.values["lag"],
                r.values["member"],
                r.values["host"],
            )
            for r in partitions.visible_rows()
        ] == [
            (0, 4, 10, 6, "member-1", "/10.0.0.7"),
            (1, 10, 10, 0, "member-1", "/10.0.0.7"),
            (2, 0, 12, 12, "member-1", "/10.0.0.7"),
        ]
        assert partitions.crumbs == ["groups", "billing"]
        await pilot.press("escape")
        assert isinstance(app.screen, GroupsScreen)


async def test_trend_and_sparkline_follow_refreshes(make_app: AppFactory, fake: FakeService) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        from tests.unit.tui.conftest import group_lag

        fake.groups["search"] = group_lag("search", "clicks", [100], [180])
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.refreshes >= 2)
        search = next(r for r in screen.visible_rows() if r.key == "search").values
        assert (search["lag"], search["trend"], search["recent"]) == (80, "growing", "▁█")
        assert screen.history.lags("search") == [50, 80]


async def test_filter_inverts_and_escape_clears(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        await pilot.press("slash", *"bill")
        assert keys(screen) == ["billing"]
        await pilot.press("enter")
        assert screen.table.has_focus
        assert keys(screen) == ["billing"]
        await pilot.press("slash", "backspace", "backspace", "backspace", "backspace", *"!bill", "enter")
        assert keys(screen) == ["search", "audit"]
        await pilot.press("slash", "ctrl+u", *"lag>20", "enter")
        assert keys(screen) == ["search"]
        assert "filter /lag>20" in str(screen.query_one(StatusLine).render())
        await pilot.press("escape")  # outside the bar, esc on a view drops the filter
        assert keys(screen) == ["search", "billing", "audit"]


async def test_failed_refresh_keeps_the_rows_and_says_stale_since(
    make_app: AppFactory, fake: FakeService
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        good = screen.last_good
        assert good is not None
        fake.fail = True
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.refreshes >= 2)
        status = str(screen.query_one(StatusLine).render())
        assert status.startswith(
            f"stale since {good.strftime('%H:%M:%S')} · refresh failed · BrokerUnavailableError"
        )
        assert screen.query_one(StatusLine).has_class("-stale")
        assert keys(screen) == ["search", "billing", "audit"]
        fake.fail = False
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.refreshes >= 3)
        assert not screen.query_one(StatusLine).has_class("-stale")


async def test_marks_and_export_of_marked_or_visible_rows(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        await pilot.press("space", "down", "space")  # marks search and audit (the cursor moves down)
        assert screen.marked == {"search", "audit"}
        await command(pilot, f"export {tmp_path / 'marked.json'}")
        exported = json.loads((tmp_path / "marked.json").read_text())
        assert [(g["group"], g["lag"]) for g in exported] == [("search", 50), ("audit", 0)]
        await pilot.press("space", "up", "up", "space")  # unmark both (the cursor stays on the last row)
        assert screen.marked == set()
        await pilot.press("e")
        assert isinstance(app.screen.focused, Input)
        app.screen.query_one("#prompt-input", Input).value = str(tmp_path / "all.csv")
        await pilot.press("enter")
        await pilot.pause()
        lines = (tmp_path / "all.csv").read_text().splitlines()
        assert lines[0] == (
            "group,state,members,partitions,lag,max_lag,lag_s,lag_method,trend,recent,clears_in,error"
        )
        assert [line.split(",")[0] for line in lines[1:]] == ["search", "billing", "audit"]


async def test_sort_keys_cycle_columns(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        await pilot.press("s")  # lag -> max_lag, descending
        assert screen.sort_key == "max_lag"
        assert keys(screen) == ["search", "billing", "audit"]
        await pilot.press("S")
        assert keys(screen) == ["audit", "billing", "search"]


async def test_command_bar_views_help_and_unknown_commands(make_app: AppFactory, fake: FakeService) -> None:
    app = make_app()
    app.views.pop("dlq", None)  # as on an installation without kafka_client.resilience
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, GroupsScreen)
        await command(pilot, "health")
        health = await loaded(pilot, app, HealthScreen)
        assert keys(health)[0] == "group:search"  # worst first
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await command(pilot, "t")
        topics = await loaded(pilot, app, TopicsScreen)
        assert topics.visible_rows()[0].values == {
            "topic": "orders",
            "partitions": 3,
            "replication": 1,
            "messages": 32,
            "under_replicated": 0,
            "offline": 0,
            "min_isr": 1,
            "retention": "7d",
            "cleanup": "delete",
        }
        await command(pilot, "g /audit")
        groups = await loaded(pilot, app, GroupsScreen)
        await wait_for(pilot, lambda: keys(groups) == ["audit"])
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        entries = {(s, k) for s, k, _ in app.screen.entries}
        assert {("This screen", "/"), ("This screen", "space"), ("General", ":"), ("General", "q")} <= entries
        await pilot.press("escape")
        await command(pilot, "dlq")
        await command(pilot, "nonsense")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("DLQ screen needs kafka_client.resilience" in m for m in messages)
        assert any("unknown command :nonsense" in m for m in messages)
        assert isinstance(app.screen, GroupsScreen)


async def test_acl_create_and_delete_through_the_dialogs(make_app: AppFactory, fake: FakeService) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "acls")
        screen = await loaded(pilot, app, AclsScreen)
        assert len(screen.rows) == 2
        await pilot.press("c")
        assert isinstance(app.screen, AclForm)
        await pilot.press(*"User:carol")
        app.screen.query_one("#acl-resource-name", Input).value = "payments"
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert "ALLOW User:carol READ on TOPIC payments (LITERAL) from *" in app.screen.body
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.rows) == 3)
        assert AclBinding("TOPIC", "payments", "User:carol", "READ") in fake.acl_list
        assert screen.message == "created 1 ACL"
        await pilot.press("slash", *"carol", "enter")
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no: nothing deleted
        assert len(fake.acl_list) == 3
        await pilot.press("ctrl+d", "y")
        await wait_for(pilot, lambda: len(screen.rows) == 2)
        assert screen.message == "deleted 1 ACL"


async def test_denied_acl_write_is_a_message_not_a_crash(make_app: AppFactory, fake: FakeService) -> None:
    fake.deny_acl_writes = True
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "acls")
        screen = await loaded(pilot, app, AclsScreen)
        await pilot.press("c", *"User:mallory")
        app.screen.query_one("#acl-resource-name", Input).value = "orders"
        await pilot.press("enter", "y")
        await wait_for(pilot, lambda: bool(screen.message))
        assert screen.message.startswith("not authorized to create ACLs: ")
        assert "CLUSTER_AUTHORIZATION_FAILED" in screen.message
        assert app.is_running
        assert app.screen is screen


async def test_read_only_removes_acl_changes(make_app: AppFactory, fake: FakeService) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "acls")
        screen = await loaded(pilot, app, AclsScreen)
        active = {b.binding.action for b in screen.active_bindings.values()}
        assert "create_acl" not in active
        assert "delete_acls" not in active
        await pilot.press("c", "ctrl+d")
        assert app.screen is screen
        assert len(fake.acl_list) == 2
        assert "READ-ONLY" in str(screen.query_one("#context-bar").render())
        await pilot.press("question_mark")
        assert not any(k in ("c", "^d") for _, k, _ in app.screen.entries)


async def test_message_browsing_decodes_each_record_on_its_own(
    make_app: AppFactory, fake: FakeService
) -> None:
    fake.records = [
        record(0, 0, b"k1", b'{"amount": 12}', [("source", b"web")]),
        record(0, 1, None, b"\x00\xffbinary"),
        record(1, 0, b"\xc3\x28", b"plain text"),
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "topics")
        await loaded(pilot, app, TopicsScreen)
        await pilot.press("enter")
        screen = await loaded(pilot, app, MessagesScreen)
        assert [
            (r.values["key"], r.values["value"], r.values["format"], r.values["headers"])
            for r in screen.visible_rows()
        ] == [
            ("k1", '{"amount":12}', "json", "source=web"),
            (None, "00 ff 62 69 6e 61 72 79", "hex", None),
            ("c3 28", "plain text", "str", None),
        ]
        start = screen.query_one("#browse-start", Input)
        start.value = "beginning"
        screen.query_one("#browse-partitions", Input).value = "1"
        await pilot.click("#browse-start")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.refreshes >= 2)
        assert keys(screen) == ["1/0"]
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        assert "key (hex):\nc3 28" in app.screen.body


async def test_contexts_switch_and_production_is_marked(fake: FakeService) -> None:
    settings = load_settings(bootstrap_servers="fake:9092")
    contexts = ContextSet(
        (
            ClusterContext("local", settings),
            ClusterContext("prod", settings, production=True, read_only=True),
        ),
        "local",
    )
    built: list[str] = []

    def factory(context: ClusterContext) -> FakeService:
        built.append(context.name)
        return fake

    app = KafkaTopApp(contexts, refresh_s=0, service_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, GroupsScreen)
        assert not app.screen.query_one("#context-bar").has_class("-production")
        await command(pilot, "ctx")
        assert isinstance(app.screen, ContextPicker)
        await pilot.press("down", "enter")
        screen = await loaded(pilot, app, GroupsScreen)
        assert built == ["local", "prod"]
        assert app.session is not None
        assert app.session.context.name == "prod"
        assert app.session.read_only
        assert screen.query_one("#context-bar").has_class("-production")
        assert "PRODUCTION" in str(screen.query_one("#context-bar").render())
        await command(pilot, "acls @local")
        await loaded(pilot, app, AclsScreen)
        assert app.session.context.name == "local"
        assert built == ["local", "prod", "local"]


async def test_q_quits(make_app: AppFactory, fake: FakeService) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, GroupsScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert "close" in fake.calls
