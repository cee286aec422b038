"""Rebuild a card's FSRS state from its whole review log, in time order.

Used when reviews made elsewhere (Anki on the phone) join a card's log: the card then has
one state that accounts for every review on both sides, as py-fsrs's ``reschedule_card``
would give, plus the card's scheduling fields before each review (``snapshot_before``),
so a row that came from elsewhere looks like one made here.
"""

from __future__ import annotations

from dataclasses import dataclass

from studyapp.review.memory import fsrs_card, make_scheduler
from studyapp.review.schedule import AGAIN, scheduling_snapshot
from studyapp.review.settings import Settings
from studyapp.store.tables import NEW, RESET, REVIEW, Card, ReviewLog


@dataclass(frozen=True)
class Replayed:
    """One review of the replay: the log row and the card's fields just before it."""

    log: ReviewLog
    state_before: int
    snapshot_before: dict


def replay_card(card: Card, logs: list[ReviewLog], settings: Settings) -> list[Replayed]:
    """Set ``card``'s scheduling fields as if ``logs`` were its only reviews, oldest first.

    Suspension, tags and burying are not scheduling and stay as they are. Lapses count an
    Again on a card in review, as a rating here does; the leech rule is not re-applied. A
    reset row makes the card new again at its moment (the later ratings start from there).
    """
    from fsrs import Rating

    scheduler = make_scheduler(settings)
    card.state, card.step, card.stability, card.difficulty = NEW, None, None, None
    card.due = card.last_review = None
    card.reps = card.lapses = 0
    replayed = []
    for log in sorted(logs, key=lambda row: (row.reviewed_at, row.id or 0)):
        snapshot = scheduling_snapshot(card) | {"buried_siblings": []}
        replayed.append(Replayed(log=log, state_before=card.state, snapshot_before=snapshot))
        if log.rating == RESET:  # made new again here, as reset_card did (reps and lapses kept)
            card.state, card.step, card.stability, card.difficulty = NEW, None, None, None
            card.due = card.last_review = None
            continue
        before = fsrs_card(card, log.reviewed_at)
        after, _ = scheduler.review_card(before, Rating(log.rating), review_datetime=log.reviewed_at)
        if log.rating == AGAIN and card.state == REVIEW:
            card.lapses += 1
        card.state, card.step = int(after.state), after.step
        card.stability, card.difficulty = after.stability, after.difficulty
        card.due, card.last_review = after.due, log.reviewed_at
        card.reps += 1
    return replayed
