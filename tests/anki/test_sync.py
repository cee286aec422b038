"""`studyapp sync` against the real Anki sync server, with a second real Anki client as the phone."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

pytest.importorskip("anki")

from anki_phone import PASSWORD, USER, cards, dump, logs  # noqa: E402

pytestmark = pytest.mark.slow


def test_first_sync_both_ways_and_phone_reviews_come_back(desk, phone, db_path):
    assert "full upload" in desk("sync")
    assert phone.sync() == "download"
    ours = cards(desk)
    assert len(ours) == 6
    one = ours["What is one?"]
    note = phone.note(one["id"])
    assert note["CardId"] == one["id"] and "The first number." in note["Back"]
    assert note["Source"] == "notes.md:5"
    assert phone.deck_of(one["id"]) == "Deck A::Section one"

    fronts = ["What is one?", "What is two?", "What is four?", "What is five?", "What is six?"]
    revlog_ids = {front: phone.review(ours[front]["id"], 3) for front in fronts}
    phone.sync()
    out = desk("sync")
    assert "in:  5 review(s) from Anki on 5 card(s)" in out
    after = cards(desk)
    for front in fronts:
        card = after[front]
        assert logs(db_path, card["id"]) == [(3, revlog_ids[front])]
        assert card["reps"] == 1 and card["state"] == "learning" and card["due"] is not None
    assert after["What is three?"]["reps"] == 0
    due = json.loads(desk("due", "--json"))
    assert due["counts"]["learning_later"] == 5 and [c["front"] for c in due["cards"]] == ["What is three?"]

    # ours go out: studyapp reviews 3, the phone sees those reviews and our schedule
    for front in ("What is three?", "What is one?", "What is four?"):
        desk("rate", after[front]["id"], "good")
    out = desk("sync")
    assert "3 review(s)" in out.splitlines()[2]
    phone.sync()
    final = cards(desk)
    for front in ("What is three?", "What is one?", "What is four?"):
        card = final[front]
        assert [ease for _, ease in phone.revlog(card["id"])] == [rating for rating, _ in logs(db_path, card["id"])]
        assert phone.card(card["id"]).reps == card["reps"]
    assert "in:  0 review(s)" in desk("sync")  # our own rows never come back as the phone's


def test_both_sides_review_one_card_between_syncs(desk, phone, db_path):
    desk("sync")
    phone.sync()
    card_id = cards(desk)["What is two?"]["id"]
    phone.review(card_id, 1)
    desk("rate", card_id, "good")
    phone.sync()
    desk("sync")
    phone.sync()
    card = cards(desk)["What is two?"]
    assert [rating for rating, _ in logs(db_path, card_id)] == [1, 3]
    assert card["reps"] == 2
    assert sorted(ease for _, ease in phone.revlog(card_id)) == [1, 3]
    assert phone.card(card_id).reps == 2  # one state on both sides, from both reviews


def test_edits_moves_and_suspends_each_way(desk, phone, db_path):
    desk("sync")
    phone.sync()
    ours = cards(desk)
    five = ours["What is five?"]["id"]
    phone.review(five, 3)
    phone.sync()
    desk("sync")
    phone.sync()
    due_before = phone.card(five).due

    # an edited answer arrives in place, schedule kept
    desk.notes.write_text(desk.notes.read_text().replace("The fifth number.", "Five: the fifth number."))
    desk("import", str(desk.notes))
    assert "1 updated" in desk("sync")
    phone.sync()
    assert "Five: the fifth number." in phone.note(five)["Back"]
    assert phone.card(five).due == due_before and phone.card(five).reps == 1

    # a suspend each way
    one, six = ours["What is one?"]["id"], ours["What is six?"]["id"]
    desk("suspend", one)
    phone.suspend(six)
    phone.sync()
    assert "1 suspended" in desk("sync")
    phone.sync()
    assert phone.card(one).queue == -1
    assert cards(desk)["What is six?"]["suspended"] is True
    assert "studyapp::suspended" in phone.note(one).tags

    # an edit made in Anki is listed with Anki's text, and kept there
    note = phone.note(ours["What is two?"]["id"])
    note["Back"] = "Two, as edited on the phone."
    phone.col.update_note(note)
    phone.sync()
    out = desk("sync")
    assert "edited in Anki" in out and "Back: Two, as edited on the phone." in out
    assert cards(desk)["What is two?"]["back"] == "The second number."
    phone.sync()
    assert phone.note(ours["What is two?"]["id"])["Back"] == "Two, as edited on the phone."


def test_a_renamed_heading_moves_the_card_on_the_phone(desk, phone, db_path):
    desk("sync")
    phone.sync()
    before = cards(desk)["What is four?"]["id"]
    desk.notes.write_text(desk.notes.read_text().replace("## Section two", "## Section renamed"))
    desk("import", str(desk.notes))
    after = cards(desk)["What is four?"]
    if after["id"] != before:
        pytest.xfail("the importer does not keep a card through a heading rename yet (issue 11)")
    desk("sync")
    phone.sync()
    assert phone.deck_of(before) == "Deck A::Section renamed"


def test_a_card_moved_to_another_deck_moves_on_the_phone(desk, phone, db_path):
    desk("sync")
    phone.sync()
    card_id = cards(desk)["What is four?"]["id"]
    with sqlite3.connect(db_path) as conn:  # what an import of a renamed heading does to the card
        conn.execute("update card set deck = 'Deck A::Renamed' where id = ?", (card_id,))
    assert "1 moved" in desk("sync")
    phone.sync()
    assert phone.deck_of(card_id) == "Deck A::Renamed"


def test_first_sync_against_a_server_with_a_collection_asks_and_keeps_ankis_own_notes(
        desk, phone, db_path, tmp_path):
    notetype = phone.col.models.by_name("Basic")
    own = phone.col.new_note(notetype)
    own["Front"], own["Back"] = "the phone's own", "note"
    phone.col.add_note(own, phone.col.decks.id("Phone deck"))
    assert phone.sync() == "upload"

    before = dump(db_path)
    out = desk("sync", code=2)
    assert "already has an Anki collection" in out and "--download" in out
    assert dump(db_path) == before
    assert "full download" in desk("sync", "--download")
    phone.sync()
    assert len(phone.col.find_notes("")) == 7
    assert phone.col.get_note(own.id)["Front"] == "the phone's own"
    assert phone.note(cards(desk)["What is one?"]["id"])["CardId"]


def test_a_sync_killed_half_way_loses_nothing(desk, phone, db_path, tmp_path):
    desk("sync")
    phone.sync()
    ours = cards(desk)
    for front in ("What is one?", "What is two?", "What is three?"):
        phone.review(ours[front]["id"], 3)
    phone.sync()
    for front in ("What is four?", "What is five?"):
        desk("rate", ours[front]["id"], "good")
    sync = subprocess.Popen([sys.executable, "-m", "studyapp", "--db", str(db_path), "sync"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = False
    while sync.poll() is None:  # kill it as soon as the phone's reviews are in, before ours went out
        with sqlite3.connect(db_path, timeout=30) as conn:
            came = conn.execute("select count(*) from reviewlog where rating = 3 and anki_revlog_id is not null"
                                " and card_id in (select id from card)").fetchone()[0]
        if came >= 3:
            sync.kill()
            killed = True
            break
    sync.wait()
    assert killed, sync.stderr.read().decode()
    desk("sync")
    phone.sync()
    assert "in:  0 review(s)" in desk("sync")
    for front in ("What is one?", "What is two?", "What is three?", "What is four?", "What is five?"):
        card_id = ours[front]["id"]
        assert len(logs(db_path, card_id)) == 1
        assert len(phone.revlog(card_id)) == 1


def test_errors_are_one_line_and_change_nothing(desk, server, db_path, monkeypatch):
    monkeypatch.setenv("STUDYAPP_SYNC_PASSWORD", "wrong")
    out = desk("sync", "login", "--user", USER, "--endpoint", server.endpoint, code=2)
    assert out.startswith("studyapp: error: sync login to") and "wrong user name or password" in out
    desk("sync")
    login = (db_path.parent / (db_path.name + ".anki-sync") / "login.json")
    assert oct(login.stat().st_mode & 0o777) == "0o600" and PASSWORD not in login.read_text()
    server.stop()
    before = dump(db_path)
    out = desk("sync", code=2)
    assert out.startswith("studyapp: error: sync: cannot reach") and len(out.strip().splitlines()) == 1
    assert dump(db_path) == before


def test_without_the_anki_library_sync_says_how_to_get_it(db_path):
    code = ("import sys; sys.modules['anki'] = None; from studyapp.cli.main import main; "
            f"sys.exit(main(['--db', {str(db_path)!r}, 'sync']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "pip install 'studyapp[anki]'" in done.stderr


def test_status_says_what_would_move_and_changes_nothing(desk, phone, db_path):
    assert "never synced" in desk("sync", "--status")
    desk("sync")
    phone.sync()
    ours = cards(desk)
    phone.review(ours["What is one?"]["id"], 3)
    phone.sync()
    desk("rate", ours["What is two?"]["id"], "good")
    desk.notes.write_text(desk.notes.read_text().replace("The sixth number.", "Six."))
    desk("import", str(desk.notes))
    before = dump(db_path)
    out = desk("sync", "--status")
    assert "server: changes to bring in" in out
    assert "to send: 0 new card(s), 1 edited, 0 moved, 0 to suspend, 0 to unsuspend, 1 schedule(s), 1 review(s)" in out
    assert dump(db_path) == before
    desk("sync")
    assert "server: nothing new on the server" in desk("sync", "--status")


def test_demo_plots_reach_the_phone_as_media(desk, phone, db_path):
    card_id = cards(desk)["What is one?"]["id"]
    series = json.dumps({"series": {"loss": [3.0, 2.0, 1.0], "other": [3.0, 1.0, 0.5]}, "x_label": "step"})
    with sqlite3.connect(db_path) as conn:
        conn.execute("insert into carddemo (card_id, demo_id, explicit) values (?, 'dying_relu', 1)", (card_id,))
        conn.execute("insert into demorun (demo_id, device, torch_version, seed, mode, started_at, seconds, status,"
                     " metrics, series, error) values ('dying_relu', 'cpu', '', 0, 'quick',"
                     " '2026-01-01T00:00:00.000000+00:00', 1.0, 'ok', '{}', ?, '')", (series,))
        run_id = conn.execute("select max(id) from demorun").fetchone()[0]
    assert "1 demo plot(s) drawn" in desk("sync")
    phone.sync()
    media = phone.sync_media()
    name = f"studyapp-demo-dying_relu-run{run_id}"
    assert f'<img src="{name}.png" class="light"' in phone.note(card_id)["Demo"]
    assert (media / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert (media / f"{name}-dark.png").is_file()
    assert "demo plot(s) drawn" not in desk("sync")  # drawn once


def test_reviews_once_exported_with_scheduling_are_not_taken_twice(desk, phone, db_path, tmp_path):
    ours = cards(desk)
    desk("rate", ours["What is one?"]["id"], "good")
    package = tmp_path / "deck.apkg"
    desk("export", "anki", str(package), "--with-scheduling", "--no-plots")
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    phone.col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)))
    phone.review(ours["What is two?"]["id"], 3)
    phone.sync()
    assert "in:  1 review(s) from Anki on 1 card(s)" in desk("sync", "--download")
    assert len(logs(db_path, ours["What is one?"]["id"])) == 1
    assert len(logs(db_path, ours["What is two?"]["id"])) == 1
    phone.sync()
    assert len(phone.revlog(ours["What is one?"]["id"])) == 1


def test_the_first_sync_question_when_someone_is_at_the_terminal(desk, phone, db_path):
    from datetime import datetime, timezone

    from studyapp.anki.sync import SyncRequest, run_sync
    from studyapp.errors import UserError
    from studyapp.store.database import open_store

    own = phone.col.new_note(phone.col.models.by_name("Basic"))
    own["Front"] = "the phone's own"
    phone.col.add_note(own, phone.col.decks.id("Phone deck"))
    phone.sync()
    asked = []
    store = open_store(db_path)
    try:
        before = dump(db_path)
        with pytest.raises(UserError, match="cancelled"):
            run_sync(store, SyncRequest(now=datetime.now(timezone.utc), ask=lambda q: asked.append(q)))
        assert "already has an Anki collection" in asked[0] and dump(db_path) == before
        report = run_sync(store, SyncRequest(now=datetime.now(timezone.utc), ask=lambda q: "download"))
        assert report.full == ["download"] and report.went_out.added == 6
    finally:
        store.close()


def test_a_note_deleted_on_the_phone_comes_back_and_then_nothing_moves(desk, phone, db_path):
    desk("sync")
    phone.sync()
    assert "out: 0 new, 0 updated" in desk("sync")  # the first sync after the upload: nothing to move
    card_id = cards(desk)["What is three?"]["id"]
    phone.col.remove_notes([phone.note(card_id).id])
    phone.sync()
    assert "out: 1 new" in desk("sync")  # the notes are the source of truth
    phone.sync()
    assert phone.note(card_id)["CardId"] == card_id
    assert "out: 0 new, 0 updated" in desk("sync")
