"""Sync, the way out: our cards and reviews into the shadow collection, before it is pushed.

Runs after the way in, so the shadow holds what the server had; sync_plan.py decides what to
write, this writes it:
- new notes (Q&A, or one Cloze note for the siblings of a cloze note), GUIDs and ids from our ids;
- fields changed here since the last sync; tags (ours, plus ``studyapp::suspended`` /
  ``studyapp::removed``; tags added in Anki stay);
- a card whose deck changed here (a renamed heading) is moved;
- suspended (or removed: suspended and tagged) as here;
- scheduling changed here (a review, or a rebuild from a merged log): Anki's card gets our state;
- our reviews Anki does not have: revlog rows, each with the id stored on our row first, so a
  sync killed half-way resends the same rows and the way in never takes them for Anki's.
Every step compares our database with the shadow, so running it twice writes nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import col, select

from studyapp.anki.scheduling import apply_card_state, dues_after, revlog_row
from studyapp.anki.sync_plan import AnkiEdit, NoteWant, Plan, plan_out
from studyapp.anki.anki_notes import CLOZE, Slot, derived_id
from studyapp.anki.sync_shadow import ShadowNote, fields_hash
from studyapp.store.database import Store
from studyapp.store.tables import Card, ReviewLog, SyncedCard


@dataclass
class OutReport:
    """What went into the shadow collection."""

    added: int = 0
    updated: int = 0
    moved: int = 0
    suspended: int = 0
    unsuspended: int = 0
    removed: int = 0
    scheduled: int = 0
    reviews: int = 0
    edits: list[AnkiEdit] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.moved or self.suspended or self.unsuspended
                    or self.scheduled or self.reviews)



def assign_revlog_ids(store: Store, collection, in_anki: set[str]) -> None:
    """Give each unsent review of a card in Anki its revlog id (its time in ms, made unique), on our row."""
    with store.transaction() as session:
        unsent = list(session.exec(select(ReviewLog).where(col(ReviewLog.anki_revlog_id).is_(None))
                                   .order_by(ReviewLog.reviewed_at, ReviewLog.id)))
        unsent = [log for log in unsent if log.card_id in in_anki]
        if not unsent:
            return
        taken = set(collection.db.list("select id from revlog"))
        taken |= set(session.exec(select(ReviewLog.anki_revlog_id).where(col(ReviewLog.anki_revlog_id).is_not(None))))
        for log in unsent:
            revlog_id = int(log.reviewed_at.timestamp() * 1000)
            while revlog_id in taken:
                revlog_id += 1
            taken.add(revlog_id)
            log.anki_revlog_id = revlog_id
            session.add(log)


def _add_notes(collection, mids: dict[str, int], new: list[NoteWant], deck_ids) -> dict[str, int]:
    """Create the notes; returns our card id -> Anki card id (derived from our ids)."""
    from anki.collection import AddNoteRequest

    notetypes = {kind: collection.models.get(mid) for kind, mid in mids.items()}
    decks: dict[str, int] = {}  # one backend call per deck, not per note
    requests = []
    for want in new:
        note = collection.new_note(notetypes[want.slot_kind])
        note.guid = want.guid
        note.fields = list(want.fields)
        note.tags = list(want.tags)
        deck = want.lead.deck
        if deck not in decks:
            decks[deck] = deck_ids(deck)
        requests.append(AddNoteRequest(note=note, deck_id=decks[deck]))
    collection.add_notes(requests)
    notes_taken = set(collection.db.list("select id from notes"))
    cards_taken = set(collection.db.list("select id from cards"))
    card_of = {(nid, ordinal): card_id for card_id, nid, ordinal in collection.db.all(
        "select id, nid, ord from cards where nid in "
        f"({','.join(str(request.note.id) for request in requests)})")}
    ids, notes, cards = {}, [], []
    for want, request in zip(new, requests):
        assigned, note_id = request.note.id, derived_id(want.id_source)
        if note_id in notes_taken:  # a hash collision: keep Anki's note id
            note_id = assigned
        else:
            notes_taken.add(note_id)
            notes.append((note_id, assigned))
        for member, ordinal in zip(want.members, want.ordinals):
            anki_card = card_of.get((assigned, ordinal))
            if anki_card is None:  # a removed sibling whose deletion the note no longer has
                continue
            card_id = derived_id(member)
            if card_id in cards_taken:
                card_id = anki_card
            else:
                cards_taken.add(card_id)
            cards.append((card_id, note_id, anki_card))
            ids[member] = card_id

    def renumber() -> None:  # fresh rows, never synced (usn -1): renumbering them leaves nothing behind
        collection.db.executemany("update notes set id = ? where id = ?", notes)
        collection.db.executemany("update cards set id = ?, nid = ? where id = ?", cards)

    collection.db.transact(renumber)  # one transaction: 10,000 statements on their own take 15 s
    return ids


def _new_siblings(collection, plan: Plan, anki_ids: dict[str, int]) -> None:
    """Cards Anki made for deletions added to a note it had (updating the note made them)."""
    for card_id in plan.new_cards:
        want = plan.wanted[card_id]
        if card_id in anki_ids or want.slot.kind != CLOZE:
            continue
        note = next((plan.present[member] for member in want.note.members if member in plan.present), None)
        if note is not None:
            found = collection.db.scalar("select id from cards where nid = ? and ord = ?", note.note_id,
                                         want.slot.ord)
            if found:
                anki_ids[card_id] = found


def send_out(store: Store, collection, mids: dict[str, int], now: datetime, images: dict[str, tuple[str, str]],
             shadow: dict[Slot, ShadowNote], since_usn: int | None = None) -> OutReport:
    """Write our cards, their state and our unsent reviews into the shadow collection.

    ``mids``: our note types' ids by kind; ``images``: demo id -> the media names of its plot;
    ``since_usn``: see plan_out.
    """
    plan = plan_out(store, collection, shadow, images, since_usn)
    report = OutReport(edits=plan.edits)
    anki_ids = {card_id: note.card_id for card_id, note in plan.present.items()}
    if plan.new_notes:
        anki_ids.update(_add_notes(collection, mids, plan.new_notes, collection.decks.id))
        report.added = sum(len(note.members) for note in plan.new_notes)

    if plan.notes:
        notes = []
        for card_id, (fields, tags) in plan.notes.items():
            note = collection.get_note(plan.present[card_id].note_id)
            note.fields, note.tags = list(fields), list(tags)
            notes.append(note)
        collection.update_notes(notes, skip_undo_entry=True)
        report.updated = len(notes)
    _new_siblings(collection, plan, anki_ids)
    assign_revlog_ids(store, collection, set(anki_ids))
    moves = defaultdict(list)
    for card_id, deck in plan.moves.items():
        moves[deck].append(anki_ids[card_id])
    for deck, anki_card_ids in moves.items():
        collection.set_deck(anki_card_ids, collection.decks.id(deck))
        report.moved += len(anki_card_ids)
    _send_schedules(collection, plan, anki_ids, report, now)
    _send_reviews(store, collection, anki_ids, report)

    rows = []
    columns = tuple(column.name for column in SyncedCard.__table__.columns)
    for card_id, anki_card_id in anki_ids.items():
        want, last = plan.wanted[card_id], plan.synced.get(card_id)
        written = plan.fields_written.get(card_id)
        values = dict(card_id=card_id, anki_card_id=anki_card_id,
                      fields_hash=written if written is not None else fields_hash(want.note.fields),
                      tags=" ".join(want.note.tags), deck=want.card.deck, suspended=want.suspended,
                      schedule_key=want.schedule_key, content_key=want.note.content_key)
        if last is None or tuple(last) != tuple(values[name] for name in columns):
            rows.append(values)
    if rows:
        with store.transaction() as session:
            session.exec(insert(SyncedCard).prefix_with("OR REPLACE"), params=rows)
    return report


def _send_schedules(collection, plan: Plan, anki_ids: dict[str, int], report: OutReport, now: datetime) -> None:
    """Our scheduling onto Anki's cards where it changed here; suspension as ours."""
    if plan.schedules:
        today, rollover = collection.sched.today, int(collection.get_config("rollover", 4))
        cards = []
        for card_id in plan.schedules:
            want = plan.wanted[card_id]
            if card_id not in anki_ids:  # a deletion Anki made no card for
                continue
            anki_card = collection.get_card(anki_ids[card_id])
            apply_card_state(anki_card, want.card, today, now, rollover)
            if want.suspended:
                anki_card.queue = -1
            cards.append(anki_card)
        collection.update_cards(cards, skip_undo_entry=True)
        report.scheduled = len(cards)
    suspend = [anki_ids[card_id] for card_id in plan.suspend if card_id in anki_ids]
    if suspend:
        collection.sched.suspend_cards(suspend)
        report.suspended = len(suspend)
    unsuspend = [anki_ids[card_id] for card_id in plan.unsuspend if card_id in anki_ids]
    if unsuspend:
        collection.sched.unsuspend_cards(unsuspend)
        report.unsuspended = len(unsuspend)


