"""`studyapp optimize`: refuses a short log, fits and stores parameters from a long one."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from review_seed import NOW, add_cards, store  # noqa: F401

from studyapp.cli.main import main
from studyapp.review.optimize import MIN_REVIEWS, load_history, log_loss
from studyapp.review.settings import load_settings
from studyapp.store.tables import ReviewLog


def add_history(store, cards: int, reviews_per_card: int, seed: int = 7) -> None:
    """A plausible log: growing gaps, recall failing more often after long gaps."""
    rng = random.Random(seed)
    ids = add_cards(store, cards)
    with store.transaction() as session:
        for cid in ids:
            at, gap = NOW - timedelta(days=400), 1.0
            for _ in range(reviews_per_card):
                failed = rng.random() < min(0.6, 0.05 * gap ** 0.5)
                session.add(ReviewLog(card_id=cid, rating=1 if failed else rng.choice((2, 3, 3, 3, 4)),
                                      reviewed_at=at))
                gap = 1.0 if failed else gap * rng.uniform(1.8, 2.6)
                at += timedelta(days=gap, minutes=rng.randint(0, 600))


def test_log_loss_counts_only_reviews_a_day_or_more_apart(store):
    add_history(store, cards=3, reviews_per_card=4)
    _, counted = log_loss(DEFAULT_PARAMETERS, load_history(store))
    assert counted == 3 * 3  # the first review of each card predicts nothing


def test_short_log_is_refused_before_any_torch_work(store, capsys):
    add_history(store, cards=10, reviews_per_card=5)
    assert main(["optimize"]) == 2
    err = capsys.readouterr().err
    assert f"at least {MIN_REVIEWS} reviews" in err and "40 so far (50 reviews in all)" in err


@pytest.mark.slow
def test_optimize_fits_stores_and_lowers_the_log_loss(store, capsys):
    add_history(store, cards=80, reviews_per_card=9)  # 640 reviews a day or more apart
    assert main(["optimize"]) == 0
    out = capsys.readouterr().out
    assert "fitted FSRS parameters to 640 reviews of 80 cards" in out
    losses = re.search(r"log loss: ([\d.]+) before, ([\d.]+) after", out)
    assert float(losses.group(2)) < float(losses.group(1))
    with store.session() as session:
        fitted = load_settings(session).fsrs_parameters
    assert fitted is not None and len(fitted) == 21
