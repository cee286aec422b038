"""The daily queue, Anki style: which cards to show today, in which order, and deck counts.

Order: learning cards that are due, then due reviews, then new cards. New cards are
limited by ``new_per_day``, and reviews plus new cards by ``reviews_per_day``, counting what
was already answered this study day. A study day starts at ``day_start_hour`` local time.
Removed, suspended and buried cards are never shown (a cram walk shows buried ones too).
The TUI, ``studyapp due`` and ``studyapp review`` all build their queue here, so they
always agree. With interview mode on, ``interview_queue`` raises the day's new-card limit
and brings reviews forward before the interview (listed after the due reviews).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from studyapp.errors import UserError
from studyapp.review.bury import INTERDAY, INTRADAY, NEW_KIND, REVIEW_KIND, BuryRules, SiblingGather, sibling_kind
from studyapp.review.interview_queue import InterviewRules, rules_for, was_brought_forward
from studyapp.review.settings import Settings
from studyapp.store.database import Store
from studyapp.store.queries import IMPORT_ORDER, in_deck, live_card, unindexed
from studyapp.store.tables import ANSWERED, LEARNING, NEW, RELEARNING, REVIEW, Card, ReviewLog

# When nothing else is left, learning cards due this soon are shown early (Anki's default),
# rather than making the learner wait a few minutes for a 10-minute step.
LEARN_AHEAD = timedelta(minutes=20)
DECK_SEPARATOR = "::"


def study_day_start(now: datetime, hour: int) -> datetime:
    """Start (UTC) of the study day containing ``now``; days begin at ``hour`` local time."""
    local = now.astimezone()
    start = datetime(local.year, local.month, local.day, hour).astimezone()  # local DST rules
    if start > now:
        previous = local - timedelta(days=1)
        start = datetime(previous.year, previous.month, previous.day, hour).astimezone()
    return start.astimezone(timezone.utc)


def next_day_start(now: datetime, hour: int) -> datetime:
    """Start (UTC) of the study day after the one containing ``now``."""
    start = study_day_start(now, hour).astimezone()
    following = start + timedelta(days=1, hours=12)  # safely inside the next local date
    return datetime(following.year, following.month, following.day, hour).astimezone().astimezone(timezone.utc)


def _visible(now: datetime):
    """Cards that may be studied at all right now."""
    return and_(
        unindexed(Card.removed).is_(False), unindexed(Card.suspended).is_(False),
        or_(col(Card.buried_until).is_(None), col(Card.buried_until) <= now),
    )


@dataclass(frozen=True)
class DayProgress:
    """What was answered since the study day began."""

    new_done: int
    reviews_done: int
    total_done: int


def day_progress(session: Session, now: datetime, settings: Settings) -> DayProgress:
    start = study_day_start(now, settings.day_start_hour)
    rows = session.exec(
        select(ReviewLog.state_before, func.count()).where(ReviewLog.reviewed_at >= start, ANSWERED)
        .group_by(ReviewLog.state_before)
    ).all()
    by_state = dict(rows)
    return DayProgress(
        new_done=by_state.get(NEW, 0), reviews_done=by_state.get(REVIEW, 0),
        total_done=sum(by_state.values()),
    )


def _cap_left(progress: DayProgress, settings: Settings) -> int:
    """Reviews still allowed today; new cards count against this cap too (as in Anki)."""
    return max(0, settings.reviews_per_day - progress.reviews_done - progress.new_done)


def _new_left(progress: DayProgress, settings: Settings, reviews_shown: int) -> int:
    return max(0, min(settings.new_per_day - progress.new_done, _cap_left(progress, settings) - reviews_shown))


@dataclass(frozen=True)
class DailyQueue:
    """Card ids in the order they will be shown, and today's progress."""

    learning: list[str]
    review: list[str]
    new: list[str]
    progress: DayProgress
    learning_ahead: list[str] = field(default_factory=list)  # only used when all else is done
    held_siblings: int = 0  # due today but left out: a sibling came first (the bury settings)

    @property
    def ordered(self) -> list[str]:
        main = self.learning + self.review + self.new
        return main or self.learning_ahead

    def next_card_id(self) -> Optional[str]:
        ordered = self.ordered
        return ordered[0] if ordered else None

    @property
    def remaining(self) -> int:
        return len(self.ordered)


