"""The load balancer and Easy Days: days within py-fsrs's fuzz range, light days, siblings apart."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from review_seed import NOW, add_review_cards, card, shanghai, store  # noqa: F401

from studyapp.review.load_balance import LoadBalancer, choose_interval, fuzz_range
from studyapp.review.memory import make_scheduler
from studyapp.review.queue import study_day_start
from studyapp.review.schedule import preview
from studyapp.review.settings import Settings

GOOD = 3
pytestmark = pytest.mark.usefixtures("shanghai")


def weekday(day: int) -> int:
    return day % 7


def test_the_fuzz_range_is_the_one_py_fsrs_draws_from():
    scheduler = make_scheduler(Settings())
    random.seed(7)
    for days in (3, 4, 7, 10, 30, 89):
        low, high = fuzz_range(days, 36500)
        drawn = {scheduler._get_fuzzed_interval(interval=timedelta(days=days)).days for _ in range(2000)}
        assert low == min(drawn) and high in drawn and max(drawn) <= high + 1  # py-fsrs rounds up to high + 1
    assert fuzz_range(2, 36500) == (2, 2) and fuzz_range(100, 98) == (93, 98)


def test_a_balanced_interval_stays_within_the_fuzz_range_and_prefers_light_days():
    rng = random.Random(1)
    loads = {day: 50 for day in range(200)}
    loads[31] = 0  # the one light day, at the edge of 30's range (27..33)
    chosen = Counter(choose_interval(30, 36500, loads.get, weekday, rng=rng) for _ in range(500))
    assert set(chosen) <= set(range(27, 34))
    assert chosen[31] > 450
    for days in range(3, 91):
        low, high = fuzz_range(days, 36500)
        assert all(low <= choose_interval(days, 36500, lambda d: d % 5, weekday, rng=rng) <= high for _ in range(20))


def test_long_and_short_intervals_are_not_balanced():
    assert choose_interval(91, 36500, lambda d: 0, weekday) is None
    assert choose_interval(2, 36500, lambda d: 0, weekday) is None


def test_a_minimum_easy_day_gets_almost_nothing_and_a_reduced_one_less():
    rng = random.Random(2)
    easy = ("normal", "normal", "reduced", "minimum", "normal", "normal", "normal")
    loads = Counter()
    for _ in range(3000):  # cards scheduled 10 days out (range 8..12) one after another
        day = choose_interval(10, 36500, lambda d: loads[d], weekday, easy_days=easy, rng=rng)
        loads[day] += 1
    per_weekday = {weekday(day): count for day, count in loads.items()}
    assert per_weekday[3] < 0.1 * per_weekday[1]  # day 10: Thursday, minimum
    assert 0.3 * per_weekday[1] < per_weekday[2] < 0.7 * per_weekday[1]  # day 9: Wednesday, reduced


def test_siblings_are_kept_off_the_same_day_when_reviews_bury_siblings(store):
    busy = NOW.replace(hour=2)
    for day in range(1, 60):  # an even load on every day
        add_review_cards(store, 3, due=busy + timedelta(days=day), prefix=f"l{day:02d}_")
    (cid,) = add_review_cards(store, 1, due=NOW, prefix="me", sibling_key="pair")
    settings = Settings(bury_reviews=True)
    scheduler = make_scheduler(settings)
    me = card(store, cid)
    good = preview(me, make_scheduler(Settings(fuzz=False)), NOW).outcome(GOOD).interval.days
    low, high = fuzz_range(good, settings.maximum_interval)
    sibling_day = (low + high) // 2
    add_review_cards(store, 1, due=study_day_start(NOW, 4) + timedelta(days=sibling_day, hours=6),
                     prefix="sib", sibling_key="pair")
    random.seed(3)
    balancer = LoadBalancer(store, settings)
    days = Counter(preview(me, scheduler, NOW, balancer).outcome(GOOD).interval.days for _ in range(300))
    assert set(days) <= set(range(low, high + 1)) and days[sibling_day] == 0
    near = Counter(preview(me, scheduler, NOW, LoadBalancer(store, Settings())).outcome(GOOD).interval.days
                   for _ in range(300))
    assert near[sibling_day] > 0  # without bury_reviews the sibling's day is a day like the others


def test_the_shown_interval_is_the_one_committed_and_off_means_py_fsrs_fuzz(store):
    from studyapp.review.schedule import rate_now

    (cid,) = add_review_cards(store, 1, due=NOW)
    shown, result = rate_now(store, cid, GOOD, Settings(), NOW)
    assert card(store, cid).due == shown.outcome(GOOD).due
    assert LoadBalancer.for_settings(store, Settings(load_balancer=False)) is None
    assert LoadBalancer.for_settings(store, Settings(fuzz=False)) is None
