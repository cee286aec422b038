"""Ratings of one card from several processes at once are applied one after the other.

Each rating reads the card, computes its outcome and writes it in one write transaction, so
the card ends exactly where replaying the review log in order takes it: no rating lost, none
computed from a state another one had already replaced.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from review_seed import add_cards, card, store  # noqa: F401
from sqlmodel import select

from studyapp.review.schedule import make_scheduler, preview
from studyapp.review.settings import Settings
from studyapp.store.tables import NEW, Card, ReviewLog

RATE_LOOP = Path(__file__).with_name("rate_loop.py")
PROCESSES, RATINGS = 4, 500


def _replay(logs: list[ReviewLog]) -> Card:
    """The card after applying ``logs`` one by one to a new card, as if nobody else wrote."""
    scheduler = make_scheduler(Settings(fuzz=False))
    replayed = Card(id="replay", front="", back="", deck="", state=NEW)
    for log in logs:
        outcome = preview(replayed, scheduler, log.reviewed_at).outcome(log.rating)
        replayed.state, replayed.step = outcome.state, outcome.step
        replayed.stability, replayed.difficulty = outcome.stability, outcome.difficulty
        replayed.due, replayed.last_review = outcome.due, log.reviewed_at
        replayed.reps += 1
    return replayed


@pytest.mark.slow
def test_four_processes_rating_one_card_500_times_each_equal_the_sequential_replay(store, db_path):
    (card_id,) = add_cards(store, 1)
    workers = [subprocess.Popen([sys.executable, str(RATE_LOOP), str(db_path), card_id, str(RATINGS), str(n)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(PROCESSES)]
    outputs = [worker.communicate(timeout=600) for worker in workers]
    assert [(worker.returncode, err) for worker, (_, err) in zip(workers, outputs)] == [(0, "")] * PROCESSES
    assert sum(int(out) for out, _ in outputs) == PROCESSES * RATINGS  # every rating reported done
    with store.session() as session:
        logs = list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))
    final = card(store, card_id)
    replayed = _replay(logs)
    tried, kept = PROCESSES * RATINGS, final.reps
    print(f"\nconcurrent ratings: tried {tried}, logged {len(logs)}, in the card's state {kept}, lost {tried - kept}")
    assert len(logs) == tried and final.reps == tried
    assert (final.state, final.step, final.due, final.last_review) == (
        replayed.state, replayed.step, replayed.due, replayed.last_review)
    assert final.stability == pytest.approx(replayed.stability) and final.difficulty == pytest.approx(replayed.difficulty)
    # each rating saw the state the previous one left: the log's snapshots form one chain
    reps_before = [json.loads(log.snapshot_before)["reps"] for log in logs]
    assert reps_before == list(range(tried))
    last_reviews = [json.loads(log.snapshot_before)["last_review"] for log in logs[1:]]
    assert last_reviews == [log.reviewed_at.isoformat() for log in logs[:-1]]
