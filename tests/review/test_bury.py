"""Sibling burying with Anki's three settings: on answering, while gathering, counts, unbury."""

from __future__ import annotations

from datetime import timedelta

import pytest
from review_seed import NOW, add_cards, add_review_cards, card, shanghai, store  # noqa: F401

from studyapp.review.buried import buried_today, unbury
from studyapp.review.queue import build_queue, deck_counts, next_day_start
from studyapp.review.schedule import rate_now, undo
from studyapp.review.settings import Settings
from studyapp.store.tables import LEARNING

GOOD = 3
NEW_ONLY = Settings(bury_new=True)
REVIEWS_ONLY = Settings(bury_reviews=True)
ALL = Settings(bury_new=True, bury_reviews=True, bury_interday_learning=True)
pytestmark = pytest.mark.usefixtures("shanghai")


def queue(store, settings, now=NOW, deck=None):
    with store.session() as session:
        return build_queue(session, settings, now, deck)


def test_by_default_nothing_is_buried_as_in_anki(store):
    pair = add_cards(store, 2, sibling_key="pair")
    _, result = rate_now(store, pair[0], GOOD, Settings(), NOW)
    assert result.buried == 0 and queue(store, Settings()).new == [pair[1]]


def test_bury_new_hides_the_new_sibling_until_the_next_study_day(store):
    pair = add_cards(store, 2, sibling_key="pair")
    other = add_cards(store, 1, prefix="o")
    _, result = rate_now(store, pair[0], GOOD, NEW_ONLY, NOW)
    assert result.buried == 1
    assert queue(store, NEW_ONLY).new == other
    tomorrow = next_day_start(NOW, 4) + timedelta(minutes=1)
    assert pair[1] in queue(store, Settings(), now=tomorrow).new  # the burial is over
    # but its sibling, still learning, is gathered first and holds it back (Anki does the same)
    assert queue(store, NEW_ONLY, now=tomorrow).held_siblings == 1


def test_answering_a_new_card_never_buries_a_review_sibling(store):
    """Anki leaves alone the kinds gathered before the answered card's (reviews before new)."""
    (fresh,) = add_cards(store, 1, prefix="n", sibling_key="g")
    (due,) = add_review_cards(store, 1, due=NOW - timedelta(hours=1), sibling_key="g")
    rate_now(store, fresh, GOOD, ALL, NOW)
    assert card(store, due).buried_until is None


def test_bury_reviews_buries_the_review_sibling_of_an_answered_review(store):
    first, second = add_review_cards(store, 2, due=NOW - timedelta(hours=1), sibling_key="g")
    (new,) = add_cards(store, 1, prefix="n", sibling_key="g")
    _, result = rate_now(store, first, GOOD, REVIEWS_ONLY, NOW)
    assert result.buried == 1 and card(store, second).buried_until == next_day_start(NOW, 4)
    assert card(store, new).buried_until is None  # bury_new is off


def test_interday_learning_siblings_are_buried_only_by_learning_cards(store):
    yesterday = NOW - timedelta(days=1)
    (interday,) = add_cards(store, 1, prefix="d", state=LEARNING, step=1, stability=1.0, difficulty=5.0,
                            due=NOW - timedelta(hours=1), last_review=yesterday, sibling_key="g")
    (review,) = add_review_cards(store, 1, due=NOW - timedelta(hours=1), sibling_key="g")
    rate_now(store, review, GOOD, ALL, NOW)  # a review is gathered after day-long learning
    assert card(store, interday).buried_until is None
    (same_day,) = add_cards(store, 1, prefix="s", state=LEARNING, step=0, stability=1.0, difficulty=5.0,
                            due=NOW - timedelta(minutes=1), last_review=NOW - timedelta(minutes=11),
                            sibling_key="g")
    rate_now(store, same_day, GOOD, ALL, NOW)
    assert card(store, interday).buried_until is not None


def test_the_queue_holds_back_later_siblings_and_counts_agree(store):
    pair = add_cards(store, 2, deck="DL::A", sibling_key="pair")
    lone = add_cards(store, 1, deck="DL::A", prefix="l")
    q = queue(store, NEW_ONLY)
    assert q.new == [pair[0], lone[0]] and q.held_siblings == 1
    assert queue(store, Settings()).new == pair + lone
    with store.session() as session:
        counts = {node.path: node.new for node in deck_counts(session, NEW_ONLY, NOW)}
        assert counts == {"DL": 2, "DL::A": 2}
        assert buried_today(session, NEW_ONLY, NOW).total == 1


def test_a_due_review_holds_back_its_new_sibling_with_bury_new(store):
    (due,) = add_review_cards(store, 1, due=NOW - timedelta(hours=1), deck="D", sibling_key="g")
    (fresh,) = add_cards(store, 1, deck="D", prefix="n", sibling_key="g")
    q = queue(store, NEW_ONLY)
    assert (q.review, q.new) == ([due], [])
    with store.session() as session:
        (node,) = deck_counts(session, NEW_ONLY, NOW)
        assert (node.due, node.new) == (1, 0)


def test_held_back_siblings_do_not_use_up_the_new_limit(store):
    group = add_cards(store, 3, sibling_key="clozes")
    rest = add_cards(store, 2, prefix="x")
    assert queue(store, Settings(new_per_day=3, bury_new=True)).new == [group[0]] + rest


def test_buried_today_says_how_many_and_unbury_brings_them_back(store):
    group = add_cards(store, 3, deck="DL::CNN", sibling_key="clozes")
    _, result = rate_now(store, group[0], GOOD, NEW_ONLY, NOW)
    with store.session() as session:
        counted = buried_today(session, NEW_ONLY, NOW, deck="DL")
        assert (counted.buried, counted.held) == (2, 0)
        assert counted.describe() == "2 sibling cards buried until tomorrow"
        assert buried_today(session, NEW_ONLY, NOW, deck="Other").describe() == ""
    assert unbury(store, NOW, deck="DL") == 2
    assert queue(store, Settings()).new == group[1:]
    undo(store, result.log_id)  # the burials it made are gone already: undo still restores the card
    assert card(store, group[0]).state == 0
