"""A real Anki sync server on 127.0.0.1 and a second real Anki client playing the phone."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

USER, PASSWORD = "user", "pass"
START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SyncServer:
    """``python -m anki.syncserver`` with one user, in its own folder; ``stop`` always ends it."""

    def __init__(self, base: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/"
        base.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "SYNC_USER1": f"{USER}:{PASSWORD}", "SYNC_BASE": str(base),
               "SYNC_HOST": "127.0.0.1", "SYNC_PORT": str(self.port), "RUST_LOG": "error"}
        self.log = open(base / "server.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the sync server did not start: {(base / 'server.log').read_text()}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Phone:
    """A second Anki collection that syncs with the same server, as AnkiDroid would."""

    def __init__(self, folder: Path, endpoint: str):
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "phone.anki2"))
        self.auth = self.col.sync_login(USER, PASSWORD, endpoint)

    def sync(self) -> str:
        """A sync as Anki's own clients do it; a full sync downloads (the phone joins the desk's collection)."""
        out = self.col.sync_collection(self.auth, False)
        if out.required in (out.NO_CHANGES, out.NORMAL_SYNC):
            return "normal"
        upload = out.required == out.FULL_UPLOAD
        self.col.close_for_full_sync()
        try:
            self.col.full_upload_or_download(auth=self.auth, server_usn=None, upload=upload)
        finally:
            self.col.reopen(after_full_sync=True)
        return "upload" if upload else "download"

    def sync_media(self) -> Path:
        """Anki's media sync, waited for; returns the phone's media folder."""
        self.col.sync_media(self.auth)
        while self.col.media_sync_status().active:
            time.sleep(0.05)
        return Path(self.col.media.dir())

    def card(self, card_id: str):
        from studyapp.anki.note_type import note_guid

        anki_id = self.col.db.scalar("select c.id from cards c join notes n on c.nid = n.id where n.guid = ?",
                                     note_guid(card_id))
        assert anki_id, f"the phone has no note for card {card_id}"
        return self.col.get_card(anki_id)

    def note(self, card_id: str):
        return self.card(card_id).note()

    def deck_of(self, card_id: str) -> str:
        return self.col.decks.name(self.card(card_id).did)

    def review(self, card_id: str, ease: int = 3) -> int:
        """Answer the card (1-4) as the phone's reviewer does; returns the revlog id."""
        return self.review_card(self.card(card_id), ease)

    def review_card(self, card, ease: int = 3) -> int:
        """Answer this Anki card (1-4) as the phone's reviewer does; returns the revlog id."""
        card.start_timer()
        self.col.sched.answerCard(card, ease)
        return self.col.db.scalar("select max(id) from revlog where cid = ?", card.id)

    def suspend(self, card_id: str) -> None:
        self.col.sched.suspend_cards([self.card(card_id).id])

    def unsuspend(self, card_id: str) -> None:
        self.col.sched.unsuspend_cards([self.card(card_id).id])

    def revlog(self, card_id: str) -> list[tuple]:
        return self.col.db.all("select id, ease from revlog where cid = ? order by id", self.card(card_id).id)

    def close(self) -> None:
        self.col.close()


def cards(desk) -> dict[str, dict]:
    """Our cards by front, as `studyapp cards --json` lists them (``desk`` runs a command)."""
    return {card["front"]: card for card in json.loads(desk("cards", "--json"))}


def dump(db_path) -> list[str]:
    """Every row of the database, to prove that a command changed nothing."""
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


def logs(db_path, card_id: str) -> list[tuple]:
    """(rating, anki_revlog_id) of one card's reviews, in time order."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select rating, anki_revlog_id from reviewlog where card_id = ? order by reviewed_at",
                            (card_id,)).fetchall()
