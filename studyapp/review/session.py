"""One sitting of reviews: which card is up, reveal, rate, undo, suspend (no Textual here).

The review screen drives a ``ReviewSession`` and only draws what it says. After every
rating the queue is rebuilt from the database, so learning cards coming due, buried
siblings and daily limits are always current, and the rating is already committed
before the next card is chosen. In cram mode cards are walked in notes order and ratings
change nothing (Again sends the card to the back of the walk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Optional

from sqlmodel import select

from studyapp.errors import UserError
from studyapp.review.queue import DailyQueue, build_queue, cram_queue, next_due, set_suspended
from studyapp.review.buried import BuriedToday, buried_today
from studyapp.review.load_balance import LoadBalancer
from studyapp.review.schedule import (AGAIN, CardChanged, CommitResult, Preview, commit, make_scheduler, preview,
                                      undo)
from studyapp.review.settings import Settings, load_settings
from studyapp.store.database import DatabaseLocked, Store
from studyapp.store.tables import Card, CardDemo


@dataclass
class ReviewSession:
    """The learner's progress through today's queue (or a cram walk) of one deck."""

    store: Store
    clock: Callable[[], datetime]
    deck: Optional[str] = None
    cram: bool = False
    settings: Settings = field(init=False)
    current: Optional[Card] = field(default=None, init=False)
    revealed: Optional[Preview] = field(default=None, init=False)
    queue: Optional[DailyQueue] = field(default=None, init=False)
    answered: int = field(default=0, init=False)  # ratings in this sitting
    _shown_at: Optional[datetime] = field(default=None, init=False)
    # what `u` takes back, latest last: ("rating", review-log id) or ("suspension", card id)
    _undo_stack: list[tuple[str, object]] = field(default_factory=list, init=False)
    _cram_ids: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        with self.store.session() as session:
            self.settings = load_settings(session)
            if self.cram:
                self._cram_ids = cram_queue(session, self.deck, self.clock())
        self._scheduler = make_scheduler(self.settings)
        self._balancer = None if self.cram else LoadBalancer.for_settings(self.store, self.settings)

    def advance(self) -> Optional[Card]:
        """Choose the next card (None when the day's queue is empty) and show its front."""
        with self.store.session() as session:
            if self.cram:
                next_id = self._cram_ids[0] if self._cram_ids else None
            else:
                self.queue = build_queue(session, self.settings, self.clock(), self.deck)
                next_id = self.queue.next_card_id()
            self.current = session.get(Card, next_id) if next_id else None
        self.revealed = None
        self._shown_at = self.clock()
        return self.current

    def reveal(self) -> Preview:
        """The four outcomes, computed once: the buttons show them and rating commits one."""
        if self.revealed is None:
            self.revealed = preview(self.current, self._scheduler, self.clock(), self._balancer)
        return self.revealed

    def rate(self, rating: int, wait_ms: Optional[int] = None) -> Optional[CommitResult]:
        """Commit the rating (nothing is stored in cram mode) and move to the next card.

        The card is read again under the write lock. If another process changed it since
        the answer was shown, ``CardChanged`` is raised and ``revealed`` holds its outcomes
        computed afresh, to be rated again; if it was removed or suspended meanwhile, the
        ``UserError`` is raised once the next card is up. ``DatabaseLocked`` (another writer
        held the lock past ``wait_ms``) changes nothing here: the same rating can be retried.
        """
        shown = self.reveal()
        result = None
        if self.cram:
            card_id = self._cram_ids.pop(0)
            if rating == AGAIN:
                self._cram_ids.append(card_id)
        else:
            elapsed = self.clock() - self._shown_at
            try:
                result = commit(self.store, shown, rating, self.settings,
                                duration_ms=int(elapsed.total_seconds() * 1000), wait_ms=wait_ms)
            except CardChanged as changed:
                self.current = changed.card
                self.revealed = preview(changed.card, self._scheduler, self.clock(), self._balancer)
                raise
            except DatabaseLocked:
                raise
            except UserError:
                self._skip_current()
                raise
            self._undo_stack.append(("rating", result.log_id))
        self.answered += 1
        self.advance()
        return result

    @property
    def can_undo(self) -> bool:
        return bool(self._undo_stack)

    @property
    def last_undoable(self) -> Optional[str]:
        """What `u` would take back: 'rating', 'suspension', or None."""
        return self._undo_stack[-1][0] if self._undo_stack else None

    def undo(self) -> Card:
        """Take back the last rating or suspension of this sitting and show that card again."""
        if not self._undo_stack:
            raise UserError("nothing to undo" + (" (cram ratings change nothing)" if self.cram else ""))
        kind, target = self._undo_stack.pop()
        if kind == "rating":
            card_id = undo(self.store, target)
            self.answered -= 1
        else:
            card_id = set_suspended(self.store, target, False)[0].id
            if self.cram:
                self._cram_ids.insert(0, card_id)
        with self.store.session() as session:
            self.current = session.get(Card, card_id)
            # the counts in the progress line must match the database again
            self.queue = build_queue(session, self.settings, self.clock(), self.deck)
        self.revealed = None
        self._shown_at = self.clock()
        return self.current

    def suspend_current(self) -> Card:
        """Suspend the card on screen and move on, `undo` takes it back (a card removed meanwhile:
        UserError, moved on too)."""
        try:
            card, _ = set_suspended(self.store, self.current.id, True)
        except DatabaseLocked:
            raise
        except UserError:
            self._skip_current()
            raise
        self._undo_stack.append(("suspension", card.id))
        if self.cram:
            self._cram_ids.remove(card.id)
        self.advance()
        return card

    def _skip_current(self) -> None:
        """Leave a card that can no longer be studied (removed or suspended elsewhere)."""
        if self.cram and self.current is not None and self.current.id in self._cram_ids:
            self._cram_ids.remove(self.current.id)
        self.advance()

    def demo_ids(self) -> list[str]:
        """Demos attached to the current card (shown as a hint; run by the demo screen)."""
        if self.current is None:
            return []
        with self.store.session() as session:
            return list(session.exec(select(CardDemo.demo_id).where(CardDemo.card_id == self.current.id)))

    def buried(self) -> BuriedToday:
        """The sibling cards of this deck kept from today's queue (``describe()`` says how many)."""
        with self.store.session() as session:
            return buried_today(session, self.settings, self.clock(), self.deck)

    def next_due(self) -> Optional[datetime]:
        with self.store.session() as session:
            return next_due(session, self.settings, self.clock(), self.deck)

    def progress_line(self) -> str:
        """'done 5 · left: 1 learning, 3 due, 12 new' (or the cram position)."""
        scope = self.deck or "all decks"
        if self.cram:
            return f"cram · {scope} · {self.answered} seen · {len(self._cram_ids)} left"
        queue = self.queue
        done = queue.progress.total_done if queue else 0
        left = (f"{len(queue.learning) + len(queue.learning_ahead)} learning · {len(queue.review)} due · "
                f"{len(queue.new)} new") if queue else ""
        return f"{scope} · done today {done} · left: {left}"
