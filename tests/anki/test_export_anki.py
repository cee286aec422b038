"""Anki export, proven by importing the .apkg with Anki's own library (the `anki` package)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from studyapp.anki.export import ExportRequest, export_anki
from studyapp.anki.html import markdown_to_html
from studyapp.anki.note_type import note_guid
from studyapp.store.database import open_store
from studyapp.store.tables import REVIEW, Card, CardDemo, DemoRun, ReviewLog

anki_collection = pytest.importorskip("anki.collection")

NOW = datetime(2026, 3, 2, 9, 30, 15, 500_000, tzinfo=timezone.utc)
DEMO = "toy_curve"


def make_card(card_id: str, front: str, back: str, deck: str = "深度学习八股::梯度问题", **extra) -> Card:
    return Card(id=card_id, front=front, back=back, deck=deck, tags=extra.pop("tags", "深度学习八股 梯度问题"),
                source_file="notes.md", source_line=extra.pop("source_line", 3), **extra)


def sample_cards() -> list[Card]:
    return [
        make_card("c-vanish", "梯度消失", "梯度以指数形式衰减，$\\frac{\\partial L}{\\partial w_1} \\to 0$。\n- 用 *ReLU*\n- 用残差",
                  source_line=5),
        make_card("c-code", "How to clip gradients?", "```python\nif norm > 1 and x < y:\n    clip(g)\n```"),
        make_card("c-block", "Sigmoid", "$$\nf(x)=\\frac{1}{1+e^{-x}}\n$$", deck="基础知识", tags="基础知识 激活 函数"),
        make_card("c-gan", "解释GAN中的模式崩溃是什么？", "模式崩溃是指生成器倾向于生成相似的样本。",
                  deck="深度学习常用模型::GAN", tags="深度学习常用模型 GAN"),
        make_card("c-suspended", "被暂停的卡片", "仍然导出", suspended=True),
        make_card("c-removed", "已删除", "不导出", removed=True),
    ]


@pytest.fixture
def store(db_path):
    store = open_store(db_path)
    with store.transaction() as session:
        session.add_all(sample_cards())
    yield store
    store.close()


def export(store, out: Path, **options) -> None:
    export_anki(store, ExportRequest(out=out, now=options.pop("now", NOW), **options))


def import_into(collection_path: Path, package: Path, with_scheduling: bool = False):
    """Import ``package`` the way Anki's import dialog does; returns the open collection."""
    collection_path.parent.mkdir(parents=True, exist_ok=True)
    collection = anki_collection.Collection(str(collection_path))
    options = anki_collection.ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    collection.import_anki_package(anki_collection.ImportAnkiPackageRequest(
        package_path=str(package), options=options))
    return collection


def notes_by_card_id(collection) -> dict:
    notes = (collection.get_note(nid) for nid in collection.find_notes(""))
    return {note["CardId"]: note for note in notes}


