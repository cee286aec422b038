"""Reviewer benchmarks (run with `python -m pytest tests/bench/test_bench_review.py --benchmark-enable`).

Targets (issue 4), reported, never asserted as timings: with 10,000 cards, cold start of
`studyapp review` to the first card visible within 1.5x of `python -c "import textual.app,
sqlmodel"`; rating -> next card visible within 30 ms; building the due queue over 100,000
cards within 50 ms; TUI process RSS under 150 MB. Ratios and RSS land in extra_info.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from studyapp.review.queue import build_queue
from studyapp.review.settings import Settings
from studyapp.store.database import open_store
from studyapp.store.tables import utcnow

PROBE = Path(__file__).resolve().parents[1] / "tui_probe.py"
FLOOR = [sys.executable, "-c", "import textual.app, sqlmodel"]
CARDS_PER_DECK = 20
FRONT = "**什么是梯度消失？** 为什么深层网络中 $\\sigma'(x) \\le \\frac{1}{4}$ 会导致它"
BACK = "反向传播时梯度逐层相乘，$\\prod_i \\sigma'(z_i) \\to 0$。\n- 换 ReLU\n- BatchNorm\n- 残差连接"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def seed(path: Path, cards: int) -> Path:
    """``cards`` cards in decks of 20: 70% reviews spread ±60 days, 25% new, 5% learning.

    Inserted with plain sqlite3 (the ORM would take longer than the benchmarks).
    """
    open_store(path).close()
    now = utcnow()
    rows = []
    for i in range(cards):
        kind = i % 20
        state, due, stability = (0, None, None) if kind < 5 else (1, now - timedelta(minutes=i % 30), 0.5) \
            if kind == 5 else (2, now + timedelta(hours=(i * 37) % 2880 - 1440), 12.0)
        rows.append((
            f"b{i:06d}", f"b{i:06d}", f"{FRONT} （{i}）", BACK, f"深度学习::第{i // 1000}章::节{i // CARDS_PER_DECK}",
            "", "notes.md", i, i, "question", "", 0, 0, state, 0 if state == 1 else None, stability,
            None if stability is None else 5.0, None if due is None else _iso(due),
            None if state == 0 else _iso(now - timedelta(days=3)), 0 if state == 0 else 3, 0,
        ))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO card (id, sibling_key, front, back, deck, tags, source_file, source_line, position, kind, "
            "content_hash, removed, suspended, state, step, stability, difficulty, due, last_review, "
            "reps, lapses) VALUES (" + ",".join("?" * 21) + ")", rows)
    return path


@pytest.fixture(scope="module")
def db_10k(tmp_path_factory) -> Path:
    return seed(tmp_path_factory.mktemp("review-bench") / "10k.db", 10_000)


@pytest.fixture(scope="module")
def db_100k(tmp_path_factory) -> Path:
    return seed(tmp_path_factory.mktemp("review-bench") / "100k.db", 100_000)


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def test_floor_import_textual_and_sqlmodel(benchmark):
    benchmark.pedantic(subprocess.run, args=(FLOOR,), kwargs={"check": True}, rounds=5, warmup_rounds=1)


def test_cold_start_to_first_card_10k(benchmark, db_10k):
    command = [sys.executable, str(PROBE), "--db", str(db_10k)]
    probe = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    benchmark.pedantic(subprocess.run, args=(command,), kwargs={"check": True, "capture_output": True},
                       rounds=5, warmup_rounds=1)
    assert not probe["torch_imported"]
    if benchmark.disabled:  # a plain test run: nothing was timed, so no ratio to report
        return
    floor = statistics.median(_wall(FLOOR) for _ in range(5))
    start = benchmark.stats.stats.median
    benchmark.extra_info.update({
        "floor_s": round(floor, 3), "ratio_to_floor": round(start / floor, 2),
        "rss_mb_at_first_card": round(probe["rss_mb"], 1), "torch_imported": probe["torch_imported"],
    })
    print(f"\ncold start {start:.3f}s, floor {floor:.3f}s, ratio {start / floor:.2f}, "
          f"RSS {probe['rss_mb']:.0f} MB")


def test_rating_to_next_card_visible_10k(benchmark, db_10k, tmp_path):
    """From the rating (the action the 3 key runs) to the next card painted on screen.

    Timed without Pilot.press, whose idle-detection sleeps (~60 ms a key) would swamp the
    measurement: the rating action, then waiting for every widget to process its messages,
    then the screen's repaint.
    """
    from studyapp.tui.app import StudyApp

    copy = tmp_path / "10k.db"
    copy.write_bytes(db_10k.read_bytes())  # ratings change the database
    store = open_store(copy)
    app = StudyApp(store, straight_to_review=True)
    loop = asyncio.new_event_loop()
    ready, finish = loop.create_future(), asyncio.Event()

    async def host():  # enters and leaves run_test in one task, as Textual requires
        async with app.run_test(size=(100, 30)) as pilot:
            ready.set_result(pilot)
            await finish.wait()

    hosting = loop.create_task(host())
    pilot = loop.run_until_complete(ready)

    async def reveal():
        await pilot.press("space")
        await pilot.pause()

    async def rate_until_next_card_painted():
        before = app.screen.session.current.id
        app.screen.action_rate(3)
        await pilot._wait_for_screen()
        app.screen._on_timer_update()  # the repaint Textual runs on its next refresh tick
        assert app.screen.session.current.id != before

    benchmark.pedantic(lambda: loop.run_until_complete(rate_until_next_card_painted()),
                       setup=lambda: loop.run_until_complete(reveal()), rounds=60)
    finish.set()
    loop.run_until_complete(hosting)
    loop.close()
    store.close()


def test_build_due_queue_100k(benchmark, db_100k):
    store = open_store(db_100k)
    settings = Settings()

    def build():
        with store.session() as session:
            return build_queue(session, settings, utcnow())

    queue = benchmark(build)
    assert len(queue.review) == settings.reviews_per_day and queue.learning  # the review cap binds
    store.close()
