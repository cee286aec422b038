"""``studyapp sync``: two-way sync with AnkiWeb or a self-hosted Anki sync server.

One sync, on the shadow collection (sync_shadow.py) with the official ``anki`` library:

1. pull: ``sync_collection``. When the server answers that a full sync is required, it is
   done (``close_for_full_sync``, ``full_upload_or_download``, ``reopen``): on the first
   sync against a server that already has a collection the learner chooses (``--download``
   keeps the server's collection and adds our cards to it, ``--upload`` replaces it);
   later, a download (the shadow is derived from our database, so nothing of ours is lost);
2. in (sync_in.py): Anki's reviews and suspends into our database, one transaction;
3. out (sync_out.py): our cards, their state and our reviews into the shadow;
4. push: ``sync_collection`` again, when the way out wrote anything (a full sync needed
   now is an upload: the server held exactly what the pull brought);
5. media: the demo plots (sync_media.py), with Anki's media sync, when they changed.

Each step is idempotent and the shadow and our database are compared afresh each time,
so a sync killed at any point loses nothing and the next one completes it. What the server
sent is told apart by Anki's update sequence numbers: rows with a usn at least the shadow's
usn when the last sync completed (``SHADOW_USN``; a killed sync does not move it, so the next
one reads those rows again). A sync that finds both sides as the last one left them
(``fingerprint``) stops after the pull.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from studyapp.anki.sync_in import InReport, bring_in
from studyapp.anki.sync_login import Login, require_login, sync_error
from studyapp.anki.sync_media import draw_missing, images_of, latest_plots, push_media
from studyapp.anki.sync_out import OutReport, send_out
from studyapp.anki.sync_shadow import note_type_ids, open_shadow, require_anki, shadow_notes, sync_folder
from studyapp.errors import UserError
from studyapp.store.database import Store
from studyapp.store.tables import SyncState

LAST_SYNC = "last_sync"  # {"at": ISO time, "user": ..., "endpoint": ...}
MEDIA_SENT = "media_sent"  # the plot media names the last completed media sync had
SHADOW_USN = "shadow_usn"  # {"usn": the shadow's usn, "scm": its schema time} as the last completed sync left it
FINGERPRINT = "fingerprint"  # both sides as the last completed sync left them (see fingerprint())
FINGERPRINT_QUERIES = (
    "select * from card order by id",
    "select id, card_id, rating, reviewed_at, anki_revlog_id from reviewlog order by id",
    "select card_id, demo_id from carddemo order by card_id, demo_id",
)
DOWNLOAD, UPLOAD = "download", "upload"


@dataclass
class SyncRequest:
    """``studyapp sync [--upload | --download]``."""

    now: datetime
    choice: str | None = None  # DOWNLOAD or UPLOAD: the answer to "the server already has a collection"
    ask: Callable[[str], str | None] | None = None  # asks the learner that question; None: not interactive
    plots: bool = True


@dataclass
class SyncReport:
    """What one sync did, for the one-paragraph summary."""

    where: str
    full: list[str] = field(default_factory=list)  # "download", "upload" in the order done
    came_in: InReport = field(default_factory=InReport)
    went_out: OutReport = field(default_factory=OutReport)
    media: int = 0

    def lines(self) -> list[str]:
        """The summary the learner reads: what came in, what went out, what needs the notes."""
        full = "".join(f", full {kind}" for kind in self.full)
        came, went = self.came_in, self.went_out
        lines = [
            f"synced with {self.where}{full}",
            f"in:  {came.reviews} review(s) from Anki on {len(came.cards_rescheduled)} card(s) (rescheduled), "
            f"{len(came.suspended)} suspended, {len(came.unsuspended)} unsuspended",
            f"out: {went.added} new, {went.updated} updated, {went.moved} moved, {went.suspended} suspended, "
            f"{went.unsuspended} unsuspended, {went.reviews} review(s), {went.scheduled} schedule(s)"
            + (f", {self.media} demo plot(s) drawn" if self.media else ""),
        ]
        if went.edits:
            lines.append(f"{len(went.edits)} card(s) edited in Anki; the notes are the source of truth, "
                         "so copy what you want to keep into them (README: Syncing with Anki):")
            for edit in went.edits:
                state = "replaced in Anki by the notes' new text" if edit.overwritten else "kept in Anki for now"
                lines.append(f"  {edit.card_id}  {edit.source}  ({state})")
                for name, text in edit.fields.items():
                    lines.append(f"    {name}: {text}")
        return lines


def _state(store: Store, key: str) -> str | None:
    with store.session() as session:
        row = session.get(SyncState, key)
    return row.value if row else None


def _set_state(store: Store, key: str, value: str) -> None:
    with store.transaction() as session:
        row = session.get(SyncState, key) or SyncState(key=key, value=value)
        row.value = value
        session.add(row)


def last_sync(store: Store) -> dict | None:
    value = _state(store, LAST_SYNC)
    return json.loads(value) if value else None


def _record_sync(store: Store, login: Login, now: datetime) -> None:
    _set_state(store, LAST_SYNC, json.dumps({"at": now.isoformat(), "user": login.user, "endpoint": login.endpoint}))


def _is_first(store: Store, login: Login) -> bool:
    previous = last_sync(store)
    return previous is None or (previous.get("user"), previous.get("endpoint")) != (login.user, login.endpoint)


FIRST_QUESTION = (
    "The server ({where}) already has an Anki collection.\n"
    "  download: keep it and add our cards to it (its own notes are left alone)\n"
    "  upload:   replace it with ours (what only the server has is lost)\n"
)


def _choose(request: SyncRequest, where: str) -> str:
    if request.choice:
        return request.choice
    if request.ask is not None:
        answer = request.ask(FIRST_QUESTION.format(where=where))
        if answer in (DOWNLOAD, UPLOAD):
            return answer
        raise UserError("sync cancelled; nothing was changed")
    raise UserError(f"the server ({where}) already has an Anki collection: pass --download to keep it and "
                    "add our cards to it, or --upload to replace it with ours")


class Syncer:
    """One sync of the shadow collection with the server, full syncs included."""

    def __init__(self, collection, login: Login, first: bool, request: SyncRequest, report: SyncReport):
        self.collection, self.login, self.first = collection, login, first
        self.request, self.report = request, report
        self.upload_pending = False
        self.quiet = False  # the pull found nothing new on the server

    def _full(self, upload: bool) -> None:
        self.collection.close_for_full_sync()
        try:
            self.collection.full_upload_or_download(auth=self.login.auth(), server_usn=None, upload=upload)
        finally:
            self.collection.reopen(after_full_sync=True)
        self.report.full.append(UPLOAD if upload else DOWNLOAD)
        self.upload_pending = False

    def pull(self) -> None:
        out = self.collection.sync_collection(self.login.auth(), False)
        required = out.required
        self.quiet = required == out.NO_CHANGES
        if required in (out.NO_CHANGES, out.NORMAL_SYNC):
            return
        if required == out.FULL_UPLOAD:  # the server has no cards: ours go up once they are in
            self.upload_pending = True
            return
        if self.first:
            choice = _choose(self.request, self.login.where)
        else:
            choice = UPLOAD if self.request.choice == UPLOAD else DOWNLOAD
        if choice == DOWNLOAD:
            self._full(upload=False)
        else:
            self.upload_pending = True

    def push(self) -> None:
        if self.upload_pending:
            self._full(upload=True)
            return
        out = self.collection.sync_collection(self.login.auth(), False)
        if out.required in (out.NO_CHANGES, out.NORMAL_SYNC):
            return
        self._full(upload=out.required != out.FULL_DOWNLOAD)


def fingerprint(store: Store, collection, images: dict) -> str:
    """What a sync reads from both sides, hashed: equal to the last completed sync's, nothing can move.

    ``shadow:ours``: the shadow's rows summed up (a few aggregates), then our tables, read with
    the raw driver (no ORM): for 10,000 cards about a tenth of a second, so a sync with nothing
    to move costs one round trip to the server and this.
    """
    return f"{_shadow_part(collection, images)}:{_our_part(store)}"


def _shadow_part(collection, images: dict) -> str:
    return hashlib.sha256(repr((_shadow_summary(collection), sorted(images.items()))).encode()).hexdigest()


def _our_part(store: Store) -> str:
    digest = hashlib.sha256()
    raw = store.engine.raw_connection()
    try:
        for query in FINGERPRINT_QUERIES:
            for row in raw.driver_connection.execute(query):
                digest.update(repr(row).encode())
    finally:
        raw.close()
    return digest.hexdigest()


def _unchanged(store: Store, collection, images: dict) -> bool:
    """Both sides as the last completed sync left them (the shadow, the cheap half, compared first)."""
    last = _state(store, FINGERPRINT)
    shadow = _shadow_part(collection, images)
    return last is not None and last.startswith(shadow + ":") and last == f"{shadow}:{_our_part(store)}"


# The shadow's rows, summed up: a row the server sent raises a max usn, a removal lowers a count
# (or adds a grave), a row changed here and not yet sent has usn -1. Not the collection's own
# mod and usn: every normal sync moves those, even one that carried nothing.
SHADOW_SUMMARY = (
    "select count(), max(usn), max(mod), sum(usn = -1) from cards",
    "select count(), max(usn), max(mod), sum(usn = -1) from notes",
    "select count(), max(usn), max(id), sum(usn = -1) from revlog",
    "select count(), max(usn) from graves",
    "select scm from col",
)


def _shadow_summary(collection) -> list:
    return [collection.db.first(query) for query in SHADOW_SUMMARY]


def _shadow_usn(collection) -> dict:
    usn, schema = collection.db.first("select usn, scm from col")
    return {"usn": usn, "scm": schema}


def _since_usn(store: Store, collection, report: SyncReport) -> int | None:
    """The usn from which the server's changes are new to us; None: read everything.

    Valid while the shadow is the one the last completed sync left (same schema time, no full
    sync since): a full download replaces every row and its usns.
    """
    value = _state(store, SHADOW_USN)
    if value is None or report.full:
        return None
    last, now = json.loads(value), _shadow_usn(collection)
    if last["scm"] != now["scm"] or last["usn"] > now["usn"]:
        return None
    return last["usn"]


def _sync_both_ways(store: Store, collection, syncer: "Syncer", request: SyncRequest, report: SyncReport,
                    plots: dict, images: dict) -> None:
    """Steps 2 to 5, after the pull."""
    shadow = shadow_notes(collection, note_type_ids(collection, create=False))
    since_usn = _since_usn(store, collection, report)
    report.came_in = bring_in(store, collection, shadow, since_usn)  # reads the shadow, writes only ours
    report.went_out = send_out(store, collection, note_type_ids(collection), request.now, images, shadow, since_usn)
    report.media = draw_missing(collection, plots)
    if report.went_out.changed or syncer.upload_pending:
        syncer.push()
    media_key = json.dumps(sorted(images.values()))
    if media_key != _state(store, MEDIA_SENT):
        push_media(collection, syncer.login.auth())
        _set_state(store, MEDIA_SENT, media_key)


def run_sync(store: Store, request: SyncRequest) -> SyncReport:
    """Sync our database with the server through the shadow collection."""
    require_anki()
    folder = sync_folder(store.path)
    login = require_login(folder)
    report = SyncReport(where=login.where)
    first = _is_first(store, login)
    with open_shadow(folder) as collection:
        syncer = Syncer(collection, login, first, request, report)
        try:
            syncer.pull()
            plots = latest_plots(store) if request.plots else {}
            images = images_of(plots)
            quiet = syncer.quiet and not syncer.upload_pending
            if not (quiet and _unchanged(store, collection, images)):
                _sync_both_ways(store, collection, syncer, request, report, plots, images)
                _set_state(store, FINGERPRINT, fingerprint(store, collection, images))
                _set_state(store, SHADOW_USN, json.dumps(_shadow_usn(collection)))
        except Exception as exc:
            described = sync_error(exc, login.where)
            if described is exc:
                raise
            raise described from exc
    _record_sync(store, login, request.now)
    return report

