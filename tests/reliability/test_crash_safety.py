"""A rating reported as done is on disk, even if the process is killed right after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from review_seed import NOW, add_cards, card, store  # noqa: F401
from sqlmodel import select

from studyapp.store.database import open_store
from studyapp.store.tables import LEARNING, ReviewLog


def test_sigkill_after_rate_reports_success_keeps_the_rating(store, db_path):
    ids = add_cards(store, 3)
    store.close()
    env = {**os.environ, "STUDYAPP_DB": str(db_path)}
    for cid in ids:
        process = subprocess.Popen(
            [sys.executable, "-m", "studyapp", "rate", cid, "good", "--now", NOW.isoformat()],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        line = process.stdout.readline()
        process.send_signal(signal.SIGKILL)  # no clean shutdown, no atexit, no finalizers
        process.wait(timeout=30)
        assert line.startswith(f"rated {cid} good")
    reopened = open_store(db_path)
    with reopened.session() as session:
        logged = [log.card_id for log in session.exec(select(ReviewLog).order_by(ReviewLog.id))]
    assert logged == ids
    assert all(card(reopened, cid).state == LEARNING for cid in ids)
    reopened.close()
