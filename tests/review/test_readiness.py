"""Readiness on the interview day and the plan, with a frozen clock and a seeded review history."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
from review_seed import NOW, add_cards, card, shanghai, store  # noqa: F401

from studyapp.errors import UserError
from studyapp.review.interview_plan import DEFAULT_SECONDS, plan_for, review_seconds, simulate_plan
from studyapp.review.interview_queue import interview_moment
from studyapp.review.queue import DayProgress
from studyapp.review.readiness import interview_day, live_cards, readiness
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings
from studyapp.store.tables import ReviewLog

pytestmark = pytest.mark.usefixtures("shanghai")  # NOW is 10:00 local on 2026-03-10
DAY = date(2026, 3, 20)
SETTINGS = Settings(fuzz=False)


def seed_history(store, seed: int = 7) -> list[str]:
    """Two decks; most cards rated a few times over the last month with seeded ratings, some never."""
    ids = add_cards(store, 12, deck="DL::Basics", prefix="b") + add_cards(store, 8, deck="DL::RNN", prefix="r")
    rng = random.Random(seed)
    for cid in ids[:-4]:  # the last four (all of DL::RNN's tail) are never studied
        when = NOW - timedelta(days=rng.randint(20, 40))
        for _ in range(rng.randint(1, 4)):
            rate_now(store, cid, rng.choice([1, 2, 3, 3, 4]), SETTINGS, when)
            when += timedelta(days=rng.randint(1, 6))
    return ids


def fsrs_recall(cid: str, store, moment: datetime) -> float:
    """Recall computed directly with py-fsrs from the stored fields."""
    from fsrs import Card as FsrsCard
    from fsrs import Scheduler, State

    row = card(store, cid)
    if row.state == 0:
        return 0.0
    fc = FsrsCard(card_id=1, state=State(row.state), step=row.step, stability=row.stability,
                  difficulty=row.difficulty, due=row.due, last_review=row.last_review)
    return Scheduler().get_card_retrievability(fc, moment)


def test_recall_per_topic_matches_py_fsrs_and_never_studied_counts_zero(store):
    ids = seed_history(store)
    with store.session() as session:
        ready = readiness(session, SETTINGS, DAY, NOW)
    moment = datetime(2026, 3, 20, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    assert ready.moment == moment == interview_moment(DAY)
    expected = {cid: fsrs_recall(cid, store, moment) for cid in ids}
    assert [t.deck for t in ready.topics] == ["DL::Basics", "DL::RNN"]
    for topic, members in zip(ready.topics, (ids[:12], ids[12:])):
        values = [expected[c] for c in members]
        assert topic.cards == len(members)
        assert topic.mean_recall == pytest.approx(sum(values) / len(values))
        assert topic.ready_share == pytest.approx(sum(v >= 0.9 for v in values) / len(values))
        assert [w.recall for w in topic.weakest] == pytest.approx(sorted(values)[:5])
    rnn = ready.topics[1]
    assert [w.id for w in rnn.weakest[:4]] == ids[-4:] and all(w.recall == 0 for w in rnn.weakest[:4])
    assert ready.overall.cards == 20
    assert ready.overall.mean_recall == pytest.approx(sum(expected.values()) / 20)
    assert 0 < ready.overall.mean_recall < 1
    assert ready.days_left == 10


def test_json_contract(store):
    seed_history(store)
    with store.session() as session:
        data = readiness(session, SETTINGS, DAY, NOW).to_json()
    assert set(data) == {"date", "target", "topics", "overall"}
    assert data["date"] == "2026-03-20" and data["target"] == 0.9
    topic = data["topics"][0]
    assert set(topic) == {"deck", "cards", "mean_recall", "ready_share", "weakest"}
    assert set(topic["weakest"][0]) == {"id", "front", "recall"}


def test_the_day_comes_from_the_argument_or_the_setting_and_is_not_past():
    with pytest.raises(UserError, match="no interview date"):
        interview_day(Settings(), None, NOW)
    assert interview_day(Settings(interview_date="2026-04-01"), None, NOW) == date(2026, 4, 1)
    assert interview_day(Settings(interview_date="2026-04-01"), "2026-03-15", NOW) == date(2026, 3, 15)
    with pytest.raises(UserError, match="in the past"):
        interview_day(Settings(), "2026-03-09", NOW)
    with pytest.raises(UserError, match="expected a date"):
        interview_day(Settings(), "next friday", NOW)


def test_plan_for_new_cards_learns_them_all_in_time(store):
    add_cards(store, 30)
    with store.session() as session:
        plan = plan_for(session, live_cards(session, None), Settings(new_per_day=20, fuzz=False), DAY, NOW)
    assert [d.day for d in plan.days] == [date(2026, 3, 10) + timedelta(days=i) for i in range(10)]
    assert sum(d.new for d in plan.days) == 30
    assert plan.days[0].new == 20 and plan.days[1].new == 10
    assert plan.days[0].reviews == 40  # learning steps 1m and 10m: two answers a new card
    assert plan.not_ready == 0
    assert plan.seconds_per_review == DEFAULT_SECONDS and plan.timed_reviews == 0
    assert plan.total_minutes == pytest.approx(plan.total_reviews * DEFAULT_SECONDS / 60)
    assert plan.total_reviews == sum(d.reviews for d in plan.days)


def test_plan_raises_the_new_limit_when_the_day_is_close(store):
    add_cards(store, 30)
    with store.session() as session:
        cards = live_cards(session, None)
    plan = simulate_plan(cards, Settings(new_per_day=5, fuzz=False), date(2026, 3, 14), NOW, DayProgress(0, 0, 0))
    assert [d.new for d in plan.days] == [15, 15, 0, 0]  # 4 days left, new cards done 2 days before
    assert plan.max_new_per_day == 15 and plan.not_ready == 0


def test_plan_reports_cards_the_daily_cap_leaves_behind(store):
    add_cards(store, 30)
    with store.session() as session:
        cards = live_cards(session, None)
    plan = simulate_plan(cards, Settings(reviews_per_day=2, fuzz=False), date(2026, 3, 14), NOW, DayProgress(0, 0, 0))
    assert all(d.new <= 2 for d in plan.days)
    assert plan.not_ready >= 30 - 4 * 2


def test_minutes_come_from_the_learners_review_times_once_there_are_enough(store):
    ids = add_cards(store, 25)
    with store.transaction() as session:
        for i, cid in enumerate(ids):
            session.add(ReviewLog(card_id=cid, rating=3, reviewed_at=NOW - timedelta(days=1, minutes=i),
                                  duration_ms=6000 if i % 2 else 8000))
    with store.session() as session:
        assert review_seconds(session) == (8.0, 25)
        plan = plan_for(session, live_cards(session, None), SETTINGS, DAY, NOW)
    assert plan.seconds_per_review == 8.0
    assert plan.total_minutes == pytest.approx(plan.total_reviews * 8 / 60)