def db_dump(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def test_cards_arrive_with_decks_tags_math_code_and_cjk(store, tmp_path):
    out = tmp_path / "deck.apkg"
    export(store, out, plots=False)
    collection = import_into(tmp_path / "anki" / "collection.anki2", out)
    try:
        notes = notes_by_card_id(collection)
        assert set(notes) == {"c-vanish", "c-code", "c-block", "c-gan", "c-suspended"}  # removed one stays out
        assert collection.card_count() == 5
        deck_names = {d.name for d in collection.decks.all_names_and_ids()}
        assert {"深度学习八股", "深度学习八股::梯度问题", "深度学习常用模型::GAN", "基础知识"} <= deck_names
        gan = notes["c-gan"]
        assert gan["Front"] == "<p>解释GAN中的模式崩溃是什么？</p>"
        assert "模式崩溃是指生成器倾向于生成相似的样本" in gan["Back"]
        assert collection.decks.name(gan.cards()[0].did) == "深度学习常用模型::GAN"
        vanish = notes["c-vanish"]
        assert "\\(\\frac{\\partial L}{\\partial w_1} \\to 0\\)" in vanish["Back"]  # underscores not emphasis
        assert "<em>ReLU</em>" in vanish["Back"] and "<li>" in vanish["Back"]
        assert vanish["Source"] == "notes.md:5"
        assert "\\[f(x)=\\frac{1}{1+e^{-x}}\\]" in notes["c-block"]["Back"]
        assert '<pre><code class="language-python">if norm &gt; 1 and x &lt; y:' in notes["c-code"]["Back"]
        assert sorted(notes["c-block"].tags) == sorted(["基础知识", "激活", "函数"])
        assert "梯度问题" in vanish.tags
        assert "studyapp demo run" not in vanish["Demo"]  # no demo linked
        rendered = vanish.cards()[0].answer()
        assert "梯度以指数形式衰减" in rendered and "nightMode" in vanish.note_type()["css"]
    finally:
        collection.close()


def test_demo_plot_is_embedded_as_media_with_its_command(store, tmp_path):
    series = {"series": {"sigmoid": [1.0, 0.5, 0.1], "relu": [1.0, 1.0, 1.0]},
              "x_label": "layer", "y_label": "gradient", "log_y": True}
    with store.transaction() as session:
        session.add(CardDemo(card_id="c-vanish", demo_id=DEMO))
        session.add(DemoRun(demo_id=DEMO, started_at=NOW - timedelta(days=2), series=json.dumps(series)))
    out = tmp_path / "deck.apkg"
    export(store, out)
    collection = import_into(tmp_path / "anki" / "collection.anki2", out)
    try:
        demo_field = notes_by_card_id(collection)["c-vanish"]["Demo"]
        assert f'<img src="studyapp-demo-{DEMO}.png"' in demo_field
        assert f"studyapp demo run {DEMO}" in demo_field
        media_file = Path(collection.media.dir()) / f"studyapp-demo-{DEMO}.png"
        assert media_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert collection.media.check().missing == []
    finally:
        collection.close()


def test_reexport_in_the_same_second_updates_notes_in_place(store, db_path, tmp_path):
    collection_path = tmp_path / "anki" / "collection.anki2"
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    export(store, first, plots=False)
    with store.transaction() as session:
        session.get(Card, "c-gan").back = "模式崩溃：生成器只产出少数几种样本（已编辑）。"
    export(store, second, plots=False)  # same `now`, to the microsecond: the same second
    collection = import_into(collection_path, first)
    collection.close()
    collection = import_into(collection_path, second)
    try:
        notes = notes_by_card_id(collection)
        assert len(notes) == 5 and collection.note_count() == 5
        assert "（已编辑）" in notes["c-gan"]["Back"]
        names = [model.name for model in collection.models.all_names_and_ids()]
        assert names.count("studyapp Q&A") == 1  # the note type was matched, not duplicated
    finally:
        collection.close()


def test_with_scheduling_carries_card_state_and_review_log(store, tmp_path):
    reviewed = [NOW - timedelta(days=12), NOW - timedelta(days=10), NOW - timedelta(days=3)]
    with store.transaction() as session:
        card = session.get(Card, "c-vanish")
        card.state, card.stability, card.difficulty = REVIEW, 9.5, 4.25
        card.last_review, card.due, card.reps, card.lapses = reviewed[-1], NOW + timedelta(days=6), 3, 1
        dues = [reviewed[1] - timedelta(minutes=1), reviewed[1] + timedelta(days=2), card.due]
        for index, (when, rating) in enumerate(zip(reviewed, (3, 1, 3))):
            before = {"due": dues[index - 1].isoformat()} if index else {"due": None}
            session.add(ReviewLog(card_id="c-vanish", rating=rating, reviewed_at=when, duration_ms=4200,
                                  state_before=0 if index == 0 else REVIEW, snapshot_before=json.dumps(before)))
    out = tmp_path / "progress.apkg"
    export(store, out, plots=False, with_scheduling=True, now=datetime.now(timezone.utc))
    collection = import_into(tmp_path / "anki" / "collection.anki2", out, with_scheduling=True)
    try:
        notes = notes_by_card_id(collection)
        assert len(notes) == 5
        anki_card = notes["c-vanish"].cards()[0]
        assert (anki_card.type, anki_card.queue, anki_card.reps, anki_card.lapses) == (2, 2, 3, 1)
        assert anki_card.memory_state.stability == pytest.approx(9.5, rel=1e-3)
        assert anki_card.memory_state.difficulty == pytest.approx(4.25, rel=1e-3)
        days_left = (NOW + timedelta(days=6) - datetime.now(timezone.utc)).days
        assert anki_card.due - collection.sched.today in (days_left, days_left + 1)
        revlog = collection.db.all(
            "select ease, type, time, ivl, lastIvl from revlog where cid = ? order by id", anki_card.id)
        assert revlog == [[3, 0, 4200, 2, 0], [1, 1, 4200, 2, 2], [3, 1, 4200, 9, 2]]
        assert notes["c-gan"].cards()[0].type == 0  # never reviewed: still new
        assert notes["c-suspended"].cards()[0].queue == -1
    finally:
        collection.close()


def test_bad_input_fails_clearly_and_never_touches_the_database(store, db_path, tmp_path, run_cli):
    store.close()
    before = db_dump(db_path)
    out = tmp_path / "deck.apkg"
    assert run_cli("export", "anki", str(out), "--no-plots").returncode == 0
    again = run_cli("export", "anki", str(out), "--no-plots")
    assert again.returncode == 2 and "already exists; pass --force" in again.stderr
    assert run_cli("export", "anki", str(out), "--no-plots", "--force").returncode == 0
    not_a_folder = run_cli("export", "anki", str(out / "inside.apkg"), "--no-plots")
    assert not_a_folder.returncode == 2 and "does not exist" in not_a_folder.stderr
    unknown = run_cli("export", "anki", str(tmp_path / "x.apkg"), "--deck", "没有这个")
    assert unknown.returncode == 2 and "no cards in deck '没有这个'" in unknown.stderr
    assert "深度学习八股" in unknown.stderr  # the decks that do exist are named
    assert db_dump(db_path) == before
    with sqlite3.connect(db_path) as conn:
        conn.execute("insert into carddemo (card_id, demo_id, explicit) values ('c-gan', 'no_such_demo', 1)")
    before = db_dump(db_path)
    missing = run_cli("export", "anki", str(tmp_path / "y.apkg"))
    assert missing.returncode != 0 and "demo no_such_demo" in missing.stderr
    assert not (tmp_path / "y.apkg").exists()
    assert db_dump(db_path) == before


def test_bundled_deck_end_to_end(db_path, tmp_path, run_cli):
    assert run_cli("import").returncode == 0
    out = tmp_path / "bundled.apkg"
    done = run_cli("export", "anki", str(out), "--no-plots")
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout and "note(s)" in done.stdout
    collection = import_into(tmp_path / "anki" / "collection.anki2", out)
    try:
        fronts = {collection.get_note(nid)["Front"]: collection.get_note(nid) for nid in collection.find_notes("")}
        gan = fronts["<p>解释GAN中的模式崩溃是什么？</p>"]
        assert "模式崩溃是指生成器倾向于生成相似的样本" in gan["Back"]
        assert f"{len(collection.find_notes(''))} note(s)" in done.stdout  # two cards are "PyTorch": count notes
    finally:
        collection.close()


# What a note may produce; anything else would be raw HTML from the note leaking through.
RENDERED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "a", "img",
                 "table", "thead", "tbody", "tr", "th", "td", "del", "span"} | {f"h{level}" for level in range(1, 7)}


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(
    list("ab 模式，。（）:.)1\n\t&*_-#>`~|[]()!<\\\"'=/$") + ["<div>", "</div>", "<script>", "<b>", "<!--", "```",
                                                         "    ", "- ", "1. ", "| a |", "|-|", "$$"]), max_size=40)
       .map("".join))
