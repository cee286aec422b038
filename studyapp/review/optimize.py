"""Fit personal FSRS parameters to the review log (`studyapp optimize`).

The fit itself needs torch (fsrs's ``Optimizer``), so it runs in a child process
(``python -m studyapp.review.optimize``, review history in on stdin, parameters out on stdout as
JSON): the app process never imports torch. Everything else (reading the log, refusing a
log that is too short, measuring the log loss before and after, storing the parameters)
happens here in plain Python.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlmodel import select

from studyapp.errors import UserError
from studyapp.review.settings import Settings, set_setting
from studyapp.store.database import Store
from studyapp.store.tables import RESET, ReviewLog

# fsrs's Optimizer returns the default parameters unless it sees at least this many reviews
# made a day or more after the card's previous review (its mini-batch size).
MIN_REVIEWS = 512
AGAIN = 1
_EPSILON = 1e-9

History = list[tuple[int, int, datetime]]  # (card number, rating, reviewed_at), by time


@dataclass(frozen=True)
class OptimizeResult:
    reviews: int  # reviews that count for the fit (a day or more after the previous one)
    cards: int
    loss_before: float
    loss_after: float
    parameters: list[float]


def load_history(store: Store) -> History:
    """Every review in the log, card ids replaced by small integers (fsrs wants ints).

    A reset starts the card anew: its later reviews get a number of their own, as a new
    card's would, and the reset row itself is no review.
    """
    numbers: dict[str, int] = {}  # card id -> the number of its current run of reviews
    runs = 0
    history: History = []
    with store.session() as session:
        rows = session.exec(
            select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at)
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        ).all()
    for cid, rating, at in rows:
        if rating == RESET:
            numbers.pop(cid, None)
            continue
        if cid not in numbers:
            numbers[cid], runs = runs, runs + 1
        history.append((numbers[cid], rating, at))
    return history


def log_loss(parameters: Sequence[float], history: History) -> tuple[float, int]:
    """Mean log loss of predicted recall over reviews a day or more apart, and their count.

    This replays each card's reviews as fsrs's Optimizer does when it scores parameters.
    """
    from fsrs import Card, Rating, Scheduler

    scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
    cards: dict[int, Card] = {}
    total, count = 0.0, 0
    for number, rating, at in history:
        card = cards.get(number) or Card(card_id=number + 1, due=at)
        if card.last_review is not None and (at - card.last_review).days > 0:
            p = min(max(scheduler.get_card_retrievability(card, at), _EPSILON), 1 - _EPSILON)
            recalled = rating != AGAIN
            total -= math.log(p) if recalled else math.log(1 - p)
            count += 1
        cards[number], _ = scheduler.review_card(card, Rating(rating), review_datetime=at)
    return (total / count if count else math.nan), count


def optimize(store: Store, settings: Settings) -> OptimizeResult:
    """Fit, report and store new parameters; UserError when the log is too short."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    history = load_history(store)
    current = list(settings.fsrs_parameters or DEFAULT_PARAMETERS)
    loss_before, counted = log_loss(current, history)
    if counted < MIN_REVIEWS:
        raise UserError(
            f"optimize needs at least {MIN_REVIEWS} reviews made a day or more after the card's "
            f"previous review to fit FSRS parameters; {counted} so far ({len(history)} reviews in all). "
            "Keep reviewing and try again later."
        )
    fitted = _fit_in_child(history)
    loss_after, _ = log_loss(fitted, history)
    with store.transaction() as session:
        set_setting(session, "fsrs_parameters", tuple(fitted))
    return OptimizeResult(
        reviews=counted, cards=len({number for number, _, _ in history}),
        loss_before=loss_before, loss_after=loss_after, parameters=fitted,
    )


def _fit_in_child(history: History) -> list[float]:
    payload = json.dumps([[number, rating, at.isoformat()] for number, rating, at in history])
    done = subprocess.run([sys.executable, "-m", "studyapp.review.optimize"], input=payload,
                          capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"the optimizer failed: {last}")
    return [float(x) for x in json.loads(done.stdout)]


def _child_main() -> None:
    """Child process: read the history on stdin, print fitted parameters as JSON."""
    from fsrs import Optimizer, Rating
    from fsrs import ReviewLog as FsrsReviewLog

    rows = json.load(sys.stdin)
    logs = [
        FsrsReviewLog(card_id=number + 1, rating=Rating(rating),
                      review_datetime=datetime.fromisoformat(at), review_duration=None)
        for number, rating, at in rows
    ]
    json.dump(Optimizer(logs).compute_optimal_parameters(), sys.stdout)


if __name__ == "__main__":
    _child_main()
