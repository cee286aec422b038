"""The database file: location, schema version, migrations, nothing done at import time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest

import studyapp.store.database as store_module
from studyapp.errors import UserError
from studyapp.store.database import SCHEMA_VERSION, open_store
from studyapp.store.tables import Card, DemoRun, ReviewLog


def test_db_location_flag_env_and_default(run_cli, tmp_path, monkeypatch):
    flagged = tmp_path / "flag.db"
    assert run_cli("--db", str(flagged), "where").stdout.strip() == str(flagged)
    assert run_cli("where").stdout.strip().endswith("study.db")  # STUDYAPP_DB from the fixture
    monkeypatch.delenv("STUDYAPP_DB")
    from platformdirs import user_data_path

    assert store_module.default_db_path() == user_data_path("studyapp", appauthor=False) / "studyapp.db"


def test_importing_the_package_opens_nothing_and_creates_nothing(tmp_path):
    code = ("import os, studyapp.cli.main, studyapp.store.database, studyapp.notes.importer, studyapp.store.tables; "
            "print(sorted(os.listdir('.')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
                                 "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _add_review_count_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE card ADD COLUMN review_count INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE card SET review_count = reps")


def test_a_migration_upgrades_an_old_file_in_place(db_path, monkeypatch, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("**什么是迁移？**\n升级表结构。\n", encoding="utf-8")
    from studyapp.notes.importer import import_paths

    import_paths(open_store(db_path), [notes])
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + [_add_review_count_column])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT front, review_count FROM card").fetchall() == [("什么是迁移？", 0)]


def test_a_failing_migration_leaves_the_file_as_it_was(db_path, monkeypatch):
    open_store(db_path).close()

    def broken(conn):
        conn.execute("ALTER TABLE card ADD COLUMN half_done INTEGER")
        raise RuntimeError("bug in migration")

    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + [broken])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(UserError, match="bug in migration"):
        open_store(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half_done" not in [row[1] for row in conn.execute("PRAGMA table_info(card)")]


def test_a_database_from_a_newer_studyapp_is_refused(db_path):
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(UserError, match="newer than this studyapp"):
        open_store(db_path)


def test_a_foreign_sqlite_file_is_not_taken_over(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="not a studyapp database"):
        open_store(db_path)


BROWSER_INDEXES = {"ix_card_memory", "ix_card_reps", "ix_card_lapses"}


def _indexes(conn) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _as_version_7(db_path) -> None:
    """Turn a current database back into the version-7 schema (no card browser indexes)."""
    conn = sqlite3.connect(db_path)
    for index in BROWSER_INDEXES:
        conn.execute(f"DROP INDEX {index}")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()


def _as_version_6(db_path) -> None:
    """Turn a current database back into the version-6 schema (no demo link reasons)."""
    _as_version_7(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("ALTER TABLE carddemo DROP COLUMN reason")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()


def _as_version_5(db_path) -> None:
    """Turn a current database back into the version-5 schema (demo runs without threads, prediction, answer)."""
    _as_version_6(db_path)
    conn = sqlite3.connect(db_path)
    for column in ("threads", "prediction", "answer"):
        conn.execute(f"ALTER TABLE demorun DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()


def _as_version_4(db_path) -> None:
    """Turn a current database back into the version-4 schema (no syncedcard.content_key)."""
    _as_version_5(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("ALTER TABLE syncedcard DROP COLUMN content_key")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()


def _as_version_3(db_path) -> None:
    """Turn a current database back into the version-3 schema (no mock interview history)."""
    _as_version_4(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE mockinterview")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()


def _as_version_2(db_path) -> None:
    """Turn a current database back into the version-2 schema (no sync tables, no anki_revlog_id)."""
    _as_version_3(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX ix_reviewlog_anki_revlog_id")
    conn.execute("ALTER TABLE reviewlog DROP COLUMN anki_revlog_id")
    conn.execute("DROP TABLE syncedcard")
    conn.execute("DROP TABLE syncstate")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


def _as_version_1(db_path) -> None:
    """Turn a current database back into the version-1 schema (no sibling_key)."""
    _as_version_2(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX ix_card_sibling_key")
    conn.execute("ALTER TABLE card DROP COLUMN sibling_key")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_version_1_gets_sibling_keys_and_loses_its_section_burials(db_path, tmp_path):
    from datetime import datetime, timezone

    from studyapp.notes.importer import import_paths
    from studyapp.review.schedule import rate_now
    from studyapp.review.settings import Settings

    notes = tmp_path / "n.md"
    notes.write_text("# 章\n\n**问一？**\n答一。\n\n**问二？**\n答二。\n", encoding="utf-8")
    store = open_store(db_path)
    import_paths(store, [notes])
    conn = sqlite3.connect(db_path)
    first, second = [row[0] for row in conn.execute("SELECT id FROM card ORDER BY rowid")]
    conn.execute("UPDATE card SET buried_until = '2026-01-02T04:00:00.000000+00:00' WHERE id = ?", (second,))
    conn.commit()
    rate_now(store, first, 3, Settings(), datetime(2026, 1, 1, 9, tzinfo=timezone.utc))
    store.close()
    _as_version_1(db_path)

    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT id, sibling_key, buried_until FROM card ORDER BY rowid").fetchall() == [
        (first, first, None), (second, second, None)]
    assert conn.execute("SELECT card_id, rating FROM reviewlog").fetchall() == [(first, 3)]  # history kept
    assert "ix_card_sibling_key" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}


def test_version_2_gets_the_sync_tables_and_keeps_its_history(db_path):
    store = open_store(db_path)
    with store.transaction() as session:
        session.add(Card(id="c1", front="q", back="a", deck="d"))
        session.flush()
        session.add(ReviewLog(card_id="c1", rating=3, reviewed_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    store.close()
    _as_version_2(db_path)

    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT card_id, rating, anki_revlog_id FROM reviewlog").fetchall() == [("c1", 3, None)]
    assert conn.execute("SELECT count(*) FROM syncedcard").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM syncstate").fetchone() == (0,)
    conn.execute("INSERT INTO reviewlog (card_id, rating, reviewed_at, state_before, snapshot_before,"
                 " anki_revlog_id) VALUES ('c1', 3, 'x', 0, '{}', 5)")
    with pytest.raises(sqlite3.IntegrityError):  # revlog ids are unique, as in Anki
        conn.execute("INSERT INTO reviewlog (card_id, rating, reviewed_at, state_before, snapshot_before,"
                     " anki_revlog_id) VALUES ('c1', 4, 'y', 0, '{}', 5)")


def test_version_3_gets_the_mock_interview_history_and_keeps_its_reviews(db_path):
    from studyapp.store.tables import MockInterview

    store = open_store(db_path)
    with store.transaction() as session:
        session.add(Card(id="c1", front="q", back="a", deck="d"))
        session.flush()
        session.add(ReviewLog(card_id="c1", rating=3, reviewed_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                              duration_ms=4200))
    store.close()
    _as_version_3(db_path)

    store = open_store(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT card_id, rating, duration_ms FROM reviewlog").fetchall() == [("c1", 3, 4200)]
    moment = datetime(2026, 1, 2, tzinfo=timezone.utc)
    with store.transaction() as session:
        session.add(MockInterview(started_at=moment, finished_at=moment, questions=1, report='{"topics": []}'))
    with store.session() as session:
        assert session.get(MockInterview, 1).report == '{"topics": []}'
    store.close()


def test_version_5_demo_runs_gain_threads_prediction_and_answer(db_path):
    store = open_store(db_path)
    with store.transaction() as session:
        session.add(DemoRun(demo_id="dying_relu", started_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                            claim_holds=True, metrics='{"x": 1.0}'))
    store.close()
    _as_version_5(db_path)

    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT demo_id, claim_holds, metrics, threads, prediction, answer FROM demorun").fetchall() == [
        ("dying_relu", 1, '{"x": 1.0}', None, None, None)]


def test_version_6_gets_demo_link_reasons_and_keeps_its_links(db_path, tmp_path):
    from studyapp.notes.importer import import_paths

    notes = tmp_path / "n.md"
    notes.write_text("# 章\n\n**梯度爆炸**\n损失变成 NaN。\n", encoding="utf-8")
    store = open_store(db_path)
    import_paths(store, [notes])
    store.close()
    conn = sqlite3.connect(db_path)
    links = conn.execute("SELECT card_id, demo_id FROM carddemo ORDER BY demo_id").fetchall()
    conn.execute("ALTER TABLE carddemo DROP COLUMN reason")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()

    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT card_id, demo_id, reason FROM carddemo ORDER BY demo_id").fetchall() == [
        (card, demo, "") for card, demo in links]


def test_version_7_gets_the_browser_indexes_and_keeps_its_reviews(db_path, tmp_path):
    from studyapp.notes.importer import import_paths
    from studyapp.review.schedule import rate_now
    from studyapp.review.settings import Settings

    notes = tmp_path / "n.md"
    notes.write_text("# 章\n\n**问一？**\n答一。\n", encoding="utf-8")
    store = open_store(db_path)
    import_paths(store, [notes])
    conn = sqlite3.connect(db_path)
    (card_id,) = conn.execute("SELECT id FROM card").fetchone()
    assert BROWSER_INDEXES <= _indexes(conn)  # a new database has them from the start
    rate_now(store, card_id, 3, Settings(), datetime(2026, 1, 1, 9, tzinfo=timezone.utc))
    store.close()
    _as_version_7(db_path)
    assert not BROWSER_INDEXES & _indexes(sqlite3.connect(db_path))

    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert BROWSER_INDEXES <= _indexes(conn)
    assert conn.execute("SELECT card_id, rating FROM reviewlog").fetchall() == [(card_id, 3)]
