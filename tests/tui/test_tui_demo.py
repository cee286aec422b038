"""The demo panel driven through Pilot: run a card's demo live, cancel it, browse the catalog.

The fake demos (tests/fake_demos) run in a real child process, as real demos do; only
their work is trivial. Torch is blocked from this process for the length of each test.
"""

from __future__ import annotations

import importlib.abc
import sys
import time

import pytest
from demo_fakes import alive as _alive
from review_seed import add_cards, card, shanghai, store  # noqa: F401
from sqlmodel import select
from test_tui import SIZE, make_app, pilot_test, text, visible

from studyapp.runner.catalog import catalog
from studyapp.store.tables import LEARNING, CardDemo, DemoRun

pytestmark = pytest.mark.usefixtures("shanghai", "fake_demos", "torch_blocked")


class _TorchBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"the TUI process imported {name}")


@pytest.fixture
def torch_blocked(monkeypatch):
    """Hide torch (other tests may have loaded it) and refuse to import it; then check it stayed out."""
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_TorchBlocker(), *sys.meta_path])
    yield
    assert "torch" not in sys.modules


def link(store, card_id: str, demo_id: str) -> None:
    with store.transaction() as session:
        session.add(CardDemo(card_id=card_id, demo_id=demo_id))


def log_lines(app) -> list[str]:
    return [strip.text for strip in app.screen.query_one("#demo-log").lines]


