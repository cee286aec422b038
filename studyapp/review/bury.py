"""Sibling burying, as Anki's v3 scheduler does it.

Siblings are the cards of one note element (``Card.sibling_key``): the two cards of a
reversed pair, the clozes of one note, the cards of one explicit block. Three settings,
all off by default as in Anki, say which siblings of an answered card wait until the next
study day: ``bury_new``, ``bury_reviews`` and ``bury_interday_learning``. Cards in
same-day learning steps are never buried.

Two places apply them, as in Anki (rslib/src/scheduler/bury_and_suspend.rs and
queue/builder/burying.rs):

- answering a card buries its siblings of the enabled kinds, except kinds gathered
  before the answered card's own kind (order: learning, day-long learning, review, new),
  so answering a new card never buries a due review;
- building the day's queue keeps only the first card of a sibling group for each enabled
  kind, in that same gathering order; the others are held back for the day, not buried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from studyapp.review.settings import Settings
from studyapp.store.tables import LEARNING, NEW, RELEARNING, REVIEW, Card

# Kinds in Anki's gathering order; only the last three can be buried.
INTRADAY, INTERDAY, REVIEW_KIND, NEW_KIND = "learning", "interday_learning", "review", "new"
GATHER_ORDER = (INTRADAY, INTERDAY, REVIEW_KIND, NEW_KIND)


def sibling_kind(state: int, last_review: Optional[datetime], day_start: datetime) -> str:
    """Which of Anki's queues a card is in today.

    A learning card last answered before today's study day began is in a day-long step
    (Anki's "interday learning"); one answered today is in a same-day step.
    """
    if state == NEW:
        return NEW_KIND
    if state == REVIEW:
        return REVIEW_KIND
    if last_review is not None and last_review < day_start:
        return INTERDAY
    return INTRADAY


@dataclass(frozen=True)
class BuryRules:
    """Which sibling kinds are buried (Anki's BuryMode)."""

    new: bool = False
    reviews: bool = False
    interday_learning: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "BuryRules":
        return cls(new=settings.bury_new, reviews=settings.bury_reviews,
                   interday_learning=settings.bury_interday_learning)

    @property
    def any(self) -> bool:
        return self.new or self.reviews or self.interday_learning

    def buries(self, kind: str) -> bool:
        return {NEW_KIND: self.new, REVIEW_KIND: self.reviews, INTERDAY: self.interday_learning}.get(kind, False)

    def after_answering(self, kind: str) -> "BuryRules":
        """The rules for siblings of a card of ``kind``: kinds gathered before it are left alone."""
        rank = GATHER_ORDER.index(kind)
        return BuryRules(
            new=self.new,
            reviews=self.reviews and rank <= GATHER_ORDER.index(REVIEW_KIND),
            interday_learning=self.interday_learning and rank <= GATHER_ORDER.index(INTERDAY),
        )


class SiblingGather:
    """Queue-building filter: a card is held back when an earlier-gathered sibling exists
    and its kind is buried. Feed it cards in gathering order."""

    def __init__(self, rules: BuryRules) -> None:
        self.rules = rules
        self.seen: set[str] = set()
        self.held = 0

    def keep(self, sibling_key: str, kind: str) -> bool:
        seen = sibling_key in self.seen
        self.seen.add(sibling_key)
        if seen and self.rules.buries(kind):
            self.held += 1
            return False
        return True


def bury_siblings(session: Session, card: Card, kind: str, settings: Settings, now: datetime,
                  day_start: datetime, until: datetime) -> list[str]:
    """Bury until ``until`` the siblings that answering ``card`` (of ``kind`` before the answer)
    buries under the learner's settings; returns their ids (kept in the review log for undo)."""
    rules = BuryRules.from_settings(settings).after_answering(kind)
    if not rules.any:
        return []
    wanted = []
    if rules.new:
        wanted.append(Card.state == NEW)
    if rules.reviews:
        wanted.append(Card.state == REVIEW)
    if rules.interday_learning:
        wanted.append(col(Card.state).in_((LEARNING, RELEARNING)) & (col(Card.last_review) < day_start))
    ids = list(session.exec(
        select(Card.id).where(
            Card.sibling_key == card.sibling_key, Card.id != card.id, col(Card.removed).is_(False),
            col(Card.suspended).is_(False), or_(*wanted),
            (col(Card.buried_until).is_(None)) | (col(Card.buried_until) <= now),
        )
    ))
    if ids:
        session.exec(update(Card).where(col(Card.id).in_(ids)).values(buried_until=until))
    return ids
