"""`studyapp interview` through the real argument parser (and once as a real process)."""

from __future__ import annotations

import json

import pytest
from review_seed import NOW, add_cards, shanghai, store  # noqa: F401

from studyapp.cli.main import main
from studyapp.review.schedule import rate_now
from studyapp.review.settings import Settings

AT = ["--now", NOW.isoformat()]
pytestmark = pytest.mark.usefixtures("shanghai")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_interview_json_has_exactly_the_contract_keys(store, capsys):
    ids = add_cards(store, 3, deck="DL::CNN") + add_cards(store, 2, deck="DL::RNN", prefix="r")
    rate_now(store, ids[0], 3, Settings(), NOW)
    rate_now(store, ids[0], 3, Settings(), NOW)
    code, out, _ = run(capsys, "interview", "2026-03-20", "--json", *AT)
    data = json.loads(out)
    assert code == 0
    assert list(data) == ["date", "target", "topics", "overall"]
    assert data["date"] == "2026-03-20" and data["target"] == 0.9
    assert [(t["deck"], t["cards"]) for t in data["topics"]] == [("DL::CNN", 3), ("DL::RNN", 2)]
    cnn = data["topics"][0]
    assert list(cnn) == ["deck", "cards", "mean_recall", "ready_share", "weakest"]
    assert list(cnn["weakest"][0]) == ["id", "front", "recall"]
    assert [w["id"] for w in cnn["weakest"]][-1] == ids[0] and 0 < cnn["weakest"][-1]["recall"] < 1
    assert data["overall"]["cards"] == 5
    code, out, _ = run(capsys, "interview", "2026-03-20", "--json", "--deck", "DL::RNN", *AT)
    assert [t["deck"] for t in json.loads(out)["topics"]] == ["DL::RNN"]


def test_interview_text_shows_topics_overall_and_the_plan(store, capsys):
    add_cards(store, 30, deck="DL::CNN")
    code, out, _ = run(capsys, "interview", "2026-03-14", *AT)
    assert code == 0
    assert "Interview 2026-03-14 (in 4 days)" in out
    assert "0/30" in out and "DL::CNN" in out
    assert "Overall: 30 cards, 0% mean recall on the day" in out
    assert "2026-03-10" in out and "2026-03-13" in out and "2026-03-14  " not in out
    assert "10 s a review: a default" in out
    assert "every card at or above 90% on the day" in out
    assert "up to 15 new cards a day (new_per_day is 20)" not in out
    assert "interview mode is off" in out


def test_interview_date_from_the_setting_and_bad_dates(store, capsys):
    add_cards(store, 2)
    code, _, err = run(capsys, "interview", *AT)
    assert code == 2 and "no interview date" in err
    assert run(capsys, "config", "interview_date", "2026-03-20")[0] == 0
    code, out, _ = run(capsys, "interview", "--json", *AT)
    assert code == 0 and json.loads(out)["date"] == "2026-03-20"
    code, _, err = run(capsys, "interview", "2026-02-30", *AT)
    assert code == 2 and "2026-02-30" in err and err.count("\n") == 1
    code, _, err = run(capsys, "interview", "2026-03-01", *AT)
    assert code == 2 and "in the past" in err
    code, _, err = run(capsys, "interview", "2026-03-20", "--deck", "Nope", *AT)
    assert code == 2 and "no such deck" in err


def test_interview_runs_as_a_real_command(run_cli):
    result = run_cli("interview", "2099-01-01", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overall"]["cards"] > 0 and data["overall"]["mean_recall"] == 0


def test_mock_history_lists_kept_mocks_and_bad_flags_are_refused(store, capsys):
    import random

    from studyapp.review.mock import MockSession

    add_cards(store, 2, deck="DL::CNN")
    code, out, _ = run(capsys, "mock", "--history")
    assert code == 0 and "no mock interviews yet" in out
    mock = MockSession(store, lambda: NOW, questions=2, rng=random.Random(0))
    for _ in range(2):
        mock.reveal("Answer")
        mock.grade(3)
    code, out, _ = run(capsys, "mock", "--history")
    assert code == 0 and "all decks  2/2 answered  2 passed" in out and "DL::CNN: 2 answered" in out
    code, out, _ = run(capsys, "mock", "--history", "--json")
    (kept,) = json.loads(out)
    assert kept["questions"] == 2 and kept["overall"]["grades"]["good"] == 2 and kept["topics"][0]["deck"] == "DL::CNN"
    for flags in (["--questions", "0"], ["--minutes", "-1"], ["--minutes", "x"]):
        with pytest.raises(SystemExit) as exit_:
            main(["mock", *flags])
        assert exit_.value.code == 2
    code, _, err = run(capsys, "mock", "--deck", "Nope")
    assert code == 2 and "no such deck" in err
