"""The card browser driven through Pilot: search, sort, page, open a card, act on it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from review_seed import NOW, add_cards, add_review_cards, card, shanghai, store  # noqa: F401
from test_tui import make_app, notes_and_fake_editor, pilot_test, text

from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings
from studyapp.store.tables import NEW, CardDemo

pytestmark = pytest.mark.usefixtures("shanghai")
SIZE = (120, 36)


def rows(app, selector: str = "#cards") -> list[list]:
    table = app.screen.query_one(selector)
    return [table.get_row_at(i) for i in range(table.row_count)]


def fronts(app) -> list[str]:
    return [str(row[0]) for row in rows(app)]


async def search(pilot, query: str) -> None:
    await pilot.press("slash")
    field = pilot.app.screen.query_one("#cards-search")
    field.value = query
    await pilot.press("enter")
    await pilot.pause()


@pilot_test
async def test_b_opens_the_browser_on_the_selected_deck_and_searches(store):
    add_cards(store, 2, deck="CNN", prefix="n")
    add_review_cards(store, 2, due=NOW + timedelta(days=1), deck="RNN", prefix="r")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "b")  # the CNN row
        assert type(app.screen).__name__ == "BrowserScreen"
        assert app.screen.query_one("#cards-search").value == 'deck:"CNN"'
        assert fronts(app) == ["Question n00000?", "Question n00001?"]
        await pilot.pause()
        assert text(app, "#cards-status").startswith("2 cards · “deck:\"CNN\"”")
        await search(pilot, "is:review")
        assert fronts(app) == ["Question r00000?", "Question r00001?"]
        assert rows(app)[0][1:] == ["review", "2026-03-11", "91%", "10.0d", 0, 3]  # 9 of 10 days: R above 0.9
        await search(pilot, "is:nonsense")
        assert text(app, "#cards-status").startswith("⚠ search 'is:nonsense': unknown is:nonsense")
        assert app.screen.query_one("#cards").has_focus
        await pilot.press("escape")
        assert type(app.screen).__name__ == "DeckListScreen"


@pilot_test
async def test_o_sorts_by_each_column_and_O_reverses(store):
    weak, strong = add_review_cards(store, 2, due=NOW + timedelta(days=1), prefix="r")
    with store.transaction() as session:
        from studyapp.store.tables import Card

        session.get(Card, weak).stability = 2.0
        session.get(Card, weak).lapses = 4
    add_cards(store, 1, prefix="n")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        seen = {}
        for _ in range(5):
            await pilot.press("o")
            seen[app.screen.sort] = [row.removeprefix("Question ").removesuffix("?") for row in fronts(app)]
        assert seen == {"due": ["r00000", "r00001", "n00000"], "retrievability": ["r00000", "r00001", "n00000"],
                        "stability": ["r00000", "r00001", "n00000"], "lapses": ["r00001", "n00000", "r00000"],
                        "reviews": ["n00000", "r00000", "r00001"]}
        headers = [str(column.label) for column in app.screen.query_one("#cards").columns.values()]
        assert "Reviews ↑" in headers
        await pilot.press("O")
        assert fronts(app)[-1] == "Question n00000?" and "Reviews ↓" in \
            [str(column.label) for column in app.screen.query_one("#cards").columns.values()]


@pilot_test
async def test_pages_load_as_the_cursor_nears_the_end(store):
    add_cards(store, 250)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        table = app.screen.query_one("#cards")
        assert table.row_count == 100
        await pilot.pause()
        assert "250 cards" in text(app, "#cards-status")
        await pilot.press("end")
        assert table.row_count == 200
        await pilot.press("end", "end")
        assert table.row_count == 250 and table.cursor_row == 249
        await pilot.press("home")
        assert table.cursor_row == 0


@pilot_test
async def test_a_cards_history_and_its_actions(store, fake_demos):
    (cid,) = add_cards(store, 1)
    with store.transaction() as session:
        session.add(CardDemo(card_id=cid, demo_id="fake_fast"))
    settings = Settings()
    rate_now(store, cid, 3, settings, NOW - timedelta(days=12))
    rate_now(store, cid, 3, settings, NOW - timedelta(days=11, hours=23))
    rate_now(store, cid, 1, settings, NOW - timedelta(days=1))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "enter")
        assert type(app.screen).__name__ == "CardScreen"
        history = rows(app, "#card-history")
        assert [row[1:3] for row in history] == [["Again", "review"], ["Good", "learning"], ["Good", "new"]]
        assert [row[4] for row in history][2] == "—" and history[0][3] == "10m"  # relearning step
        assert history[2][0] == (NOW - timedelta(days=12)).astimezone().strftime("%Y-%m-%d %H:%M")
        assert text(app, "#card-history-title") == "Review history: 3 ratings, latest first"
        await pilot.press("s")
        assert card(store, cid).suspended and "SUSPENDED" in text(app, "#card-memory")
        await pilot.press("s")
        assert not card(store, cid).suspended
        await pilot.press("R")
        assert card(store, cid).state != NEW  # asked first
        await pilot.press("R")
        assert card(store, cid).state == NEW and card(store, cid).reps == 3
        history = rows(app, "#card-history")  # kept, with the reset on top, as Anki's Forget leaves it
        assert [row[1:3] for row in history] == [["Reset", "relearning"], ["Again", "review"], ["Good", "learning"],
                                                 ["Good", "new"]]
        assert text(app, "#card-history-title") == "Review history: 3 ratings, 1 reset, latest first"
        await pilot.press("d")
        assert type(app.screen).__name__ == "DemoScreen" and app.screen.card_id == cid
        await pilot.press("q")  # closing the panel stops the run
        assert type(app.screen).__name__ == "CardScreen"
        await pilot.press("q")  # back in the list, which shows the change
        assert type(app.screen).__name__ == "BrowserScreen" and rows(app)[0][1] == "new"


@pilot_test
async def test_e_in_a_card_opens_its_notes_in_the_editor(store, tmp_path, monkeypatch):
    notes, record = notes_and_fake_editor(store, tmp_path, monkeypatch)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "enter", "e")
        await pilot.pause()
        assert json.loads(record.read_text()) == ["+3", str(notes)]
        assert "负半轴梯度为0" in text(app, "#card-back")


@pilot_test
async def test_s_in_the_list_suspends_and_unsuspends(store):
    (cid,) = add_cards(store, 1)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "s")
        assert card(store, cid).suspended and rows(app)[0][1] == "new ⏸"
        await pilot.press("s")
        assert not card(store, cid).suspended and rows(app)[0][1] == "new"
