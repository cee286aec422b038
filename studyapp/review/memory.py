"""The FSRS memory model of our cards: a scheduler from the settings, a Card as an fsrs Card.

Kept apart from ``schedule`` (which rates cards) so that the daily queue can ask what a
card's recall will be at a future moment without importing the rating code.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from studyapp.review.settings import Settings
from studyapp.store.tables import NEW, Card


def make_scheduler(settings: Settings):
    """An ``fsrs.Scheduler`` configured from the learner's settings."""
    from fsrs import Scheduler
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return Scheduler(
        parameters=settings.fsrs_parameters or DEFAULT_PARAMETERS,
        desired_retention=settings.desired_retention,
        learning_steps=[timedelta(minutes=m) for m in settings.learning_steps],
        relearning_steps=[timedelta(minutes=m) for m in settings.relearning_steps],
        maximum_interval=settings.maximum_interval,
        enable_fuzzing=settings.fuzz,
    )


def fsrs_decay(settings: Settings) -> float:
    """The forgetting curve's exponent (negative), as py-fsrs takes it from the parameters:
    R(t) = (1 + F·t/S)^decay with F = 0.9^(1/decay) - 1, t in whole days."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return -(settings.fsrs_parameters or DEFAULT_PARAMETERS)[20]


def fsrs_card(card: Card, now: datetime):
    """``card`` as an ``fsrs.Card`` (a new card is a fresh Learning card at step 0, due ``now``)."""
    from fsrs import Card as FsrsCard
    from fsrs import State

    if card.state == NEW:  # py-fsrs has no New state: a fresh Learning card at step 0
        return FsrsCard(card_id=0, state=State.Learning, step=0, due=now)
    return FsrsCard(
        card_id=0, state=State(card.state), step=card.step, stability=card.stability,
        difficulty=card.difficulty, due=card.due or now, last_review=card.last_review,
    )


def recall_at(card: Card, scheduler, when: datetime) -> float:
    """Predicted probability of recalling ``card`` at ``when`` (py-fsrs); 0 for a card never studied."""
    if card.state == NEW or card.stability is None or card.last_review is None:
        return 0.0
    when = when.astimezone(timezone.utc)
    return float(scheduler.get_card_retrievability(fsrs_card(card, when), when))
