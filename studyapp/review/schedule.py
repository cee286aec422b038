"""FSRS scheduling of one card: preview the four outcomes, commit the chosen one, undo it.

py-fsrs draws interval fuzz from the global ``random``, so the four outcomes are computed
once (``preview``) when the answer is revealed; the buttons show those intervals and
``commit`` stores exactly the outcome shown. A commit reads the card, checks it, writes the
card, its review-log row (with a JSON snapshot of the card before), any buried siblings and
a leech suspension in one write transaction (``BEGIN IMMEDIATE``), so a rating is either
fully on disk or not at all, and two ratings of one card at once are applied one after the
other. A preview remembers the card it was computed from: if another process rated or
changed that card since, ``commit`` refuses with ``CardChanged`` rather than store an
outcome computed from a stale card.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import update
from sqlmodel import col, select

from studyapp.errors import UserError
from studyapp.review.bury import bury_siblings, sibling_kind
from studyapp.review.memory import fsrs_card, make_scheduler  # noqa: F401  (make_scheduler: re-exported)
from studyapp.review.load_balance import LoadBalancer
from studyapp.review.queue import next_day_start, study_day_start
from studyapp.review.settings import Settings
from studyapp.store.database import Store
from studyapp.store.queries import live_card
from studyapp.store.tables import REVIEW, Card, ReviewLog

RATING_NAMES = ("again", "hard", "good", "easy")  # index + 1 is the fsrs Rating value
AGAIN = 1
LEECH_TAG = "leech"
# Every Card field a rating may change; the review log keeps them so undo restores exactly.
SNAPSHOT_FIELDS = (
    "state", "step", "stability", "difficulty", "due", "last_review",
    "reps", "lapses", "suspended", "tags", "buried_until",
)
_DATETIME_FIELDS = {"due", "last_review", "buried_until"}


@dataclass(frozen=True)
class Outcome:
    """The card's scheduling fields after one rating."""

    rating: int
    state: int
    step: Optional[int]
    stability: float
    difficulty: float
    due: datetime
    interval: timedelta

    @property
    def label(self) -> str:
        """'Good · 3d': what the button for this rating shows."""
        return f"{RATING_NAMES[self.rating - 1].capitalize()} · {format_interval(self.interval)}"


@dataclass(frozen=True)
class Preview:
    """The four possible outcomes of reviewing one card at one moment."""

    card_id: str
    reviewed_at: datetime
    outcomes: tuple[Outcome, Outcome, Outcome, Outcome]
    basis: tuple = ()  # the card's scheduling fields the outcomes were computed from

    def outcome(self, rating: int) -> Outcome:
        return self.outcomes[rating - 1]


@dataclass(frozen=True)
class CommitResult:
    """What a committed rating did, for the screen to tell the learner."""

    log_id: int
    card: Card
    became_leech: bool
    buried: int


class CardChanged(UserError):
    """The card was rated or changed by someone else since its outcomes were previewed."""

    def __init__(self, card: Card) -> None:
        super().__init__(f"card {card.id} changed since its answer was shown (rated elsewhere?); "
                         "its intervals are shown again")
        self.card = card


def parse_rating(text: str) -> int:
    """'good' or '3' -> 3; UserError otherwise."""
    word = text.strip().lower()
    if word in RATING_NAMES:
        return RATING_NAMES.index(word) + 1
    if word in {"1", "2", "3", "4"}:
        return int(word)
    raise UserError(f"rating {text!r}: expected one of {', '.join(RATING_NAMES)} (or 1-4)")


def format_interval(interval: timedelta) -> str:
    """A short human interval: 1m, 10m, 5h, 3d, 2.1mo, 1.5y."""
    minutes = interval.total_seconds() / 60
    if minutes < 60:
        return f"{max(1, round(minutes))}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def preview(card: Card, scheduler, now: datetime, balancer: Optional[LoadBalancer] = None) -> Preview:
    """The outcome of each rating if ``card`` were answered at ``now`` (fuzz drawn once).

    With a ``balancer``, review intervals land on a light day of their fuzz range.
    """
    from fsrs import Rating

    now = now.astimezone(timezone.utc)  # py-fsrs accepts only the timezone.utc tzinfo
    before = fsrs_card(card, now)
    afters = [scheduler.review_card(before, rating, review_datetime=now)[0] for rating in Rating]
    if balancer is not None:
        balancer.balance(card, before, now, afters)
    outcomes = []
    for rating, after in zip(Rating, afters):
        outcomes.append(Outcome(
            rating=int(rating), state=int(after.state), step=after.step,
            stability=after.stability, difficulty=after.difficulty,
            due=after.due, interval=after.due - now,
        ))
    return Preview(card_id=card.id, reviewed_at=now, outcomes=tuple(outcomes), basis=_basis(card))


