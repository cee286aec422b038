"""The real `studyapp` command: import, cards --json, help, and bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading

import pytest
from repo_paths import BUNDLED


def test_first_command_on_an_empty_database_imports_the_bundled_deck(run_cli, db_path):
    result = run_cli("cards", "--json")
    assert result.returncode == 0, result.stderr
    cards = json.loads(result.stdout)
    assert len(cards) >= 60
    for card in cards:
        assert {"id", "front", "back", "deck", "tags", "source", "demos", "state", "due"} <= set(card)
    collapse = next(c for c in cards if c["front"] == "解释GAN中的模式崩溃是什么？")
    path, line = collapse["source"].rsplit(":", 1)
    assert path.endswith("deep-learning-interview-notes.md")
    assert BUNDLED.read_text(encoding="utf-8").split("\n")[int(line) - 1].strip() == "**解释GAN中的模式崩溃是什么？**"
    assert collapse["state"] == "new" and collapse["due"] is None and collapse["tags"] == ["深度学习常用模型", "GAN"]
    assert db_path.exists()


def test_import_prints_counts_and_reimport_changes_nothing(run_cli, tmp_path):
    notes = tmp_path / "mine.md"
    notes.write_text("# 我的笔记\n**什么是过拟合？**\n训练好，测试差。\n", encoding="utf-8")
    first = run_cli("import", str(notes))
    assert first.returncode == 0, first.stderr
    assert "1 new, 0 updated, 0 unchanged, 0 removed" in first.stdout
    again = run_cli("import", str(notes))
    assert "0 new, 0 updated, 1 unchanged, 0 removed" in again.stdout
    listed = json.loads(run_cli("cards", "--json", "--deck", "我的笔记").stdout)
    assert [c["front"] for c in listed] == ["什么是过拟合？"]


def test_deck_and_search_filters(run_cli):
    run_cli("import")
    gradient = json.loads(run_cli("cards", "--json", "--deck", "深度学习八股::梯度问题").stdout)
    assert {c["front"] for c in gradient} >= {"梯度消失", "梯度爆炸"}
    assert all(c["deck"].startswith("深度学习八股::梯度问题") for c in gradient)
    found = json.loads(run_cli("cards", "--json", "--search", "模式崩溃").stdout)
    assert "解释GAN中的模式崩溃是什么？" in {c["front"] for c in found}
    table = run_cli("cards", "--deck", "深度学习框架")
    assert "TensorFlow" in table.stdout and table.stdout.strip().endswith("cards")


@pytest.mark.parametrize("command", [[], ["import"], ["cards"], ["where"]])
def test_help_answers(run_cli, command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0 and "usage: studyapp" in result.stdout


@pytest.mark.parametrize("argv, usage", [
    (["cards", "--bogus"], "usage: studyapp cards "),
    (["where", "--bogus"], "usage: studyapp where "),
    (["demo", "run", "dying_relu", "--bogus"], "usage: studyapp demo run "),
    (["demo", "list", "--bogus"], "usage: studyapp demo list "),
])
def test_an_unknown_flag_shows_the_usage_of_its_command(argv, usage, capsys):
    from studyapp.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith(usage), err
    prog = usage.removeprefix("usage: ").strip()
    assert err.rstrip().endswith(f"\n{prog}: error: unrecognized arguments: --bogus"), err


def test_where_help_says_what_it_does(capsys):
    from studyapp.cli.main import main

    with pytest.raises(SystemExit):
        main(["where", "--help"])
    assert "\n\nPrint the database file in use.\n" in capsys.readouterr().out


def _one_error_line(result, *fragments):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studyapp: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_bad_notes_files_fail_with_one_line_and_leave_the_db_untouched(run_cli, tmp_path, db_path):
    run_cli("import")
    snapshot = db_path.read_bytes()
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("**Qué?**\nsí\n".encode("latin-1"))
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "prose.md").write_text("just some prose without questions\n", encoding="utf-8")
    cases = {
        "missing.md": ("missing.md", "no such file"),
        "empty.md": ("empty.md", "empty file"),
        "latin1.md": ("latin1.md:1", "not UTF-8"),
        "binary.md": ("binary.md", "binary file"),
        "prose.md": ("prose.md", "no cards found"),
    }
    for name, fragments in cases.items():
        _one_error_line(run_cli("import", str(tmp_path / name)), *fragments)
    assert db_path.read_bytes() == snapshot


def test_a_file_that_is_not_sqlite_is_refused_untouched(run_cli, db_path):
    db_path.write_bytes(b"this is my thesis, not a database\n" * 20)
    before = db_path.read_bytes()
    _one_error_line(run_cli("cards"), str(db_path), "not a SQLite database")
    assert db_path.read_bytes() == before


def test_a_corrupt_sqlite_file_is_reported(run_cli, db_path):
    run_cli("import")
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\x07" * (4096 - 100)  # trash the schema page behind a valid header
    db_path.write_bytes(bytes(data))
    for wal in db_path.parent.glob("study.db-*"):
        wal.unlink()
    _one_error_line(run_cli("cards"), str(db_path))


def test_a_database_locked_by_another_process_is_reported(run_cli, db_path, tmp_path):
    run_cli("import")
    notes = tmp_path / "new.md"
    notes.write_text("**什么是WAL？**\n预写日志。\n", encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         f"c = sqlite3.connect({str(db_path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = run_cli("import", str(notes), env={"STUDYAPP_BUSY_TIMEOUT_MS": "200"})
        _one_error_line(result, str(db_path), "locked")
    finally:
        holder.kill()
    assert "1 new" in run_cli("import", str(notes)).stdout  # nothing was half-written


def test_bad_flags_and_bad_time(run_cli):
    result = run_cli("cards", "--colour")
    assert result.returncode == 2 and "unrecognized arguments: --colour" in result.stderr
    assert result.stderr.startswith("usage: studyapp cards ")  # the command's usage, not the top level's
    assert "studyapp cards: error: unrecognized arguments: --colour" in result.stderr
    _one_error_line(run_cli("cards", "--now", "yesterday"), "--now 'yesterday'")
