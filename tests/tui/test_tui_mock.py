"""The mock interview through Pilot with a fake clock: countdown expiry, CJK typing, grading, report."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from review_seed import NOW, add_cards, shanghai, store  # noqa: F401
from sqlmodel import select

from studyapp.review.mock import MockSession, mock_history
from studyapp.store.tables import Card, ReviewLog, utcnow
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.mock import MockScreen

SIZE = (100, 30)
pytestmark = pytest.mark.usefixtures("shanghai")


class FakeClock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


def seed(store) -> None:
    with store.transaction() as session:
        session.add(Card(id="g1", front="什么是梯度消失？", back="反向传播时梯度逐层相乘，越来越小。\n- 换 ReLU\n- 残差连接",
                         deck="深度学习八股::梯度问题", source_file="n.md", source_line=1, position=0))
        session.add(Card(id="o1", front="What is overfitting?", back="The model fits noise: low training loss, "
                         "high held-out loss. Cures: regularization, dropout, early stopping.",
                         deck="深度学习八股", source_file="n.md", source_line=9, position=1))


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).content)


def mock_app(store, clock, **options):
    """The app with a mock interview pushed on top of the deck list, timed by ``clock``."""
    app = StudyApp(store, clock_offset=NOW - utcnow())
    session = MockSession(store, clock, rng=random.Random(0), **options)
    return app, session


def test_countdown_expiry_cjk_typing_grading_and_report(store):
    seed(store)
    clock = FakeClock(NOW)
    app, session = mock_app(store, clock, questions=2, minutes=1)

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(MockScreen(session))
            await pilot.pause()
            screen = app.screen
            first = session.current.card
            assert first.front in text(app, "#mock-question")
            assert "question 1/2" in text(app, "#mock-progress") and "01:00 left" in text(app, "#mock-progress")
            typed = "梯度逐层相乘\n用ReLU" if first.id == "g1" else "regularization and dropout"
            await pilot.press(*("enter" if ch == "\n" else ch for ch in typed))
            assert screen.query_one("#mock-typed").text == typed  # two lines of Chinese and Latin
            clock.advance(45)
            screen.tick()
            assert "00:15 left" in text(app, "#mock-progress")
            await pilot.press("1")  # typed into the answer, not a grade
            assert session.current.rating is None and screen.query_one("#mock-typed").text.endswith("1")
            clock.advance(20)  # the countdown runs out: revealed by itself
            screen.tick()
            await pilot.pause()
            assert session.revealed and session.current.timed_out and session.current.seconds == 60
            assert "time ran out" in text(app, "#mock-coverage")
            covered = "2 of 3 key terms" if first.id == "g1" else "2 of 14 key terms"
            assert covered in text(app, "#mock-coverage")
            assert screen.query_one("#mock-reveal").display
            await pilot.press("2")  # Hard: a pass
            await pilot.pause()
            assert "question 2/2" in text(app, "#mock-progress")
            clock.advance(10)
            await pilot.press("ctrl+r")  # answered aloud
            await pilot.pause()
            assert "(answered aloud)" in text(app, "#mock-yours")
            await pilot.press("1")
            await pilot.pause()
            assert type(app.screen).__name__ == "MockReportScreen"
            assert "2 answered · 1 passed" in text(app, "#mock-progress")
            await pilot.press("q")
            assert type(app.screen).__name__ == "DeckListScreen"

    asyncio.run(flow())
    with store.session() as session_:
        logs = session_.exec(select(ReviewLog).order_by(ReviewLog.id)).all()
        history = mock_history(session_)
    assert [(log.rating, log.duration_ms) for log in logs] == [(2, 60000), (1, 10000)]
    assert json.loads(history[0].report)["overall"]["timed_out"] == 1


def test_m_on_the_deck_list_starts_a_mock_on_the_selected_deck(store):
    seed(store)
    app = StudyApp(store, clock_offset=NOW - utcnow())

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("m")
            await pilot.pause()
            assert type(app.screen).__name__ == "MockScreen"
            assert len(app.screen.session.answers) == 2
            await pilot.press("escape")  # nothing graded: back, nothing kept
            assert type(app.screen).__name__ == "DeckListScreen"

    asyncio.run(flow())
    with store.session() as session:
        assert mock_history(session) == []


def _mock_snapshot(store, reveal: bool):
    seed(store)
    clock = FakeClock(NOW)
    app, session = mock_app(store, clock, questions=1, minutes=2, deck="深度学习八股::梯度问题")

    async def run_before(pilot):
        app.push_screen(MockScreen(session))
        await pilot.pause()
        await pilot.press(*"梯度逐层相乘 用ReLU")  # (Pilot drops full-width punctuation keys; a terminal does not)
        clock.advance(30)
        app.screen.tick()
        if reveal:
            await pilot.press("ctrl+r")
        await pilot.pause()

    return app, run_before


def test_snapshot_mock_question(store, snap_compare):
    app, run_before = _mock_snapshot(store, reveal=False)
    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_snapshot_mock_revealed(store, snap_compare):
    app, run_before = _mock_snapshot(store, reveal=True)
    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_f1_lists_the_mock_keys_while_typing_and_question_mark_after_the_reveal(store):
    seed(store)
    clock = FakeClock(NOW)
    app, session = mock_app(store, clock, questions=1, minutes=2)

    async def flow():
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(MockScreen(session))
            await pilot.pause()
            await pilot.press("a", "question_mark")  # typing: ? is part of the answer
            assert app.screen.query_one("#mock-typed").text == "a?"
            await pilot.press("f1")
            assert type(app.screen).__name__ == "HelpScreen"
            keys = str(app.screen.query_one("#help-keys").content)
            assert "ctrl+r  Stop the clock and show the model answer" in keys and "esc  End the mock" in keys
            await pilot.press("escape")
            assert type(app.screen).__name__ == "MockScreen"
            await pilot.press("ctrl+r", "question_mark")  # revealed: nothing to type into, ? works
            keys = str(app.screen.query_one("#help-keys").content)
            assert "1  Again: missed" in keys and "2  Hard: a pass" in keys and "Stop the clock" not in keys

    asyncio.run(flow())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("reveal", [False, True], ids=["question", "revealed"])
def test_snapshot_mock_at(store, snap_compare, size, reveal):
    app, run_before = _mock_snapshot(store, reveal=reveal)
    assert snap_compare(app, run_before=run_before, terminal_size=size)
