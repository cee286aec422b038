"""Notices (toasts) drawn over other widgets keep wide characters whole."""

from __future__ import annotations

import pytest
from review_seed import add_cards, shanghai, store  # noqa: F401
from test_tui import make_app, pilot_test

from studyapp.store.tables import Card

pytestmark = pytest.mark.usefixtures("shanghai")


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pilot_test
async def test_the_suspend_notice_keeps_every_cjk_character(store):
    first, _ = add_cards(store, 2)
    with store.transaction() as session:
        session.get(Card, first).front = "基础定义和应用"
    app = make_app(store, straight_to_review=True)
    # at 120x36 the answer bar's edge falls between 基 and 础 under the notice (it read '基  定义和应用')
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("s")
        await pilot.pause(0.3)
        drawn = "".join(screen_lines(app))
        assert "Suspended '基础定义和应用'" in drawn, [line for line in screen_lines(app) if "▌" in line]
        await pilot.press("u")
        await pilot.pause(0.3)
        assert "Undid the suspension of '基础定义和应用'" in "".join(screen_lines(app))
