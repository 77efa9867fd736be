"""The DLQ screen on the real broker: dead letters grouped by exception, details, and a replay that
shows its dry run first and then writes to the source topic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kafka_client import Message, Producer, TopicPartition
from kafka_client.admin import KafkaAdmin
from kafka_client.resilience import REPLAYED_FROM, DeadLetterQueue
from kafka_client.testing.pytest_plugin import KafkaBroker
from kafka_top.screens.confirm import ConfirmDialog
from kafka_top.screens.detail import DetailScreen
from kafka_top.screens.dlq import DlqTopicsScreen
from kafka_top.screens.dlq_entries import DlqEntriesScreen
from tests.integration.tui.conftest import make_app, unique
from tests.integration.tui.test_kafka_top_on_broker import SIZE, TIMEOUT, command, loaded
from tests.unit.tui.conftest import wait_for


def _dead_letters(bootstrap: str, source: str) -> None:
    failures = [
        (b"k0", b'{"order": 1}', ValueError("amount must be positive")),
        (b"k1", b"\xff\xfe", KeyError("customer")),
        (b"k2", b'{"order": 3}', ValueError("amount must be positive")),
    ]
    with Producer(bootstrap_servers=bootstrap) as producer:
        dlq = DeadLetterQueue(producer)
        for offset, (key, value, exc) in enumerate(failures):
            original = Message(source, 0, offset, key, value, [("trace", b"abc")], 1_700_000_000_000 + offset)
            dlq.send(original, exc, attempts=3, group_id="billing")


async def test_dlq_screen_groups_shows_and_replays_after_a_dry_run(
    kafka_broker: KafkaBroker, kafka_topic: Callable[..., str], admin: KafkaAdmin
) -> None:
    source = kafka_topic(1, name=unique("top-src"))
    dlq_topic = kafka_topic(1, name=f"{source}.dlq")
    _dead_letters(kafka_broker.bootstrap_servers, source)
    app = make_app(kafka_broker.client_settings())
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, f"dlq /^{dlq_topic}$")
        topics = await loaded(pilot, app, DlqTopicsScreen)
        await wait_for(pilot, lambda: [r.key for r in topics.visible_rows()] == [dlq_topic], timeout=TIMEOUT)
        values = topics.visible_rows()[0].values
        assert (values["source"], values["partitions"], values["depth"]) == (source, 1, 3)

        await pilot.press("enter")
        entries: Any = await loaded(pilot, app, DlqEntriesScreen)
        assert [
            (
                r.values["offset"],
                r.values["exception"],
                r.values["original"],
                r.values["attempts"],
                r.values["group"],
            )
            for r in entries.visible_rows()
        ] == [
            (0, "ValueError", f"{source}[0]@0", 3, "billing"),
            (1, "KeyError", f"{source}[0]@1", 3, "billing"),
            (2, "ValueError", f"{source}[0]@2", 3, "billing"),
        ]
        assert (
            str(entries.query_one("#dlq-summary").render())
            == "3 messages by exception: ValueError 2 · KeyError 1"
        )

        await pilot.press("down", "enter")
        assert isinstance(app.screen, DetailScreen)
        body = app.screen.body
        assert "exception KeyError: 'customer'" in body
        assert "value (hex):\nff fe" in body
        assert "trace (str): abc" in body
        await pilot.press("escape")

        await pilot.press("up", "R")  # every ValueError: a dry run first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), timeout=TIMEOUT)
        assert "2 would be replayed, 0 skipped (dry run" in app.screen.body
        assert admin.watermarks([TopicPartition(source, 0)])[TopicPartition(source, 0)].latest == 0
        await pilot.press("y")
        await wait_for(pilot, lambda: entries.message.startswith("replayed"), timeout=TIMEOUT)
        assert entries.message == "replayed 2 messages, 0 skipped or failed"
    assert admin.watermarks([TopicPartition(source, 0)])[TopicPartition(source, 0)].latest == 2
    app2 = make_app(kafka_broker.client_settings())
    async with app2.run_test(size=SIZE) as pilot:
        from kafka_top.screens.messages import MessagesScreen
        from kafka_top.screens.topics import TopicsScreen

        await command(pilot, f"topics /^{source}$")
        screen = await loaded(pilot, app2, TopicsScreen)
        await wait_for(pilot, lambda: [r.key for r in screen.visible_rows()] == [source], timeout=TIMEOUT)
        await pilot.press("enter")
        messages = await loaded(pilot, app2, MessagesScreen)
        assert [(r.values["key"], r.values["value"]) for r in messages.visible_rows()] == [
            ("k0", '{"order":1}'),
            ("k2", '{"order":3}'),
        ]
        assert all(REPLAYED_FROM in (r.values["headers"] or "") for r in messages.visible_rows())


async def test_read_only_hides_replay(kafka_broker: KafkaBroker, kafka_topic: Callable[..., str]) -> None:
    source = kafka_topic(1, name=unique("top-ro"))
    dlq_topic = kafka_topic(1, name=f"{source}.dlq")
    _dead_letters(kafka_broker.bootstrap_servers, source)
    app = make_app(kafka_broker.client_settings(), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, f"dlq /^{dlq_topic}$")
        topics = await loaded(pilot, app, DlqTopicsScreen)
        await wait_for(pilot, lambda: len(topics.visible_rows()) == 1, timeout=TIMEOUT)
        await pilot.press("enter")
        entries = await loaded(pilot, app, DlqEntriesScreen)
        actions = {b.binding.action for b in entries.active_bindings.values()}
        assert "replay_selected" not in actions
        assert "replay_exception" not in actions
        await pilot.press("r", "R")
        await pilot.pause(0.5)
        assert app.screen is entries
