"""Even-workload benchmark (run with `python -m pytest tests/bench/test_bench_workload.py --benchmark-enable -s`).

Seeded FSRS learners study 2,000 cards for one simulated year, 20 new cards a day, every
due card every day. Each answer goes through the real ``preview`` (py-fsrs, and the real
``LoadBalancer.balance`` when the balancer is on); only the day loads come from memory
instead of SQLite, so a year takes seconds. A learner recalls a card with the probability
py-fsrs predicts (a new card: ``FIRST_RECALL``), grades a recall Hard, Good or Easy at
random, and relearns a lapse the same day. Reported, balancer off and on: the day-to-day
coefficient of variation of the daily review count (std of each day's count minus its
centred 7-day mean, over the mean; the slow trend of a growing collection left out),
the plain CV over the year and over the steady part (from a month after the last new
card), and true retention (share of reviews recalled).
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from studyapp.review.load_balance import LoadBalancer
from studyapp.review.memory import fsrs_card, make_scheduler
from studyapp.review.queue import study_day_start
from studyapp.review.schedule import preview
from studyapp.review.settings import Settings
from studyapp.store.tables import NEW, REVIEW, Card

CARDS, DAYS, NEW_PER_DAY = 2000, 365, 20
STEADY_FROM = CARDS // NEW_PER_DAY + 30  # a month after the last new card
SEEDS = (0, 1, 2)
FIRST_RECALL = 0.6
START = datetime(2026, 1, 5, 10, 0).astimezone().astimezone(timezone.utc)  # a Monday, 10:00 local


class MemoryBalancer(LoadBalancer):
    """The real balancer, reading the day loads from the simulation instead of the database."""

    def __init__(self, settings: Settings, due_days: Counter, today: list[int]) -> None:
        super().__init__(store=None, settings=settings)
        self.due_days, self.today = due_days, today

    def _loads(self, card, day0, first, last):
        return {d: self.due_days[self.today[0] + d] for d in range(first, last + 1)}, set()


def _answer(card: Card, now: datetime, rating: int, scheduler, balancer) -> int:
    """Apply ``rating`` through the real preview; returns the card's new due day offset."""
    chosen = preview(card, scheduler, now, balancer).outcome(rating)
    card.state, card.step, card.stability, card.difficulty = chosen.state, chosen.step, chosen.stability, chosen.difficulty
    card.due, card.last_review = chosen.due, now
    return (chosen.due - study_day_start(now, 4)).days


def _learn(card, now, scheduler, balancer, rng) -> int:
    """Steps of a new or lapsed card, the same day, until it graduates; returns its due day offset."""
    rating = 1 if card.state == NEW and rng.random() >= FIRST_RECALL else 3
    while True:
        offset = _answer(card, now, rating, scheduler, balancer)
        if card.state == REVIEW:
            return offset
        now, rating = card.due, 3


def simulate(seed: int, balanced: bool) -> dict:
    rng = random.Random(seed)
    random.seed(seed)  # py-fsrs's fuzz and the balancer draw from the global random
    settings = Settings(load_balancer=balanced)
    scheduler = make_scheduler(settings)
    due_days: Counter = Counter()
    today = [0]
    balancer = MemoryBalancer(settings, due_days, today) if balanced else None
    cards = [Card(id=f"c{i}", front="", back="", deck="D", sibling_key=f"c{i}", state=NEW) for i in range(CARDS)]
    due_day: dict[int, int] = {}
    reviews, recalled = [], 0
    for day in range(DAYS):
        today[0] = day
        now = START + timedelta(days=day)
        done = 0
        for i in [i for i, d in due_day.items() if d <= day]:
            card = cards[i]
            due_days[due_day[i]] -= 1
            recall = rng.random() < scheduler.get_card_retrievability(fsrs_card(card, now), now)
            if recall:
                recalled += 1
                rating = rng.choices((2, 3, 4), (15, 75, 10))[0]
                offset = _answer(card, now, rating, scheduler, balancer)
            else:
                _answer(card, now, 1, scheduler, balancer)
                offset = _learn(card, card.due, scheduler, balancer, rng)
            due_day[i] = day + offset
            due_days[day + offset] += 1
            done += 1
            now += timedelta(seconds=10)
        first_new = day * NEW_PER_DAY
        for i in range(first_new, min(first_new + NEW_PER_DAY, CARDS)):
            due_day[i] = day + _learn(cards[i], now, scheduler, balancer, rng)
            due_days[due_day[i]] += 1
        reviews.append(done)
    steady = reviews[STEADY_FROM:]
    week = [statistics.mean(reviews[max(0, d - 3):d + 4]) for d in range(len(reviews))]  # centred 7-day mean
    spread = [count - mean for count, mean in zip(reviews, week)][STEADY_FROM:]
    return {
        "cv_day_to_day": statistics.pstdev(spread) / statistics.mean(steady),
        "cv_year": statistics.pstdev(reviews[1:]) / statistics.mean(reviews[1:]),
        "cv_steady": statistics.pstdev(steady) / statistics.mean(steady),
        "retention": recalled / sum(reviews), "reviews": sum(reviews),
        "max_day": max(steady), "min_day": min(steady),
    }


def test_load_balancer_evens_the_daily_reviews_and_keeps_retention(benchmark):
    if benchmark.disabled:
        pytest.skip("the learner simulation is a benchmark: run with --benchmark-enable")
    results = {name: [simulate(seed, balanced) for seed in SEEDS]
               for name, balanced in (("balancer off", False), ("balancer on", True))}
    benchmark.pedantic(lambda: None, rounds=1)  # the table is the measurement
    lines = [f"{len(SEEDS)} learners, {CARDS} cards, {DAYS} days, {NEW_PER_DAY} new a day, every due card done; "
             f"steady: day {STEADY_FROM} on",
             f"{'':<14} {'CV day-to-day':>14} {'CV year':>8} {'CV steady':>10} {'retention':>10} {'reviews':>8} "
             f"{'steady min-max':>15}"]
    for name, runs in results.items():
        row = {key: statistics.mean(r[key] for r in runs) for key in runs[0]}
        benchmark.extra_info[name] = {key: round(value, 4) for key, value in row.items()}
        lines.append(f"{name:<14} {row['cv_day_to_day']:>14.3f} {row['cv_year']:>8.3f} {row['cv_steady']:>10.3f} {row['retention']:>10.3f} "
                     f"{row['reviews']:>8.0f} {row['min_day']:>7.0f}-{row['max_day']:<7.0f}")
    print("\n" + "\n".join(lines))
    off, on = (statistics.mean(r["cv_day_to_day"] for r in results[k]) for k in ("balancer off", "balancer on"))
    assert on < off  # the direction, not a timing