def _gather(session: Session, query, limit: int, siblings: SiblingGather, kind: str) -> list[str]:
    """Up to ``limit`` ids of ``query`` (rows of id, sibling_key) that no earlier sibling holds back.

    Held-back cards do not count against the limit (as in Anki), so with burying on the
    query is read in pages until the limit is filled.
    """
    if limit <= 0:
        return []
    if not siblings.rules.buries(kind):
        rows = session.exec(query.limit(limit)).all()
        siblings.seen.update(key for _, key in rows)
        return [cid for cid, _ in rows]
    kept: list[str] = []
    offset = 0
    while len(kept) < limit:
        rows = session.exec(query.offset(offset).limit(limit)).all()
        for cid, key in rows:
            if siblings.keep(key, kind):
                kept.append(cid)
                if len(kept) == limit:
                    break
        if len(rows) < limit:
            break
        offset += limit
    return kept


def build_queue(session: Session, settings: Settings, now: datetime, deck: Optional[str] = None) -> DailyQueue:
    """Today's queue at ``now`` (optionally one deck and its sub-decks).

    Cards are gathered in Anki's order (same-day learning, day-long learning, reviews, new);
    with a bury setting on, a card whose sibling was gathered first is held back for the day.
    """
    day_end = next_day_start(now, settings.day_start_hour)
    day_start = study_day_start(now, settings.day_start_hour)
    base = and_(_visible(now), in_deck(deck))
    siblings = SiblingGather(BuryRules.from_settings(settings))
    learning_rows = session.exec(
        select(Card.id, Card.due, Card.sibling_key, Card.last_review)
        .where(base, col(Card.state).in_((LEARNING, RELEARNING)), unindexed(Card.due) <= now + LEARN_AHEAD)
        .order_by(Card.due)
    ).all()
    kinds = {cid: sibling_kind(LEARNING, last, day_start) for cid, _, _, last in learning_rows}
    for cid, _, key, _ in learning_rows:  # same-day steps are gathered first and never held back
        if kinds[cid] == INTRADAY:
            siblings.keep(key, INTRADAY)
    kept = {cid for cid, _, key, _ in learning_rows if kinds[cid] == INTRADAY or siblings.keep(key, INTERDAY)}
    learning_rows = [(cid, due) for cid, due, _, _ in learning_rows if cid in kept]
    progress = day_progress(session, now, settings)
    review = _gather(session, select(Card.id, Card.sibling_key).where(
        base, unindexed(Card.state) == REVIEW, Card.due < day_end).order_by(Card.due),
        _cap_left(progress, settings), siblings, REVIEW_KIND)
    rules = rules_for(settings, day_start.astimezone().date())
    if rules is not None:
        settings, forward = _interview_changes(session, settings, rules, now, base, progress, len(review))
        review += forward
    new = _gather(session, select(Card.id, Card.sibling_key).where(base, Card.state == NEW).order_by(IMPORT_ORDER),
                  _new_left(progress, settings, len(review)), siblings, NEW_KIND)
    return DailyQueue(
        learning=[cid for cid, due in learning_rows if due <= now],
        review=review, new=new, progress=progress,
        learning_ahead=[cid for cid, due in learning_rows if due > now],
        held_siblings=siblings.held,
    )


def _interview_changes(session: Session, settings: Settings, rules: InterviewRules, now: datetime, base,
                       progress: DayProgress, reviews_shown: int) -> tuple[Settings, list[str]]:
    """Interview mode: today's raised new-card limit, and the reviews brought forward."""
    new_waiting = session.exec(select(func.count()).select_from(Card).where(base, Card.state == NEW)).one()
    settings = replace(settings, new_per_day=rules.new_per_day(settings.new_per_day, new_waiting + progress.new_done))
    if not rules.in_final_days:
        return settings, []
    start = study_day_start(now, settings.day_start_hour)
    snapshots = session.exec(select(ReviewLog.snapshot_before).where(
        ReviewLog.reviewed_at >= start, ReviewLog.state_before == REVIEW, ANSWERED)).all()
    done_today = sum(was_brought_forward(text, rules.moment) for text in snapshots)
    waiting = session.exec(select(Card).where(base, unindexed(Card.state) == REVIEW, Card.due >= rules.moment)).all()
    room = _cap_left(progress, settings) - reviews_shown
    return settings, [card.id for card in rules.bring_forward(waiting, now, done_today, room)]


