"""Interview mode in the daily queue: new cards early enough, at-risk reviews brought forward."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from review_seed import NOW, add_cards, shanghai, store  # noqa: F401

from studyapp.review.interview_queue import interview_moment, rules_for
from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.queue import build_queue
from studyapp.review.readiness import live_cards
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings
from studyapp.store.tables import REVIEW

pytestmark = pytest.mark.usefixtures("shanghai")  # NOW is 10:00 local on 2026-03-10
GOOD = 3


def seen_cards(store, count: int, due, prefix: str, deck: str = "DL::Reviews") -> list[str]:
    """Review cards last answered five days ago with a stability of 10 days, due at ``due``."""
    return add_cards(store, count, deck=deck, prefix=prefix, state=REVIEW, stability=10.0, difficulty=5.0,
                     due=due, last_review=NOW - timedelta(days=5), reps=3)


def queue(store, settings):
    with store.session() as session:
        return build_queue(session, settings, NOW)


def interview(days: int, **fields) -> Settings:
    day = (date(2026, 3, 10) + timedelta(days=days)).isoformat()
    return Settings(interview_mode=True, interview_date=day, **fields)


def test_off_or_after_the_day_changes_nothing(store):
    add_cards(store, 40)
    usual = Settings(new_per_day=2)
    assert len(queue(store, usual).new) == 2
    off = Settings(new_per_day=2, interview_mode=False, interview_date="2026-03-14")
    assert queue(store, off).ordered == queue(store, usual).ordered
    past = Settings(new_per_day=2, interview_mode=True, interview_date="2026-03-10")
    assert queue(store, past).ordered == queue(store, usual).ordered


def test_new_cards_are_spread_so_all_are_learned_before_the_last_days(store):
    add_cards(store, 40)
    settings = interview(10, new_per_day=2)
    assert len(queue(store, settings).new) == 5  # 40 cards over the 8 days before the last two
    for cid in queue(store, settings).new[:3]:
        rate_now(store, cid, GOOD, settings, NOW)
    assert len(queue(store, settings).new) == 2  # today's 5 counts what was introduced today
    assert len(queue(store, interview(10, new_per_day=9)).new) == 9 - 3  # never below the usual limit


def test_at_risk_reviews_are_brought_forward_cheapest_first_in_the_last_days(store):
    # Due after the day, but target 0.97 is above what their stability holds on the day.
    cheap = seen_cards(store, 3, NOW + timedelta(days=6), "cheap", deck="DL::A")
    dear = seen_cards(store, 3, NOW + timedelta(days=30), "dear", deck="DL::B")
    settings = interview(3, interview_target=0.97)
    rules = rules_for(settings, date(2026, 3, 10))
    with store.session() as session:
        cards = {c.id: c for c in live_cards(session, None)}
    assert all(rules.at_risk(c) for c in cards.values())
    costs = {cid: rules.early_cost(c, NOW) for cid, c in cards.items()}
    assert max(costs[c] for c in cheap) < min(costs[c] for c in dear)
    q = queue(store, settings)
    assert len(q.review) == 2 and set(q.review) <= set(cheap)  # ceil(6 / 3 days) = 2 a day, cheapest
    assert [costs[cid] for cid in q.review] == sorted(costs.values())[:2]
    assert queue(store, interview(3)).review == []  # at the default target they are safe
    assert queue(store, interview(5, interview_target=0.97)).review == []  # not the last days yet
    for cid in q.review:
        rate_now(store, cid, GOOD, settings, NOW)
    assert queue(store, settings).review == []  # today's share is done
    scheduler = make_scheduler(settings)
    with store.session() as session:
        for cid in q.review:
            row = next(c for c in live_cards(session, None) if c.id == cid)
            assert row.state == REVIEW
            assert recall_at(row, scheduler, interview_moment(date(2026, 3, 13))) >= 0.97


def test_on_the_last_day_every_card_at_risk_comes(store):
    ids = seen_cards(store, 5, NOW + timedelta(days=20), "r")
    assert queue(store, interview(1, interview_target=0.97)).review == ids
    assert queue(store, interview(1, interview_target=0.97, reviews_per_day=3)).review == ids[:3]


def test_the_deck_list_counts_each_decks_raised_new_limit(store):
    from studyapp.review.queue import deck_counts

    add_cards(store, 40, deck="DL::A", prefix="a")
    add_cards(store, 8, deck="DL::B", prefix="b")
    settings = interview(10, new_per_day=2)
    with store.session() as session:
        counts = {node.path: node.new for node in deck_counts(session, settings, NOW)}
        expected = {deck: len(build_queue(session, settings, NOW, deck).new) for deck in ("DL", "DL::A", "DL::B")}
    assert counts == expected == {"DL": 6, "DL::A": 5, "DL::B": 2}  # 48/8, 40/8, and B's usual 2 (8/8 < 2)
