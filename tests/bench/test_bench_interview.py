"""Interview-mode benchmark (run with `python -m pytest tests/bench/test_bench_interview.py --benchmark-enable -s`).

Seeded FSRS learners study through the real queue and rating code (``build_queue``,
``rate_now``, a real SQLite file) for 20 days, then face an interview 14 days later. Each
learner recalls a card with the probability py-fsrs predicts (a new card: ``FIRST_RECALL``)
and grades a recall Hard, Good or Easy at random. From the same history the countdown is
run three ways: interview mode off, on, and off with ``desired_retention`` raised until its
workload matches interview mode's (equal workload). Reported: mean predicted recall on the
day, share of cards at the target, and reviews done, per way, averaged over the learners.
"""

from __future__ import annotations

import random
import shutil
import statistics
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.queue import build_queue
from studyapp.review.readiness import compute_readiness, live_cards
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings
from studyapp.store.database import Store, open_store
from studyapp.store.tables import NEW, Card

CARDS, DECKS = 160, 4
HISTORY_DAYS, COUNTDOWN_DAYS = 20, 14
SEEDS = (0, 1, 2)
FIRST_RECALL = 0.6  # chance a learner knows a card the first time it is shown
SECONDS_PER_ANSWER = 12
START = datetime(2026, 2, 1, 10, 0).astimezone().astimezone(timezone.utc)  # 10:00 local
BASE = Settings(new_per_day=4, reviews_per_day=200)  # burying is off by default


def _seed_cards(store: Store) -> None:
    with store.transaction() as session:
        for i in range(CARDS):
            session.add(Card(id=f"k{i:04d}", front=f"question {i}", back=f"answer {i}", deck=f"DL::T{i % DECKS}",
                             source_file="notes.md", source_line=i + 1, position=i))


def _study_days(store: Store, settings: Settings, first: datetime, days: int, rng: random.Random) -> int:
    """Each day at 10:00 the learner works through the whole queue; returns the answers given."""
    scheduler = make_scheduler(settings)
    answers = 0
    for day in range(days):
        now = first + timedelta(days=day)
        while True:
            with store.session() as session:
                queue = build_queue(session, settings, now)
                card_id = queue.next_card_id()
                card = session.get(Card, card_id) if card_id else None
            if card is None:
                break
            chance = FIRST_RECALL if card.state == NEW else recall_at(card, scheduler, now)
            rating = rng.choices((2, 3, 4), (15, 75, 10))[0] if rng.random() < chance else 1
            rate_now(store, card_id, rating, settings, now)
            answers += 1
            now += timedelta(seconds=SECONDS_PER_ANSWER)
    return answers


def _countdown(history: Path, path: Path, settings: Settings, seed: int, day: date) -> dict:
    shutil.copy(history, path)
    store = open_store(path)
    first = START + timedelta(days=HISTORY_DAYS)
    reviews = _study_days(store, settings, first, COUNTDOWN_DAYS, random.Random(1000 + seed))
    with store.session() as session:
        ready = compute_readiness(live_cards(session, None), settings, day, first + timedelta(days=COUNTDOWN_DAYS))
    store.close()
    return {"recall": ready.overall.mean_recall, "ready": ready.overall.ready_share, "reviews": reviews}


def _history(tmp: Path, seed: int) -> Path:
    path = tmp / f"history{seed}.db"
    store = open_store(path)
    _seed_cards(store)
    _study_days(store, BASE, START, HISTORY_DAYS, random.Random(seed))
    store.close()
    return path


def _matched_retention(history: Path, tmp: Path, seed: int, day: date, reviews: int) -> dict:
    """Interview mode off, desired_retention raised (bisection) until its reviews reach ``reviews``."""
    low, high, best = BASE.desired_retention, 0.99, None
    for step in range(6):
        middle = (low + high) / 2
        run = _countdown(history, tmp / f"match{seed}_{step}.db", replace(BASE, desired_retention=middle), seed, day)
        run["desired_retention"] = middle
        if best is None or abs(run["reviews"] - reviews) < abs(best["reviews"] - reviews):
            best = run
        low, high = (middle, high) if run["reviews"] < reviews else (low, middle)
    return best


def test_interview_mode_recall_on_the_day_at_equal_workload(benchmark, tmp_path):
    if benchmark.disabled:
        pytest.skip("the learner simulation is a benchmark: run with --benchmark-enable")
    day = (START + timedelta(days=HISTORY_DAYS + COUNTDOWN_DAYS)).astimezone().date()
    interview_on = replace(BASE, interview_mode=True, interview_date=day.isoformat())
    results: dict[str, list[dict]] = {"off": [], "on": [], "off, retention raised": []}
    for seed in SEEDS:
        history = _history(tmp_path, seed)
        results["off"].append(_countdown(history, tmp_path / f"off{seed}.db", BASE, seed, day))
        on = _countdown(history, tmp_path / f"on{seed}.db", interview_on, seed, day)
        results["on"].append(on)
        results["off, retention raised"].append(_matched_retention(history, tmp_path, seed, day, on["reviews"]))
    benchmark.pedantic(lambda: None, rounds=1)  # the table is the measurement
    lines = [f"{len(SEEDS)} learners, {CARDS} cards, {HISTORY_DAYS} days of history, interview in "
             f"{COUNTDOWN_DAYS} days, new_per_day {BASE.new_per_day}, target {BASE.interview_target}",
             f"{'interview mode':<24} {'recall on the day':>18} {'ready share':>12} {'reviews':>8}"]
    for name, runs in results.items():
        recall = statistics.mean(r["recall"] for r in runs)
        ready = statistics.mean(r["ready"] for r in runs)
        reviews = statistics.mean(r["reviews"] for r in runs)
        benchmark.extra_info[name] = {"recall": round(recall, 4), "ready": round(ready, 4), "reviews": reviews}
        lines.append(f"{name:<24} {recall:>18.3f} {ready:>12.3f} {reviews:>8.0f}")
    raised = [round(r["desired_retention"], 3) for r in results["off, retention raised"]]
    lines.append(f"(retention raised to {raised} to match interview mode's reviews)")
    print("\n" + "\n".join(lines))
