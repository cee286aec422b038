"""The TUI at the sizes it must work at: 80x24 through 200x50, nothing cut off that cannot scroll."""

from __future__ import annotations

import pytest
from review_seed import add_cards, shanghai, store  # noqa: F401
from test_tui_demo import link, wait_for
from test_tui import make_app, pilot_test

pytestmark = pytest.mark.usefixtures("shanghai", "fake_demos")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
@pilot_test
async def test_the_demo_panel_metrics_scroll_when_short_and_spread_when_wide(store, size):
    (cid,) = add_cards(store, 1)
    link(store, cid, "fake_many_metrics")
    app = make_app(store, straight_to_review=True)
    async with app.run_test(size=size) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.screen.running)
        await pilot.pause()
        box = app.screen.query_one("#demo-metrics-box")
        lines = str(app.screen.query_one("#demo-metrics").render()).splitlines()
        assert sum(line.count("gradient_norm") for line in lines) == 14  # every metric is there
        legend = str(app.screen.query_one("#demo-legend").render())
        assert legend == "━━ sigmoid   ━━ relu_kaiming   ━━ batchnorm   ━━ residual"
        plot = app.screen.query_one("#demo-plot")
        assert plot.region.bottom <= app.screen.query_one("#demo-legend").region.y  # the legend is below the lines
        if size == (80, 24):
            assert box.max_scroll_y > 0 and box.region.height < 14  # too short: it scrolls
            box.scroll_end(animate=False)
            await pilot.pause()
            assert box.scroll_y == box.max_scroll_y
        else:
            assert len(lines) < 14 and box.max_scroll_y == 0  # wide: in columns, all in view
            assert box.region.width >= 70
