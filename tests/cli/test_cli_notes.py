"""`studyapp check`, `decks` and `drop` through the real command."""

from __future__ import annotations

import json
import sqlite3

from repo_paths import BUNDLED


def test_check_prints_cards_writes_nothing_and_exits_by_what_it_found(run_cli, tmp_path, db_path):
    clean = tmp_path / "clean.md"
    clean.write_text("# 深度\n\nQ: What is a ReLU?\nA: max(0, x).\n", encoding="utf-8")
    result = run_cli("check", str(clean))
    assert result.returncode == 0, result.stderr
    assert f"{clean}:3  explicit What is a ReLU?" in result.stdout and "→ max(0, x)." in result.stdout
    assert not db_path.exists()  # nothing opened, nothing written

    warned = tmp_path / "warned.md"
    warned.write_text("# D\n\nQ: Same?\nA: one\n\nQ: Same?\nA: two\n\n**What is lonely?**\n\n# E\n\n"
                      "**梯度消失**\n变小。\ndemo: no_such_demo\n\n- [ ] write more\n", encoding="utf-8")
    report = run_cli("check", "--json", str(warned))
    assert report.returncode == 1
    data = json.loads(report.stdout)
    messages = [w["message"] for w in data["warnings"]]
    assert any(m.startswith("identical fronts in deck 'D'") for m in messages)
    assert any("question with no answer: What is lonely?" in m for m in messages)
    assert any(m.startswith("unknown demo 'no_such_demo'") for m in messages)
    assert any(m.startswith("skipped (TODO checklist)") for m in messages)
    vanishing = next(c for c in data["cards"] if c["front"] == "梯度消失")
    assert vanishing["source"] == f"{warned}:13" and vanishing["demos"]["vanishing_gradients"] == "front: '梯度消失'"

    missing = run_cli("check", str(clean), str(tmp_path / "nope.md"))
    assert missing.returncode == 2 and "nope.md: no such file" in missing.stdout


def test_check_on_a_folder_and_on_the_bundled_deck(run_cli, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("Q: A?\nA: a\n", encoding="utf-8")
    data = json.loads(run_cli("check", "--json", str(tmp_path)).stdout)
    assert [c["front"] for c in data["cards"]] == ["A?"]
    bundled = json.loads(run_cli("check", "--json", str(BUNDLED)).stdout)
    assert bundled["counts"]["errors"] == 0 and bundled["counts"]["cards"] >= 79


def test_decks_lists_and_drop_removes_a_deck_until_it_is_imported_again(run_cli, tmp_path, db_path):
    mine = tmp_path / "mine.md"
    mine.write_text("# 我的\n\nQ: Mine?\nA: yes\n", encoding="utf-8")
    assert run_cli("import", str(BUNDLED), str(mine)).returncode == 0
    decks = {row["deck"]: row for row in json.loads(run_cli("decks", "--json").stdout)}
    assert decks["我的"] == {"deck": "我的", "files": [str(mine.resolve())], "cards": 1, "removed": 0}
    assert decks["深度学习八股::梯度问题"]["files"] == [str(BUNDLED.resolve())]

    one = json.loads(run_cli("cards", "--json", "--deck", "深度学习八股").stdout)[0]["id"]
    assert run_cli("rate", one, "good").returncode == 0
    dropped = run_cli("drop", str(BUNDLED))
    assert dropped.returncode == 0 and "cards removed from study" in dropped.stdout
    assert [c["front"] for c in json.loads(run_cli("cards", "--json").stdout)] == ["Mine?"]
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM reviewlog WHERE card_id = ?", (one,)).fetchone()[0] == 1
    assert run_cli("import", str(BUNDLED)).returncode == 0  # undone by importing it again
    back = {c["id"]: c for c in json.loads(run_cli("cards", "--json").stdout)}
    assert back[one]["reps"] == 1

    assert run_cli("drop", "我的").returncode == 0
    assert "我的" not in {c["deck"] for c in json.loads(run_cli("cards", "--json").stdout)}
    unknown = run_cli("drop", "no such deck")
    assert unknown.returncode == 2 and "no such deck or imported notes file" in unknown.stderr


def test_cards_json_says_why_a_card_links_a_demo(run_cli, tmp_path):
    notes = tmp_path / "why.md"
    notes.write_text("# Deep\n\nQ: Why do deep sigmoid nets stop learning?\nA: Vanishing gradients: each layer "
                     "multiplies by < 0.25.\n\nQ: Which demo?\nA: This one.\ndemo: dying_relu\n", encoding="utf-8")
    run_cli("import", str(notes))
    cards = {c["front"]: c for c in json.loads(run_cli("cards", "--json").stdout)}
    assert cards["Which demo?"]["demo_reasons"] == {"dying_relu": "named in the notes"}


def test_counts_of_one_are_singular(run_cli, tmp_path):
    one = tmp_path / "one.md"
    one.write_text("# Solo\n\nQ: Alone?\nA: yes\n", encoding="utf-8")
    assert run_cli("check", str(one)).stdout.splitlines()[-1] == "1 card, 0 warnings, 0 errors"
    assert run_cli("import", str(one)).returncode == 0
    assert f"Solo  (1 card)  {one.resolve()}" in run_cli("decks").stdout.splitlines()
    assert run_cli("cards", "--deck", "Solo").stdout.splitlines()[-1] == "1 card"
    dropped = run_cli("drop", "Solo").stdout
    assert "1 card removed from study" in dropped and "brings it back" in dropped
