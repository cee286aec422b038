"""Every bad input: one line on stderr, exit 2, and the database exactly as it was.

Each row names a command line (``{tmp}`` is a scratch folder, ``{card}`` a real card id) and a
fragment the one line must contain. The database is the bundled deck with one rating.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from studyapp.notes.importer import import_bundled_if_empty
from studyapp.notes.reader import MAX_NOTES_BYTES
from studyapp.store.database import open_store


def _setup(tmp: Path) -> None:
    os.mkfifo(tmp / "fifo.md")
    (tmp / "late-nul.md").write_bytes(("**问题？**\n答案。\n" * 2000).encode() + b"tail\x00\n")
    with open(tmp / "huge.md", "wb") as handle:  # sparse: over the limit without using the disk
        handle.truncate(MAX_NOTES_BYTES + 1)
    (tmp / "bad-utf16.md").write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate


ROWS = [
    (["import", "{tmp}/fifo.md"], "not a regular file"),
    (["import", "/dev/urandom"], "not a regular file"),
    (["import", "/dev/zero"], "not a regular file"),
    (["import", "{tmp}/huge.md"], "MiB a notes file may have"),
    (["import", "{tmp}/late-nul.md"], "late-nul.md:4001: NUL character"),
    (["import", "{tmp}/bad-utf16.md"], "not valid UTF-16"),
    (["config", "learning_steps", "99999999999d"], "between 1 minute and 365 days"),
    (["config", "relearning_steps", "0m"], "between 1 minute and 365 days"),
    (["due", "--now", "9999-12-31T23:59:59+00:00"], "the year must be between"),
    (["rate", "{card}", "good", "--now", "0001-01-01"], "the year must be between"),
    (["due", "--deck", "%"], "no such deck"),
    (["due", "--deck", "_"], "no such deck"),
    (["due", "--deck", "深度学习八股::%"], "no such deck"),
    (["export", "anki", "/dev/full", "--force", "--no-plots"], "not a regular file"),
    (["export", "anki", "/dev/null", "--force", "--no-plots"], "not a regular file"),
    (["export", "anki", "{tmp}/fifo.md", "--force", "--no-plots"], "not a regular file"),
    (["export", "anki", "{tmp}/" + "x" * 300 + ".apkg", "--no-plots"], "file name too long"),
    (["--db", "{tmp}/fifo.md", "cards"], "not a regular file"),
    (["--db", "/dev/zero", "cards"], "not a regular file"),
]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("base")
    db = folder / "study.db"
    store = open_store(db)
    import_bundled_if_empty(store)
    store.close()
    with sqlite3.connect(db) as conn:
        card = conn.execute("SELECT id FROM card ORDER BY rowid LIMIT 1").fetchone()[0]
    subprocess.run([sys.executable, "-m", "studyapp", "--db", str(db), "rate", card, "good"], check=True,
                   capture_output=True)
    return db, card


def _dump(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


@pytest.mark.slow
@pytest.mark.parametrize("argv, fragment", ROWS, ids=[" ".join(argv)[:60] for argv, _ in ROWS])
def test_bad_input_gives_one_line_exit_2_and_changes_nothing(base_db, tmp_path, argv, fragment):
    source, card = base_db
    db = tmp_path / "study.db"
    shutil.copy(source, db)
    _setup(tmp_path)
    before = _dump(db)
    args = [part.format(tmp=tmp_path, card=card) for part in argv]
    if args[0] != "--db":
        args = ["--db", str(db), *args]
    result = subprocess.run([sys.executable, "-m", "studyapp", *args], capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("studyapp: error: "), result.stderr
    assert fragment in result.stderr
    assert _dump(db) == before
    assert Path("/dev/full").is_char_device() and Path("/dev/null").is_char_device()


def test_utf16_notes_with_a_bom_are_read_as_text(tmp_path, run_cli):
    text = "# 深度学习\n\n**什么是梯度消失？**\n梯度变得很小。\n"
    for name, data in {"le.md": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
                       "be.md": codecs.BOM_UTF16_BE + text.encode("utf-16-be")}.items():
        (tmp_path / name).write_bytes(data)
    result = run_cli("import", str(tmp_path / "le.md"))
    assert result.returncode == 0 and "1 new" in result.stdout, result.stderr
    assert "梯度消失" in run_cli("cards").stdout


def test_deck_names_match_literally(tmp_path, run_cli):
    notes = tmp_path / "n.md"
    notes.write_text("# a_b\n\n**什么是一？**\n一。\n\n# axb\n\n**什么是二？**\n二。\n", encoding="utf-8")
    assert run_cli("import", str(notes)).returncode == 0
    listed = run_cli("cards", "--deck", "a_b").stdout
    assert "什么是一" in listed and "什么是二" not in listed
    assert run_cli("due", "--deck", "A_B").returncode == 2  # and case for case


def _as_reader_only(tmp_path: Path):
    """A read-only folder holding a database, and how to run studyapp without write rights there."""
    folder = Path(tempfile.mkdtemp(prefix="studyapp-ro-", dir="/tmp"))
    store = open_store(folder / "study.db")
    import_bundled_if_empty(store)
    store.close()
    os.chmod(folder / "study.db", 0o444)
    os.chmod(folder, 0o555)
    prefix: list[str] = []
    if os.geteuid() == 0:
        # Root writes anywhere through its capabilities: drop those that override file modes. The
        # user stays root, so the installed packages (maybe readable by root only) still import.
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot drop write rights")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    return folder, prefix


def test_a_read_only_folder_still_answers_reads_and_refuses_writes_in_one_line(tmp_path):
    folder, prefix = _as_reader_only(tmp_path)
    db = folder / "study.db"
    try:
        def run(*args):
            return subprocess.run([*prefix, sys.executable, "-m", "studyapp", "--db", str(db), *args],
                                  capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": "/tmp"})

        due = run("due", "--json")
        assert due.returncode == 0, due.stderr
        card = json.loads(due.stdout)["cards"][0]["id"]
        assert run("cards").returncode == 0 and run("stats").returncode == 0
        for args in (("rate", card, "good"), ("suspend", card), ("config", "fuzz", "off")):
            result = run(*args)
            assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
            assert "read-only" in result.stderr
        assert sorted(os.listdir(folder)) == ["study.db"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)
