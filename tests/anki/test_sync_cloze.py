"""Cloze notes sync as Anki clozes: one Cloze note for the siblings, a review on the phone comes back
to the card of its deletion, ours go to the right Anki card; against the real server and a phone."""

from __future__ import annotations

import sqlite3

import pytest

pytest.importorskip("anki")

from anki_phone import logs  # noqa: E402

from studyapp.anki.anki_notes import group_guid  # noqa: E402

pytestmark = pytest.mark.slow

CLOZES = """\
# Deck C

## Optimisers

Adam keeps {{c1::a running mean of gradients}} and {{c2::a running mean of their squares::two moments}}, then {{c3::divides one by the root of the other}}.
"""


@pytest.fixture
def clozes(desk, tmp_path, db_path):
    """Our three cloze cards (by deletion number) and their sibling key, after the first sync both ways."""
    path = tmp_path / "clozes.md"
    path.write_text(CLOZES, encoding="utf-8")
    desk("import", str(path))
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select id, front, sibling_key from card where kind = 'cloze' order by front").fetchall()
    assert len(rows) == 3 and len({key for _, _, key in rows}) == 1
    by_number = {next(n for n in (1, 2, 3) if f"{{{{c{n}::" in front): card_id for card_id, front, _ in rows}
    return by_number, rows[0][2]


def phone_cloze(phone, key: str):
    nid = phone.col.db.scalar("select id from notes where guid = ?", group_guid(key))
    assert nid, "the phone has no cloze note"
    return phone.col.get_note(nid)


def phone_card(phone, key: str, number: int):
    note = phone_cloze(phone, key)
    return phone.col.get_card(phone.col.db.scalar("select id from cards where nid = ? and ord = ?",
                                                  note.id, number - 1))


def test_cloze_siblings_are_one_anki_cloze_note_both_ways(desk, phone, db_path, clozes):
    ours, key = clozes
    assert "out: 9 new" in desk("sync")
    phone.sync()
    note = phone_cloze(phone, key)
    assert note.note_type()["type"] == 1 and note.note_type()["name"] == "studyapp Cloze"
    text = note["Text"]
    assert "{{c1::a running mean of gradients}}" in text and "{{c3::divides one by the root of the other}}" in text
    assert "{{c2::a running mean of their squares::two moments}}" in text
    assert note["Back Extra"] == "" and note["Source"] == "clozes.md:5" and note["CardId"] == key
    assert sorted(card.ord for card in note.cards()) == [0, 1, 2]
    assert len(phone.col.find_notes("")) == 7  # six Q&A notes and one cloze note
    asking = phone_card(phone, key, 2).question()
    assert "two moments" in asking and "a running mean of gradients" in asking and "their squares" not in asking

    # the phone answers deletion 2: the review comes back to our card of deletion 2 only
    card = phone_card(phone, key, 2)
    card.start_timer()
    phone.col.sched.answerCard(card, 1)
    revlog_id = phone.col.db.scalar("select max(id) from revlog where cid = ?", card.id)
    phone.sync()
    assert "in:  1 review(s) from Anki on 1 card(s)" in desk("sync")
    assert logs(db_path, ours[2]) == [(1, revlog_id)]
    assert logs(db_path, ours[1]) == [] and logs(db_path, ours[3]) == []

    # ours go out to the card of their deletion: a review of 3, a suspend of 1
    desk("rate", ours[3], "good")
    desk("suspend", ours[1])
    desk("sync")
    phone.sync()
    assert [ease for (ease,) in phone.col.db.all("select ease from revlog where cid = ?",
                                                 phone_card(phone, key, 3).id)] == [3]
    assert phone_card(phone, key, 3).reps == 1
    assert phone_card(phone, key, 1).queue == -1 and phone_card(phone, key, 2).queue != -1
    assert "in:  0 review(s)" in desk("sync")


