"""``export anki --with-scheduling``: the learner's FSRS state and review log, in Anki's terms.

genanki writes notes only. The official ``anki`` package (optional extra
``studyapp[anki]``) can write scheduling: the genanki package is imported into a fresh,
throw-away Anki collection (so note type, GUIDs, fields and media are exactly those of a
plain export), each card gets our state, and the review log becomes Anki's revlog; the
collection is then exported with ``export_anki_package(..., with_scheduling=True)``.

Mapping (Anki's card columns): NEW -> new card; LEARNING / RELEARNING -> learning /
relearning (queue 1 with a due time, or queue 3 with a due day when a day or more away);
REVIEW -> review card due on the same calendar day, interval from the last review to
due. FSRS stability and difficulty become the card's memory state and the last review
its last-review time. Each ReviewLog row becomes a revlog row with the same time,
button, duration and the interval the review produced; a reset becomes a manual entry (ease 0,
as Anki's Forget writes). Due days are counted in the
throw-away collection; Anki's importer shifts them onto the learner's own collection.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import genanki
from sqlmodel import Session, select

from studyapp.anki.anki_notes import Slot
from studyapp.errors import UserError
from studyapp.store.tables import LEARNING, NEW, RELEARNING, RESET, REVIEW, Card, ReviewLog

DAY_S = 86_400
DEFAULT_EASE = 2500  # SM-2's starting ease; Anki ignores it when FSRS is on
MAX_ANSWER_MS = 60_000  # Anki caps a review's recorded time at its default 60 s
# Anki queue / type codes (rslib/src/card/mod.rs)
TYPE_NEW, TYPE_LEARN, TYPE_REVIEW, TYPE_RELEARN = 0, 1, 2, 3
QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN, QUEUE_SUSPENDED = 1, 2, 3, -1
REVLOG_TYPE = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}  # learn / review / relearn
REVLOG_MANUAL = 4  # a reset (Anki's Forget): ease 0, interval 0, ease factor 0


def _require_anki():
    try:
        from anki.collection import Collection
    except ImportError:
        raise UserError("--with-scheduling needs the official Anki library: pip install 'studyapp[anki]'")
    return Collection


def _anki_day(moment: datetime, today: int, now: datetime, rollover_hour: int) -> int:
    """Anki's day number for ``moment``, counting calendar days (local, with rollover) from today."""
    def day_of(when: datetime):
        return (when.astimezone() - timedelta(hours=rollover_hour)).date()
    return today + (day_of(moment) - day_of(now)).days


def _interval_field(seconds: float) -> int:
    """revlog.ivl: days when a day or more, else negative seconds (Anki's convention)."""
    if seconds >= DAY_S:
        return max(1, round(seconds / DAY_S))
    return -max(1, int(seconds))


def apply_card_state(anki_card, card: Card, today: int, now: datetime, rollover_hour: int) -> None:
    """Copy our scheduling fields onto an Anki card object."""
    from anki.cards import FSRSMemoryState

    if card.state == NEW or card.due is None:
        anki_card.type, anki_card.queue = TYPE_NEW, 0
    else:
        anki_card.reps, anki_card.lapses = card.reps, card.lapses
        anki_card.factor = DEFAULT_EASE
        if card.stability is not None and card.difficulty is not None:
            anki_card.memory_state = FSRSMemoryState(stability=card.stability, difficulty=card.difficulty)
        if card.last_review is not None:
            anki_card.last_review_time = int(card.last_review.timestamp())
        if card.state == REVIEW:
            since = card.last_review or now
            anki_card.type, anki_card.queue = TYPE_REVIEW, QUEUE_REVIEW
            anki_card.ivl = max(1, round((card.due - since).total_seconds() / DAY_S))
            anki_card.due = _anki_day(card.due, today, now, rollover_hour)
        else:
            anki_card.type = TYPE_LEARN if card.state == LEARNING else TYPE_RELEARN
            anki_card.left = 1  # our step count has no meaning in Anki's own learning steps
            if card.state == RELEARNING:
                anki_card.ivl = max(1, round(card.stability or 1))
            if (card.due - now).total_seconds() < DAY_S:
                anki_card.queue, anki_card.due = QUEUE_LEARN, int(card.due.timestamp())
            else:
                anki_card.queue = QUEUE_DAY_LEARN
                anki_card.due = _anki_day(card.due, today, now, rollover_hour)
    if card.suspended:
        anki_card.queue = QUEUE_SUSPENDED


