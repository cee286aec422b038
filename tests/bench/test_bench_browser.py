"""Card browser benchmarks over 100,000 cards (run with `python -m pytest
tests/bench/test_bench_browser.py --benchmark-enable -s`).

Target (issue 12): fast on 100k cards, measured from opening the browser with a search to its
first page painted (the search and count in SQLite, one page of rows, the repaint). Reported,
never asserted as timings.
"""

from __future__ import annotations

import asyncio

import pytest
from test_bench_review import db_100k  # noqa: F401  (the 100k-card database, seeded once)

from studyapp.review.search import compile_search, count_cards, search_cards
from studyapp.review.settings import Settings
from studyapp.store.database import open_store
from studyapp.store.tables import utcnow

SEARCHES = {
    "all": ("", "notes"),
    "retrievability": ("prop:r<0.9", "retrievability"),
    "deck_and_state": ('deck:"深度学习::第42章" is:review', "due"),
    "text_and_lapses": ("梯度 -is:new", "stability"),
}


@pytest.mark.parametrize("name", list(SEARCHES))
def test_search_first_page_100k(benchmark, db_100k, name):  # noqa: F811
    """The domain alone: compile, count, first page of 100 rows."""
    text, sort = SEARCHES[name]
    store = open_store(db_100k)
    settings = Settings()

    def first_page():
        now = utcnow()
        search = compile_search(text, now, settings)
        with store.session() as session:
            return count_cards(session, search), search_cards(session, search, settings, now, sort=sort, limit=100)

    total, rows = benchmark(first_page)
    assert total > 0 and rows
    print(f"\n{name}: {total} matching")
    store.close()


@pytest.mark.parametrize("name", ["all", "retrievability"])
def test_browser_open_to_first_page_painted_100k(benchmark, db_100k, tmp_path, name):  # noqa: F811
    """`b` to the first page on screen: the screen mounted, searched, its table filled and painted.

    Timed without Pilot.press (its idle detection sleeps ~60 ms a key): push the screen, wait
    for every widget to process its messages, then the repaint Textual runs on its next tick.
    """
    from studyapp.tui.app import StudyApp
    from studyapp.tui.screens.browser import BrowserScreen

    text, sort = SEARCHES[name]
    store = open_store(db_100k)
    app = StudyApp(store, straight_to_review=True)  # no deck list counted first
    loop = asyncio.new_event_loop()
    jobs: asyncio.Queue = asyncio.Queue()

    async def host():  # runs each job inside the app's own task and context, as Textual requires
        async with app.run_test(size=(120, 36)) as pilot:
            while (job := await jobs.get()) is not None:
                step, done = job
                try:
                    done.set_result(await step(pilot))
                except Exception as exc:  # handed to the benchmark's side
                    done.set_exception(exc)

    def run(step):
        done = loop.create_future()
        jobs.put_nowait((step, done))
        return loop.run_until_complete(done)

    async def open_browser(pilot):
        screen = BrowserScreen(text)
        screen.sort = sort
        await app.push_screen(screen)
        await pilot._wait_for_screen()
        app.screen._on_timer_update()  # the repaint Textual runs on its next refresh tick
        assert app.screen.query_one("#cards").row_count == 100

    async def close_browser(pilot):
        if isinstance(app.screen, BrowserScreen):
            await app.pop_screen()
            await pilot.pause()

    hosting = loop.create_task(host())
    benchmark.pedantic(lambda: run(open_browser), setup=lambda: run(close_browser), rounds=10, warmup_rounds=1)
    jobs.put_nowait(None)
    loop.run_until_complete(hosting)
    loop.close()
    store.close()