def queue_listing(session: Session, queue: DailyQueue) -> dict:
    """The queue as JSON-ready data (the `studyapp due --json` contract)."""
    kinds = {cid: "learning" for cid in queue.learning + queue.learning_ahead}
    kinds.update({cid: "review" for cid in queue.review})
    kinds.update({cid: "new" for cid in queue.new})
    ordered = queue.ordered
    cards = {card.id: card for card in session.exec(select(Card).where(col(Card.id).in_(ordered)))}
    return {
        "counts": {
            "learning": len(queue.learning), "review": len(queue.review), "new": len(queue.new),
            "learning_later": len(queue.learning_ahead), "done_today": queue.progress.total_done,
        },
        "cards": [
            {
                "id": cid, "queue": kinds[cid], "deck": cards[cid].deck, "front": cards[cid].front,
                "due": cards[cid].due.isoformat() if cards[cid].due else None,
            }
            for cid in ordered
        ],
    }


def cram_queue(session: Session, deck: Optional[str], now: datetime) -> list[str]:
    """Every card of ``deck`` that is not removed or suspended, in note order.

    Due or not, buried or not: cram never reschedules, so burying (which only keeps
    siblings apart in the daily queue) does not apply. ``now`` is kept for the callers.
    """
    kept = and_(unindexed(Card.removed).is_(False), unindexed(Card.suspended).is_(False), in_deck(deck))
    return list(session.exec(select(Card.id).where(kept).order_by(IMPORT_ORDER)))


def check_deck(session: Session, deck: Optional[str]) -> None:
    """UserError naming some real decks when ``deck`` (a --deck argument) has no cards."""
    if not deck or session.exec(select(Card.id).where(in_deck(deck), col(Card.removed).is_(False))).first():
        return
    known = sorted({d.split(DECK_SEPARATOR)[0] for d in session.exec(select(Card.deck).distinct())})
    raise UserError(f"deck {deck!r}: no such deck (top-level decks: {', '.join(known) or 'none'})")


def next_due(session: Session, settings: Settings, now: datetime, deck: Optional[str] = None) -> Optional[datetime]:
    """When the next card of ``deck`` becomes available (UTC), or None when none ever will."""
    soonest = session.exec(
        select(func.min(Card.due)).where(_visible(now), in_deck(deck), Card.state != NEW, Card.due > now)
    ).first()
    buried_or_new = session.exec(
        select(func.count()).select_from(Card).where(
            col(Card.removed).is_(False), col(Card.suspended).is_(False), in_deck(deck),
            or_(Card.state == NEW, col(Card.buried_until) > now),
        )
    ).one()
    tomorrow = next_day_start(now, settings.day_start_hour)
    candidates = [t for t in (soonest,) if t is not None]
    if buried_or_new:
        candidates.append(tomorrow)
    return min(candidates) if candidates else None


@dataclass
class DeckCounts:
    """One node of the deck tree (``A::B::C``) with the counts of it and its sub-decks."""

    path: str
    name: str
    depth: int
    new: int = 0
    learning: int = 0
    due: int = 0
    total: int = 0