def dues_after(logs: list[ReviewLog], card: Card) -> list[datetime | None]:
    """The due time each review produced (``logs`` in time order): the next row's snapshot, or the card's."""
    dues: list[datetime | None] = []
    for index in range(len(logs)):
        if index + 1 < len(logs):
            due_text = json.loads(logs[index + 1].snapshot_before or "{}").get("due")
            dues.append(datetime.fromisoformat(due_text) if due_text else None)
        else:
            dues.append(card.due)
    return dues


def revlog_row(log: ReviewLog, due_after: datetime | None, last_ivl: int, revlog_id: int,
               anki_card_id: int) -> tuple:
    """One Anki revlog row (id, cid, usn, ease, ivl, lastIvl, factor, time, type) for one review."""
    if log.rating == RESET:  # as Anki logs its own Forget
        return (revlog_id, anki_card_id, -1, 0, 0, last_ivl, 0, 0, REVLOG_MANUAL)
    seconds = (due_after - log.reviewed_at).total_seconds() if due_after else 0
    review_type = REVLOG_TYPE.get(log.state_before, 0)
    return (revlog_id, anki_card_id, -1, log.rating, _interval_field(seconds), last_ivl,
            0 if review_type == 0 else DEFAULT_EASE,
            min(MAX_ANSWER_MS, max(0, log.duration_ms or 0)), review_type)


def revlog_rows(logs: list[ReviewLog], card: Card, anki_card_id: int, taken: set[int]) -> list[tuple]:
    """Anki revlog rows for one card's reviews (``logs`` in time order)."""
    rows, last_ivl = [], 0
    for log, due_after in zip(logs, dues_after(logs, card)):
        revlog_id = int(log.reviewed_at.timestamp() * 1000)
        while revlog_id in taken:  # revlog ids are unique milliseconds
            revlog_id += 1
        taken.add(revlog_id)
        rows.append(revlog_row(log, due_after, last_ivl, revlog_id, anki_card_id))
        last_ivl = rows[-1][4]
    return rows


def write_with_scheduling(session: Session, cards: list[Card], slots: dict[str, Slot], package: genanki.Package,
                          stamp: int, now: datetime, out: Path, write_atomically: Callable) -> int:
    """Write ``package`` plus scheduling and review log to ``out``; returns revlog rows written.

    ``slots``: each card's note GUID and card ordinal in the package (a cloze note's siblings
    are the cards of one note), so each Anki card gets the state and log of its own card.
    """
    Collection = _require_anki()
    from anki.collection import ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    now = now.astimezone(timezone.utc)
    by_id = {card.id: card for card in cards}
    logs: dict[str, list[ReviewLog]] = {}
    for log in session.exec(select(ReviewLog).order_by(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.id)):
        if log.card_id in by_id:
            logs.setdefault(log.card_id, []).append(log)
    with tempfile.TemporaryDirectory(prefix="studyapp-anki-") as folder:
        plain = Path(folder) / "notes.apkg"
        package.write_to_file(str(plain), timestamp=stamp)
        collection = Collection(str(Path(folder) / "collection.anki2"))
        try:
            collection.import_anki_package(ImportAnkiPackageRequest(
                package_path=str(plain), options=ImportAnkiPackageOptions(with_scheduling=True)))
            today, rollover = collection.sched.today, int(collection.get_config("rollover", 4))
            by_place = {(slots[card.id].guid, slots[card.id].ord): card for card in cards}
            anki_cards, revlog, taken = [], [], set()
            for anki_id, guid, ordinal in collection.db.all(
                    "select c.id, n.guid, c.ord from cards c join notes n on c.nid = n.id"):
                card = by_place[guid, ordinal]
                anki_card = collection.get_card(anki_id)
                apply_card_state(anki_card, card, today, now, rollover)
                anki_cards.append(anki_card)
                revlog.extend(revlog_rows(logs.get(card.id, []), card, anki_id, taken))
            collection.update_cards(anki_cards, skip_undo_entry=True)
            collection.db.executemany(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog)
            options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False,
                                               with_media=True, legacy=False)
            write_atomically(out, lambda path: _export(collection, path, options))
        finally:
            collection.close()
    return len(revlog)


def _export(collection, path: Path, options) -> None:
    from anki.errors import AnkiException

    try:
        collection.export_anki_package(out_path=str(path), options=options, limit=None)
    except AnkiException as exc:
        raise OSError(str(exc)) from exc
