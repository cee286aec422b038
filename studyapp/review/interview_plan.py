"""The plan to be ready: reviews and minutes a day from today to the interview.

The plan simulates the interview-mode queue (``interview_queue``'s rules within the daily
limits) on copies of the cards, every answer assumed Good and every interval unfuzzed, and
counts the reviews each study day takes. Minutes come from the learner's own review
durations (the median of the last ``TIMED_REVIEWS`` timed reviews) once there are
``MIN_TIMED`` of them, and from ``DEFAULT_SECONDS`` a review until then.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from sqlmodel import Session, col, select

from studyapp.review.interview_queue import InterviewRules, interview_moment
from studyapp.review.memory import fsrs_card, make_scheduler, recall_at
from studyapp.review.queue import DayProgress, day_progress, next_day_start, study_day_start
from studyapp.review.settings import Settings
from studyapp.store.tables import LEARNING, NEW, RELEARNING, REVIEW, Card, ReviewLog

DEFAULT_SECONDS = 10.0  # a review's time until the learner has MIN_TIMED timed reviews
MIN_TIMED = 20
TIMED_REVIEWS = 500
LONGEST_REVIEW_MS = 5 * 60 * 1000  # a longer "review" is a break, not an answer
MAX_PLAN_DAYS = 400  # an interview further away gets no day-by-day plan


@dataclass(frozen=True)
class PlanDay:
    """One study day of the plan."""

    day: date
    reviews: int  # every answer, learning steps included
    new: int  # new cards introduced
    minutes: float
    recall_after: float  # mean predicted recall a day later (the last day: at the interview)


@dataclass(frozen=True)
class Plan:
    """Reviews and minutes a day until the interview, and how many cards still miss the target."""

    days: tuple[PlanDay, ...]
    seconds_per_review: float
    timed_reviews: int  # how many of the learner's reviews the time comes from (0: the default)
    cards: int
    not_ready: int  # cards below the target on the day even after the plan
    max_new_per_day: int  # the most new cards the plan introduces in one day
    too_far: bool = False  # the interview is more than MAX_PLAN_DAYS away: no days planned

    @property
    def total_reviews(self) -> int:
        return sum(day.reviews for day in self.days)

    @property
    def total_minutes(self) -> float:
        return sum(day.minutes for day in self.days)


@dataclass
class _SimCard:
    """The scheduling fields of one card, as the simulation moves them."""

    id: str
    position: int
    state: int
    step: Optional[int]
    stability: Optional[float]
    difficulty: Optional[float]
    due: Optional[datetime]
    last_review: Optional[datetime]


def review_seconds(session: Session) -> tuple[float, int]:
    """Seconds a review takes this learner (median of recent timed reviews), and how many were used."""
    durations = [ms for ms in session.exec(
        select(ReviewLog.duration_ms).where(col(ReviewLog.duration_ms).is_not(None), ReviewLog.duration_ms > 0,
                                            ReviewLog.duration_ms <= LONGEST_REVIEW_MS)
        .order_by(col(ReviewLog.reviewed_at).desc()).limit(TIMED_REVIEWS)
    )]
    if len(durations) < MIN_TIMED:
        return DEFAULT_SECONDS, 0
    return statistics.median(durations) / 1000, len(durations)


def _answer_good(card: _SimCard, scheduler, when: datetime) -> None:
    from fsrs import Rating

    after, _ = scheduler.review_card(fsrs_card(card, when), Rating.Good, review_datetime=when)
    card.state, card.step = int(after.state), after.step
    card.stability, card.difficulty = after.stability, after.difficulty
    card.due, card.last_review = after.due, when


def _learn_today(card: _SimCard, scheduler, when: datetime, day_end: datetime) -> int:
    """Answer a new or learning card through its steps while they fall today; returns the answers."""
    answers = 0
    while True:
        _answer_good(card, scheduler, when)
        answers += 1
        if card.state == REVIEW or card.due >= day_end:
            return answers
        when = card.due


def simulate_plan(cards: list[Card], settings: Settings, day: date, now: datetime, progress: DayProgress,
                  seconds_per_review: float = DEFAULT_SECONDS, timed_reviews: int = 0) -> Plan:
    """Simulate the interview-mode queue on ``cards`` from ``now`` to ``day`` (nothing is written)."""
    now = now.astimezone(timezone.utc)
    scheduler = make_scheduler(replace(settings, fuzz=False))
    moment = interview_moment(day)
    sims = [_SimCard(c.id, c.position, c.state, c.step, c.stability, c.difficulty, c.due, c.last_review)
            for c in cards]
    days_left = max(0, (day - study_day_start(now, settings.day_start_hour).astimezone().date()).days)
    too_far = days_left > MAX_PLAN_DAYS
    if too_far:
        days_left = 0
    plan_days = []
    max_new = 0
    for offset in range(days_left):
        when = now + timedelta(days=offset)
        day_end = next_day_start(when, settings.day_start_hour)
        done = progress if offset == 0 else DayProgress(0, 0, 0)
        rules = InterviewRules(moment=moment, target=settings.interview_target,
                               days_left=days_left - offset, scheduler=scheduler)
        answers = 0
        for card in sorted((c for c in sims if c.state in (LEARNING, RELEARNING) and c.due < day_end),
                           key=lambda c: c.due):
            answers += _learn_today(card, scheduler, max(when, card.due), day_end)
        room = max(0, settings.reviews_per_day - done.reviews_done - done.new_done)
        due = sorted((c for c in sims if c.state == REVIEW and c.due < day_end), key=lambda c: c.due)[:room]
        waiting = [c for c in sims if c.state == REVIEW and c.due >= moment]
        forward = rules.bring_forward(waiting, when, done_today=0, room=room - len(due))
        for card in due + forward:
            answers += _learn_today(card, scheduler, when, day_end)
        room -= len(due) + len(forward)
        fresh = [c for c in sims if c.state == NEW]
        limit = rules.new_per_day(settings.new_per_day, len(fresh) + done.new_done) - done.new_done
        introduced = fresh[: max(0, min(limit, room))]
        for card in introduced:
            answers += _learn_today(card, scheduler, when, day_end)
        max_new = max(max_new, len(introduced) + done.new_done)
        later = min(when + timedelta(days=1), moment)
        plan_days.append(PlanDay(
            day=study_day_start(when, settings.day_start_hour).astimezone().date(), reviews=answers,
            new=len(introduced), minutes=answers * seconds_per_review / 60,
            recall_after=statistics.fmean([recall_at(c, scheduler, later) for c in sims]) if sims else 0.0,
        ))
    not_ready = sum(recall_at(c, scheduler, moment) < settings.interview_target for c in sims)
    return Plan(days=tuple(plan_days), seconds_per_review=seconds_per_review, timed_reviews=timed_reviews,
                cards=len(sims), not_ready=not_ready, max_new_per_day=max_new, too_far=too_far)


def recall_curve(cards: list[Card], plan: Plan, settings: Settings, day: date, now: datetime
                 ) -> tuple[list[float], list[float]]:
    """Mean predicted recall for today .. the interview (one point a day, the last at the interview):
    if the learner stops studying now, and if they follow ``plan``."""
    moment = interview_moment(day)
    scheduler = make_scheduler(settings)
    moments = [now + timedelta(days=k) for k in range(len(plan.days))] + [moment]
    stopped = [statistics.fmean([recall_at(c, scheduler, m) for c in cards]) if cards else 0.0 for m in moments]
    return stopped, stopped[:1] + [d.recall_after for d in plan.days]


def plan_for(session: Session, cards: list[Card], settings: Settings, day: date, now: datetime) -> Plan:
    """The plan for ``cards`` with today's progress and the learner's review time from the database."""
    seconds, timed = review_seconds(session)
    return simulate_plan(cards, settings, day, now, day_progress(session, now, settings), seconds, timed)
