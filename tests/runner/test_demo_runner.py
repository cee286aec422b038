"""The demo runner: a real child process, streamed, timed out, cancelled, recorded."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from demo_fakes import FAKE_DEMOS
from demo_fakes import alive as _alive
from sqlmodel import select

from studyapp.runner.catalog import catalog
from studyapp.runner.process import RunRequest, latest_runs, run_demo
from studyapp.store.database import open_store
from studyapp.store.tables import DemoRun


@pytest.fixture
def store(db_path):
    store = open_store(db_path)
    yield store
    store.close()


def test_a_run_streams_progress_and_is_recorded(fake_demos, store):
    events = []
    outcome = run_demo(RunRequest("fake_fast", device="cpu", threads=1), on_event=events.append, store=store)
    assert outcome.status == "ok" and outcome.claim_holds is True
    assert [e.message for e in events if e.kind == "progress"] == ["step 0", "step 1", "step 2"]
    assert outcome.result["metrics"]["nan"] == "nan"  # JSON has no NaN: sent as text
    with store.session() as session:
        (row,) = latest_runs(session, "fake_fast")
    assert (row.status, row.device, row.claim_holds, row.seed, row.mode) == ("ok", "cpu", True, 0, "quick")
    assert row.torch_version and json.loads(row.series)["series"] == {"line": [1.0, 2.0, 3.0]}
    assert json.loads(row.metrics)["total"] == 4.0


def test_lines_arrive_before_the_process_ends(fake_demos):
    # no time limit in play: the run is cancelled after its third line, however slow the machine
    seen_while_running = []
    holder = {}

    def on_event(event):
        if event.kind == "progress":
            seen_while_running.append(holder["process"].process.poll() is None)
            if len(seen_while_running) == 3:
                holder["process"].cancel()

    outcome = run_demo(RunRequest("fake_slow"), on_event=on_event,
                       process_ready=lambda p: holder.setdefault("process", p))
    assert seen_while_running[:3] == [True, True, True]
    assert outcome.status == "cancelled"


def test_a_timeout_ends_the_run_and_says_the_limit(fake_demos):
    outcome = run_demo(RunRequest("fake_slow", timeout=1.5))
    assert outcome.status == "timeout" and outcome.error == "timed out after 1.5 s"
    assert outcome.request.with_longer_limit().time_limit == 3.0


def test_quick_runs_default_to_one_thread_and_full_runs_to_torchs_choice(fake_demos):
    starts = []
    outcome = run_demo(RunRequest("fake_fast", device="cpu"), on_event=starts.append)
    assert outcome.status == "ok"
    assert [e.data["threads"] for e in starts if e.kind == "start"] == [1]
    assert RunRequest("fake_fast", mode="full").thread_count == 0
    assert RunRequest("fake_fast", threads=3).thread_count == 3


def test_cancel_kills_the_whole_process_group(fake_demos, tmp_path, monkeypatch, store):
    pid_file = tmp_path / "pids"
    monkeypatch.setenv("FAKE_SLOW_PIDS", str(pid_file))
    holder = {}

    def on_event(event):
        if event.kind == "progress" and event.message == "tick 2":
            threading.Thread(target=holder["process"].cancel).start()

    outcome = run_demo(RunRequest("fake_slow"), on_event=on_event, store=store,
                       process_ready=lambda p: holder.setdefault("process", p))
    assert outcome.status == "cancelled"
    child, grandchild = map(int, pid_file.read_text().split())
    deadline = time.monotonic() + 5
    while (_alive(child) or _alive(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child) and not _alive(grandchild), "orphans left behind"
    with store.session() as session:
        assert [r.status for r in session.exec(select(DemoRun))] == ["cancelled"]


def test_a_crash_is_reported_with_its_traceback_tail(fake_demos, store):
    events = []
    outcome = run_demo(RunRequest("fake_crash"), on_event=events.append, store=store)
    assert outcome.status == "error"
    assert outcome.error.startswith("ValueError: shapes do not match: 42")
    assert "explode_deep_inside" in outcome.error  # the tail of the traceback
    assert any(e.kind == "output" and "stray print" in e.message for e in events)
    with store.session() as session:
        (row,) = latest_runs(session, "fake_crash")
    assert row.status == "error" and row.claim_holds is None and "ValueError" in row.error


def test_an_absent_device_is_a_clear_error_and_not_recorded(fake_demos, store):
    outcome = run_demo(RunRequest("fake_fast", device="cuda"), store=store)
    assert outcome.status == "error" and outcome.bad_request
    assert "device 'cuda' is not available here" in outcome.error
    with store.session() as session:
        assert latest_runs(session, "fake_fast") == []


def test_an_unknown_id_is_rejected_by_the_child_and_not_recorded(store):
    outcome = run_demo(RunRequest("no_such_demo", device="cpu"), store=store)
    assert outcome.status == "error" and outcome.bad_request
    assert outcome.error.startswith("unknown demo 'no_such_demo' (known: ")
    with store.session() as session:
        assert latest_runs(session, "no_such_demo") == []


def test_a_real_demo_streams_while_it_runs_and_is_recorded(store):
    alive_at_progress = []
    holder = {}

    def on_event(event):
        if event.kind == "progress":
            alive_at_progress.append(holder["process"].process.poll() is None)

    outcome = run_demo(RunRequest("optimizers", device="cpu", threads=1), on_event=on_event,
                       store=store, process_ready=lambda p: holder.setdefault("process", p))
    assert outcome.status == "ok" and outcome.claim_holds is True, outcome.error
    assert len(alive_at_progress) >= 5 and all(alive_at_progress)
    with store.session() as session:
        (row,) = latest_runs(session, "optimizers")
    assert (row.status, row.device, row.mode, row.claim_holds) == ("ok", "cpu", "quick", True)
    assert json.loads(row.series)["series"] == outcome.result["series"]


def test_a_run_that_cannot_be_recorded_still_gives_its_verdict(fake_demos, store):
    # the card was deleted meanwhile: the foreign key refuses the row, the verdict stands
    outcome = run_demo(RunRequest("fake_fast", device="cpu", card_id="gone"), store=store)
    assert outcome.status == "ok" and outcome.claim_holds is True
    assert "FOREIGN KEY" in outcome.record_error
    with store.session() as session:
        assert latest_runs(session, "fake_fast") == []


def test_catalog_reads_constants_wherever_a_user_demo_puts_them(tmp_path, monkeypatch):
    (tmp_path / "late_constants.py").write_text(
        '"""A demo whose docstring has a line that starts like an import:\nimport this, it says.\n"""\n'
        "import math\n\nID = 'late_constants'\nTITLE = 'Late'\nCLAIM = 'pi is above 3.'\n"
        "CARD_TERMS = [('pi',)]\n", encoding="utf-8")
    (tmp_path / "not_a_demo.py").write_text("import math\nHELPER = 1\n", encoding="utf-8")
    monkeypatch.setenv("STUDYAPP_DEMOS_DIR", str(tmp_path))
    catalog.cache_clear()
    try:
        demo = catalog()["late_constants"]
        assert (demo.title, demo.claim, demo.card_terms) == ("Late", "pi is above 3.", (("pi",),))
        assert list(catalog()).count("late_constants") == 1 and "not_a_demo" not in catalog()
    finally:
        catalog.cache_clear()
