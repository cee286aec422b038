"""Interview mode: how the daily queue prepares every card for the interview day.

Only when ``interview_mode`` is on and ``interview_date`` lies ahead. Two rules, both
plain FSRS reviews (the learner rates them as usual, so the schedule after the interview
simply continues from what was answered):

- new cards are introduced early enough to be learned by the day: the day's new-card
  limit is raised to spread the cards still new over the days left, leaving the last
  ``LEARNED_DAYS_BEFORE`` days for reviews;
- in the last ``FINAL_DAYS`` days, review cards whose predicted recall on the day is below
  ``interview_target`` and which are not due before it are brought forward, a share each
  day, choosing those whose early review loses the least stability (the stability a Good
  answer would give at the due date minus what it gives now).

The same rules drive the readiness plan's simulation (``interview_plan``), so the plan
shows what the queue will do. The daily queue (``queue.build_queue``) asks here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable, Optional

from studyapp.review.memory import fsrs_card, make_scheduler, recall_at
from studyapp.review.settings import Settings
from studyapp.store.tables import REVIEW, Card

INTERVIEW_HOUR = 9  # local time on the interview day at which recall is predicted
LEARNED_DAYS_BEFORE = 2  # new cards are all introduced at least this many days before the day
FINAL_DAYS = 3  # reviews are brought forward only this close to the day


def interview_moment(day: date) -> datetime:
    """The moment (UTC) on ``day`` at which recall is predicted: ``INTERVIEW_HOUR`` local time."""
    return datetime(day.year, day.month, day.day, INTERVIEW_HOUR).astimezone().astimezone(timezone.utc)


@dataclass(frozen=True)
class InterviewRules:
    """The interview-mode rules for one study day."""

    moment: datetime  # when recall counts (UTC)
    target: float
    days_left: int  # study days before the interview day, today included (>= 1)
    scheduler: object  # fsrs.Scheduler

    @property
    def in_final_days(self) -> bool:
        return self.days_left <= FINAL_DAYS

    def new_per_day(self, usual: int, new_waiting: int) -> int:
        """Today's new-card limit: the usual one, or more when the new cards would not fit in time."""
        days_for_new = max(1, self.days_left - LEARNED_DAYS_BEFORE)
        return max(usual, math.ceil(new_waiting / days_for_new))

    def at_risk(self, card: Card) -> bool:
        """A review card not due before the day whose recall on the day is below the target."""
        return (card.state == REVIEW and card.due is not None and card.due >= self.moment
                and recall_at(card, self.scheduler, self.moment) < self.target)

    def early_cost(self, card: Card, now: datetime) -> float:
        """Stability lost by answering ``card`` (Good) now instead of at its due date."""
        from fsrs import Rating

        now = now.astimezone(timezone.utc)
        at_due, _ = self.scheduler.review_card(fsrs_card(card, card.due), Rating.Good, review_datetime=card.due)
        early, _ = self.scheduler.review_card(fsrs_card(card, now), Rating.Good, review_datetime=now)
        return at_due.stability - early.stability

    def lifted(self, card: Card, now: datetime) -> bool:
        """Whether a Good answer now would bring the card's recall on the day up to the target."""
        from fsrs import Rating

        now = now.astimezone(timezone.utc)
        after, _ = self.scheduler.review_card(fsrs_card(card, now), Rating.Good, review_datetime=now)
        return self.scheduler.get_card_retrievability(after, self.moment) >= self.target

    def bring_forward(self, cards: Iterable[Card], now: datetime, done_today: int, room: int) -> list[Card]:
        """The at-risk cards to review today, cheapest first: today's share of them, at most ``room``.

        ``done_today`` is how many were already brought forward today (they count toward the
        share). A card a Good answer now would not lift waits for a later day, except on the last.
        """
        if not self.in_final_days or room <= 0:
            return []
        risky = [card for card in cards if self.at_risk(card)]
        share = math.ceil((len(risky) + done_today) / self.days_left) - done_today
        if self.days_left > 1:
            risky = [card for card in risky if self.lifted(card, now)]
        risky.sort(key=lambda card: (self.early_cost(card, now), card.id))
        return risky[: max(0, min(share, room))]


def rules_for(settings: Settings, today: date) -> Optional[InterviewRules]:
    """The rules for study day ``today``, or None when interview mode is off or the day has come."""
    if not settings.interview_mode or not settings.interview_date:
        return None
    day = date.fromisoformat(settings.interview_date)
    days_left = (day - today).days
    if days_left < 1:
        return None
    return InterviewRules(moment=interview_moment(day), target=settings.interview_target,
                          days_left=days_left, scheduler=make_scheduler(settings))


def was_brought_forward(snapshot_before: str, moment: datetime) -> bool:
    """Whether a review logged with this snapshot answered a card not due before ``moment``."""
    due = json.loads(snapshot_before).get("due")
    return due is not None and datetime.fromisoformat(due) >= moment
