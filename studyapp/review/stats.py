"""Review statistics as plain data: reviews per day, true retention, card states, forecast.

Days are study days (they start at ``day_start_hour`` local time), so a review at 1 am
counts toward the evening before, as the learner would expect. True retention is Anki's:
the share of reviews of cards in the review state that were not rated Again (learning
steps are excluded, since failing a card one just met says nothing about memory).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Optional

from sqlalchemy import func
from sqlmodel import Session, col, select

from studyapp.review.queue import study_day_start
from studyapp.review.settings import Settings
from studyapp.store.tables import ANSWERED, NEW, REVIEW, STATE_NAMES, Card, ReviewLog

DAYS = 30
AGAIN = 1


@dataclass(frozen=True)
class Stats:
    """Everything the stats screen and ``studyapp stats`` show."""

    days: list[date]  # the last DAYS study days, oldest first, today last
    reviews_per_day: list[int]
    retention_per_day: list[Optional[float]]  # None on days without review-state reviews
    retention_overall: Optional[float]  # over the same DAYS days
    review_state_reviews: int  # how many reviews the overall retention is based on
    cards_by_state: dict[str, int]  # new, learning, review, relearning, suspended
    forecast_days: list[date]  # today first, DAYS days
    forecast: list[int]  # cards due per day (today includes overdue)

    def as_json(self) -> dict:
        """The numbers `studyapp stats` prints, JSON-ready (dates as YYYY-MM-DD, shares 0-1)."""
        data = asdict(self)
        for key in ("days", "forecast_days"):
            data[key] = [day.isoformat() for day in data[key]]
        return data


def _study_date(moment: datetime, hour: int) -> date:
    """The local calendar date on which ``moment``'s study day began."""
    return study_day_start(moment, hour).astimezone().date()


def compute_stats(session: Session, settings: Settings, now: datetime) -> Stats:
    hour = settings.day_start_hour
    today = _study_date(now, hour)
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    index = {day: i for i, day in enumerate(days)}
    since = study_day_start(now, hour) - timedelta(days=DAYS - 1)
    reviews = [0] * DAYS
    passed = [0] * DAYS
    judged = [0] * DAYS
    for reviewed_at, rating, state_before in session.exec(
        select(ReviewLog.reviewed_at, ReviewLog.rating, ReviewLog.state_before)
        .where(ReviewLog.reviewed_at >= since, ANSWERED)
    ):
        i = index.get(_study_date(reviewed_at, hour))
        if i is None:
            continue
        reviews[i] += 1
        if state_before == REVIEW:
            judged[i] += 1
            passed[i] += rating != AGAIN
    retention = [p / j if j else None for p, j in zip(passed, judged)]
    total_judged = sum(judged)

    by_state = {name: 0 for name in STATE_NAMES.values()}
    live = col(Card.removed).is_(False)
    for state, count in session.exec(
        select(Card.state, func.count()).where(live, col(Card.suspended).is_(False)).group_by(Card.state)
    ):
        by_state[STATE_NAMES[state]] = count
    by_state["suspended"] = session.exec(
        select(func.count()).select_from(Card).where(live, col(Card.suspended).is_(True))
    ).one()

    forecast_days = [today + timedelta(days=i) for i in range(DAYS)]
    forecast = [0] * DAYS
    horizon = study_day_start(now, hour) + timedelta(days=DAYS + 1)
    for due in session.exec(
        select(Card.due).where(live, col(Card.suspended).is_(False), Card.state != NEW, Card.due < horizon)
    ):
        offset = max(0, (_study_date(due, hour) - today).days)
        if offset < DAYS:
            forecast[offset] += 1

    return Stats(
        days=days, reviews_per_day=reviews, retention_per_day=retention,
        retention_overall=sum(passed) / total_judged if total_judged else None,
        review_state_reviews=total_judged, cards_by_state=by_state,
        forecast_days=forecast_days, forecast=forecast,
    )
