"""`studyapp demo list` and `studyapp demo run` as a user runs them: real subprocesses, real children.

The fake demos (tests/fake_demos, put in the catalog through $STUDYAPP_DEMOS_DIR) make the
exit codes cheap to reach; one real demo shows the whole path end to end.
"""

from __future__ import annotations

import json

import pytest
from demo_fakes import FAKE_DEMOS
from sqlmodel import select

from studyapp.store.database import open_store
from studyapp.store.tables import DemoRun

FAKES = {"STUDYAPP_DEMOS_DIR": str(FAKE_DEMOS)}
RESULT_KEYS = {"id", "claim", "claim_holds", "metrics", "device", "seed", "mode", "seconds", "torch_version"}


def recorded_runs(db_path) -> list[DemoRun]:
    store = open_store(db_path)
    try:
        with store.session() as session:
            return list(session.exec(select(DemoRun).order_by(DemoRun.id)))
    finally:
        store.close()


def test_a_claim_that_holds_exits_0_with_live_progress_a_verdict_and_json(run_cli, db_path):
    done = run_cli("demo", "run", "fake_fast", "--json", "--threads", "1", "--seed", "3", env=FAKES)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert RESULT_KEYS <= set(result)
    assert (result["id"], result["claim"], result["claim_holds"]) == ("fake_fast", "Two plus two is four.", True)
    assert (result["device"], result["seed"], result["mode"], result["metrics"]["total"]) == ("cpu", 3, "quick", 4.0)
    assert result["torch_version"].startswith("2.")
    progress = [line.strip() for line in done.stderr.splitlines() if "step" in line]
    assert progress == ["[  0%] step 0", "[ 33%] step 1", "[ 67%] step 2"]
    assert "✓ claim holds (cpu, seed 3, quick" in done.stderr
    (run,) = recorded_runs(db_path)
    assert (run.demo_id, run.status, run.seed, run.claim_holds) == ("fake_fast", "ok", 3, True)


def test_a_prediction_is_shown_beside_the_verdict_and_recorded(run_cli, db_path):
    done = run_cli("demo", "run", "fake_predict", "--predict", "a", "--json", env=FAKES)
    assert done.returncode == 0, done.stderr
    assert "Predict: What is two plus three?" in done.stderr and "a) four   ← your prediction" in done.stderr
    assert "✗ you predicted a) four; the numbers say b) five" in done.stderr
    result = json.loads(done.stdout)
    assert (result["prediction"], result["answer"], result["threads"]) == ("a", "b", 1)
    right = run_cli("demo", "run", "fake_predict", "--predict", "b", env=FAKES)
    assert "✓ your prediction b) was right: the numbers say b) five" in right.stderr
    assert [(r.prediction, r.answer, r.threads) for r in recorded_runs(db_path)] == [("a", "b", 1), ("b", "b", 1)]
    listed = {d["id"]: d["predict"] for d in json.loads(run_cli("demo", "list", "--json", env=FAKES).stdout)}
    assert listed["fake_predict"] == {"question": "What is two plus three?", "choices": {"a": "four", "b": "five"}}
    assert listed["fake_fast"] is None


def test_a_claim_that_does_not_hold_exits_1(run_cli, db_path):
    done = run_cli("demo", "run", "fake_fails", "--json", env=FAKES)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["claim_holds"] is False
    assert "✗ claim does NOT hold" in done.stderr
    assert [r.status for r in recorded_runs(db_path)] == ["failed"]


@pytest.mark.parametrize("args, message", [
    (("fake_crash",), "studyapp: error: demo fake_crash: ValueError: shapes do not match: 42"),
    (("no_such_demo",), "unknown demo 'no_such_demo' (known: "),
    (("fake_fast", "--device", "cuda"), "device 'cuda' is not available here"),
    (("fake_slow", "--timeout", "1.5"), "studyapp: error: demo fake_slow: timed out after 1.5 s"),
    (("fake_fast", "--card", "nope"), "no card with id 'nope'"),
    (("fake_fast", "--threads", "0"), "argument --threads: must be at least 1"),
    (("fake_fast", "--timeout", "0"), "argument --timeout: must be more than 0 seconds, got '0'"),
    (("fake_fast", "--timeout", "-3"), "argument --timeout: must be more than 0 seconds, got '-3'"),
    (("fake_fast", "--timeout", "inf"), "argument --timeout: must be a finite number of seconds, got 'inf'"),
    (("fake_fast", "--predict", "a"), "demo fake_fast asks no question to predict"),
    (("fake_predict", "--predict", "c"), "'c' is not one of this demo's choices: a (four), b (five)"),
], ids=["crash", "unknown-id", "absent-device", "timeout", "unknown-card", "zero-threads", "zero-timeout",
        "negative-timeout", "infinite-timeout", "predict-without-question", "predict-unknown-choice"])
def test_errors_exit_2_with_a_clear_message_and_no_json(run_cli, args, message):
    done = run_cli("demo", "run", *args, "--json", env=FAKES)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stdout == ""


def test_a_timeout_says_what_to_try(run_cli):
    done = run_cli("demo", "run", "fake_slow", "--timeout", "1.5", "--threads", "4", env=FAKES)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == ("studyapp: hint: a busy machine slows demos down (other processes "
                                            "take the CPU); try --timeout 3 or --threads 1")


def test_a_crash_shows_the_tail_of_its_traceback(run_cli):
    done = run_cli("demo", "run", "fake_crash", env=FAKES)
    assert done.returncode == 2
    assert "in explode_deep_inside" in done.stderr and "a stray print from the demo" in done.stderr


def test_list_names_each_demo_with_its_claim_and_linked_cards(run_cli):
    demos = json.loads(run_cli("demo", "list", "--json").stdout)
    by_id = {demo["id"]: demo for demo in demos}
    assert all({"id", "title", "claim", "cards"} <= set(demo) for demo in demos)
    assert all(demo["cards"] for demo in demos), [d["id"] for d in demos if not d["cards"]]
    assert any("ReLu" in card["front"] for card in by_id["dying_relu"]["cards"])
    text = run_cli("demo", "list").stdout
    assert by_id["dying_relu"]["claim"] in text and "▸ " in text


def test_a_real_demo_runs_for_a_card_and_is_recorded_with_its_plot(run_cli, db_path):
    cards = json.loads(run_cli("cards", "--json").stdout)
    card_id = next(card["id"] for card in cards if "weight_init" in card["demos"])
    done = run_cli("demo", "run", "weight_init", "--threads", "1", "--card", card_id, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["claim_holds"] is True and result["device"] == "cpu" and result["metrics"]
    lines = done.stderr.splitlines()
    verdict = next(i for i, line in enumerate(lines) if "claim holds" in line)
    assert any(line.startswith("[") and "%]" in line for line in lines[:verdict])
    (run,) = recorded_runs(db_path)
    assert (run.card_id, run.demo_id, run.mode, run.status) == (card_id, "weight_init", "quick", "ok")
    assert json.loads(run.metrics) == result["metrics"]
    plot = json.loads(run.series)  # the shape the Anki export reads to draw the plot
    assert set(plot) == {"series", "x_label", "y_label", "log_y"} and plot["series"]
    assert all(isinstance(values, list) and values for values in plot["series"].values())


def test_no_record_leaves_the_database_alone(run_cli, db_path):
    done = run_cli("demo", "run", "fake_fast", "--no-record", env=FAKES)
    assert done.returncode == 0, done.stderr
    assert not db_path.exists() or recorded_runs(db_path) == []
