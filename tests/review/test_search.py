"""The card search (browser and `cards --search`): each syntax against real cards in SQLite."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select
from review_seed import NOW, add_cards, add_review_cards, shanghai, store  # noqa: F401

from studyapp.errors import UserError
from studyapp.review.history import card_history, reset_card
from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.queue import set_suspended
from studyapp.review.schedule import rate_now
from studyapp.review.search import compile_search, count_cards, parse_search, search_cards
from studyapp.review.settings import Settings
from studyapp.store.tables import LEARNING, Card

pytestmark = pytest.mark.usefixtures("shanghai")
SETTINGS = Settings()


def ids(store, query: str, sort: str = "notes", descending: bool = False, **options) -> list[str]:
    search = compile_search(query, NOW, SETTINGS, **options)
    with store.session() as session:
        rows = search_cards(session, search, SETTINGS, NOW, sort=sort, descending=descending)
        assert count_cards(session, search) == len(rows)
    found = [row.card.id for row in rows]
    return sorted(found) if sort == "notes" else found  # notes (import) order is checked in test_sorts


@pytest.fixture
def cards(store):
    """New cards in two decks, review cards of known stability, a leech, a removed card."""
    add_cards(store, 2, deck="CNN::Pooling", prefix="n", tags="CNN Pooling")
    with store.transaction() as session:
        session.get(Card, "n00001").back = "max pooling keeps the strongest response"
    add_review_cards(store, 3, due=NOW + timedelta(days=2), deck="RNN", prefix="r", tags="RNN")
    with store.transaction() as session:  # r00000: seen 10 days ago with S=10 (R 0.9); r00001 S=2 (R ~0.68)
        weak = session.get(Card, "r00001")
        weak.stability, weak.lapses, weak.due = 2.0, 3, NOW - timedelta(hours=1)
        strong = session.get(Card, "r00002")
        strong.stability, strong.last_review, strong.due = 100.0, NOW - timedelta(days=1), NOW + timedelta(days=40)
    add_cards(store, 1, deck="RNN", prefix="l", state=LEARNING, stability=0.5, difficulty=5.0,
              due=NOW + timedelta(minutes=5), last_review=NOW - timedelta(minutes=5), tags="RNN leech", suspended=True)
    add_cards(store, 1, deck="CNN", prefix="x", removed=True)
    return store


def test_free_text_deck_and_tag(cards):
    assert ids(cards, "pooling") == ["n00001"]  # the back counts, case does not
    assert ids(cards, "deck:CNN") == ["n00000", "n00001"]  # sub-decks included, removed left out
    assert ids(cards, "deck:CN*") == ["n00000", "n00001"]
    assert ids(cards, "tag:pooling") == ids(cards, "tag:Pool*") == ["n00000", "n00001"]
    assert ids(cards, '"max pooling keeps"') == ["n00001"] and ids(cards, "max keeps") == ["n00001"]
    assert ids(cards, "-deck:CNN") == ["l00000", "r00000", "r00001", "r00002"]
    assert ids(cards, "deck:CNN or tag:leech") == ["l00000", "n00000", "n00001"]
    assert ids(cards, "100%") == [] and ids(cards, "Q_") == []  # LIKE wildcards are literal


def test_is_states(cards):
    assert ids(cards, "is:new") == ["n00000", "n00001"]
    assert ids(cards, "is:learn") == ids(cards, "is:suspended") == ids(cards, "is:leech") == ["l00000"]
    assert ids(cards, "is:review") == ["r00000", "r00001", "r00002"]
    assert ids(cards, "is:due") == ["l00000", "r00001"]  # the learning step within 20 min, the overdue review
    assert ids(cards, "is:removed") == ["x00000"] and ids(cards, "is:buried") == []


def test_props_match_fsrs_retrievability(cards):
    scheduler = make_scheduler(SETTINGS)
    with cards.session() as session:
        recall = {c.id: recall_at(c, scheduler, NOW) for c in session.exec(select(Card).where(Card.state != 0))}
    for bound in (0.5, 0.7, 0.9, 0.95, 0.999, 1.0):
        expected = sorted(cid for cid, r in recall.items() if r < bound and cid != "x00000")
        assert ids(cards, f"prop:r<{bound}") == expected, bound
        assert ids(cards, f"prop:r>={bound}") == sorted(set(recall) - set(expected) - {"x00000"}), bound
    assert ids(cards, "prop:lapses>2") == ["r00001"] and ids(cards, "prop:lapses<=2 is:review") == ["r00000", "r00002"]
    assert ids(cards, "prop:ivl>=10") == ["r00000", "r00002"] and ids(cards, "prop:ivl>40") == ["r00002"]
    assert ids(cards, "prop:s>50") == ["r00002"]


def test_sorts(cards):
    search = compile_search("", NOW, SETTINGS)
    with cards.session() as session:  # notes order is import order (the fixture's insertion order)
        assert [row.card.id for row in search_cards(session, search, SETTINGS, NOW)][:3] == \
            ["n00000", "n00001", "r00000"]
    assert ids(cards, "is:review", sort="retrievability") == ["r00001", "r00000", "r00002"]
    assert ids(cards, "is:review", sort="retrievability", descending=True) == ["r00002", "r00000", "r00001"]
    assert ids(cards, "", sort="due")[:3] == ["r00001", "l00000", "r00000"]  # new cards (no due) last
    assert ids(cards, "is:review", sort="stability") == ["r00001", "r00000", "r00002"]
    assert ids(cards, "-is:new", sort="lapses", descending=True)[0] == "r00001"
    with pytest.raises(UserError, match="sort 'colour'"):
        ids(cards, "", sort="colour")


def test_rated_and_history(cards):
    rate_now(cards, "n00000", 1, SETTINGS, NOW - timedelta(days=3))
    rate_now(cards, "n00000", 3, SETTINGS, NOW - timedelta(days=3) + timedelta(minutes=2))
    rate_now(cards, "r00000", 3, SETTINGS, NOW - timedelta(hours=1))
    assert ids(cards, "rated:1") == ["r00000"]
    assert ids(cards, "rated:4") == ["n00000", "r00000"] and ids(cards, "rated:4:1") == ["n00000"]
    with cards.session() as session:
        card = session.get(Card, "n00000")
        first, second = card_history(session, card, SETTINGS)
        (review,) = card_history(session, session.get(Card, "r00000"), SETTINGS)
    assert (first.rating_name, first.predicted_recall, first.state_name) == ("Again", None, "new")
    assert first.interval == timedelta(minutes=1) and second.interval == card.due - second.reviewed_at
    assert second.predicted_recall == pytest.approx(1.0)  # minutes later: whole days elapsed = 0
    # seen 8 days minus an hour before (7 whole days) at S=10: a little above the 0.9 of day 10
    assert review.predicted_recall == pytest.approx(0.9226, abs=1e-4)
    assert review.interval > timedelta(days=5)


def test_reset_keeps_history_and_suspension(cards):
    rate_now(cards, "r00000", 3, SETTINGS, NOW)
    reset_card(cards, "r00000", NOW)
    reset_card(cards, "l00000", NOW)
    assert sorted(ids(cards, "is:new")) == ["l00000", "n00000", "n00001", "r00000"]
    assert ids(cards, "is:suspended") == ["l00000"]
    with cards.session() as session:
        card = session.get(Card, "r00000")
        rating, reset = card_history(session, card, SETTINGS)
    assert (card.due, card.stability, card.reps) == (None, None, 4)
    assert rating.rating_name == "Good" and rating.interval > timedelta(days=5)  # what it gave, still known
    assert (reset.rating_name, reset.state_name, reset.interval, reset.predicted_recall) == \
        ("Reset", "review", None, None)
    set_suspended(cards, "l00000", False)
    assert ids(cards, "is:suspended") == []


@pytest.mark.parametrize("query, message", [
    ("is:old", "unknown is:old (use is:new|due|learn|review|suspended|buried|leech|removed)"),
    ("prop:r<<1", "prop:r<<1 is not PROP OP NUMBER"),
    ("prop:colour>1", "prop:colour>1 is not PROP OP NUMBER"),
    ("rated:0", "rated:0 is not DAYS or DAYS:RATING"),
    ("deck:", "deck: needs a value"),
    ("or relu", "'or' needs a term on each side"),
])
def test_bad_searches_say_what_is_wrong(query, message):
    with pytest.raises(UserError, match="^search .*" + message.replace("|", r"\|").replace("(", r"\(")
                       .replace(")", r"\)")):
        parse_search(query)


def test_text_with_a_colon_is_text(cards):
    with cards.transaction() as session:
        session.get(Card, "n00000").front = "Q: what is https://x?"
    assert ids(cards, "https://x") == ["n00000"] and ids(cards, "Q:") == ["n00000"]


def test_cards_search_cli_uses_the_same_syntax(run_cli):
    run_cli("import")
    found = json.loads(run_cli("cards", "--json", "--search", "deck:深度学习八股::梯度问题 is:new").stdout)
    assert {c["front"] for c in found} >= {"梯度消失", "梯度爆炸"} and all(c["state"] == "new" for c in found)
    bad = run_cli("cards", "--search", "is:whatever")
    assert bad.returncode == 2 and bad.stderr.startswith("studyapp: error: search 'is:whatever': unknown is:whatever")
