"""The database file: created atomically, opened by many processes at once, a path is a path,
another program's file is refused before anything is written to it."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from sqlmodel import SQLModel

from studyapp.errors import UserError
from studyapp.store.database import SCHEMA_VERSION, open_store


def _studyapp(*args: str, db) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "studyapp", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bundled_count() -> int:
    from studyapp.notes.importer import bundled_deck_path, parse_files

    return sum(len(drafts) for drafts in parse_files([bundled_deck_path()]).values())


@pytest.mark.slow
def test_many_processes_opening_a_new_database_at_once_all_succeed_and_import_once(tmp_path):
    db = tmp_path / "new" / "study.db"
    db.parent.mkdir()  # an explicit --db in a missing folder is refused (issue 12); the database itself is new
    processes = [_studyapp("cards", "--json", db=db) for _ in range(8)]
    outputs = [p.communicate(timeout=300) for p in processes]  # read first: the JSON overfills a pipe
    results = [(p.returncode, *output) for p, output in zip(processes, outputs)]
    assert [(code, err) for code, _, err in results] == [(0, "")] * 8
    counts = {len(json.loads(out)) for _, out, _ in results}
    assert counts == {_bundled_count()}  # every process saw the whole bundled deck
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    total, distinct = conn.execute("SELECT count(*), count(DISTINCT front || deck || back) FROM card").fetchone()
    assert total == distinct == _bundled_count()  # imported once: no card twice (two differ only by answer)


def test_a_schema_creation_is_one_transaction(db_path):
    statements: list[str] = []
    import studyapp.store.database as database

    original = database._on_connect

    def traced(conn, record):
        original(conn, record)
        conn.set_trace_callback(statements.append)

    database._on_connect = traced
    try:
        open_store(db_path).close()
    finally:
        database._on_connect = original
    begin, commit = statements.index("BEGIN IMMEDIATE"), statements.index("COMMIT")
    creates = [i for i, s in enumerate(statements) if s.startswith(("CREATE TABLE", "CREATE INDEX"))]
    stamp = statements.index(f"PRAGMA user_version = {SCHEMA_VERSION}")
    assert begin < min(creates) and max(creates) < stamp < commit
    assert len([i for i in creates if statements[i].startswith("CREATE TABLE")]) == len(SQLModel.metadata.tables)


def test_a_half_created_database_from_an_older_studyapp_is_rebuilt(db_path, run_cli):
    conn = sqlite3.connect(db_path)  # what the old table-by-table create_all left when killed
    conn.execute("CREATE TABLE card (id VARCHAR NOT NULL PRIMARY KEY)")
    conn.commit()
    conn.close()
    result = run_cli("cards", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == _bundled_count()


@pytest.mark.parametrize("name", ["a?mode=ro", "b%41.db", "c#frag.db", "file:d.db"])
def test_a_database_path_is_a_plain_path(tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    open_store(name).close()
    assert name in os.listdir(tmp_path)
    assert sqlite3.connect(tmp_path / name).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not {"a", "bA.db", "c", "d.db"} & set(os.listdir(tmp_path))


def test_another_programs_sqlite_file_is_refused_before_anything_is_written(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = _digest(db_path)
    with pytest.raises(UserError, match="not a studyapp database"):
        open_store(db_path)
    assert _digest(db_path) == before
    assert sorted(os.listdir(db_path.parent)) == ["study.db"]  # not switched to WAL, no side files
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_stamped_file_without_our_tables_is_refused_untouched(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE notes (id INTEGER)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = _digest(db_path)
    with pytest.raises(UserError, match="not a studyapp database"):
        open_store(db_path)
    assert _digest(db_path) == before


def test_a_fifo_or_a_device_is_refused_without_waiting(tmp_path, run_cli):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for target in (fifo, "/dev/null"):
        result = run_cli("--db", str(target), "cards", timeout=60)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "not a regular file" in result.stderr
