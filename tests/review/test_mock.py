"""Mock interviews without the TUI: drawing, coverage (English and Chinese), grading as reviews, report, history."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from review_seed import NOW, add_cards, card, shanghai, store  # noqa: F401
from sqlmodel import select

from studyapp.review.coverage import measure, ngrams
from studyapp.review.memory import make_scheduler
from studyapp.review.mock import MockSession, draw_questions, mock_history
from studyapp.review.readiness import live_cards
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings, set_setting
from studyapp.store.tables import REVIEW, ReviewLog

pytestmark = pytest.mark.usefixtures("shanghai")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_coverage_of_an_english_answer_counts_key_terms_by_trigrams():
    model = "A large negative bias: the unit outputs 0 on every input, so its gradient is 0 forever."
    result = measure(model, "Negative biases make its gradient zero")
    covered = {t.text for t in result.terms if t.covered}
    assert covered == {"negative", "bias", "gradient"}
    assert "the" not in {t.text for t in result.terms}  # stopwords are no key terms
    assert result.share == pytest.approx(3 / len(result.terms))
    assert measure(model, "").share == 0 and measure(model, model).share == 1


def test_coverage_of_a_chinese_answer_by_bigrams_without_spaces():
    model = "反向传播时梯度逐层相乘，$\\prod_i \\sigma'(z_i) \\to 0$。\n- 换 ReLU\n- 残差连接"
    result = measure(model, "梯度会逐层相乘，越乘越小；可以用relu")
    terms = {t.text: t.covered for t in result.terms}
    assert terms == {"反向传播": False, "梯度逐层相乘": True, "ReLU": True, "残差连接": False}  # no math terms
    assert [model[t.start:t.end] for t in result.terms] == list(terms)
    assert ngrams("梯度消失") == {"梯度", "度消", "消失"} and ngrams("ReLU") == {"rel", "elu"}
    assert measure("梯度消失", "ｒｅｌｕ 梯度消失").share == 1  # full-width input is normalised


def test_questions_come_weakest_first_with_some_randomness(store):
    ids = add_cards(store, 12)
    settings = Settings(fuzz=False)
    for i, cid in enumerate(ids[:8]):  # studied long ago (weak) to recently (strong); four never studied
        rate_now(store, cid, 3, settings, NOW - timedelta(days=40 - 4 * i))
        rate_now(store, cid, 3, settings, NOW - timedelta(days=40 - 4 * i, minutes=-10))
    with store.session() as session:
        cards = live_cards(session, None)
    scheduler = make_scheduler(settings)
    drawn = [[c.id for c in draw_questions(cards, scheduler, NOW, 4, random.Random(seed))] for seed in range(20)]
    assert all(set(d) <= set(ids[8:] + ids[:3]) for d in drawn)  # the never studied and the weakest
    assert len({tuple(d) for d in drawn}) > 1  # not always the same order
    assert all(len(d) == 4 for d in drawn)


def test_a_mock_grades_through_the_review_path_with_the_time_taken(store):
    ids = add_cards(store, 3, deck="DL::A") + add_cards(store, 2, deck="DL::B", prefix="b")
    clock = FakeClock(NOW)
    mock = MockSession(store, clock, questions=3, minutes=2, rng=random.Random(1))
    assert len(mock.answers) == 3 and mock.time_left() == timedelta(minutes=2)
    clock.advance(42)
    answer = mock.reveal("Answer of it")
    assert answer.seconds == 42 and not answer.timed_out and answer.coverage.share > 0
    mock.grade(2)  # Hard: a pass
    clock.advance(200)  # past the limit: the time counts as the limit
    assert mock.expired
    assert mock.reveal("").timed_out and mock.current.seconds == 120
    mock.grade(1)  # Again: a miss
    clock.advance(5)
    mock.reveal("")
    mock.grade(3)
    assert mock.finished
    with store.session() as session:
        logs = session.exec(select(ReviewLog).order_by(ReviewLog.id)).all()
        kept = mock_history(session)
    assert [(log.card_id, log.rating, log.duration_ms) for log in logs] == [
        (a.card.id, a.rating, ms) for a, ms in zip(mock.answers, (42000, 120000, 5000))]
    assert len(kept) == 1 and kept[0].questions == 3 and kept[0].counted_as_reviews
    report = json.loads(kept[0].report)
    assert report["overall"]["answered"] == 3 and report["overall"]["passed"] == 2
    assert report["overall"]["missed"] == 1 and report["overall"]["timed_out"] == 1
    assert report["overall"]["seconds"] == 167
    assert sum(t["answered"] for t in report["topics"]) == 3
    assert {t["deck"] for t in report["topics"]} <= {"DL::A", "DL::B"}
    assert report["overall"]["grades"] == {"again": 1, "hard": 1, "good": 1, "easy": 0}


def test_mock_answers_are_no_reviews_when_turned_off(store):
    ids = add_cards(store, 2)
    with store.transaction() as session:
        set_setting(session, "mock_counts_as_review", False)
    mock = MockSession(store, FakeClock(NOW), questions=2)
    for _ in range(2):
        mock.reveal("x")
        mock.grade(4)
    with store.session() as session:
        assert session.exec(select(ReviewLog)).all() == []
        assert not mock_history(session)[0].counted_as_reviews
    assert all(card(store, cid).state != REVIEW and card(store, cid).reps == 0 for cid in ids)


def test_a_card_rated_elsewhere_meanwhile_is_shown_afresh_and_a_suspended_one_graded_in_the_mock_only(store):
    from studyapp.review.queue import set_suspended
    from studyapp.review.schedule import CardChanged

    ids = add_cards(store, 2)
    mock = MockSession(store, FakeClock(NOW), questions=2, rng=random.Random(0))
    first = mock.current.card.id
    mock.reveal("x")
    rate_now(store, first, 3, Settings(), NOW)  # another window rates it
    with pytest.raises(CardChanged):
        mock.grade(3)
    assert mock.grade(3) is None  # the fresh outcomes are committed
    mock.reveal("y")
    set_suspended(store, mock.current.card.id, True)
    assert "graded in this mock only" in mock.grade(2)
    with store.session() as session:
        assert [log.card_id for log in session.exec(select(ReviewLog))] == [first, first]
        assert json.loads(mock_history(session)[0].report)["overall"]["answered"] == 2
    assert set(ids) == {a.card.id for a in mock.answers}