def _deck_rows(session: Session, settings: Settings, now: datetime) -> list[tuple]:
    """(deck, new, learning, due, total, first rowid) for every deck with visible cards."""
    day_end = next_day_start(now, settings.day_start_hour)
    is_learning = col(Card.state).in_((LEARNING, RELEARNING)) & (Card.due < day_end)
    is_review = (Card.state == REVIEW) & (Card.due < day_end)
    rules = BuryRules.from_settings(settings)
    if not rules.any:
        return session.exec(
            select(
                Card.deck,
                func.sum(case((Card.state == NEW, 1), else_=0)),
                func.sum(case((is_learning, 1), else_=0)),
                func.sum(case((is_review, 1), else_=0)),
                func.count(),
                func.min(IMPORT_ORDER),
            ).where(_visible(now)).group_by(Card.deck)
        ).all()
    day_start = study_day_start(now, settings.day_start_hour)
    interday = is_learning & (col(Card.last_review) < day_start)
    group = select(
        Card.deck.label("deck"),
        func.sum(case((is_learning & ~interday, 1), else_=0)).label("same_day"),
        func.sum(case((interday, 1), else_=0)).label("interday"),
        func.sum(case((is_review, 1), else_=0)).label("review"),
        func.sum(case((Card.state == NEW, 1), else_=0)).label("new"),
        func.count().label("total"),
        func.min(IMPORT_ORDER).label("first"),
    ).where(_visible(now)).group_by(Card.deck, Card.sibling_key).subquery()

    def kept(count, earlier, buried: bool):
        """All of ``count``, or (burying) one card when no earlier-gathered sibling is there."""
        if not buried:
            return count
        return case((earlier > 0, 0), (count > 0, 1), else_=0)

    g = group.c
    return session.exec(
        select(
            g.deck,
            func.sum(kept(g.new, g.same_day + g.interday + g.review, rules.new)),
            func.sum(g.same_day + kept(g.interday, g.same_day, rules.interday_learning)),
            func.sum(kept(g.review, g.same_day + g.interday, rules.reviews)),
            func.sum(g.total),
            func.min(g.first),
        ).group_by(g.deck)
    ).all()


def deck_counts(session: Session, settings: Settings, now: datetime) -> list[DeckCounts]:
    """Deck tree in pre-order (notes order); new and due are capped by today's limits.

    With a bury setting on, a sibling group counts as the queue gathers it (see build_queue);
    with interview mode on, each deck's new count uses the new-card limit that deck's own
    queue would have. Reviews interview mode brings forward in its last days are not counted.
    """
    rows = _deck_rows(session, settings, now)
    progress = day_progress(session, now, settings)
    rules = rules_for(settings, study_day_start(now, settings.day_start_hour).astimezone().date())
    # interview mode raises a deck's new-card limit by the new cards waiting in it (as build_queue does)
    waiting = dict(session.exec(select(Card.deck, func.count()).where(_visible(now), Card.state == NEW)
                                .group_by(Card.deck)).all()) if rules is not None else {}
    nodes: dict[str, DeckCounts] = {}
    new_waiting: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for deck, new, learning, due, total, first in rows:
        parts = deck.split(DECK_SEPARATOR)
        for depth in range(len(parts)):
            path = DECK_SEPARATOR.join(parts[: depth + 1])
            node = nodes.setdefault(path, DeckCounts(path=path, name=parts[depth], depth=depth))
            node.new += new
            node.learning += learning
            node.due += due
            node.total += total
            new_waiting[path] = new_waiting.get(path, 0) + waiting.get(deck, 0)
            first_seen[path] = min(first_seen.get(path, first), first)
    for node in nodes.values():
        node.due = min(node.due, _cap_left(progress, settings))
        limits = settings if rules is None else replace(
            settings, new_per_day=rules.new_per_day(settings.new_per_day, new_waiting[node.path] + progress.new_done))
        node.new = min(node.new, _new_left(progress, limits, node.due))

    def tree_order(path: str) -> tuple[int, ...]:
        parts = path.split(DECK_SEPARATOR)
        return tuple(first_seen[DECK_SEPARATOR.join(parts[: i + 1])] for i in range(len(parts)))

    return [nodes[path] for path in sorted(nodes, key=tree_order)]


def set_suspended(store: Store, card_id: str, suspended: bool) -> tuple[Card, bool]:
    """Suspend (never shown) or unsuspend a card; the leech tag, if any, stays.

    Returns the card and whether it changed (False when it already was as asked).
    """
    with store.transaction() as session:
        card = live_card(session, card_id)
        changed = card.suspended != suspended
        card.suspended = suspended
        session.add(card)
    return card, changed
