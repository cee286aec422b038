"""The reviewer driven by keys through Textual's Pilot, checked against the database."""

from __future__ import annotations

import asyncio
import functools
import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from review_seed import NOW, add_cards, add_review_cards, card, shanghai, store  # noqa: F401
from rich.cells import cell_len
from sqlmodel import func, select

from studyapp.review.settings import set_setting
from studyapp.store.tables import LEARNING, NEW, Card, CardDemo, ReviewLog, utcnow
from studyapp.tui.app import StudyApp

SIZE = (100, 30)
pytestmark = pytest.mark.usefixtures("shanghai")  # NOW is 10:00 local; the study day starts 04:00


def pilot_test(flow):
    """Run an async Pilot flow as a plain test (no async pytest plugin needed)."""

    @functools.wraps(flow)
    def test(*args, **kwargs):
        asyncio.run(flow(*args, **kwargs))

    return test


def make_app(store, **options) -> StudyApp:
    return StudyApp(store, clock_offset=NOW - utcnow(), **options)


def bury_new_siblings(store) -> None:
    """Turn on the bury_new setting (off by default, as in Anki)."""
    with store.transaction() as session:
        set_setting(session, "bury_new", True)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def review_count(store) -> int:
    with store.session() as session:
        return session.exec(select(func.count()).select_from(ReviewLog)).one()


def visible(app, selector: str) -> bool:
    return app.screen.query_one(selector).display


@pilot_test
async def test_full_flow_deck_list_review_undo_suspend_done_quit(store):
    new = add_cards(store, 2, deck="DL::CNN", prefix="n", sibling_key="pair")
    add_cards(store, 1, deck="DL::RNN", prefix="m")
    bury_new_siblings(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#decks")  # the pair's second card waits for another day
        assert [table.get_row_at(i)[1:] for i in range(table.row_count)] == [[2, 0, 0], [2, 0, 0], [1, 0, 0], [1, 0, 0]]
        await pilot.press("down", "down", "enter")  # DL::CNN
        assert type(app.screen).__name__ == "ReviewScreen"
        assert text(app, "#front") == f"Question {new[0]}?" and not visible(app, "#back")
        await pilot.press("space")
        assert visible(app, "#back") and text(app, "#back") == f"Answer {new[0]}."
        assert str(app.screen.query_one("#rate-3").label) == "3 Good · 10m"
        await pilot.press("3")
        assert card(store, new[0]).state == LEARNING and review_count(store) == 1  # on disk already
        # the sibling was buried, so the only card left is the one in learning, shown early
        assert text(app, "#front") == f"Question {new[0]}?" and not visible(app, "#back")
        await pilot.press("u")
        assert card(store, new[0]).state == NEW and review_count(store) == 0
        assert card(store, new[1]).buried_until is None
        await pilot.press("s")
        assert card(store, new[0]).suspended
        assert text(app, "#front") == f"Question {new[1]}?"
        await pilot.press("space", "1")  # Again: due in a minute, shown again at once
        await pilot.press("space", "4")  # Easy: days away
        assert type(app.screen).__name__ == "DoneScreen"
        assert "All done for today!" in text(app, "#done-title")
        assert "2 answered in this sitting. Next card due tomorrow at " in text(app, "#done-detail")
        await pilot.press("q")
        assert type(app.screen).__name__ == "DeckListScreen"
        await pilot.press("q")
    assert app.return_code == 0 and not app.is_running


@pilot_test
async def test_rating_buttons_can_be_clicked(store):
    (cid,) = add_cards(store, 1)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.click("#rate-4")
        assert card(store, cid).state == 2  # Easy graduates a new card to review
        assert type(app.screen).__name__ == "DoneScreen"


@pilot_test
async def test_keys_do_nothing_harmful_before_the_answer_is_shown(store):
    (cid,) = add_cards(store, 1)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "4")
        assert review_count(store) == 0 and card(store, cid).state == NEW
        await pilot.press("enter", "enter")  # reveal, then Enter again rates Good
        assert card(store, cid).state == LEARNING


