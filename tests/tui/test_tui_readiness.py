"""The readiness screen through Pilot, and its snapshot (update with `pytest --snapshot-update`)."""

from __future__ import annotations

import asyncio
import io
import random
from datetime import date, timedelta

import pytest
from rich.console import Console
from review_seed import NOW, add_cards, shanghai, store  # noqa: F401

from studyapp.review.readiness import readiness
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings, load_settings, set_setting
from studyapp.store.tables import utcnow
from studyapp.tui.app import StudyApp

SIZE = (100, 30)
pytestmark = pytest.mark.usefixtures("shanghai")  # NOW is 10:00 local on 2026-03-10


def seeded(store, interview: str | None = "2026-03-20") -> StudyApp:
    """Two topics with a seeded month of reviews, one card never studied."""
    ids = add_cards(store, 6, deck="深度学习八股::梯度问题", prefix="g") + add_cards(store, 4, deck="RNN", prefix="r")
    rng = random.Random(3)
    for cid in ids[:-1]:
        when = NOW - timedelta(days=rng.randint(10, 30))
        for _ in range(rng.randint(1, 3)):
            rate_now(store, cid, rng.choice([1, 3, 3, 4]), Settings(fuzz=False), when)
            when += timedelta(days=rng.randint(1, 5))
    if interview:
        with store.transaction() as session:
            set_setting(session, "interview_date", interview)
    return StudyApp(store, clock_offset=NOW - utcnow())


def text(app, selector: str) -> str:
    """What a Static shows, as plain text (a rich Table rendered the way a terminal would)."""
    console = Console(width=SIZE[0], record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector).content)
    return console.export_text()


def test_readiness_screen_shows_topics_days_left_and_todays_plan(store):
    app = seeded(store)

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("i")
            await pilot.pause()
            assert type(app.screen).__name__ == "ReadinessScreen"
            assert "Interview 2026-03-20 · 10 days left · target 90%" in text(app, "#readiness-title")
            with store.session() as session:
                ready = readiness(session, load_settings(session), date(2026, 3, 20), NOW)
            topics = text(app, "#readiness-topics")
            for topic in ready.topics:
                assert topic.deck in topics and f"{topic.mean_recall:.0%}" in topics
            assert "All topics" in topics and f"{ready.overall.mean_recall:.0%}" in topics
            assert "Today's plan:" in text(app, "#readiness-plan")
            await pilot.press("q")
            assert type(app.screen).__name__ == "DeckListScreen"

    asyncio.run(flow())


def test_without_a_date_the_screen_asks_for_one_and_stores_it(store):
    app = seeded(store, interview=None)

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("i")
            await pilot.pause()
            assert "no interview date" in text(app, "#readiness-title")
            await pilot.press(*"2026-03-01", "enter")
            assert "in the past" in text(app, "#readiness-title")
            app.screen.query_one("#readiness-date").value = ""
            await pilot.press(*"2026-03-15", "enter")
            await pilot.pause()
            assert "Interview 2026-03-15 · 5 days left" in text(app, "#readiness-title")

    asyncio.run(flow())
    with store.session() as session:
        assert load_settings(session).interview_date == "2026-03-15"


def test_snapshot_readiness(store, snap_compare):
    assert snap_compare(seeded(store), press=["i"], terminal_size=SIZE)


def test_question_mark_and_f1_list_the_readiness_keys(store):
    app = seeded(store, interview=None)

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("i")
            await pilot.pause()
            await pilot.press("f1")  # typing a date: F1, since ? would be typed
            assert type(app.screen).__name__ == "HelpScreen"
            keys = str(app.screen.query_one("#help-keys").content)
            assert "esc  Back" in keys and "f1  List the keys of this screen" in keys
            await pilot.press("escape")
            await pilot.press(*"2026-03-15", "enter", "question_mark")
            assert type(app.screen).__name__ == "HelpScreen"
            keys = str(app.screen.query_one("#help-keys").content)
            assert "d  set the interview date" in keys and "q / esc  Back" in keys

    asyncio.run(flow())


def test_the_plot_legend_is_drawn_below_the_plot(store):
    app = seeded(store)

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("i")
            await pilot.pause()
            legend = app.screen.query_one("#readiness-legend")
            assert str(legend.content) == "━━ with the plan   ━━ if you stop now   ━━ target 90%"
            assert legend.region.y >= app.screen.query_one("#readiness-plot").region.bottom

    asyncio.run(flow())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_snapshot_readiness_at(store, snap_compare, size):
    assert snap_compare(seeded(store), press=["i"], terminal_size=size)
