"""Headless review commands, run through the real argument parser."""

from __future__ import annotations

import io
import json
import re

import pytest
from review_seed import NOW, add_cards, add_review_cards, card, store  # noqa: F401
from sqlmodel import select

from studyapp.cli.main import main
from studyapp.review.settings import SPECS, Settings, format_value
from studyapp.review.stats_chart import count_axis, print_stats, wants_color
from studyapp.store.tables import LEARNING, NEW, ReviewLog

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
    assert listing["buried"] == {"total": 0, "buried": 0, "held": 0}


def test_rate_then_due_shows_the_card_gone_and_the_sibling_buried(store, capsys):
    ids = add_cards(store, 2, deck="DL::CNN", sibling_key="pair")
    assert run(capsys, "config", "bury_new", "on")[0] == 0
    code, out, _ = run(capsys, "rate", ids[0], "good", *AT)
    assert code == 0 and f"rated {ids[0]} good" in out and "(in 10m)" in out
    assert card(store, ids[0]).state == LEARNING
    _, out, _ = run(capsys, "due", "--json", *AT)
    listing = json.loads(out)
    assert listing["counts"]["done_today"] == 1
    assert [c["id"] for c in listing["cards"]] == [ids[0]]  # early, as learning; sibling buried
    assert listing["buried"] == {"total": 1, "buried": 1, "held": 0}
    _, out, _ = run(capsys, "due", *AT)
    assert "1 sibling card buried until tomorrow: `studyapp review --cram` shows them, " \
           "`studyapp unbury` brings back 1" in out
    assert run(capsys, "unbury", "--deck", "DL", *AT)[1] == "unburied 1 card\n"
    _, out, _ = run(capsys, "due", "--json", *AT)
    assert [c["id"] for c in json.loads(out)["cards"]] == [ids[0]]  # held back: its sibling is learning
    assert json.loads(out)["buried"] == {"total": 1, "buried": 0, "held": 1}
    assert run(capsys, "config", "bury_new", "off")[0] == 0
    _, out, _ = run(capsys, "due", "--json", *AT)
    assert [c["id"] for c in json.loads(out)["cards"]] == [ids[1]]


def test_rate_reports_a_leech(store, capsys):
    (cid,) = add_review_cards(store, 1, due=NOW, lapses=7)
    _, out, _ = run(capsys, "rate", cid, "again", *AT)
    assert "is a leech (8 lapses): tagged leech and suspended" in out


def test_rate_unknown_card_exits_2_with_a_message(store, capsys):
    add_cards(store, 1)
    code, _, err = run(capsys, "rate", "missing", "good")
    assert code == 2 and "card missing: no such card" in err


