"""kafka-top driven by Pilot against the real embedded broker, asserting on what the broker holds."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from kafka_client import Consumer, Producer
from kafka_client.admin import AclBinding, AclBindingFilter, KafkaAdmin, format_commit_metadata
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_top.app import KafkaTopApp
from kafka_top.screens.acl_form import AclForm
from kafka_top.screens.acls import AclsScreen
from kafka_top.screens.base import TableScreen
from kafka_top.screens.confirm import ConfirmDialog
from kafka_top.screens.groups import GroupsScreen
from kafka_top.screens.health import HealthScreen
from kafka_top.screens.messages import MessagesScreen
from kafka_top.screens.partitions import GroupPartitionsScreen
from kafka_top.screens.topics import TopicsScreen
from tests.integration.tui.conftest import FrozenClock, commit, make_app, produce, unique
from tests.unit.tui.conftest import wait_for

SIZE = (180, 45)
TIMEOUT = 60.0


async def loaded(pilot: Any, app: KafkaTopApp, kind: type, refreshes: int = 1) -> TableScreen[Any]:
    await wait_for(
        pilot, lambda: isinstance(app.screen, kind) and app.screen.refreshes >= refreshes, timeout=TIMEOUT
    )
    screen = app.screen
    assert isinstance(screen, TableScreen)
    assert screen.last_error is None, screen.last_error
    return screen


async def command(pilot: Any, line: str) -> None:
    await pilot.press("colon")
    pilot.app.screen.query_one("#command-input", Input).value = line
    await pilot.press("enter")


async def type_filter(pilot: Any, screen: TableScreen[Any], text: str) -> None:
    await pilot.press("slash")
    screen.query_one("#filter-bar", Input).value = text
    await pilot.press("enter")


async def test_groups_screen_shows_the_exact_lag_and_partitions(
    kafka_broker: KafkaBroker,
    admin: KafkaAdmin,
    lagging_group: tuple[str, str, Consumer[Any, Any]],
    tmp_path: Path,
) -> None:
    topic, group, _member = lagging_group
    app = make_app(kafka_broker.client_settings())
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        await type_filter(pilot, screen, group)
        (row,) = screen.visible_rows()
        assert {k: row.values[k] for k in ("group", "state", "members", "partitions", "lag", "max_lag")} == {
            "group": group,
            "state": "Stable",
            "members": 1,
            "partitions": 3,
            "lag": 18,
            "max_lag": 10,
        }
        await type_filter(pilot, screen, f"!{group}")
        assert group not in [r.key for r in screen.visible_rows()]
        await type_filter(pilot, screen, group)

        await command(pilot, f"export {tmp_path / 'groups.json'}")
        exported = json.loads((tmp_path / "groups.json").read_text())
        assert exported == [
            {
                "group": group,
                "state": "Stable",
                "members": 1,
                "partitions": 3,
                "lag": 18,
                "max_lag": 10,
                "lag_s": None,  # one sample of the log ends: no estimate yet
                "lag_method": None,
                "trend": "new",
                "recent": "▄",
                "clears_in": None,
                "error": None,
            }
        ]

        await pilot.press("enter")
        partitions = await loaded(pilot, app, GroupPartitionsScreen)
        member = admin.describe_groups([group])[group].members[0]
        assert [
            tuple(
                r.values[k]
                for k in ("topic", "partition", "committed", "log_end", "lag", "member", "client", "host")
            )
            for r in partitions.visible_rows()
        ] == [
            (topic, 0, 4, 10, 6, member.member_id, "top-client", member.host),
            (topic, 1, 8, 10, 2, member.member_id, "top-client", member.host),
            (topic, 2, 0, 10, 10, member.member_id, "top-client", member.host),
        ]
        await command(pilot, f"export {tmp_path / 'partitions.csv'}")
        lines = (tmp_path / "partitions.csv").read_text().splitlines()
        assert lines[0] == (
            "topic,partition,committed,log_end,lag,lag_s,lag_method,last_commit,member,client,host,"
            "earliest,below_earliest"
        )
        # The clock stood still: still one sample (no lag time), and the commit not seen moving (0 s).
        assert lines[1] == f"{topic},0,4,10,6,,,0.0,{member.member_id},top-client,{member.host},0,"
        await pilot.press("escape")
        assert isinstance(app.screen, GroupsScreen)


async def test_lag_in_seconds_exact_from_commit_metadata_and_estimated_from_sampled_offsets(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    topic = kafka_topic(1)
    exact, estimated = unique("top-exact"), unique("top-est")
    clock = FrozenClock()
    t0 = clock.now
    produce(bootstrap, topic, 10, 1)
    # `exact` says in its commit that the last record it processed was written 42 s before t0.
    commit(bootstrap, exact, topic, 4, format_commit_metadata(int((t0 - 42) * 1000)))
    commit(bootstrap, estimated, topic, 4)

    def row(screen: TableScreen[Any], group: str) -> tuple[Any, ...]:
        values = next(r for r in screen.rows if r.key == group).values
        return values["lag"], values["lag_s"], values["lag_method"]

    app = make_app(kafka_broker.client_settings(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app, GroupsScreen)
        assert row(screen, exact) == (6, 42.0, "exact")
        assert row(screen, estimated) == (6, None, None)  # one sample of the log end: no estimate yet

        produce(bootstrap, topic, 10, 1)  # log end 10 at t0, 20 at t0 + 5
        commit(bootstrap, estimated, topic, 15)
        clock.advance(5)
        await pilot.press("ctrl+r")
        screen = await loaded(pilot, app, GroupsScreen, refreshes=2)
        assert row(screen, exact) == (16, 47.0, "exact")
        # Offset 15 was appended when the log end reached 16, 60 % of the way from 10 to 20: t0 + 3.
        assert row(screen, estimated) == (5, 2.0, "est.")

        clock.advance(3)
        await type_filter(pilot, screen, estimated)
        await pilot.press("enter")
        partitions = await loaded(pilot, app, GroupPartitionsScreen)
        values = partitions.visible_rows()[0].values
        assert {
            k: values[k] for k in ("committed", "log_end", "lag", "lag_s", "lag_method", "last_commit")
        } == {
            "committed": 15,
            "log_end": 20,
            "lag": 5,
            "lag_s": 5.0,
            "lag_method": "est.",
            "last_commit": 3.0,  # seen moving (4 -> 15) at the refresh at t0 + 5
        }
        cells = [str(c) for c in partitions.table.get_row(f"{topic}/0")]
        assert cells[6:9] == ["5.0s", "est.", "3s ago"]
        summary = str(partitions.query_one("#group-summary").render())
        assert summary.endswith("total lag 5 · max 5 · 5.0s behind (est.)")
        await pilot.press("escape")
        await type_filter(pilot, screen, exact)
        await pilot.press("enter")
        partitions = await loaded(pilot, app, GroupPartitionsScreen)
        cells = [str(c) for c in partitions.table.get_row(f"{topic}/0")]
        assert cells[6:9] == ["50s", "exact", ">8s ago"]  # never seen moving since t0


async def _create_acl_through_dialog(pilot: Any, app: KafkaTopApp, principal: str, resource: str) -> None:
    await pilot.press("c")
    assert isinstance(app.screen, AclForm)
    app.screen.query_one("#acl-principal", Input).value = principal
    app.screen.query_one("#acl-resource-name", Input).value = resource
    await pilot.press("enter")
    assert isinstance(app.screen, ConfirmDialog)
    await pilot.press("y")


async def test_acl_create_then_delete_through_the_dialogs(
    kafka_broker: KafkaBroker, admin: KafkaAdmin
) -> None:
    principal = f"User:top-{uuid.uuid4().hex[:8]}"
    mine = AclBindingFilter(principal=principal)
    app = make_app(kafka_broker.client_settings())
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "acls")
        screen = await loaded(pilot, app, AclsScreen)
        await _create_acl_through_dialog(pilot, app, principal, "orders")
        await wait_for(pilot, lambda: screen.message == "created 1 ACL", timeout=TIMEOUT)
        assert admin.describe_acls(mine) == [AclBinding("TOPIC", "orders", principal, "READ")]
        await wait_for(
            pilot, lambda: any(r.values["principal"] == principal for r in screen.rows), timeout=TIMEOUT
        )

        await type_filter(pilot, screen, f"principal={principal}")
        assert len(screen.visible_rows()) == 1
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmDialog)
        assert f"ALLOW {principal} READ on TOPIC orders (LITERAL) from *" in app.screen.body
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.message == "deleted 1 ACL", timeout=TIMEOUT)
        assert admin.describe_acls(mine) == []
        await wait_for(pilot, lambda: screen.visible_rows() == [], timeout=TIMEOUT)


@pytest.mark.embedded_only
async def test_denied_acl_create_shows_an_authorization_message(
    kafka_broker: KafkaBroker, admin: KafkaAdmin
) -> None:
    alice = kafka_broker.client_settings("SASL_PLAINTEXT", user="alice", mechanism="SCRAM-SHA-256")
    principal = f"User:denied-{uuid.uuid4().hex[:8]}"
    app = make_app(alice)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "acls")
        await wait_for(
            pilot, lambda: isinstance(app.screen, AclsScreen) and app.screen.refreshes >= 1, timeout=TIMEOUT
        )
        screen = app.screen
        assert isinstance(screen, AclsScreen)
        await _create_acl_through_dialog(pilot, app, principal, "orders")
        await wait_for(pilot, lambda: bool(screen.message), timeout=TIMEOUT)
        assert screen.message.startswith("not authorized to create ACLs: ")
        assert "CLUSTER_AUTHORIZATION_FAILED" in screen.message
        assert screen.query_one("#acl-message").has_class("-error")
        assert app.is_running
        assert app.screen is screen
    assert admin.describe_acls(AclBindingFilter(principal=principal)) == []


async def test_read_only_hides_every_acl_change(kafka_broker: KafkaBroker, admin: KafkaAdmin) -> None:
    before = admin.describe_acls()
    app = make_app(kafka_broker.client_settings(), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "acls")
        screen = await loaded(pilot, app, AclsScreen)
        assert {"create_acl", "delete_acls"}.isdisjoint(
            b.binding.action for b in screen.active_bindings.values()
        )
        await pilot.press("c", "ctrl+d")
        assert app.screen is screen
        await pilot.press("question_mark")
        assert {k for _, k, _ in app.screen.entries}.isdisjoint({"c", "^d"})
    assert admin.describe_acls() == before


async def test_topics_and_message_browsing_decode_each_record(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(2)
    with Producer(bootstrap_servers=kafka_broker.bootstrap_servers) as producer:
        producer.send(topic, b'{"amount": 12}', key=b"k1", partition=0, headers=[("source", b"web")]).result(
            30
        )
        producer.send(topic, b"\x00\xff\x10", key=None, partition=0).result(30)
        producer.send(topic, b"plain", key=b"\xc3\x28", partition=1).result(30)
    app = make_app(kafka_broker.client_settings())
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, f"topics /^{topic}$")
        screen = await loaded(pilot, app, TopicsScreen)
        await wait_for(pilot, lambda: [r.key for r in screen.visible_rows()] == [topic], timeout=TIMEOUT)
        values = screen.visible_rows()[0].values
        assert (values["partitions"], values["replication"], values["messages"], values["offline"]) == (
            2,
            1,
            3,
            0,
        )
        assert "broker 1" in str(screen.query_one("#brokers").render())
        await pilot.press("enter")
        messages = await loaded(pilot, app, MessagesScreen)
        assert [
            tuple(r.values[k] for k in ("partition", "offset", "key", "value", "format", "headers"))
            for r in messages.visible_rows()
        ] == [
            (0, 0, "k1", '{"amount":12}', "json", "source=web"),
            (0, 1, None, "00 ff 10", "hex", None),
            (1, 0, "c3 28", "plain", "str", None),
        ]
        messages.query_one("#browse-start", Input).value = "1"
        messages.query_one("#browse-partitions", Input).value = "0"
        await pilot.click("#browse-start")
        await pilot.press("enter")
        await wait_for(pilot, lambda: messages.refreshes >= 2, timeout=TIMEOUT)
        assert [r.key for r in messages.visible_rows()] == ["0/1"]


async def test_health_screen_lists_the_library_checks(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]
) -> None:
    topic = kafka_topic(1)
    app = make_app(kafka_broker.client_settings())
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "health")
        screen = await loaded(pilot, app, HealthScreen)
        rows = {r.key: r.values for r in screen.rows}
        assert rows["brokers"]["status"] == "ok"
        assert "brokers" in rows
        assert any(k.startswith("topic:") for k in rows)
        assert f"topic:{topic}" in rows or len([k for k in rows if k.startswith("topic:")]) == 25
        assert "cluster" in str(screen.query_one("#health-summary").render())


async def test_an_unreachable_cluster_shows_no_data_and_keeps_running() -> None:
    app = make_app({"bootstrap_servers": [f"127.0.0.1:{_closed_port()}"]}, timeout=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, GroupsScreen) and app.screen.refreshes >= 1, timeout=TIMEOUT
        )
        screen = app.screen
        assert isinstance(screen, GroupsScreen)
        assert screen.last_error is not None
        assert screen.rows == []
        assert str(screen.status.render()).startswith("no data yet · refresh failed · ")
        await pilot.press("q")
    assert not app.is_running


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
