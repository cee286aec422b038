"""A reset (the browser's R R, Anki's Forget) leaves a RESET row in the card's history that
nothing counts as an answer: stats, the daily limits, rated:, the optimizer; a replay (sync)
starts the card anew there, and Anki gets it as a manual revlog entry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from review_seed import NOW, add_cards, shanghai, store  # noqa: F401
from sqlmodel import select

from studyapp.anki.scheduling import REVLOG_MANUAL, dues_after, revlog_row
from studyapp.review.history import reset_card
from studyapp.review.optimize import load_history
from studyapp.review.queue import day_progress
from studyapp.review.replay import replay_card
from studyapp.review.schedule import rate_now
from studyapp.review.search import compile_search, count_cards
from studyapp.review.settings import Settings
from studyapp.review.stats import compute_stats
from studyapp.store.tables import LEARNING, NEW, RESET, REVIEW, Card, ReviewLog

pytestmark = pytest.mark.usefixtures("shanghai")
SETTINGS = Settings(fuzz=False)


@pytest.fixture
def reset_once(store):
    """c00000: Good twice (a review card), then reset an hour ago; c00001 never touched."""
    add_cards(store, 2)
    rate_now(store, "c00000", 3, SETTINGS, NOW - timedelta(days=9))
    rate_now(store, "c00000", 3, SETTINGS, NOW - timedelta(days=8))
    reset_card(store, "c00000", NOW - timedelta(hours=1))
    return store


def logs(store) -> list[ReviewLog]:
    with store.session() as session:
        return list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))


def test_the_reset_row_holds_the_schedule_the_card_had(reset_once):
    *_, reset = logs(reset_once)
    before = json.loads(reset.snapshot_before)
    assert (reset.rating, reset.state_before, reset.duration_ms) == (RESET, REVIEW, None)
    assert before["stability"] > 0 and before["due"] is not None
    with reset_once.session() as session:
        assert session.get(Card, "c00000").state == NEW


def test_nothing_counts_a_reset_as_an_answer(reset_once):
    with reset_once.session() as session:
        progress = day_progress(session, NOW, SETTINGS)
        stats = compute_stats(session, SETTINGS, NOW)
        rated_today = count_cards(session, compile_search("rated:1", NOW, SETTINGS))
    assert (progress.total_done, progress.reviews_done) == (0, 0)  # today's limits are untouched
    assert sum(stats.reviews_per_day) == 2 and rated_today == 0


def test_the_optimizer_sees_the_card_start_anew_after_a_reset(reset_once):
    rate_now(reset_once, "c00000", 3, SETTINGS, NOW)
    history = load_history(reset_once)
    assert [(number, rating) for number, rating, _ in history] == [(0, 3), (0, 3), (1, 3)]


def test_a_replay_restarts_the_card_at_the_reset(reset_once):
    rate_now(reset_once, "c00000", 3, SETTINGS, NOW)
    with reset_once.session() as session:
        card = session.get(Card, "c00000")
        expected = (card.state, card.stability, card.difficulty, card.due, card.reps)
        history = list(session.exec(select(ReviewLog).where(ReviewLog.card_id == "c00000")))
        replayed = replay_card(card, history, SETTINGS)
    assert [step.state_before for step in replayed] == [NEW, LEARNING, REVIEW, NEW]  # new again after the reset
    assert (card.state, card.stability, card.difficulty, card.due) == expected[:4]
    assert card.reps == expected[4]  # every rating counted, the reset is none


def test_anki_gets_a_reset_as_a_manual_revlog_entry(reset_once):
    history = logs(reset_once)
    with reset_once.session() as session:
        card = session.get(Card, "c00000")
    dues = dues_after(history, card)
    good = revlog_row(history[1], dues[1], 0, 1, 99)
    reset = revlog_row(history[2], dues[2], good[4], 2, 99)
    assert good[3] == 3 and good[4] > 0  # the second Good's interval is still what it gave
    assert reset == (2, 99, -1, 0, 0, good[4], 0, 0, REVLOG_MANUAL)