def test_raw_html_in_notes_never_reaches_anki_as_markup(text):
    rendered = markdown_to_html(text)
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= RENDERED_TAGS
    assert "<div" not in rendered and "<script" not in rendered and "<b>" not in rendered


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("xyz019_*^{}+-=<>&|~ ") + ["\\frac", "\\alpha", "\\partial", "模"]),
                min_size=1, max_size=20).map("".join))
def test_math_reaches_mathjax_verbatim_whatever_markdown_characters_it_holds(formula):
    assume(formula == formula.strip() and not formula.endswith("\\"))
    rendered = markdown_to_html(f"设 ${formula}$，且\n\n$$\n{formula}\n$$")
    escaped = html.escape(formula, quote=False)
    assert f'<span class="math inline">\\({escaped}\\)</span>，且' in rendered
    assert f'<div class="math block">\\[{escaped}\\]</div>' in rendered


def test_dollar_amounts_and_code_stay_text():
    assert markdown_to_html("costs $5 and $6") == "<p>costs $5 and $6</p>"
    assert markdown_to_html("`echo $HOME $PATH`") == "<p><code>echo $HOME $PATH</code></p>"


def test_single_line_breaks_and_cjk_emphasis():
    assert markdown_to_html("第一行\n第二行") == "<p>第一行<br />\n第二行</p>"
    assert markdown_to_html("这是**“引号”**吗") == "<p>这是<strong>“引号”</strong>吗</p>"
    assert markdown_to_html("标题\n---") == "<p>标题</p>\n<hr />"  # a rule, not a setext heading


@given(st.text(max_size=40))
def test_note_guid_is_genankis_guid_for_the_card_id(card_id):
    import genanki

    assert note_guid(card_id) == genanki.guid_for("studyapp", card_id)


def test_a_lone_cloze_card_arrives_as_an_anki_cloze_of_its_number(db_path, tmp_path):
    store = open_store(db_path)
    with store.transaction() as session:
        session.add(make_card("c-cloze", "The softmax turns logits into {{c2::probabilities::what?}}.",
                              "The softmax turns logits into **probabilities**.", kind="cloze"))
    out = tmp_path / "cloze.apkg"
    export(store, out, plots=False)
    store.close()
    collection = import_into(tmp_path / "anki" / "collection.anki2", out)
    try:
        note = notes_by_card_id(collection)["c-cloze"]  # its own sibling key
        assert note.note_type()["type"] == 1 and note.note_type()["name"] == "studyapp Cloze"  # Anki's cloze kind
        assert note["Text"] == "<p>The softmax turns logits into {{c2::probabilities::what?}}.</p>"
        (card,) = note.cards()
        assert card.ord == 1  # the card of deletion 2, as the sync places it
        assert ">[what?]</span>" in card.question() and ">probabilities<" not in card.question()
        assert "probabilities" in card.answer()
    finally:
        collection.close()


