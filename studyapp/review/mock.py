"""A mock interview (no Textual here): questions drawn weakest first, timed answers, grades, report.

Questions come from the chosen decks, weakest first (lowest predicted recall now, a never
studied card counting 0) with some randomness, so two mocks in a row differ. Each question
has a time limit; the learner types an answer (or answers aloud), the model answer is
revealed with its key-term coverage (``coverage``), and the learner grades it: Hard is a
pass, Again a miss. A grade is a review through ``schedule.commit``, the time taken stored as
its duration (it feeds ``optimize``), unless ``mock_counts_as_review`` is off. The finished
mock's report per topic is kept in the ``MockInterview`` table (``studyapp mock --history``).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Optional

from sqlmodel import Session, col, select

from studyapp.review.coverage import Coverage, measure
from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.readiness import live_cards
from studyapp.errors import UserError
from studyapp.review.schedule import AGAIN, RATING_NAMES, CardChanged, commit, preview
from studyapp.review.settings import Settings, load_settings
from studyapp.store.database import Store
from studyapp.store.tables import Card, CardDemo, MockInterview

DEFAULT_QUESTIONS = 5
DEFAULT_MINUTES = 3.0  # per question
JITTER = 0.2  # random recall added when ordering, so the weakest come first but not always the same


def draw_questions(cards: list[Card], scheduler, now: datetime, count: int, rng: random.Random) -> list[Card]:
    """``count`` cards, weakest first: ordered by recall now plus a random 0..JITTER."""
    keyed = [(recall_at(card, scheduler, now) + rng.uniform(0, JITTER), card.id, card) for card in cards]
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [card for _, _, card in keyed[:count]]


@dataclass
class MockAnswer:
    """One question of the mock as it went."""

    card: Card
    typed: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    coverage: Optional[Coverage] = None
    rating: Optional[int] = None  # 1..4 once graded


@dataclass
class MockSession:
    """The learner's progress through one mock interview."""

    store: Store
    clock: Callable[[], datetime]
    deck: Optional[str] = None
    questions: int = DEFAULT_QUESTIONS
    minutes: float = DEFAULT_MINUTES
    rng: random.Random = field(default_factory=random.Random)
    settings: Settings = field(init=False)
    answers: list[MockAnswer] = field(default_factory=list, init=False)
    index: int = field(default=0, init=False)
    started_at: datetime = field(init=False)
    _shown_at: Optional[datetime] = field(default=None, init=False)
    _preview: object = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.started_at = self.clock()
        with self.store.session() as session:
            self.settings = load_settings(session)
            cards = live_cards(session, self.deck)
        self._scheduler = make_scheduler(self.settings)
        drawn = draw_questions(cards, self._scheduler, self.started_at, self.questions, self.rng)
        self.answers = [MockAnswer(card=card) for card in drawn]
        self._shown_at = self.clock()

    @property
    def limit(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def current(self) -> Optional[MockAnswer]:
        return self.answers[self.index] if self.index < len(self.answers) else None

    @property
    def finished(self) -> bool:
        return self.current is None

    def time_left(self) -> timedelta:
        """Time left on the current question (never below 0)."""
        return max(timedelta(0), self._shown_at + self.limit - self.clock())

    @property
    def expired(self) -> bool:
        return self.time_left() <= timedelta(0)

    @property
    def revealed(self) -> bool:
        return self.current is not None and self.current.coverage is not None

    def reveal(self, typed: str) -> MockAnswer:
        """Stop the clock on the current question and measure ``typed`` against the model answer."""
        answer = self.current
        if answer.coverage is None:
            elapsed = min(self.clock() - self._shown_at, self.limit)
            answer.typed, answer.seconds = typed, elapsed.total_seconds()
            answer.timed_out = self.expired
            answer.coverage = measure(answer.card.back, typed)
            self._preview = preview(answer.card, self._scheduler, self.clock())
        return answer

    def demo_ids(self) -> list[str]:
        if self.current is None:
            return []
        with self.store.session() as session:
            return list(session.exec(select(CardDemo.demo_id).where(CardDemo.card_id == self.current.card.id)))

    def grade(self, rating: int) -> Optional[str]:
        """Grade the revealed answer (a review unless mock_counts_as_review is off) and go on.

        ``CardChanged`` (rated elsewhere since the reveal) is raised with the outcomes computed
        afresh, so the same grade can be given again. A card removed or suspended meanwhile is
        graded in the mock only; the returned message says so.
        """
        answer = self.current
        note = None
        if self.settings.mock_counts_as_review:
            try:
                commit(self.store, self._preview, rating, self.settings, duration_ms=round(answer.seconds * 1000))
            except CardChanged as changed:
                answer.card = changed.card
                self._preview = preview(changed.card, self._scheduler, self.clock())
                raise
            except UserError as exc:
                note = f"{exc}: graded in this mock only"
        answer.rating = rating
        self.index += 1
        self._shown_at = self.clock()
        if self.finished:
            self.save()
        return note

    def report(self) -> dict:
        """Per topic: answered, seconds, mean coverage, grades; and the totals."""
        return mock_report([a for a in self.answers if a.rating is not None])

    def save(self) -> int:
        """Keep the report in the history; returns its id."""
        with self.store.transaction() as session:
            row = MockInterview(
                started_at=self.started_at, finished_at=self.clock(), deck=self.deck or "",
                questions=len(self.answers), seconds_per_question=round(self.limit.total_seconds()),
                counted_as_reviews=self.settings.mock_counts_as_review, report=json.dumps(self.report(), ensure_ascii=False),
            )
            session.add(row)
            session.flush()
            return row.id


def _summary(answers: list[MockAnswer]) -> dict:
    grades = {name: 0 for name in RATING_NAMES}
    for answer in answers:
        grades[RATING_NAMES[answer.rating - 1]] += 1
    return {
        "answered": len(answers),
        "seconds": round(sum(a.seconds for a in answers), 1),
        "coverage": round(sum(a.coverage.share for a in answers) / len(answers), 4) if answers else 0.0,
        "passed": sum(a.rating != AGAIN for a in answers),
        "missed": sum(a.rating == AGAIN for a in answers),
        "timed_out": sum(a.timed_out for a in answers),
        "grades": grades,
    }


def mock_report(answers: list[MockAnswer]) -> dict:
    """The report of graded answers: {"topics": [{deck, ...summary}], "overall": summary}."""
    by_deck: dict[str, list[MockAnswer]] = {}
    for answer in answers:
        by_deck.setdefault(answer.card.deck, []).append(answer)
    return {"topics": [{"deck": deck, **_summary(group)} for deck, group in by_deck.items()],
            "overall": _summary(answers)}


def mock_history(session: Session) -> list[MockInterview]:
    """Every kept mock interview, newest first."""
    return list(session.exec(select(MockInterview).order_by(col(MockInterview.started_at).desc())))
