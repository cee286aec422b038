"""Importing notes into a real SQLite file: identity, edits, removals, atomicity."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from studyapp.errors import UserError
from studyapp.notes.importer import import_paths
from studyapp.store.database import open_store
from studyapp.store.tables import Card, ReviewLog

NOTES = """# 深度学习八股
## 梯度问题
**梯度消失**
梯度更新以指数形式衰减。

**梯度爆炸**
损失函数为NaN了。

**如何选择激活函数？**
看任务。
"""


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


@pytest.fixture
def store(db_path):
    store = open_store(db_path)
    yield store
    store.close()


def cards_by_front(store, include_removed=True):
    with store.session() as session:
        return {c.front: c for c in session.exec(select(Card)) if include_removed or not c.removed}


def add_review(store, card_id):
    with store.transaction() as session:
        session.add(ReviewLog(card_id=card_id, rating=3, reviewed_at=datetime.now(timezone.utc)))


def test_first_import_then_unchanged_reimport(store, notes):
    first = import_paths(store, [notes])
    assert (len(first.new), len(first.updated), len(first.removed)) == (3, 0, 0)
    before = cards_by_front(store)
    again = import_paths(store, [notes])
    assert (len(again.new), len(again.updated), len(again.unchanged), len(again.removed)) == (0, 0, 3, 0)
    after = cards_by_front(store)
    assert {f: (c.id, c.updated_at) for f, c in before.items()} == {f: (c.id, c.updated_at) for f, c in after.items()}


def test_edited_answer_updates_in_place_and_keeps_history(store, notes):
    import_paths(store, [notes])
    card = cards_by_front(store)["梯度消失"]
    add_review(store, card.id)
    notes.write_text(NOTES.replace("梯度更新以指数形式衰减。", "梯度逐层相乘后趋近于零。"), encoding="utf-8")
    report = import_paths(store, [notes])
    assert report.updated == [card.id] and not report.new
    edited = cards_by_front(store)["梯度消失"]
    assert edited.id == card.id and edited.back == "梯度逐层相乘后趋近于零。"
    with store.session() as session:
        assert len(session.exec(select(ReviewLog).where(ReviewLog.card_id == card.id)).all()) == 1


def test_typo_fix_in_a_question_keeps_the_card(store, notes):
    import_paths(store, [notes])
    card = cards_by_front(store)["如何选择激活函数？"]
    add_review(store, card.id)
    notes.write_text(NOTES.replace("如何选择激活函数？", "如何选择合适的激活函数？"), encoding="utf-8")
    report = import_paths(store, [notes])
    assert report.updated == [card.id] and not report.new and not report.removed
    assert cards_by_front(store)["如何选择合适的激活函数？"].id == card.id
    again = import_paths(store, [notes])  # the fix is in: nothing left to update
    assert (again.updated, again.new, again.removed) == ([], [], []) and card.id in again.unchanged
    notes.write_text(NOTES.replace("如何选择激活函数？", "如何选择合适的激活函数？").replace("看任务。", "看任务和数据。"),
                     encoding="utf-8")
    edited = import_paths(store, [notes])  # and its answer can still be edited in place
    assert edited.updated == [card.id] and cards_by_front(store)["如何选择合适的激活函数？"].back == "看任务和数据。"


def test_vanished_card_is_marked_removed_never_deleted(store, notes):
    import_paths(store, [notes])
    card = cards_by_front(store)["梯度爆炸"]
    add_review(store, card.id)
    notes.write_text(NOTES.replace("**梯度爆炸**\n损失函数为NaN了。\n", ""), encoding="utf-8")
    report = import_paths(store, [notes])
    assert report.removed == [card.id]
    kept = cards_by_front(store)["梯度爆炸"]
    assert kept.removed and kept.id == card.id
    notes.write_text(NOTES, encoding="utf-8")  # it comes back, same card, same history
    report = import_paths(store, [notes])
    assert report.updated == [card.id] and not cards_by_front(store)["梯度爆炸"].removed


def test_same_front_in_different_sections_are_different_cards(store, tmp_path):
    path = tmp_path / "two.md"
    path.write_text("# A\n**优点**\n快。\n# B\n**优点**\n稳。\n", encoding="utf-8")
    import_paths(store, [path])
    fronts = cards_by_front(store)
    assert {"A · 优点", "B · 优点"} <= set(fronts)


def test_a_bad_file_in_the_batch_writes_nothing(store, notes, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# ok\n**Q?**\n\xff\xfe broken")
    with pytest.raises(UserError, match=r"bad.md:3: not UTF-8"):
        import_paths(store, [notes, bad])
    assert cards_by_front(store) == {}


def test_failure_mid_write_rolls_back(store, notes, monkeypatch):
    import_paths(store, [notes])
    notes.write_text(NOTES.replace("看任务。", "看任务和数据。"), encoding="utf-8")
    import studyapp.notes.importer as importer

    real_write = importer._Plan.write

    def write_then_explode(plan, conn):  # the writes are made, then the import fails
        real_write(plan, conn)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Plan, "write", write_then_explode)
    with pytest.raises(RuntimeError):
        import_paths(store, [notes])
    assert cards_by_front(store)["如何选择激活函数？"].back == "看任务。"


def test_unknown_explicit_demo_is_an_error_with_file_and_line(store, tmp_path):
    path = tmp_path / "d.md"
    path.write_text("**What?**\nThat.\ndemo: no_such_demo\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"d.md:3: unknown demo 'no_such_demo'"):  # the line to fix
        import_paths(store, [path])


def test_store_is_wal_with_foreign_keys_and_a_schema_version(store, db_path):
    from studyapp.store.database import SCHEMA_VERSION

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with store.session() as session:
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_a_plain_card_is_its_own_sibling_group(store, notes):
    """Cards of one heading section are not siblings: each imported card keys its own group."""
    import_paths(store, [notes])
    with store.session() as session:
        rows = session.exec(select(Card.id, Card.sibling_key)).all()
    assert len(rows) == 3 and all(card_id == key for card_id, key in rows)


SAME_FRONTS = "# 卡\n\n" + "".join(f"What?::answer {n}\n\n" for n in range(5))


def test_a_card_inserted_above_identical_fronts_moves_no_history(store, tmp_path):
    path = tmp_path / "same.md"
    path.write_text(SAME_FRONTS, encoding="utf-8")
    import_paths(store, [path])
    with store.session() as session:
        before = {c.back: c.id for c in session.exec(select(Card))}
    add_review(store, before["answer 2"])
    path.write_text("# 卡\n\nWhat?::a new one\n\n" + SAME_FRONTS[len("# 卡\n\n"):], encoding="utf-8")
    report = import_paths(store, [path])
    assert (len(report.new), len(report.updated), len(report.removed)) == (1, 0, 0)
    with store.session() as session:
        after = {c.back: c.id for c in session.exec(select(Card))}
        history = session.exec(select(ReviewLog.card_id)).all()
    assert {back: after[back] for back in before} == before and history == [before["answer 2"]]
    path.write_text("# 卡\n\n" + "".join(f"What?::answer {n}\n\n" for n in (4, 0, 3, 1, 2)), encoding="utf-8")
    reordered = import_paths(store, [path])  # reordering (and the new card gone) moves nothing either
    assert (reordered.updated, reordered.new, len(reordered.removed)) == ([], [], 1)


def test_renaming_a_deck_heading_keeps_its_cards(store, notes):
    import_paths(store, [notes])
    card = cards_by_front(store)["梯度消失"]
    add_review(store, card.id)
    notes.write_text(NOTES.replace("## 梯度问题", "## 梯度的问题"), encoding="utf-8")
    report = import_paths(store, [notes])
    assert not report.new and not report.removed and card.id in report.updated
    renamed = cards_by_front(store)["梯度消失"]
    assert renamed.id == card.id and renamed.deck == "深度学习八股::梯度的问题"


def test_an_obsidian_schedule_seeds_the_first_fsrs_state_only(store, tmp_path):
    from studyapp.store.tables import REVIEW

    path = tmp_path / "sr.md"
    path.write_text("Adam::Adaptive moments <!--SR:!2026-03-01,10,250-->\n", encoding="utf-8")
    import_paths(store, [path])
    (card,) = cards_by_front(store).values()
    assert card.state == REVIEW and card.stability == 10.0 and card.difficulty == 5.0
    assert card.due == datetime(2026, 3, 1, tzinfo=timezone.utc)
    path.write_text("Adam::Adaptive moment estimation <!--SR:!2027-01-01,99,130-->\n", encoding="utf-8")
    import_paths(store, [path])
    assert cards_by_front(store)["Adam"].stability == 10.0  # never overwritten after the first import


def test_reversed_pairs_and_clozes_are_siblings(store, tmp_path):
    path = tmp_path / "sib.md"
    path.write_text("Adam:::Adaptive moments\n\nThe {{c1::softmax}} gives {{c2::probabilities}}.\n\n"
                    "Lone card::on its own\n", encoding="utf-8")
    import_paths(store, [path])
    with store.session() as session:
        keys = {c.front: (c.id, c.sibling_key) for c in session.exec(select(Card))}
    assert keys["Adaptive moments"][1] == keys["Adam"][0] == keys["Adam"][1]
    clozes = [key for front, key in keys.items() if "{{c" in front]
    assert len(clozes) == 2 and clozes[0][1] == clozes[1][1] == clozes[0][0]
    assert keys["Lone card"][1] == keys["Lone card"][0]


def test_a_folder_imports_every_md_below_it(store, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.md").write_text("Q: One?\nA: 1\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "two.md").write_text("Q: Two?\nA: 2\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "skip.txt").write_text("Q: No?\nA: no\n", encoding="utf-8")
    report = import_paths(store, [tmp_path / "a"])
    assert len(report.new) == 2 and set(cards_by_front(store)) == {"One?", "Two?"}
