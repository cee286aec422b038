"""SVG snapshot of the demo panel after a finished fake_fast run (update with `pytest --snapshot-update`)."""

from __future__ import annotations

import re

import pytest
from review_seed import NOW, add_cards, shanghai, store  # noqa: F401
from test_tui_demo import link, wait_for
from textual.coordinate import Coordinate

from studyapp.store.tables import utcnow
from studyapp.tui.app import StudyApp

SIZE = (100, 30)
pytestmark = pytest.mark.usefixtures("shanghai", "fake_demos")


async def _run_to_the_end_and_mask_the_clock(pilot) -> None:
    """Press d, wait for the verdict, then blank what the wall clock decides (start time, seconds)."""
    app = pilot.app
    await pilot.press("enter", "d")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "DemoScreen" and not app.screen.running)
    detail = app.screen.query_one("#demo-detail")
    detail.update(re.sub(r"[\d.]+ s$", "0.00 s", str(detail.render())))
    table = app.screen.query_one("#demo-runs")
    table.update_cell_at(Coordinate(0, 0), "YYYY-MM-DD hh:mm")
    table.update_cell_at(Coordinate(0, 4), "0.0")
    await pilot.pause()


def test_demo_panel_after_a_run(store, snap_compare):
    (cid,) = add_cards(store, 1, deck="深度学习八股::梯度问题")
    link(store, cid, "fake_fast")
    app = StudyApp(store, clock_offset=NOW - utcnow())
    assert snap_compare(app, run_before=_run_to_the_end_and_mask_the_clock, terminal_size=SIZE)


@pytest.mark.parametrize("size", ["80x24", "160x48"])
def test_demo_panel_with_many_metrics_at(store, snap_compare, size):
    (cid,) = add_cards(store, 1, deck="深度学习八股::梯度问题")
    link(store, cid, "fake_many_metrics")
    app = StudyApp(store, clock_offset=NOW - utcnow())
    width, height = map(int, size.split("x"))
    assert snap_compare(app, run_before=_run_to_the_end_and_mask_the_clock, terminal_size=(width, height))
