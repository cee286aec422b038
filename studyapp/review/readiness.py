"""Readiness for the interview: predicted recall of each topic (deck) on the interview day.

Recall is py-fsrs's retrievability of each card at the interview moment (a card never
studied counts 0); a card is *ready* when that is at or above the target. Removed and
suspended cards are left out: the queue will never show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlmodel import Session, col, select

from studyapp.errors import UserError
from studyapp.review.interview_queue import interview_moment
from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.queue import study_day_start
from studyapp.review.settings import Settings
from studyapp.store.queries import IMPORT_ORDER, in_deck
from studyapp.store.tables import Card

WEAKEST = 5  # weakest cards listed per topic


@dataclass(frozen=True)
class CardRecall:
    """One card's predicted recall on the day."""

    id: str
    front: str
    recall: float


@dataclass(frozen=True)
class TopicReadiness:
    """One deck's readiness: mean recall on the day and the share of cards at the target."""

    deck: str
    cards: int
    mean_recall: float
    ready_share: float
    weakest: tuple[CardRecall, ...]


@dataclass(frozen=True)
class Readiness:
    """Every topic's readiness for the interview on ``day`` (recall predicted at ``moment``)."""

    day: date
    moment: datetime
    target: float
    days_left: int  # study days before the interview day, today included
    topics: tuple[TopicReadiness, ...]
    overall: TopicReadiness  # all the topics together (deck "")

    def to_json(self) -> dict:
        """The `studyapp interview --json` contract."""
        return {
            "date": self.day.isoformat(),
            "target": self.target,
            "topics": [_topic_json(topic) for topic in self.topics],
            "overall": {"cards": self.overall.cards, "mean_recall": round(self.overall.mean_recall, 4),
                        "ready_share": round(self.overall.ready_share, 4)},
        }


def _topic_json(topic: TopicReadiness) -> dict:
    return {
        "deck": topic.deck, "cards": topic.cards, "mean_recall": round(topic.mean_recall, 4),
        "ready_share": round(topic.ready_share, 4),
        "weakest": [{"id": c.id, "front": c.front, "recall": round(c.recall, 4)} for c in topic.weakest],
    }


def parse_day(text: str) -> date:
    """'2026-04-01' -> a date; UserError otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"interview date {text!r}: expected a date like 2026-04-01")


def interview_day(settings: Settings, given: Optional[str], now: datetime) -> date:
    """The interview day: ``given`` (DATE on the command line) or the interview_date setting.

    UserError when there is neither, or when the day is already past.
    """
    if given is None and settings.interview_date is None:
        raise UserError("no interview date: give DATE (e.g. 2026-04-01) or set it with "
                        "`studyapp config interview_date 2026-04-01`")
    day = parse_day(given if given is not None else settings.interview_date)
    if day < today(now, settings):
        raise UserError(f"interview date {day.isoformat()} is in the past")
    return day


def today(now: datetime, settings: Settings) -> date:
    """The local date of the study day containing ``now``."""
    return study_day_start(now, settings.day_start_hour).astimezone().date()


def live_cards(session: Session, deck: Optional[str]) -> list[Card]:
    """The cards readiness counts: not removed, not suspended, of ``deck`` and its sub-decks."""
    return list(session.exec(select(Card).where(
        in_deck(deck), col(Card.removed).is_(False), col(Card.suspended).is_(False),
    ).order_by(IMPORT_ORDER)))


def summarise(deck: str, recalls: list[tuple[Card, float]], target: float) -> TopicReadiness:
    """Mean recall, ready share and weakest cards of one group of (card, recall)."""
    count = len(recalls)
    weakest = sorted(recalls, key=lambda pair: (pair[1], pair[0].position, pair[0].id))[:WEAKEST]
    return TopicReadiness(
        deck=deck, cards=count,
        mean_recall=sum(r for _, r in recalls) / count if count else 0.0,
        ready_share=sum(r >= target for _, r in recalls) / count if count else 0.0,
        weakest=tuple(CardRecall(id=c.id, front=c.front, recall=r) for c, r in weakest),
    )


def compute_readiness(cards: list[Card], settings: Settings, day: date, now: datetime,
                      target: Optional[float] = None) -> Readiness:
    """Readiness of ``cards`` for an interview on ``day``, topics in the order the cards come."""
    target = settings.interview_target if target is None else target
    moment = interview_moment(day)
    scheduler = make_scheduler(settings)
    by_deck: dict[str, list[tuple[Card, float]]] = {}
    for card in cards:
        by_deck.setdefault(card.deck, []).append((card, recall_at(card, scheduler, moment)))
    topics = tuple(summarise(deck, pairs, target) for deck, pairs in by_deck.items())
    every = [pair for pairs in by_deck.values() for pair in pairs]
    return Readiness(day=day, moment=moment, target=target, days_left=(day - today(now, settings)).days,
                     topics=topics, overall=summarise("", every, target))


def readiness(session: Session, settings: Settings, day: date, now: datetime,
              deck: Optional[str] = None) -> Readiness:
    """Readiness of the database's cards (``deck`` and its sub-decks) for an interview on ``day``."""
    return compute_readiness(live_cards(session, deck), settings, day, now)
