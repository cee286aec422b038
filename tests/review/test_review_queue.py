"""The daily queue with a frozen clock: order, limits, day boundary, burying, suspend, decks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from review_seed import NOW, add_cards, add_review_cards, card, shanghai, store  # noqa: F401

from studyapp.review.queue import (
    build_queue,
    cram_queue,
    deck_counts,
    next_day_start,
    next_due,
    queue_listing,
    set_suspended,
    study_day_start,
)
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings
from studyapp.store.tables import LEARNING, RELEARNING, Card

GOOD = 3
pytestmark = pytest.mark.usefixtures("shanghai")  # NOW is 10:00 local; the day starts 04:00 local


def queue(store, settings=Settings(), now=NOW, deck=None):
    with store.session() as session:
        return build_queue(session, settings, now, deck)


def test_study_day_starts_at_the_configured_local_hour():
    assert study_day_start(NOW, 4) == datetime(2026, 3, 9, 20, 0, tzinfo=timezone.utc)  # 04:00 +08:00
    assert next_day_start(NOW, 4) == datetime(2026, 3, 10, 20, 0, tzinfo=timezone.utc)
    three_am = datetime(2026, 3, 10, 19, 0, tzinfo=timezone.utc)  # 03:00 local on the 11th
    assert study_day_start(three_am, 4) == datetime(2026, 3, 9, 20, 0, tzinfo=timezone.utc)


def test_order_is_learning_then_reviews_then_new(store):
    new = add_cards(store, 2, prefix="n")
    reviews = add_review_cards(store, 2, due=NOW - timedelta(days=1))
    learning = add_cards(store, 1, prefix="l", state=LEARNING, step=1, stability=1.0, difficulty=5.0,
                         due=NOW - timedelta(minutes=1), last_review=NOW - timedelta(minutes=11))
    assert queue(store).ordered == learning + reviews + new


def test_new_cards_stop_at_the_daily_limit_counting_todays_new(store):
    ids = add_cards(store, 30)
    settings = Settings(new_per_day=20)
    assert len(queue(store, settings).new) == 20
    for cid in ids[:5]:
        rate_now(store, cid, GOOD, settings, NOW)
    q = queue(store, settings)
    assert len(q.new) == 15 and q.progress.new_done == 5


def test_review_cap_limits_reviews_and_leaves_no_room_for_new(store):
    add_review_cards(store, 210, due=NOW - timedelta(hours=1))
    add_cards(store, 10, prefix="n")
    q = queue(store, Settings(reviews_per_day=200))
    assert (len(q.review), len(q.new)) == (200, 0)
    q = queue(store, Settings(reviews_per_day=215))
    assert (len(q.review), len(q.new)) == (210, 5)


def test_reviews_due_before_the_next_day_start_count_as_today(store):
    before_4am = datetime(2026, 3, 10, 19, 30, tzinfo=timezone.utc)  # 03:30 local tomorrow
    after_4am = datetime(2026, 3, 10, 20, 30, tzinfo=timezone.utc)  # 04:30 local tomorrow
    early = add_review_cards(store, 1, due=before_4am, prefix="e")
    add_review_cards(store, 1, due=after_4am, prefix="l")
    assert queue(store).review == early


def test_new_limit_resets_when_the_next_study_day_starts(store):
    ids = add_cards(store, 3, deck="A")
    settings = Settings(new_per_day=1)
    rate_now(store, ids[0], GOOD, settings, NOW)
    assert queue(store, settings).new == []
    three_am = datetime(2026, 3, 10, 19, 0, tzinfo=timezone.utc)
    assert queue(store, settings, now=three_am).new == []  # 03:00 still belongs to the same day
    five_am = datetime(2026, 3, 10, 21, 0, tzinfo=timezone.utc)
    assert queue(store, settings, now=five_am).new == [ids[1]]


def test_a_heading_section_is_not_a_sibling_group(store):
    cnn = add_cards(store, 3, deck="DL::CNN", prefix="c")
    every_bury = Settings(bury_new=True, bury_reviews=True, bury_interday_learning=True)
    rate_now(store, cnn[0], GOOD, every_bury, NOW)
    assert queue(store, every_bury).new == cnn[1:]
    assert card(store, cnn[1]).buried_until is None


def test_learning_card_due_soon_is_shown_only_when_nothing_else_is_left(store):
    (waiting,) = add_cards(store, 1, prefix="w", state=RELEARNING, step=0, stability=2.0, difficulty=5.0,
                           due=NOW + timedelta(minutes=5), last_review=NOW - timedelta(minutes=5))
    (later,) = add_cards(store, 1, prefix="x", state=LEARNING, step=0, stability=2.0, difficulty=5.0,
                         due=NOW + timedelta(hours=2), last_review=NOW)
    fresh = add_cards(store, 1, prefix="n", deck="Other")
    assert queue(store).ordered == fresh
    set_suspended(store, fresh[0], True)
    assert queue(store).ordered == [waiting]
    with store.session() as session:
        assert next_due(session, Settings(), NOW) == NOW + timedelta(minutes=5)


def test_suspended_and_removed_cards_are_never_shown(store):
    ids = add_cards(store, 3)
    set_suspended(store, ids[0], True)
    with store.transaction() as session:
        gone = session.get(type(card(store, ids[1])), ids[1])
        gone.removed = True
        session.add(gone)
    assert queue(store).new == [ids[2]]
    set_suspended(store, ids[0], False)
    assert queue(store).new == [ids[0], ids[2]]


def test_deck_filter_includes_sub_decks_only(store):
    a = add_cards(store, 1, deck="DL::CNN::Pooling", prefix="a")
    add_cards(store, 1, deck="DL::CNNX", prefix="b")
    assert queue(store, deck="DL::CNN").new == a


def test_deck_counts_roll_up_the_heading_tree(store):
    add_cards(store, 2, deck="DL::CNN", prefix="c")
    add_review_cards(store, 3, due=NOW - timedelta(days=1), deck="DL::RNN", prefix="r")
    add_cards(store, 1, deck="Math", prefix="m")
    with store.session() as session:
        counts = {n.path: (n.depth, n.new, n.learning, n.due) for n in deck_counts(session, Settings(), NOW)}
    assert counts == {
        "DL": (0, 2, 0, 3), "DL::CNN": (1, 2, 0, 0), "DL::RNN": (1, 0, 0, 3), "Math": (0, 1, 0, 0),
    }


def test_deck_counts_are_capped_by_the_daily_new_limit(store):
    add_cards(store, 30, deck="DL")
    with store.session() as session:
        (node,) = deck_counts(session, Settings(new_per_day=20), NOW)
    assert (node.new, node.total) == (20, 30)


def test_cram_walks_every_card_of_the_deck_even_if_not_due(store):
    reviews = add_review_cards(store, 2, due=NOW + timedelta(days=30), deck="DL::CNN")
    with store.session() as session:
        assert cram_queue(session, "DL::CNN", NOW) == reviews


def test_next_due_is_tomorrow_when_only_new_cards_over_the_limit_remain(store):
    add_cards(store, 1)
    with store.session() as session:
        assert next_due(session, Settings(new_per_day=0), NOW) == next_day_start(NOW, 4)


def test_queue_listing_names_each_card_queue(store):
    add_cards(store, 1, prefix="n")
    add_review_cards(store, 1, due=NOW)
    with store.session() as session:
        listing = queue_listing(session, build_queue(session, Settings(), NOW))
    assert [(c["id"], c["queue"]) for c in listing["cards"]] == [("r00000", "review"), ("n00000", "new")]
    assert listing["counts"]["review"] == 1


def test_next_due_looks_only_at_the_deck_being_studied(store):
    add_cards(store, 1, deck="DL::CNN", prefix="c")
    add_review_cards(store, 1, due=NOW + timedelta(hours=3), deck="DL::RNN")
    with store.session() as session:
        assert next_due(session, Settings(), NOW, deck="DL::RNN") == NOW + timedelta(hours=3)
        assert next_due(session, Settings(new_per_day=0), NOW, deck="DL::CNN") == next_day_start(NOW, 4)


def test_cram_walks_buried_cards_but_not_suspended_or_removed(store):
    ids = add_cards(store, 4, deck="基础知识", sibling_key="clozes")
    rate_now(store, ids[0], GOOD, Settings(bury_new=True), NOW)  # buries its siblings until tomorrow
    assert card(store, ids[1]).buried_until is not None
    set_suspended(store, ids[2], True)
    with store.transaction() as session:
        removed = session.get(Card, ids[3])
        removed.removed = True
        session.add(removed)
    with store.session() as session:
        assert cram_queue(session, "基础知识", NOW) == ids[:2]