@pilot_test
async def test_leech_is_announced(store):
    (cid,) = add_review_cards(store, 1, due=NOW, lapses=7)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "1")
        await pilot.pause()
        assert any("Leech" in n.message for n in app._notifications)
    assert card(store, cid).suspended and "leech" in card(store, cid).tag_list


@pilot_test
async def test_cram_walks_cards_without_touching_schedules(store):
    ids = add_review_cards(store, 2, due=NOW + timedelta(days=20), deck="DL::CNN")
    before = [card(store, cid).due for cid in ids]
    app = make_app(store, deck="DL::CNN", cram=True, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        assert text(app, "#front") == f"Question {ids[0]}?"
        await pilot.press("space")
        assert str(app.screen.query_one("#rate-3").label) == "3 Good"
        await pilot.press("1", "space", "3", "space", "3")  # Again sends the first card to the back
        assert "Cram finished" in text(app, "#done-title")
        assert "3 cards" in text(app, "#done-detail")
    assert [card(store, cid).due for cid in ids] == before and review_count(store) == 0


@pilot_test
async def test_cram_after_a_review_walks_the_buried_sibling_too(store):
    ids = add_cards(store, 2, deck="基础知识", sibling_key="pair")
    bury_new_siblings(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", "space", "3")  # Good buries the sibling until tomorrow
        assert card(store, ids[1]).buried_until is not None
        await pilot.press("q")
        assert visible(app, "#buried")
        assert text(app, "#buried") == \
            "1 sibling card buried until tomorrow (c crams the deck to study them anyway, U unburies 1)"
        await pilot.press("c")
        assert text(app, "#progress") == "cram · 基础知识 · 0 seen · 2 left"
        assert text(app, "#front") == f"Question {ids[0]}?"
        await pilot.press("space", "3")
        assert text(app, "#front") == f"Question {ids[1]}?"
        await pilot.press("space", "3")
        assert "You went through 2 cards; their schedules are unchanged." in text(app, "#done-detail")


@pilot_test
async def test_all_done_says_how_many_siblings_are_buried_and_u_studies_them(store):
    ids = add_cards(store, 2, deck="A", sibling_key="pair")
    bury_new_siblings(store)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "4")  # Easy: the card graduates, its sibling is buried
        assert type(app.screen).__name__ == "DoneScreen"
        assert text(app, "#done-buried") == \
            "1 sibling card buried until tomorrow (U unburies 1 to study now, c on the deck list crams them anyway)"
        await pilot.press("U")  # unburied, and studied at once
        assert type(app.screen).__name__ == "ReviewScreen"
        assert card(store, ids[1]).buried_until is None
        assert text(app, "#front") == f"Question {ids[1]}?"


@pilot_test
async def test_u_on_the_deck_list_unburies_the_selected_deck(store):
    ids = add_cards(store, 2, deck="A", sibling_key="pair")
    add_cards(store, 2, deck="B", prefix="b")
    bury_new_siblings(store)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.check_action("unbury", ()) is False  # nothing buried: ? does not list U
        await pilot.press("down", "enter", "space", "4", "q")  # deck A: Easy graduates it, buries its sibling
        assert "U unburies 1" in text(app, "#buried") and app.screen.check_action("unbury", ())
        last_key = app.screen.query("FooterKey").last()
        assert str(last_key.render()) == "? Keys" and last_key.region.right <= 80  # the footer still fits
        await pilot.press("down", "U")  # deck B has nothing buried
        assert card(store, ids[1]).buried_until is not None
        await pilot.press("up", "U")
        assert card(store, ids[1]).buried_until is None
        assert not visible(app, "#buried") and app.screen.check_action("unbury", ()) is False
        table = app.screen.query_one("#decks")
        assert table.get_row("A")[1] == 1  # the unburied card is new again today


@pilot_test
async def test_nothing_is_said_about_burying_when_nothing_is_buried(store):
    add_cards(store, 1, deck="A")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        assert not visible(app, "#buried")
        await pilot.press("enter", "space", "4")
        assert type(app.screen).__name__ == "DoneScreen" and not app.screen.query("#done-buried")


@pilot_test
async def test_cram_of_one_card_says_card(store):
    add_cards(store, 1, deck="A")
    app = make_app(store, deck="A", cram=True, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3")
        assert "You went through 1 card; its schedule is unchanged." in text(app, "#done-detail")


@pilot_test
async def test_header_counts_follow_undo_and_suspend(store):
    ids = add_cards(store, 3, deck="DL::CNN")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        assert text(app, "#progress") == "all decks · done today 0 · left: 0 learning · 0 due · 3 new"
        await pilot.press("space", "3")  # learning now; cards of one section are not siblings
        assert text(app, "#progress") == "all decks · done today 1 · left: 1 learning · 0 due · 2 new"
        await pilot.press("u")
        assert text(app, "#front") == f"Question {ids[0]}?"
        assert text(app, "#progress") == "all decks · done today 0 · left: 0 learning · 0 due · 3 new"
        await pilot.press("s")
        assert text(app, "#progress") == "all decks · done today 0 · left: 0 learning · 0 due · 2 new"


@pilot_test
@pytest.mark.parametrize("width", [80, 100])
async def test_footer_keeps_keys_and_back_on_a_card_with_a_demo(store, width):
    (cid,) = add_cards(store, 1)
    with store.transaction() as session:
        session.add(CardDemo(card_id=cid, demo_id="dying_relu"))
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        keys = {str(key.render()).strip(): key.region for key in app.screen.query("FooterKey")}
        for shown in ("space/enter Show", "u Undo", "s Suspend", "e Edit", "d Demo", "? Keys", "q Back"):
            assert shown in keys and keys[shown].right <= width, (shown, keys)


def drawn_lines(widget) -> list[str]:
    strips = widget.render_lines(widget.content_region.reset_offset)
    return [line for line in ("".join(seg.text for seg in strip).rstrip() for strip in strips) if line]


def assert_lines_filled(lines: list[str], width: int) -> None:
    """Each line but the last is full: the next line's first word or CJK character would not fit
    (a closing mark like ，or ： goes with the character before it)."""
    for line, following in zip(lines, lines[1:]):
        first = re.match(r"(?:[A-Za-z0-9]+|.)[，。：）]*", following).group(0)
        assert cell_len(line) <= width < cell_len(line) + cell_len(first), (width, lines)


@pilot_test
async def test_chinese_answer_fills_the_width_and_rewraps_on_resize(store):
    (cid,) = add_cards(store, 1)
    back = "梯度消失：Sigmoid函数的梯度在输入很大或很小时趋近于0，反向传播时梯度逐层相乘，导致靠近输入层的梯度极小。" * 3
    with store.transaction() as session:
        row = session.get(Card, cid)
        row.back = back
        session.add(row)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.press("space")
        widget = app.screen.query_one("#back")
        lines = drawn_lines(widget)
        assert "".join(lines) == back and len(lines) == widget.size.height == 6
        assert_lines_filled(lines, widget.content_region.width)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        lines = drawn_lines(widget)
        assert "".join(lines) == back and len(lines) == widget.size.height == 4
        assert_lines_filled(lines, widget.content_region.width)


@pilot_test
async def test_help_lists_the_review_keys(store):
    add_cards(store, 1)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        keys = text(app, "#help-keys")
        for line in ("space / enter  Show answer / Good", "u  Undo", "s  Suspend", "e  Edit source", "q / esc  Back"):
            assert line in keys
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ReviewScreen"


@pilot_test
async def test_demo_hint_shows_only_on_cards_with_demos(store):
    with_demo = add_cards(store, 2, deck="A", prefix="a", sibling_key="pair")
    plain = add_cards(store, 1, deck="B", prefix="b")[0]
    bury_new_siblings(store)
    with store.transaction() as session:
        session.add(CardDemo(card_id=with_demo[0], demo_id="dying_relu"))
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        assert visible(app, "#demo-hint") and "dying_relu" in text(app, "#demo-hint")
        await pilot.press("space", "3")  # buries a00001; next is the plain card
        assert text(app, "#front") == f"Question {plain}?" and not visible(app, "#demo-hint")


def notes_and_fake_editor(store, tmp_path, monkeypatch) -> tuple[Path, Path]:
    """Import a one-card notes file and make $EDITOR a script that records its arguments (to the
    returned record file) and adds text to the card's answer, as a user's edit would."""
    from studyapp.notes.importer import import_paths

    notes = tmp_path / "notes.md"
    notes.write_text("# 深度学习\n## 激活函数\n**什么是ReLU？**\nmax(0, x)。\n", encoding="utf-8")
    import_paths(store, [notes])
    record = tmp_path / "editor-args.json"
    editor = tmp_path / "fake-editor.py"
    editor.write_text(
        "import json, pathlib, sys\n"
        f"pathlib.Path({str(record)!r}).write_text(json.dumps(sys.argv[1:]))\n"
        "path = pathlib.Path(sys.argv[2])\n"
        "path.write_text(path.read_text(encoding='utf-8').replace('max(0, x)', 'max(0, x)，负半轴梯度为0'), encoding='utf-8')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    return notes, record


@pilot_test
async def test_edit_opens_the_editor_at_the_source_line_and_reimports(store, tmp_path, monkeypatch):
    notes, record = notes_and_fake_editor(store, tmp_path, monkeypatch)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        args = json.loads(record.read_text())
        assert args[1] == str(notes) and args[0] == f"+{card_line(store)}"
        await pilot.press("space")
        assert "负半轴梯度为0" in text(app, "#back")


def card_line(store) -> int:
    with store.session() as session:
        return session.exec(select(Card.source_line)).one()


def test_starting_the_tui_does_not_import_torch(store):
    add_cards(store, 3)
    probe = Path(__file__).resolve().parents[1] / "tui_probe.py"
    done = subprocess.run([sys.executable, str(probe), "--db", str(store.path)],
                          capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout)
    assert result["front"] == "Question c00000?"
    assert result["torch_imported"] is False


@pilot_test
async def test_question_mark_lists_the_keys_on_every_screen(store):
    add_cards(store, 2, deck="DL::CNN")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screens = {"DeckListScreen": ["enter  Study", "↓ / j  Down", "end / ctrl+end / G  Last row"],
                   "DemoBrowserScreen": ["enter  Run"], "StatsScreen": ["q / esc  Back"],
                   "ReviewScreen": ["space / enter  Show answer / Good", "u  Undo the last rating or suspension"]}
        for keys, name in (((), "DeckListScreen"), (("D",), "DemoBrowserScreen"), (("S",), "StatsScreen"),
                           (("enter",), "ReviewScreen")):
            await pilot.press(*keys)
            assert type(app.screen).__name__ == name
            await pilot.press("question_mark")
            shown = text(app, "#help-keys")
            for line in screens[name]:
                assert line in shown, (name, shown)
            assert "?  List the keys of this screen" in shown and "Focus Next" not in shown
            await pilot.press("question_mark")  # ? closes it again
            assert type(app.screen).__name__ == name
            if name in ("DemoBrowserScreen", "StatsScreen"):
                await pilot.press("q")


@pilot_test
async def test_lists_move_with_j_k_home_and_end(store):
    for deck in ("A", "B", "C"):
        add_cards(store, 1, deck=deck, prefix=deck)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#decks")
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("G", "enter")
        assert type(app.screen).__name__ == "ReviewScreen" and app.screen.session.deck == "C"


@pilot_test
async def test_u_undoes_a_suspension(store):
    first, second = add_cards(store, 2)
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3")  # rate the first, then suspend the second
        assert text(app, "#front") == f"Question {second}?"
        await pilot.press("s")
        assert card(store, second).suspended
        await pilot.press("u")
        assert not card(store, second).suspended and text(app, "#front") == f"Question {second}?"
        await pilot.press("u")  # then the rating before it
        assert card(store, first).state == NEW and text(app, "#front") == f"Question {first}?"
