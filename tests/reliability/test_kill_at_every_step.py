"""A command SIGKILLed before any one of its SQL statements leaves a database the next command uses.

``kill_at.py`` kills the real ``studyapp`` process just before its K-th statement, for every K the
command runs: first use (schema creation and the bundled import), an import of edited notes, a
rating. After each kill the database must open, and hold either all of the command's work or none.
Each test prints its figures (tried / survived / lost).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.notes.importer import bundled_deck_path, import_bundled_if_empty, import_paths
from studyapp.store.database import SCHEMA_VERSION, open_store

KILL_AT = Path(__file__).with_name("kill_at.py")
pytestmark = pytest.mark.slow


def _run(kill_at: int, db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILL_AT), str(kill_at), "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def _steps(db: Path, *args: str) -> list[int]:
    """The statement numbers to kill at: the command run alone on ``db`` lists its statements.

    Every statement counts, except that a run of one statement over many rows (an
    ``executemany`` insert of 70 cards) is tried at its first, middle and last row.
    """
    result = _run(0, db, *args)
    assert result.returncode == 0, result.stderr
    lines = [line.removeprefix("statement: ") for line in result.stderr.splitlines()
             if line.startswith("statement: ")]
    kinds = [line.split("(")[0].split(" VALUES")[0] for line in lines]
    steps: list[int] = []
    start = 0
    for index in range(1, len(kinds) + 1):
        if index == len(kinds) or kinds[index] != kinds[start]:
            steps += sorted({start, (start + index - 1) // 2, index - 1})
            start = index
    return [step + 1 for step in steps]


def _cards(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, front, back, deck, removed, state, reps FROM card ORDER BY id").fetchall()


def _report(name: str, tried: int, survived: int, lost: int) -> None:
    print(f"\n{name}: tried {tried}, survived {survived}, lost {lost}")


def test_first_use_killed_at_every_step_then_the_next_command_works(tmp_path):
    reference = tmp_path / "reference.db"
    steps = _steps(reference, "cards")
    expected = _cards(reference)
    survived = 0
    for kill_at in steps:
        db = tmp_path / f"k{kill_at}.db"
        result = _run(kill_at, db, "cards")
        assert result.returncode == -9, (kill_at, result.stderr)
        store = open_store(db)  # the next command: opens (or rebuilds) and imports the bundled deck
        import_bundled_if_empty(store)
        store.close()
        assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [row[1:] for row in _cards(db)] == [row[1:] for row in expected], kill_at
        survived += 1
        for path in tmp_path.glob(f"k{kill_at}.db*"):
            path.unlink()
    _report("first use", len(steps), survived, len(steps) - survived)
    assert survived == len(steps)


def test_import_killed_at_every_step_keeps_all_or_nothing(tmp_path):
    notes = tmp_path / "notes.md"
    text = bundled_deck_path().read_text(encoding="utf-8")
    notes.write_text(text, encoding="utf-8")
    base = tmp_path / "base.db"
    store = open_store(base)
    import_paths(store, [notes])
    store.close()
    before = _cards(base)
    # the edit: answers changed, a card gone, a card added
    edited = text.replace("梯度", "gradient", 3) + "\n\n**什么是新卡片？**\n新的答案。\n"
    notes.write_text(edited, encoding="utf-8")
    reference = tmp_path / "reference.db"
    shutil.copy(base, reference)
    steps = _steps(reference, "import", str(notes))
    after = _cards(reference)
    assert after != before
    survived = lost = 0
    for kill_at in steps:
        db = tmp_path / "k.db"
        shutil.copy(base, db)
        result = _run(kill_at, db, "import", str(notes))
        assert result.returncode == -9, (kill_at, result.stderr)
        if _cards(db) in (before, after):
            survived += 1
        else:
            lost += 1
        store = open_store(db)
        import_paths(store, [notes])  # and the import can simply be run again
        store.close()
        assert _cards(db) == after, kill_at
        for path in tmp_path.glob("k.db*"):
            path.unlink()
    _report("import of edited notes", len(steps), survived, lost)
    assert lost == 0


def test_rating_killed_at_every_step_is_all_or_nothing(tmp_path):
    base = tmp_path / "base.db"
    store = open_store(base)
    import_bundled_if_empty(store)
    store.close()
    card_id = _cards(base)[0][0]
    steps = _steps(shutil.copy(base, tmp_path / "reference.db"), "rate", card_id, "good")
    tried = survived = 0
    for kill_at in steps:
        db = tmp_path / "k.db"
        shutil.copy(base, db)
        result = _run(kill_at, db, "rate", card_id, "good")
        assert result.returncode == -9, (kill_at, result.stderr)
        tried += 1
        with sqlite3.connect(db) as conn:
            logs = conn.execute("SELECT count(*) FROM reviewlog WHERE card_id = ?", (card_id,)).fetchone()[0]
            reps, state = conn.execute("SELECT reps, state FROM card WHERE id = ?", (card_id,)).fetchone()
        assert (logs, reps) in ((0, 0), (1, 1)), kill_at  # the log row and the card move together
        assert state == (0 if logs == 0 else 1)
        survived += 1
        for path in tmp_path.glob("k.db*"):
            path.unlink()
    _report("rating", tried, survived, tried - survived)
    assert survived == tried
