"""The reviewer keeps working while other processes write the same database.

Driven through Pilot while real ``studyapp`` subprocesses rate, remove (by importing the notes
without it) and suspend the card on screen, and while another process holds the write lock
for 30 s: no crash, no stale rating, the rating made during the lock is kept and saved.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from review_seed import card

from studyapp.notes.importer import import_paths
from studyapp.store.database import open_store
from studyapp.store.tables import REVIEW
from studyapp.tui.app import StudyApp

CARDS = ["梯度消失", "梯度爆炸", "过拟合", "正则化", "批量归一化"]


def _notes(fronts: list[str]) -> str:
    return "# 深度学习\n\n" + "".join(f"**什么是{front}？**\n{front}的答案。\n\n" for front in fronts)


def _messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def _until(pilot, condition, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("the screen never got there")


@pytest.mark.slow
def test_review_screen_beside_cli_ratings_removals_suspensions_and_a_30s_lock(tmp_path, db_path, run_cli):
    notes = tmp_path / "notes.md"
    notes.write_text(_notes(CARDS), encoding="utf-8")
    store = open_store(db_path)
    import_paths(store, [notes])
    asyncio.run(_flow(store, notes, run_cli))
    store.close()


async def _flow(store, notes, run_cli) -> None:
    app = StudyApp(store, straight_to_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        front = lambda: screen.session.current.front  # noqa: E731

        # 1. rated in another shell after the answer was shown: intervals shown again, then rated
        rated_elsewhere = screen.session.current.id
        await pilot.press("space")
        shown = str(screen.query_one("#rate-3").label)
        assert run_cli("rate", rated_elsewhere, "good").returncode == 0
        await pilot.press("3")
        await pilot.pause()
        assert screen.session.current.id == rated_elsewhere
        assert any("rated or changed elsewhere" in message for message in _messages(app))
        assert str(screen.query_one("#rate-3").label) != shown  # Good · 10m became days
        await pilot.press("3")
        await pilot.pause()
        rated = card(store, rated_elsewhere)
        assert (rated.reps, rated.state) == (2, REVIEW)  # review, not back to learning/10 min

        # 2. removed from the notes by an import while on screen: refused with a notice
        removed = screen.session.current.id
        assert "梯度爆炸" in front()
        await pilot.press("space")
        notes.write_text(_notes([CARDS[0], CARDS[2], CARDS[3], CARDS[4]]), encoding="utf-8")
        assert run_cli("import", str(notes)).returncode == 0
        await pilot.press("3")
        await pilot.pause()
        assert card(store, removed).reps == 0
        assert any("Not rated" in message and "removed" in message for message in _messages(app))

        # 3. suspended in another shell while on screen
        suspended = screen.session.current.id
        assert "过拟合" in front()
        await pilot.press("space")
        assert run_cli("suspend", suspended).returncode == 0
        await pilot.press("3")
        await pilot.pause()
        assert card(store, suspended).reps == 0 and card(store, suspended).suspended
        assert any("Not rated" in message and "suspended" in message for message in _messages(app))

        # ... and `s` on a card an import removed meanwhile
        assert "正则化" in front()
        notes.write_text(_notes([CARDS[0], CARDS[2], CARDS[4]]), encoding="utf-8")
        assert run_cli("import", str(notes)).returncode == 0
        await pilot.press("s")
        await pilot.pause()
        assert any("Not suspended" in message and "removed" in message for message in _messages(app))

        # 4. another process holds the write lock for 30 s: the rating waits, visibly, and is saved
        waiting = screen.session.current.id
        assert "批量归一化" in front()
        await pilot.press("space")
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import sqlite3, sys, time\n"
             f"c = sqlite3.connect({str(store.path)!r}, isolation_level=None)\n"
             "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(30); c.execute('COMMIT')"],
            stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            await pilot.press("3")
            await pilot.pause()
            line = screen.query_one("#lock-wait")
            assert line.display and "waiting for the database" in str(line.render())
            await pilot.press("q")  # leaving would drop the pending rating: refused, with a notice
            assert app.screen is screen
            while holder.poll() is None:
                await pilot.pause(0.5)
                assert card(store, waiting).reps == 0 or holder.poll() is not None
            assert holder.returncode == 0
        finally:
            holder.kill()
            holder.wait()
        await _until(pilot, lambda: screen.pending_rating is None)
        assert card(store, waiting).reps == 1
        assert not screen.query_one("#lock-wait").display
        assert app.screen is screen or type(app.screen).__name__ == "DoneScreen"