async def wait_for(pilot, condition, timeout: float = 600.0) -> None:
    """Let the app run until ``condition()`` holds (the demo child needs real time).

    ``timeout`` only stops a hung test; it is no speed requirement (a loaded machine may
    take a minute to import torch in the child)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the demo panel"
        await pilot.pause(0.05)


def runs(store) -> list[DemoRun]:
    with store.session() as session:
        return list(session.exec(select(DemoRun).order_by(DemoRun.id)))


@pilot_test
async def test_d_runs_the_cards_demo_and_esc_returns_to_the_same_card(store):
    (first,) = add_cards(store, 1)
    link(store, first, "fake_fast")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        assert "d: run demo fake_fast" in text(app, "#demo-hint")
        await pilot.press("space", "d")  # answer shown, then the demo
        assert type(app.screen).__name__ == "DemoScreen"
        assert "Two plus two is four." in text(app, "#demo-claim")
        await wait_for(pilot, lambda: not app.screen.running)
        assert text(app, "#demo-status") == "✓ the claim holds"
        assert [line.strip() for line in log_lines(app) if "step" in line] == \
            ["[  0%] step 0", "[ 33%] step 1", "[ 67%] step 2"]
        assert "total  4" in text(app, "#demo-metrics")
        assert app.screen.query_one("#demo-plot").plt is not None
        (run,) = runs(store)
        assert (run.demo_id, run.card_id, run.status, run.claim_holds) == ("fake_fast", first, "ok", True)
        table = app.screen.query_one("#demo-runs")
        assert table.row_count == 1 and table.get_row_at(0)[-1] == "✓ holds"
        await pilot.press("r")  # run again: the list grows
        await wait_for(pilot, lambda: not app.screen.running and app.screen.query_one("#demo-runs").row_count == 2)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ReviewScreen"
        assert text(app, "#front") == f"Question {first}?" and visible(app, "#back")
        await pilot.press("3")  # reviewing goes on: the rating lands on that card
        assert card(store, first).state == LEARNING
    assert len(runs(store)) == 2


@pilot_test
async def test_lines_stream_live_and_esc_cancels_the_whole_process_group(store, tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_SLOW_PIDS", str(pids))
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_slow")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: sum("tick" in line for line in log_lines(app)) >= 3)
        assert app.screen.running and "running" in text(app, "#demo-status")
        assert app.screen.query_one("#demo-progress").progress > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.running)
        assert text(app, "#demo-status") == "cancelled"
        leader, helper = map(int, pids.read_text().split())
        await wait_for(pilot, lambda: not _alive(leader) and not _alive(helper))  # exiting takes a moment
        assert [r.status for r in runs(store)] == ["cancelled"]
        await pilot.press("escape")  # the second Esc closes
        assert type(app.screen).__name__ == "ReviewScreen"


@pilot_test
async def test_a_timeout_says_what_to_try_and_t_reruns_with_twice_the_limit(store, monkeypatch):
    from studyapp.runner import process

    monkeypatch.setitem(process.DEFAULT_TIMEOUT, "quick", 1.0)
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_slow")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.screen.running)
        assert text(app, "#demo-status") == \
            "timed out after 1 s (a busy machine slows demos) · t: run again with 2 s"
        await pilot.press("t")
        assert app.screen.time_limit == 2.0
        await wait_for(pilot, lambda: not app.screen.running)
        assert text(app, "#demo-status").startswith("timed out after 2 s")
    assert [r.status for r in runs(store)] == ["timeout", "timeout"]


@pilot_test
async def test_closing_while_running_stops_the_demo(store, tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_SLOW_PIDS", str(pids))
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_slow")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: any("tick" in line for line in log_lines(app)))
        await pilot.press("q")
        assert type(app.screen).__name__ == "ReviewScreen"
        await wait_for(pilot, lambda: runs(store))
        leader, helper = map(int, pids.read_text().split())
        # killed at once, but a loaded machine may take a moment to let them exit
        await wait_for(pilot, lambda: not _alive(leader) and not _alive(helper))


@pilot_test
async def test_a_crash_shows_the_error_and_its_traceback(store):
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_crash")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.screen.running)
        assert text(app, "#demo-status").startswith("error: ")
        assert any("shapes do not match: 42" in line for line in log_lines(app))
        assert any("a stray print from the demo" in line for line in log_lines(app))
        assert not app.screen.query("#demo-plot")


@pilot_test
async def test_malformed_output_is_shown_the_run_is_an_error_and_reviewing_goes_on(store):
    """Bare JSON values are output, a progress event whose fraction is not a number and a result
    without its claim are reported; the run is recorded as an error although the demo's own
    result came after them; the panel closes and the card under it is rated."""
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_malformed")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "d")
        await wait_for(pilot, lambda: not app.screen.running)
        shown = [line.strip() for line in log_lines(app)]
        assert "0.25" in shown and "[1, 2]" in shown
        assert any(line.startswith("malformed progress event (bad 'fraction'") for line in shown), shown
        assert any(line.startswith("malformed result event (no 'claim')") for line in shown), shown
        assert "[ 90%] after the noise" in shown  # the stream went on after them
        status = text(app, "#demo-status")
        assert status.startswith("error: the demo sent a malformed event: malformed progress event"), status
        assert not app.screen.query("#demo-plot")  # no verdict, no plot: the result is not trusted
        (run,) = runs(store)
        assert run.status == "error" and run.claim_holds is None and "malformed progress event" in run.error
        assert app.screen.query_one("#demo-runs").row_count == 1
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ReviewScreen" and text(app, "#front") == f"Question {cid}?"
        await pilot.press("3")
        assert card(store, cid).state == LEARNING


@pilot_test
async def test_the_demo_browser_lists_the_catalog_and_runs_one(store):
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_fast")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        assert type(app.screen).__name__ == "DemoBrowserScreen"
        table = app.screen.query_one("#demos")
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert list(rows) == list(catalog()) and {"fake_fast", "fake_slow"} <= set(rows)
        assert rows["fake_fast"][1:] == ["Fake fast demo", 1] and rows["fake_slow"][2] == 0
        table.move_cursor(row=table.get_row_index("fake_fast"))
        await pilot.pause()
        assert text(app, "#browser-claim") == "Claim: Two plus two is four."
        await pilot.press("enter")
        assert type(app.screen).__name__ == "DemoScreen" and app.screen.demo_id == "fake_fast"
        await wait_for(pilot, lambda: not app.screen.running)
        await pilot.press("q", "q")
        assert type(app.screen).__name__ == "DeckListScreen"
    (run,) = runs(store)
    assert run.card_id is None and run.status == "ok"


@pilot_test
async def test_n_steps_through_a_cards_several_demos(store):
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_fast")
    link(store, cid, "fake_fails")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        seen = {}
        for _ in range(2):
            await wait_for(pilot, lambda: not app.screen.running)
            seen[app.screen.demo_id] = text(app, "#demo-status")
            await pilot.press("n")
        await wait_for(pilot, lambda: not app.screen.running)
    assert seen == {"fake_fast": "✓ the claim holds", "fake_fails": "✗ the claim does not hold"}


@pilot_test
async def test_a_link_to_a_demo_that_is_gone_is_an_error_not_a_crash(store):
    (cid,) = add_cards(store, 1)
    link(store, cid, "deleted_demo")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert text(app, "#demo-status").startswith("error: unknown demo 'deleted_demo'")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ReviewScreen"
    assert runs(store) == []


def test_log_plots_label_their_axis_in_powers_of_ten():
    import plotext

    from studyapp.tui.screens.demo import decade_ticks, draw_series

    assert decade_ticks(1.03e-16, 0.078) == ([1e-16, 1e-13, 1e-10, 1e-07, 1e-04, 0.1],
                                             ["1e-16", "1e-13", "1e-10", "1e-7", "1e-4", "0.1"])
    assert decade_ticks(5, 14809)[1] == ["1", "10", "100", "1000", "1e4", "1e5"]
    plotext.clear_figure()
    plotext.plotsize(70, 16)
    plotext.theme("clear")
    draw_series(plotext, {"series": {"sigmoid": [1e-16 * 10 ** (i * 0.8) for i in range(20)]}, "log_y": True})
    chart = plotext.build()
    assert "1e-16" in chart and "1e-4" in chart and "0.0000" not in chart


@pilot_test
async def test_a_demo_with_a_question_asks_it_before_running_and_records_the_prediction(store):
    (first,) = add_cards(store, 1)
    link(store, first, "fake_predict")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "d")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PredictScreen")
        assert "What is two plus three?" in text(app, "#predict-question")
        assert runs(store) == []  # nothing runs before the answer
        await pilot.press("a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DemoScreen" and app.screen.outcome is not None)
        assert text(app, "#demo-status") == "✓ the claim holds"
        assert text(app, "#demo-prediction") == "✗ You predicted a) four; the numbers say b) five"
        (run,) = runs(store)
        assert (run.prediction, run.answer, run.threads) == ("a", "b", 1)
        await pilot.press("r")  # asked again; esc runs without a prediction
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PredictScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DemoScreen" and len(runs(store)) == 2)
        await wait_for(pilot, lambda: not app.screen.running)
        assert text(app, "#demo-prediction") == "You did not predict; the numbers say b) five"
        assert (runs(store)[1].prediction, runs(store)[1].answer) == (None, "b")
