"""Headless review commands, run through the real argument parser."""

from __future__ import annotations

import json

import pytest

from review_seed import NOW, add_cards, add_review_cards, card, store  # noqa: F401
from studyapp.cli import main
from studyapp.models import LEARNING

AT = ["--now", NOW.isoformat()]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_json_lists_the_queue_in_review_order(store, capsys):
    add_cards(store, 2, prefix="n")
    add_review_cards(store, 1, due=NOW)
    code, out, _ = run(capsys, "due", "--json", *AT)
    listing = json.loads(out)
    assert code == 0
    assert [c["id"] for c in listing["cards"]] == ["r00000", "n00000", "n00001"]
    assert listing["counts"] == {"learning": 0, "review": 1, "new": 2, "learning_later": 0, "done_today": 0}


def test_rate_then_due_shows_the_card_gone_and_the_sibling_buried(store, capsys):
    ids = add_cards(store, 2, deck="DL::CNN")
    code, out, _ = run(capsys, "rate", ids[0], "good", *AT)
    assert code == 0 and f"rated {ids[0]} good" in out and "(in 10m)" in out
    assert card(store, ids[0]).state == LEARNING
    _, out, _ = run(capsys, "due", "--json", *AT)
    listing = json.loads(out)
    assert listing["counts"]["done_today"] == 1
    assert [c["id"] for c in listing["cards"]] == [ids[0]]  # early, as learning; sibling buried


def test_rate_reports_a_leech(store, capsys):
    (cid,) = add_review_cards(store, 1, due=NOW, lapses=7)
    _, out, _ = run(capsys, "rate", cid, "again", *AT)
    assert "is a leech (8 lapses): tagged leech and suspended" in out


def test_rate_unknown_card_exits_2_with_a_message(store, capsys):
    add_cards(store, 1)
    code, _, err = run(capsys, "rate", "missing", "good")
    assert code == 2 and "card missing: no such card" in err


def test_suspend_and_unsuspend(store, capsys):
    (cid,) = add_cards(store, 1)
    assert run(capsys, "suspend", cid)[1] == f"suspended {cid}\n"
    assert json.loads(run(capsys, "due", "--json")[1])["cards"] == []
    assert run(capsys, "unsuspend", cid)[1] == f"unsuspended {cid}\n"
    assert len(json.loads(run(capsys, "due", "--json")[1])["cards"]) == 1


def test_config_lists_sets_and_rejects(store, capsys):
    _, out, _ = run(capsys, "config")
    assert "desired_retention = 0.9" in out and "new_per_day = 20" in out
    assert run(capsys, "config", "new_per_day", "5")[1] == "new_per_day = 5\n"
    assert run(capsys, "config", "new_per_day")[1] == "new_per_day = 5\n"
    code, _, err = run(capsys, "config", "new_per_day", "-1")
    assert code == 2 and "between 0 and 9999" in err
    add_cards(store, 10)
    assert len(json.loads(run(capsys, "due", "--json")[1])["cards"]) == 5


def test_stats_prints_charts_and_counts(store, capsys):
    ids = add_cards(store, 3)
    run(capsys, "rate", ids[0], "good", *AT)
    code, out, _ = run(capsys, "stats", *AT)
    assert code == 0
    assert "Reviews per day, last 30 days (1)" in out
    assert "cards: new 2, learning 1, review 0, relearning 0, suspended 0" in out


@pytest.mark.parametrize("command", ["due", "review"])
def test_unknown_deck_is_refused_before_the_tui_starts(store, capsys, command):
    add_cards(store, 1, deck="DL::CNN")
    code, _, err = run(capsys, command, "--deck", "DL::GAN")
    assert code == 2 and "deck 'DL::GAN': no such deck (top-level decks: DL)" in err


@pytest.mark.parametrize("argv", [["due", "--help"], ["review", "--help"], ["config", "--help"]])
def test_help_is_available(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0 and "usage: studyapp" in capsys.readouterr().out
