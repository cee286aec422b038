"""Demos cannot take their caller down: stray output, malformed events, broken demo files,
a grandchild that keeps the pipe open past a timeout."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import pytest
from demo_fakes import alive
from sqlmodel import select

from studyapp.runner.catalog import broken_demos, catalog
from studyapp.runner.events import parse_line
from studyapp.runner.process import RunRequest, run_demo
from studyapp.store.database import open_store
from studyapp.store.tables import DemoRun

HEAD = "ID = {id!r}\nTITLE = 'T'\nCLAIM = 'It holds.'\nCARD_TERMS = [('zz-nothing',)]\n\n"
RESULT = ("from studyapp.demos._result import Result, no_progress  # noqa: E402\n\n"
          "def run(device='cpu', seed=0, quick=True, progress=no_progress, ablate=False):\n"
          "{body}"
          "    return Result(claim=CLAIM, claim_holds=True, metrics={{'x': 1.0}})\n")
DEMOS = {
    "bare_values": "    import sys\n    for line in ('0.25', '[1, 2]', 'null', '\"text\"', '{\"no\": \"event\"}', '{\"event\": 3}'):\n"
                   "        print(line, flush=True)\n",
    "bad_progress": "    print('{\"event\": \"progress\", \"fraction\": \"lots\", \"message\": \"m\"}', flush=True)\n",
    "no_claim": "    import os\n    print('{\"event\": \"result\", \"claim_holds\": true, \"metrics\": {}}', flush=True)\n"
                "    os._exit(0)\n",
    "grandchild": "    import os, subprocess, sys, time\n"
                  "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], start_new_session=True)\n"
                  "    open(os.environ['GRANDCHILD_PID'], 'w').write(str(child.pid))\n"
                  "    time.sleep(120)\n",
}


@pytest.fixture
def user_demos(tmp_path, monkeypatch):
    folder = tmp_path / "demos"
    folder.mkdir()
    for demo_id, body in DEMOS.items():
        (folder / f"{demo_id}.py").write_text(HEAD.format(id=demo_id) + RESULT.format(body=body), encoding="utf-8")
    monkeypatch.setenv("STUDYAPP_DEMOS_DIR", str(folder))
    catalog.cache_clear()
    yield folder
    catalog.cache_clear()


@pytest.fixture
def store(db_path):
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.mark.parametrize("line, kind", [
    ("0.25", "output"), ("[1,2]", "output"), ("null", "output"), ('"x"', "output"), ("{", "output"),
    ('{"event": "nope"}', "output"), ('{"event": ["progress"]}', "output"), ("[" * 100000, "output"),
    ('{"event": "progress", "fraction": 0.5, "message": "m"}', "progress"),
    ('{"event": "progress", "fraction": "half"}', "malformed"), ('{"event": "progress"}', "malformed"),
    ('{"event": "progress", "fraction": true}', "malformed"),
    ('{"event": "result", "claim_holds": true, "metrics": {}}', "malformed"),
    ('{"event": "result", "claim": "c", "claim_holds": "yes", "metrics": {}}', "malformed"),
    ('{"event": "result", "claim": "c", "claim_holds": true, "metrics": []}', "malformed"),
    ('{"event": "result", "claim": "c", "claim_holds": true, "metrics": {}, "extra": 1}', "result"),
    ('{"event": "error"}', "malformed"), ('{"event": "start", "device": 1}', "malformed"),
])
def test_every_line_is_an_event_output_or_reported_malformed(line, kind):
    event = parse_line(line)
    assert (("malformed" if event.malformed else event.kind) == kind)


@pytest.mark.slow
def test_bare_json_values_are_output_and_the_run_succeeds(user_demos, store):
    events = []
    outcome = run_demo(RunRequest("bare_values", device="cpu", threads=1), on_event=events.append, store=store)
    assert outcome.status == "ok", outcome.error
    shown = [event.message for event in events if event.kind == "output"]
    assert shown[:6] == ["0.25", "[1, 2]", "null", '"text"', '{"no": "event"}', '{"event": 3}']


@pytest.mark.slow
@pytest.mark.parametrize("demo_id, problem", [("bad_progress", "malformed progress event (bad 'fraction'"),
                                              ("no_claim", "malformed result event (no 'claim')")])
def test_a_malformed_event_is_shown_and_the_run_is_recorded_as_an_error(user_demos, store, demo_id, problem):
    events = []
    outcome = run_demo(RunRequest(demo_id, device="cpu", threads=1), on_event=events.append, store=store)
    assert outcome.status == "error" and problem in outcome.error
    assert any(problem in event.message for event in events if event.kind == "output")
    with store.session() as session:
        (row,) = session.exec(select(DemoRun).where(DemoRun.demo_id == demo_id))
    assert row.status == "error" and problem in row.error


@pytest.mark.slow
def test_a_timeout_returns_even_if_a_grandchild_holds_the_pipe(user_demos, tmp_path, monkeypatch):
    pid_file = tmp_path / "grandchild.pid"
    monkeypatch.setenv("GRANDCHILD_PID", str(pid_file))
    finished = {}
    runner = threading.Thread(target=lambda: finished.setdefault(
        "outcome", run_demo(RunRequest("grandchild", device="cpu", threads=1, timeout=3))))
    runner.start()
    runner.join(timeout=60)  # the grandchild sleeps 120 s with the pipe open: returning at all proves it
    try:
        assert not runner.is_alive(), "run_demo waited for the grandchild"
        assert finished["outcome"].status == "timeout"
    finally:
        if pid_file.exists():
            grandchild = int(pid_file.read_text())
            if alive(grandchild):
                os.kill(grandchild, signal.SIGKILL)


BROKEN = {
    "syntax.py": "ID = 'syntax'\nTITLE = (\n",
    "missing.py": "ID = 'missing'\nTITLE = 'T'\nCARD_TERMS = [('a',)]\n",
    "terms.py": "ID = 'terms'\nTITLE = 'T'\nCLAIM = 'C'\nCARD_TERMS = 'relu'\n",
    "computed.py": "ID = 'computed'\nTITLE = 'T'.upper()\nCLAIM = 'C'\nCARD_TERMS = [('a',)]\n",
    "clash.py": "ID = 'dying_relu'\nTITLE = 'T'\nCLAIM = 'C'\nCARD_TERMS = [('a',)]\n",
}


def test_broken_user_demo_files_are_listed_and_never_block_import_or_demo_list(tmp_path, run_cli):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "latin1.py").write_bytes(b"ID = '\xe9'\n")
    (folder / "good.py").write_text(HEAD.format(id="good_one"), encoding="utf-8")
    env = {"STUDYAPP_DEMOS_DIR": str(folder)}
    notes = tmp_path / "n.md"
    notes.write_text("**什么是ReLU？**\n一个激活函数。\n", encoding="utf-8")
    imported = run_cli("import", str(notes), env=env)
    assert imported.returncode == 0 and "1 new" in imported.stdout, imported.stderr
    listed = run_cli("demo", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    ids = [demo["id"] for demo in json.loads(listed.stdout)]
    assert "good_one" in ids and "dying_relu" in ids
    warned = {Path(line.split(": ")[2]).name for line in listed.stderr.splitlines() if "not a usable demo" in line}
    assert warned == set(BROKEN) | {"latin1.py"}
    assert run_cli("demo", "list", env={"STUDYAPP_DEMOS_DIR": str(tmp_path / "absent")}).returncode == 0


def test_broken_demos_say_what_is_wrong(tmp_path, monkeypatch):
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("STUDYAPP_DEMOS_DIR", str(tmp_path))
    errors = {Path(demo.path).name: demo.error for demo in broken_demos()}
    assert "line 2" in errors["syntax.py"] and "no CLAIM" in errors["missing.py"]
    assert "CARD_TERMS must be" in errors["terms.py"] and "plain literals" in errors["computed.py"]
    assert "already taken" in errors["clash.py"]