def test_a_deletion_added_in_the_notes_reaches_the_phone(desk, phone, db_path, clozes, tmp_path):
    ours, key = clozes
    desk("sync")
    phone.sync()
    notes = tmp_path / "clozes.md"
    notes.write_text(CLOZES.replace("then {{c3::", "then {{c4::slowly}} {{c3::"), encoding="utf-8")
    desk("import", str(notes))
    with sqlite3.connect(db_path) as conn:
        live = conn.execute("select distinct sibling_key from card where kind = 'cloze' and removed = 0").fetchall()
        kept = conn.execute("select id from card where kind = 'cloze' and removed = 0").fetchall()
    assert len(live) == 1 and len(kept) == 4
    desk("sync")
    phone.sync()
    note = phone_cloze(phone, live[0][0])
    assert "{{c4::slowly}}" in note["Text"] and sorted(card.ord for card in note.cards()) == [0, 1, 2, 3]
    if live[0][0] != key:  # new card ids: the old note stays, suspended and tagged, with its history
        old = phone_cloze(phone, key)
        assert "studyapp::removed" in old.tags and all(card.queue == -1 for card in old.cards())
    assert "out: 0 new" in desk("sync")


def test_an_exported_cloze_note_imported_on_the_phone_is_the_note_the_sync_keeps(desk, phone, db_path, clozes,
                                                                                tmp_path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    ours, key = clozes
    package = tmp_path / "deck.apkg"
    desk("export", "anki", str(package), "--no-plots")
    phone.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                           options=ImportAnkiPackageOptions()))
    assert phone.sync() == "upload"
    assert "out: 0 new" in desk("sync", "--download")  # every card is there already: no second copy
    phone.sync()
    assert len(phone.col.find_notes("")) == 7 and len(phone.col.find_cards("")) == 9
    note = phone_cloze(phone, key)
    assert sorted(card.ord for card in note.cards()) == [0, 1, 2]
    revlog_id = phone.review_card(phone_card(phone, key, 2), 3)
    phone.sync()
    assert "in:  1 review(s)" in desk("sync")
    assert logs(db_path, ours[2]) == [(3, revlog_id)] and logs(db_path, ours[1]) == []
    desk("rate", ours[3], "good")
    assert "out: 0 new" in desk("sync")
    phone.sync()
    assert len(phone.col.find_notes("")) == 7 and phone_card(phone, key, 3).reps == 1


def old_export(desk, db_path, path):
    """A package as the export wrote it before siblings were grouped: a one-card Cloze note per cloze card."""
    import re

    import genanki

    from studyapp.anki.html import markdown_to_html
    from studyapp.anki.note_type import CLOZE_NOTE_TYPE, note_guid

    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select id, front, deck from card where kind = 'cloze'").fetchall()
    deck = genanki.Deck(1 << 30, rows[0][2])
    for card_id, front, _ in rows:
        text = markdown_to_html(re.sub(r"\{\{c\d+::", "{{c1::", front))
        deck.add_note(genanki.Note(model=CLOZE_NOTE_TYPE, fields=[text, "", "", "clozes.md:5", card_id],
                                   guid=note_guid(card_id)))
    genanki.Package([deck]).write_to_file(str(path))


def test_clozes_the_phone_has_from_an_old_export_keep_their_own_notes(desk, phone, db_path, clozes, tmp_path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from studyapp.anki.note_type import note_guid

    ours, key = clozes
    package = tmp_path / "old.apkg"
    old_export(desk, db_path, package)
    phone.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                           options=ImportAnkiPackageOptions()))
    assert phone.sync() == "upload"
    assert "out: 6 new" in desk("sync", "--download")  # the Q&A cards; the clozes are there already
    phone.sync()
    assert len(phone.col.find_cards('note:"studyapp Cloze"')) == 3
    assert not phone.col.db.scalar("select count() from notes where guid = ?", group_guid(key))
    card = phone.col.get_card(phone.col.db.scalar(
        "select c.id from cards c join notes n on c.nid = n.id where n.guid = ?", note_guid(ours[2])))
    revlog_id = phone.review_card(card, 3)
    phone.sync()
    assert "in:  1 review(s)" in desk("sync")
    assert logs(db_path, ours[2]) == [(3, revlog_id)] and logs(db_path, ours[1]) == []
