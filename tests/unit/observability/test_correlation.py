"""Correlation IDs: a context variable that follows the work, with a scope and a generator."""

from __future__ import annotations

import asyncio
import contextvars
import re
import threading

from kafka_client.observability import correlation_id, correlation_scope, new_correlation_id


def test_new_ids_are_32_hex_digits_and_distinct() -> None:
    ids = {new_correlation_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_the_application_seeding_random_does_not_repeat_ids() -> None:
    import random

    random.seed(1)
    first = new_correlation_id()
    random.seed(1)
    assert new_correlation_id() != first


def test_a_scope_sets_the_id_and_restores_the_outer_one() -> None:
    assert correlation_id() is None
    with correlation_scope("outer") as outer:
        assert (outer, correlation_id()) == ("outer", "outer")
        with correlation_scope() as inner:
            assert re.fullmatch(r"[0-9a-f]{32}", inner)
            assert correlation_id() == inner
        assert correlation_id() == "outer"
    assert correlation_id() is None


def test_an_empty_id_gets_a_fresh_one() -> None:
    with correlation_scope("") as chosen:
        assert chosen


def test_the_id_follows_copied_contexts_but_not_plain_threads() -> None:
    seen: dict[str, str | None] = {}
    with correlation_scope("req-1"):
        context = contextvars.copy_context()
        plain = threading.Thread(target=lambda: seen.setdefault("plain", correlation_id()))
        copied = threading.Thread(
            target=lambda: context.run(lambda: seen.setdefault("copied", correlation_id()))
        )
        for thread in (plain, copied):
            thread.start()
            thread.join()
    assert seen == {"plain": None, "copied": "req-1"}


async def test_each_task_keeps_its_own_id() -> None:
    async def work(name: str) -> str | None:
        with correlation_scope(name):
            await asyncio.sleep(0.01)
            return correlation_id()

    assert await asyncio.gather(work("a"), work("b")) == ["a", "b"]