def _send_reviews(store: Store, collection, anki_ids: dict[str, int], report: OutReport) -> None:
    """Our reviews the shadow lacks, as revlog rows (last: a kill before this resends them)."""
    in_anki = set(collection.db.list("select id from revlog"))
    with store.session() as session:
        ids = session.exec(select(ReviewLog.card_id, ReviewLog.anki_revlog_id)
                           .where(col(ReviewLog.anki_revlog_id).is_not(None)))
        missing = {card_id for card_id, revlog_id in ids if revlog_id not in in_anki and card_id in anki_ids}
        rows = []
        for card_id in sorted(missing):
            card = session.get(Card, card_id)
            card_logs = list(session.exec(select(ReviewLog).where(ReviewLog.card_id == card_id)
                                          .order_by(ReviewLog.reviewed_at, ReviewLog.id)))
            last_ivl = 0
            for log, due_after in zip(card_logs, dues_after(card_logs, card)):
                revlog_id = log.anki_revlog_id
                if revlog_id is None:  # not sent yet and not in Anki: the next sync sends it
                    continue
                row = revlog_row(log, due_after, last_ivl, revlog_id, anki_ids[card_id])
                last_ivl = row[4]
                if revlog_id not in in_anki:
                    rows.append(row)
    if rows:
        collection.db.transact(lambda: collection.db.executemany(
            "insert or ignore into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows))
        report.reviews = len(rows)
