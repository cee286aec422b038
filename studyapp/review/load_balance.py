"""Even workload, as Anki 24.11+ does it: the load balancer and Easy Days.

py-fsrs fuzzes a review interval to a random day of its fuzz range. With ``load_balancer``
on, the day is drawn instead with weights against days that are already full (Anki's
rslib/src/scheduler/states/load_balancer.rs), for intervals up to 90 days; longer ones
keep py-fsrs's plain fuzz. The weight of a day ``d`` days away holding ``n`` due reviews:

    (1 if n == 0 else n ** -2.15 * d ** -3) * sibling modifier * easy-day modifier

The ``d ** -3`` keeps the draw from drifting to the late end of the range. Siblings are
kept off the same day when ``bury_reviews`` is on (Anki does the same): a day holding a
sibling weighs almost nothing and the 5 days on either side are dampened (0.2 ... 1.0).
Easy Days (``easy_days``, Monday to Sunday): a ``minimum`` day weighs almost nothing, a
``reduced`` one is treated as ``minimum`` while it holds more than half of an average day
of the range. One departure from Anki: its modifiers skip empty days, ours weigh them too,
so an empty Sunday set to ``minimum`` is not the first choice.

The pure part (``fuzz_range``, ``choose_interval``) is what the workload benchmark runs;
``LoadBalancer`` reads the day loads from the database for one card.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable, Mapping, Optional, Sequence

from sqlalchemy import Integer, cast, func
from sqlmodel import col, select

from studyapp.review.memory import make_scheduler
from studyapp.review.queue import study_day_start
from studyapp.review.settings import MINIMUM, NORMAL, REDUCED, Settings
from studyapp.store.database import Store
from studyapp.store.tables import REVIEW, Card

MAX_BALANCED_INTERVAL = 90  # days; beyond, the need to balance is low (Anki)
SIBLING_REACH = 5  # days either side of a sibling that are dampened
SIBLING_MODIFIERS = {0: 0.000001, 1: 0.2, 2: 0.4, 3: 0.6, 4: 0.8, 5: 1.0}
EASY_DAY_LOADS = {NORMAL: 1.0, REDUCED: 0.5, MINIMUM: 0.0001}


def fuzz_range(interval_days: int, maximum_interval: int) -> tuple[int, int]:
    """The days py-fsrs may fuzz an interval of ``interval_days`` to (fsrs.scheduler's FUZZ_RANGES).

    Intervals under 2.5 days are not fuzzed: the range is the interval itself.
    """
    from fsrs.scheduler import FUZZ_RANGES

    if interval_days < 2.5:
        return interval_days, interval_days
    delta = 1.0
    for fuzz in FUZZ_RANGES:
        delta += fuzz["factor"] * max(min(float(interval_days), fuzz["end"]) - fuzz["start"], 0.0)
    low = max(2, round(interval_days - delta))
    high = min(round(interval_days + delta), maximum_interval)
    return min(low, high), high


def easy_day_modifiers(loads: Sequence[str], counts: Sequence[int]) -> list[float]:
    """Anki's calculate_easy_days_modifiers: per day of the range, its easy-day weight."""
    total = sum(counts)
    total_share = sum(EASY_DAY_LOADS[load] for load in loads)
    modifiers = []
    for load, count in zip(loads, counts):
        if load == REDUCED:
            half = EASY_DAY_LOADS[REDUCED]
            others_share = total_share - half
            threshold = (total - count) / others_share if others_share > 0 else float("inf")
            load = MINIMUM if count / half > threshold else NORMAL
        modifiers.append(EASY_DAY_LOADS[load])
    return modifiers


def sibling_modifiers(days: range, sibling_days: set[int]) -> list[float]:
    """Per day of the range, how much the siblings due near it push the card away."""
    modifiers = []
    for day in days:
        modifier = 1.0
        for sibling in sibling_days:
            distance = abs(day - sibling)
            if distance <= SIBLING_REACH:
                modifier *= SIBLING_MODIFIERS[distance]
        modifiers.append(modifier)
    return modifiers


def choose_interval(interval_days: int, maximum_interval: int, load_of: Callable[[int], int],
                    weekday_of: Callable[[int], int], easy_days: Sequence[str] = (NORMAL,) * 7,
                    sibling_days: set[int] = frozenset(), rng: random.Random | None = None) -> Optional[int]:
    """The balanced interval for an unfuzzed ``interval_days``, or None when it is not balanced
    (under 2.5 days, or the range reaches past ``MAX_BALANCED_INTERVAL``).

    ``load_of(d)``: reviews already due ``d`` days from today; ``weekday_of(d)``: that day's
    weekday (0 = Monday); ``easy_days``: Monday to Sunday, normal / reduced / minimum.
    """
    low, high = fuzz_range(interval_days, maximum_interval)
    if interval_days < 2.5 or interval_days > MAX_BALANCED_INTERVAL or low > MAX_BALANCED_INTERVAL:
        return None
    days = range(low, high + 1)
    counts = [load_of(day) for day in days]
    easy = easy_day_modifiers([easy_days[weekday_of(day)] for day in days], counts)
    siblings = sibling_modifiers(days, set(sibling_days))
    weights = [(1.0 if count == 0 else count ** -2.15 * day ** -3) * sib * ez
               for day, count, sib, ez in zip(days, counts, siblings, easy)]
    return (rng or random).choices(list(days), weights)[0]


@dataclass
class LoadBalancer:
    """Balances the review intervals of one learner's cards against the database's day loads."""

    store: Store
    settings: Settings

    def __post_init__(self) -> None:
        self.unfuzzed = make_scheduler(replace(self.settings, fuzz=False))

    @classmethod
    def for_settings(cls, store: Store, settings: Settings) -> Optional["LoadBalancer"]:
        """A balancer when ``load_balancer`` and ``fuzz`` are on (no fuzz: exact intervals)."""
        return cls(store, settings) if settings.load_balancer and settings.fuzz else None

    def balance(self, card: Card, before, now: datetime, afters: list) -> None:
        """Move each review outcome in ``afters`` (fsrs Cards after Again, Hard, Good, Easy) to its balanced day.

        ``before`` is ``card`` as an fsrs Card. Intervals are balanced from py-fsrs's
        unfuzzed ones, so the day stays inside the range py-fsrs's fuzz would draw from;
        outcomes that are not balanced keep py-fsrs's fuzz.
        """
        from fsrs import Rating, State

        reviews = [i for i, after in enumerate(afters) if after.state == State.Review]
        exact = [(self.unfuzzed.review_card(before, Rating(i + 1), review_datetime=now)[0].due - now).days
                 for i in reviews]
        for i, days in zip(reviews, self.balanced_days(card, now, exact)):
            if days is not None:
                afters[i].due = now + timedelta(days=days)

    def balanced_days(self, card: Card, now: datetime, intervals: Sequence[int]) -> list[Optional[int]]:
        """For each unfuzzed review interval (days), the balanced one, or None where py-fsrs's fuzz stays."""
        ranges = [fuzz_range(days, self.settings.maximum_interval) for days in intervals]
        wanted = [r for days, r in zip(intervals, ranges) if 2.5 <= days <= MAX_BALANCED_INTERVAL]
        if not wanted:
            return [None] * len(intervals)
        first, last = min(low for low, _ in wanted), max(high for _, high in wanted)
        day0 = study_day_start(now, self.settings.day_start_hour)
        loads, siblings = self._loads(card, day0, first, last)
        local_day0 = day0.astimezone()
        return [
            choose_interval(days, self.settings.maximum_interval, lambda d: loads.get(d, 0),
                            lambda d: (local_day0 + timedelta(days=d)).weekday(),
                            self.settings.easy_days, siblings)
            for days in intervals
        ]

    def _loads(self, card: Card, day0: datetime, first: int, last: int) -> tuple[Mapping[int, int], set[int]]:
        """Cards due on each day ``first``..``last`` from ``day0``; the days ``card``'s siblings are due.

        The loads count every card with a due date in the window: almost all are reviews
        (learning steps are minutes, new cards have none); suspended and removed cards
        that kept their due count too, a small price for reading the index alone.
        """
        offset = cast(func.julianday(col(Card.due)) - func.julianday(day0.isoformat()), Integer)
        live = (col(Card.removed).is_(False), col(Card.suspended).is_(False), Card.state == REVIEW)
        start, end = day0 + timedelta(days=first), day0 + timedelta(days=last + 1)
        with self.store.session() as session:
            rows = session.exec(
                # every card due in the window, read from the due index alone: filtering on
                # state, suspended or removed would read each row (8x slower on 100k cards)
                select(offset, func.count()).where(Card.due >= start, Card.due < end).group_by(offset)
            ).all()
            siblings: set[int] = set()
            if self.settings.bury_reviews:
                siblings = set(session.exec(select(offset).where(
                    *live, Card.sibling_key == card.sibling_key, Card.id != card.id,
                    Card.due >= start - timedelta(days=SIBLING_REACH), Card.due < end + timedelta(days=SIBLING_REACH),
                )))
        return dict(rows), siblings
