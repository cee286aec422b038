"""How many cards the bury settings keep from today's queue, and Anki's "unbury".

The deck list and the all-done screen show ``buried_today(...).describe()`` with the way
to study those cards anyway: cram the deck (``cram_queue`` walks buried cards too) or
``unbury`` (``studyapp unbury``), which lifts today's burials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from studyapp.review.bury import BuryRules
from studyapp.review.queue import build_queue, next_day_start
from studyapp.review.settings import Settings
from studyapp.store.database import Store
from studyapp.store.queries import in_deck
from studyapp.store.tables import NEW, Card


@dataclass(frozen=True)
class BuriedToday:
    """Cards left out of today's queue because of their siblings (the bury settings).

    ``buried``: buried when a sibling was answered, until the next study day; ``unbury``
    brings them back now. ``held``: held back while the queue was built, because a
    sibling comes first today. Cram (``cram_queue``) shows both.
    """

    buried: int
    held: int

    @property
    def total(self) -> int:
        return self.buried + self.held

    def describe(self) -> str:
        """'3 sibling cards buried until tomorrow' (empty when there are none)."""
        if not self.total:
            return ""
        return f"{self.total} sibling card{'s' if self.total != 1 else ''} buried until tomorrow"


def buried_today(session: Session, settings: Settings, now: datetime, deck: Optional[str] = None) -> BuriedToday:
    """How many cards of ``deck`` (default: all) the bury settings keep from today's queue.

    Counts new cards and cards due before the next study day starts; what a cram walk or
    ``unbury`` would let the learner study anyway.
    """
    day_end = next_day_start(now, settings.day_start_hour)
    buried = session.exec(
        select(func.count()).select_from(Card).where(
            col(Card.removed).is_(False), col(Card.suspended).is_(False), in_deck(deck),
            col(Card.buried_until) > now, or_(Card.state == NEW, Card.due < day_end),
        )
    ).one()
    held = build_queue(session, settings, now, deck).held_siblings if BuryRules.from_settings(settings).any else 0
    return BuriedToday(buried=buried, held=held)


def unbury(store: Store, now: datetime, deck: Optional[str] = None) -> int:
    """Lift today's burials in ``deck`` (default: all), Anki's "unbury"; returns how many."""
    with store.transaction() as session:
        result = session.exec(
            update(Card).where(in_deck(deck), col(Card.buried_until) > now).values(buried_until=None)
        )
        return result.rowcount