def test_rate_a_removed_card_says_it_was_removed_from_the_notes(store, capsys):
    (cid,) = add_cards(store, 1, removed=True)
    for argv in (["rate", cid, "good"], ["suspend", cid], ["unsuspend", cid]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        assert err == (f"studyapp: error: card {cid} was removed from the notes (it is listed by "
                       "`studyapp cards --removed`); removed cards cannot be reviewed\n")


def test_rate_a_suspended_card_is_refused_and_changes_nothing(store, capsys):
    (cid,) = add_cards(store, 1, suspended=True)
    code, out, err = run(capsys, "rate", cid, "good", *AT)
    assert code == 2 and out == ""
    assert err == f"studyapp: error: card {cid} is suspended; studyapp unsuspend {cid} first\n"
    assert card(store, cid).state == NEW and card(store, cid).reps == 0
    with store.session() as session:
        assert session.exec(select(ReviewLog)).all() == []


def test_suspend_twice_and_unsuspend_an_active_card_say_so(store, capsys):
    (cid,) = add_cards(store, 1)
    assert run(capsys, "unsuspend", cid) == (0, f"card {cid} is not suspended\n", "")
    assert run(capsys, "suspend", cid) == (0, f"suspended {cid}\n", "")
    assert run(capsys, "suspend", cid) == (0, f"card {cid} is already suspended\n", "")
    assert card(store, cid).suspended


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


def test_config_rejects_a_non_number_in_plain_words(store, capsys):
    for text in ("abc", "2", "nan"):
        code, _, err = run(capsys, "config", "desired_retention", text)
        assert (code, err) == (2, f"studyapp: error: desired_retention must be a number between 0.7 and 0.99, "
                                  f"got {text!r}\n")


def _charts(out: str) -> dict[str, list[str]]:
    """The printed charts by the first word(s) of their title."""
    charts = {}
    for block in out.split("\n\n"):
        lines = block.splitlines()
        title = lines[0].strip()
        charts[next((t for t in ("Reviews per day", "True retention", "Cards by state", "Due in the next")
                      if title.startswith(t)), title)] = lines
    return charts


def _y_labels(lines: list[str]) -> list[str]:
    return [m.group(1) for line in lines if (m := re.match(r"^ *(\S+)┤", line))]


def test_stats_piped_has_no_escape_codes_and_count_axes_from_zero(store, capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    add_cards(store, 3)  # no reviews at all: every count is 0
    code, out, _ = run(capsys, "stats", *AT)
    assert code == 0 and "\x1b" not in out and "[0m" not in out
    charts = _charts(out)
    for title in ("Reviews per day", "Due in the next"):
        assert _y_labels(charts[title]) == ["1", "0"], charts[title]
    states_ticks = charts["Cards by state"][-1].split()
    assert states_ticks == ["0", "1", "2", "3"]


def test_stats_axes_are_whole_counts(store, capsys):
    ids = add_cards(store, 40)
    for cid in ids[:7]:
        run(capsys, "rate", cid, "easy", *AT)
    _, out, _ = run(capsys, "stats", *AT)
    charts = _charts(out)
    assert _y_labels(charts["Reviews per day"]) == ["8", "6", "4", "2", "0"]
    assert charts["Cards by state"][-1].split() == ["0", "10", "20", "30", "40"]  # 33 new


@pytest.mark.parametrize("values, axis", [
    ([], (1, [0, 1])), ([0, 0], (1, [0, 1])), ([3], (3, [0, 1, 2, 3])), ([7, 1], (8, [0, 2, 4, 6, 8])),
    ([35], (40, [0, 10, 20, 30, 40])), ([99], (100, [0, 50, 100])), ([1234], (1500, [0, 500, 1000, 1500])),
])
def test_count_axis_starts_at_zero_with_whole_ticks(values, axis):
    assert count_axis(values) == axis


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_escape_codes_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert wants_color(_Terminal()) and not wants_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_color(_Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not wants_color(_Terminal())


def test_stats_with_no_color_on_a_terminal_is_plain(store, monkeypatch):
    from studyapp.review.stats import compute_stats

    monkeypatch.setenv("NO_COLOR", "1")
    add_cards(store, 2)
    with store.session() as session:
        stats = compute_stats(session, Settings(), NOW)
    terminal = _Terminal()
    print_stats(stats, terminal)
    assert "Cards by state" in terminal.getvalue() and "\x1b" not in terminal.getvalue()


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


def _help(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command",
                         ["review", "due", "rate", "suspend", "unsuspend", "config", "stats", "optimize"])
def test_every_review_command_help_says_what_it_does(command, capsys):
    after_usage = _help(capsys, command).split("\n\n")[1]
    assert not after_usage.startswith(("positional arguments:", "options:")), after_usage


@pytest.mark.parametrize("command", ["rate", "suspend", "unsuspend"])
def test_card_id_has_help(command, capsys):
    text = " ".join(_help(capsys, command).split())
    assert " CARD_ID a card id, as `studyapp due` and `studyapp cards` print it " in text


def test_config_help_lists_every_setting_with_its_default(capsys):
    out = _help(capsys, "config")
    for key in SPECS:
        default = format_value(key, getattr(Settings(), key))
        assert re.search(rf"^  {key} +{re.escape(default)} +{re.escape(SPECS[key].help[:20])}", out, re.M), key


def test_config_sets_easy_days_and_the_balancer(store, capsys):
    assert run(capsys, "config", "easy_days", "normal normal normal normal normal reduced minimum")[1] == \
        "easy_days = n n n n n r m\n"
    with store.session() as session:
        from studyapp.review.settings import load_settings

        assert load_settings(session).easy_days[-2:] == ("reduced", "minimum")
    code, _, err = run(capsys, "config", "easy_days", "n n n")
    assert code == 2 and "expected 7 words, Monday to Sunday" in err and err.count("\n") == 1
    assert run(capsys, "config", "load_balancer", "off")[1] == "load_balancer = off\n"


def test_stats_json_gives_the_numbers_stats_prints(store, capsys):
    (cid,) = add_review_cards(store, 1, due=NOW)
    run(capsys, "rate", cid, "again", *AT)
    code, out, _ = run(capsys, "stats", "--json", *AT)
    data = json.loads(out)
    assert code == 0 and set(data) == {"days", "reviews_per_day", "retention_per_day", "retention_overall",
                                       "review_state_reviews", "cards_by_state", "forecast_days", "forecast"}
    from studyapp.review.queue import study_day_start

    today = study_day_start(NOW, Settings().day_start_hour).astimezone().date().isoformat()
    assert data["days"][-1] == today and data["reviews_per_day"][-1] == 1
    assert data["retention_overall"] == 0.0 and data["review_state_reviews"] == 1
    assert data["cards_by_state"]["relearning"] == 1 and len(data["forecast"]) == 30


def test_cards_with_an_unknown_deck_fails_like_due(store, capsys):
    add_cards(store, 1, deck="DL::CNN")
    for command in ("cards", "due"):
        code, out, err = run(capsys, command, "--deck", "NOSUCH")
        assert (code, out) == (2, "") and "deck 'NOSUCH': no such deck (top-level decks: DL)" in err


def test_an_explicit_db_in_a_missing_folder_is_refused_and_nothing_is_created(tmp_path, capsys):
    target = tmp_path / "typo" / "deeper" / "study.db"
    code, _, err = run(capsys, "--db", str(target), "due")
    assert code == 2 and f"folder {target.parent} does not exist" in err and err.count("\n") == 1
    assert not (tmp_path / "typo").exists()
