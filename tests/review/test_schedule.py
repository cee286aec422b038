"""Scheduling: the interval shown is the interval given, logs, lapses, leeches, undo, settings."""

from __future__ import annotations

import json
import random
from datetime import timedelta, timezone

import pytest
from review_seed import NOW, add_cards, add_review_cards, card, store  # noqa: F401
from sqlmodel import select

from studyapp.errors import UserError
from studyapp.review.schedule import (
    SNAPSHOT_FIELDS,
    commit,
    format_interval,
    make_scheduler,
    parse_rating,
    preview,
    rate_now,
    undo,
)
from studyapp.review.settings import Settings, load_settings, parse_value, set_setting
from studyapp.store.tables import LEARNING, NEW, RELEARNING, REVIEW, ReviewLog

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


def logs(store):
    with store.session() as session:
        return list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))


def test_new_card_good_moves_to_second_learning_step(store):
    (cid,) = add_cards(store, 1)
    settings = Settings()
    shown = preview(card(store, cid), make_scheduler(settings), NOW)
    assert [o.label for o in shown.outcomes[:3]] == ["Again · 1m", "Hard · 6m", "Good · 10m"]
    commit(store, shown, GOOD, settings, duration_ms=4200)
    after = card(store, cid)
    assert (after.state, after.step, after.reps) == (LEARNING, 1, 1)
    assert after.due == NOW + timedelta(minutes=10)
    assert after.due.tzinfo == timezone.utc and after.last_review == NOW
    (log,) = logs(store)
    assert (log.rating, log.state_before, log.duration_ms, log.reviewed_at) == (GOOD, NEW, 4200, NOW)


def test_committed_interval_is_the_one_previewed_despite_fuzz(store):
    ids = add_review_cards(store, 5, due=NOW)
    settings = Settings()  # fuzz on
    for cid in ids:
        shown = preview(card(store, cid), make_scheduler(settings), NOW)
        random.seed()  # anything drawing randomness between reveal and rating must not matter
        random.random()
        commit(store, shown, GOOD, settings)
        assert card(store, cid).due == shown.outcome(GOOD).due
    previews = {preview(card(store, ids[0]), make_scheduler(settings), NOW + timedelta(days=40)).outcome(EASY).due
                for _ in range(30)}
    assert len(previews) > 1, "fuzz should spread long intervals"


def test_again_on_review_card_is_a_lapse_into_relearning(store):
    (cid,) = add_review_cards(store, 1, due=NOW)
    shown, _ = rate_now(store, cid, AGAIN, Settings(), NOW)
    after = card(store, cid)
    assert (after.state, after.lapses, after.suspended) == (RELEARNING, 1, False)
    assert after.due == NOW + timedelta(minutes=10)


def test_leech_is_tagged_and_suspended_at_the_lapse_threshold(store):
    (cid,) = add_review_cards(store, 1, due=NOW, lapses=7, tags="cnn")
    _, result = rate_now(store, cid, AGAIN, Settings(leech_lapses=8), NOW)
    after = card(store, cid)
    assert result.became_leech
    assert after.suspended and after.tag_list == ["cnn", "leech"]


def test_undo_restores_every_scheduling_field_and_removes_the_log(store):
    (cid,) = add_review_cards(store, 1, due=NOW, lapses=7)
    before = card(store, cid)
    _, result = rate_now(store, cid, AGAIN, Settings(), NOW)  # lapse + leech
    assert undo(store, result.log_id) == cid
    after = card(store, cid)
    assert {f: getattr(after, f) for f in SNAPSHOT_FIELDS} == {f: getattr(before, f) for f in SNAPSHOT_FIELDS}
    assert logs(store) == []


def test_undo_unburies_the_siblings_it_buried(store):
    first, second = add_cards(store, 2, deck="DL::CNN", sibling_key="pair")
    _, result = rate_now(store, first, GOOD, Settings(bury_new=True), NOW)
    assert result.buried == 1 and card(store, second).buried_until is not None
    undo(store, result.log_id)
    assert card(store, second).buried_until is None


def test_undo_refuses_an_older_rating_of_a_card_rated_again_since(store):
    (cid,) = add_cards(store, 1)
    _, first = rate_now(store, cid, GOOD, Settings(), NOW)
    rate_now(store, cid, GOOD, Settings(), NOW + timedelta(minutes=10))
    with pytest.raises(UserError, match="rated again later"):
        undo(store, first.log_id)


def test_snapshot_is_json_of_the_scheduling_fields(store):
    (cid,) = add_review_cards(store, 1, due=NOW)
    rate_now(store, cid, HARD, Settings(), NOW)
    snapshot = json.loads(logs(store)[0].snapshot_before)
    assert snapshot["state"] == REVIEW and snapshot["stability"] == 10.0
    assert snapshot["due"].startswith("2026-03-10T02:00")


def test_rating_a_missing_card_is_a_user_error(store):
    with pytest.raises(UserError, match="no such card"):
        rate_now(store, "nope", GOOD, Settings(), NOW)


@pytest.mark.parametrize("text, value", [("good", 3), ("Again", 1), ("4", 4)])
def test_parse_rating(text, value):
    assert parse_rating(text) == value


def test_parse_rating_rejects_other_words():
    with pytest.raises(UserError):
        parse_rating("perfect")


@pytest.mark.parametrize("delta, text", [
    (timedelta(seconds=20), "1m"), (timedelta(minutes=10), "10m"), (timedelta(hours=5), "5h"),
    (timedelta(days=3), "3d"), (timedelta(days=63), "2.1mo"), (timedelta(days=548), "1.5y"),
])
def test_format_interval(delta, text):
    assert format_interval(delta) == text


def test_settings_round_trip_and_drive_the_scheduler(store):
    with store.transaction() as session:
        set_setting(session, "learning_steps", parse_value("learning_steps", "2m, 1h"))
        set_setting(session, "fuzz", parse_value("fuzz", "off"))
    with store.session() as session:
        settings = load_settings(session)
    assert settings.learning_steps == (2, 60) and settings.fuzz is False
    assert settings.new_per_day == 20  # never set: default
    (cid,) = add_cards(store, 1)
    shown = preview(card(store, cid), make_scheduler(settings), NOW)
    assert shown.outcome(GOOD).interval == timedelta(hours=1)


def test_setting_back_to_default_removes_the_row(store):
    with store.transaction() as session:
        set_setting(session, "new_per_day", parse_value("new_per_day", "5"))
    with store.transaction() as session:
        set_setting(session, "new_per_day", parse_value("new_per_day", "default"))
    with store.session() as session:
        assert load_settings(session).new_per_day == 20


@pytest.mark.parametrize("key, text, message", [
    ("desired_retention", "1.5", "between"), ("new_per_day", "many", "a whole number between 0 and 9999"),
    ("learning_steps", "10x", "not a step"), ("fuzz", "maybe", "on/off"),
    ("fsrs_parameters", "1, 2, 3", "Expected 21 parameters"), ("colour", "red", "unknown setting"),
])
def test_bad_settings_are_user_errors(key, text, message):
    with pytest.raises(UserError, match=message):
        parse_value(key, text)
