"""A card's review history as the browser shows it, and resetting a card to new (no Textual here).

Each review log row keeps the card's scheduling fields from just before that rating, so the
interval a rating gave is the due date the *next* row saw (the card's own due date for the
latest rating), and the recall FSRS predicted at a review is the retrievability of the state
before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlmodel import Session, select

from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.schedule import RATING_NAMES, scheduling_snapshot
from studyapp.review.settings import Settings
from studyapp.store.database import Store
from studyapp.store.queries import live_card
from studyapp.store.tables import NEW, RESET, STATE_NAMES, Card, ReviewLog


@dataclass(frozen=True)
class HistoryEntry:
    """One rating of a card: when, which, the interval it gave and the recall predicted then."""

    reviewed_at: datetime
    rating: int
    state_before: int
    interval: Optional[timedelta]  # None when the card was reset or changed since
    predicted_recall: Optional[float]  # None for the first review of a new card

    @property
    def rating_name(self) -> str:
        return "Reset" if self.rating == RESET else RATING_NAMES[self.rating - 1].capitalize()

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state_before]


def card_history(session: Session, card: Card, settings: Settings) -> list[HistoryEntry]:
    """Every rating of ``card``, oldest first."""
    logs = list(session.exec(select(ReviewLog).where(ReviewLog.card_id == card.id).order_by(ReviewLog.id)))
    scheduler = make_scheduler(settings)
    snapshots = [json.loads(log.snapshot_before) for log in logs]
    entries = []
    for index, (log, before) in enumerate(zip(logs, snapshots)):
        due_after = _due_after(snapshots[index + 1] if index + 1 < len(snapshots) else None, card, log)
        predicted = None
        if log.rating != RESET and log.state_before != NEW and before.get("last_review") and before.get("stability"):
            then = Card(id=card.id, front="", back="", deck="", state=log.state_before, step=before.get("step"),
                        stability=before["stability"], difficulty=before.get("difficulty"),
                        last_review=datetime.fromisoformat(before["last_review"]))
            predicted = recall_at(then, scheduler, log.reviewed_at)
        entries.append(HistoryEntry(
            reviewed_at=log.reviewed_at, rating=log.rating, state_before=log.state_before,
            interval=due_after - log.reviewed_at if due_after and log.rating != RESET else None,
            predicted_recall=predicted,
        ))
    return entries


def _due_after(next_snapshot: Optional[dict], card: Card, log: ReviewLog) -> Optional[datetime]:
    """The due date this rating set: what the next rating found, or the card's own for the latest;
    None when something else (a reset) rewrote the schedule in between."""
    if next_snapshot is not None:
        last, due = next_snapshot.get("last_review"), next_snapshot.get("due")
    else:
        last = card.last_review.isoformat() if card.last_review else None
        due = card.due.isoformat() if card.due else None
    if not due or not last or datetime.fromisoformat(last) != log.reviewed_at:
        return None
    return datetime.fromisoformat(due)


def reset_card(store: Store, card_id: str, now: datetime) -> Card:
    """Make the card new again (Anki's Forget): schedule cleared, review history, reps and
    lapses kept; a suspended card stays suspended. The history gains a RESET row holding the
    schedule it had (stats, the optimizer and the daily counts skip it; a replay starts the
    card anew there; sync sends it to Anki as a manual revlog entry). One write transaction."""
    with store.transaction() as session:
        card = live_card(session, card_id)
        session.add(ReviewLog(card_id=card.id, rating=RESET, reviewed_at=now, state_before=card.state,
                              snapshot_before=json.dumps(scheduling_snapshot(card) | {"buried_siblings": []})))
        card.state, card.step, card.stability, card.difficulty = NEW, None, None, None
        card.due = card.last_review = card.buried_until = None
        card.updated_at = now
        session.add(card)
    return card