def _basis(card: Card) -> tuple:
    return tuple(getattr(card, name) for name in SNAPSHOT_FIELDS)


def scheduling_snapshot(card: Card) -> dict:
    """The card's scheduling fields as JSON-ready values (a log row's ``snapshot_before``)."""
    data = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(card, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def _restore(card: Card, data: dict) -> None:
    for name in SNAPSHOT_FIELDS:
        value = data[name]
        if name in _DATETIME_FIELDS and value is not None:
            value = datetime.fromisoformat(value)
        setattr(card, name, value)



def commit(store: Store, shown: Preview, rating: int, settings: Settings,
           duration_ms: Optional[int] = None, wait_ms: Optional[int] = None) -> CommitResult:
    """Store the previewed outcome of ``rating`` with its review log, in one write transaction.

    The card is read under the write lock: ``CardChanged`` when it is no longer the card the
    preview was computed from, a ``UserError`` when it was removed or suspended meanwhile,
    ``DatabaseLocked`` when another writer kept the lock longer than ``wait_ms``.
    """
    with store.transaction(wait_ms=wait_ms) as session:
        card = _rateable(session, shown.card_id)
        if _basis(card) != shown.basis:
            session.expunge(card)  # handed over as read: the rollback must not expire it
            raise CardChanged(card)
        return _apply(session, card, shown, rating, settings, duration_ms)


def _rateable(session, card_id: str) -> Card:
    card = live_card(session, card_id)
    if card.suspended:
        raise UserError(f"card {card.id} is suspended; studyapp unsuspend {card.id} first")
    return card


def _apply(session, card: Card, shown: Preview, rating: int, settings: Settings,
           duration_ms: Optional[int]) -> CommitResult:
    """Write the outcome onto ``card`` (read in this transaction), its log row and burials."""
    chosen = shown.outcome(rating)
    snapshot = scheduling_snapshot(card)
    state_before = card.state
    day_start = study_day_start(shown.reviewed_at, settings.day_start_hour)
    kind_before = sibling_kind(card.state, card.last_review, day_start)
    card.state, card.step = chosen.state, chosen.step
    card.stability, card.difficulty = chosen.stability, chosen.difficulty
    card.due, card.last_review = chosen.due, shown.reviewed_at
    card.reps += 1
    card.updated_at = shown.reviewed_at
    became_leech = False
    if rating == AGAIN and state_before == REVIEW:
        card.lapses += 1
        if card.lapses >= settings.leech_lapses:
            became_leech = True
            card.suspended = True
            if LEECH_TAG not in card.tag_list:
                card.tags = " ".join(card.tag_list + [LEECH_TAG])
    until = next_day_start(shown.reviewed_at, settings.day_start_hour)
    buried = bury_siblings(session, card, kind_before, settings, shown.reviewed_at, day_start, until)
    snapshot["buried_siblings"] = buried
    log = ReviewLog(
        card_id=card.id, rating=rating, reviewed_at=shown.reviewed_at,
        duration_ms=duration_ms, state_before=state_before,
        snapshot_before=json.dumps(snapshot),
    )
    session.add(card)
    session.add(log)
    session.flush()
    return CommitResult(log_id=log.id, card=card, became_leech=became_leech, buried=len(buried))


def undo(store: Store, log_id: int) -> str:
    """Take back one rating: the card as it was, siblings unburied, log row gone.

    Returns the card id. Refuses when the card was rated again after this rating,
    since restoring an older state would silently drop the later one.
    """
    with store.transaction() as session:
        log = session.get(ReviewLog, log_id)
        if log is None:
            raise UserError(f"review {log_id}: nothing to undo")
        later = session.exec(
            select(ReviewLog.id).where(ReviewLog.card_id == log.card_id, ReviewLog.id > log_id)
        ).first()
        if later is not None:
            raise UserError(f"card {log.card_id} was rated again later; undo that first")
        data = json.loads(log.snapshot_before)
        card = session.get(Card, log.card_id)
        _restore(card, data)
        session.add(card)
        if data["buried_siblings"]:
            session.exec(
                update(Card).where(col(Card.id).in_(data["buried_siblings"])).values(buried_until=None)
            )
        session.delete(log)
        return log.card_id


def rate_now(store: Store, card_id: str, rating: int, settings: Settings, now: datetime) -> tuple[Preview, CommitResult]:
    """Read the card, preview and commit, all in one write transaction (the headless ``studyapp rate``)."""
    with store.transaction() as session:
        card = _rateable(session, card_id)
        shown = preview(card, make_scheduler(settings), now, LoadBalancer.for_settings(store, settings))
        result = _apply(session, card, shown, rating, settings, None)
    return shown, result