CLOZES = """\
# Deck C

## Optimisers

Adam keeps {{c1::a running mean of gradients}} and {{c2::a running mean of their squares::two moments}}, then {{c3::divides one by the root of the other}}.

Q: What does SGD stand for?
A: Stochastic gradient descent.
"""


def test_cloze_siblings_arrive_as_one_note_with_a_card_per_deletion_and_their_schedules(studyapp, db_path, tmp_path):
    from studyapp.anki.anki_notes import derived_id, group_guid

    notes = tmp_path / "clozes.md"
    notes.write_text(CLOZES, encoding="utf-8")
    studyapp("import", str(notes))
    reviewed = NOW - timedelta(days=3)
    series = {"series": {"loss": [1.0, 0.5, 0.2]}, "x_label": "step"}
    store = open_store(db_path)
    with store.transaction() as session:
        ours = {next(n for n in (1, 2, 3) if f"{{{{c{n}::" in card.front): card
                for card in session.exec(select(Card).where(Card.kind == "cloze"))}
        assert len(ours) == 3
        key = ours[1].sibling_key
        second = ours[2]
        second.state, second.stability, second.difficulty = REVIEW, 7.5, 5.0
        second.last_review, second.due, second.reps = reviewed, NOW + timedelta(days=5), 1
        session.add(ReviewLog(card_id=second.id, rating=3, reviewed_at=reviewed, duration_ms=3000, state_before=0,
                              snapshot_before=json.dumps({"due": None})))
        ours[3].suspended = True
        for card in ours.values():
            session.add(CardDemo(card_id=card.id, demo_id=DEMO))
        session.add(DemoRun(demo_id=DEMO, started_at=NOW - timedelta(days=1), series=json.dumps(series)))
        ids = {number: card.id for number, card in ours.items()}
    plain, scheduled = tmp_path / "plain.apkg", tmp_path / "scheduled.apkg"
    export(store, plain)
    export(store, scheduled, with_scheduling=True, now=NOW)
    store.close()
    assert "2 note(s), 4 card(s) in 1 deck(s)" in studyapp("export", "anki", str(tmp_path / "cli.apkg"), "--no-plots")
    with zipfile.ZipFile(plain) as package:  # the ids the sync gives (Anki renumbers those later than its clock)
        (tmp_path / "package.anki2").write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "package.anki2") as conn:
        assert conn.execute("select id from notes where guid = ?", (group_guid(key),)).fetchall() == [
            (derived_id("cloze:" + key),)]
        assert dict(conn.execute("select ord, id from cards where nid = ?", (derived_id("cloze:" + key),))) == {
            number - 1: derived_id(card_id) for number, card_id in ids.items()}

    for package, with_scheduling in ((plain, False), (scheduled, True)):
        collection = import_into(tmp_path / f"anki-{with_scheduling}" / "collection.anki2", package, with_scheduling)
        try:
            assert collection.note_count() == 2 and collection.card_count() == 4
            note = collection.get_note(collection.db.scalar("select id from notes where guid = ?", group_guid(key)))
            assert note.note_type()["type"] == 1 and note["CardId"] == key and note["Source"] == "clozes.md:5"
            assert "{{c1::a running mean of gradients}}" in note["Text"]
            assert "{{c2::a running mean of their squares::two moments}}" in note["Text"]
            assert "{{c3::divides one by the root of the other}}" in note["Text"]
            assert f'<img src="studyapp-demo-{DEMO}.png"' in note["Demo"]
            assert "studyapp::suspended" in note.tags and "Optimisers" in note.tags
            cards = {card.ord: card for card in note.cards()}
            assert sorted(cards) == [0, 1, 2]
            assert "two moments" in cards[1].question() and "a running mean of gradients" in cards[1].question()
            assert collection.decks.name(cards[0].did) == "Deck C::Optimisers"
            if with_scheduling:
                assert (cards[1].type, cards[1].queue, cards[1].reps) == (2, 2, 1)
                assert cards[1].memory_state.stability == pytest.approx(7.5, rel=1e-3)
                assert collection.db.list("select ease from revlog where cid = ?", cards[1].id) == [3]
                assert cards[0].type == 0 and cards[0].queue == 0
                assert cards[2].queue == -1 and cards[0].queue != -1
                assert collection.db.scalar("select count() from revlog") == 1
        finally:
            collection.close()
