"""Sync, the way out: our cards and reviews into the shadow collection, before it is pushed.

Runs after the way in, so the shadow holds what the server had. For each card of ours:
- not in Anki yet (and not removed): a new note of our note type, GUID and ids from the card id;
- fields (the export's) changed here since the last sync: written. Changed in Anki only: kept
  there and listed (the notes are the source of truth; the learner copies the text in);
- deck: a card whose deck changed here (a renamed heading) is moved;
- tags: ours, plus ``studyapp::suspended`` / ``studyapp::removed``; tags added in Anki stay;
- suspended (or removed: suspended and tagged) as here;
- scheduling changed here (a review, or a rebuild from a merged log): Anki's card gets our state;
- our reviews Anki does not have: revlog rows, each with the id stored on our row first, so a
  sync killed half-way resends the same rows and the way in never takes them for Anki's.
Every step compares our database with the shadow, so running it twice writes nothing twice.
"""

from __future__ import annotations

import copy
import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import insert
from sqlmodel import col, select

from studyapp.anki.demo_media import demo_html
from studyapp.anki.export import ExportCard, note_fields, note_tags
from studyapp.anki.note_type import FIELDS
from studyapp.anki.scheduling import apply_card_state, dues_after, revlog_row
from studyapp.anki.sync_shadow import ShadowNote, derived_note_id, fields_hash, guid_of, synced_rows
from studyapp.store.database import Store
from studyapp.store.queries import demo_links
from studyapp.store.tables import NEW, Card, ReviewLog, SyncedCard

REMOVED_TAG = "studyapp::removed"
EDITABLE = ("Front", "Back")  # the fields a learner edits; the rest are ours alone
_TAG = re.compile(r"<[^>]+>")


@dataclass
class AnkiEdit:
    """A card whose text was edited in Anki: what Anki has, to be taken into the notes."""

    card_id: str
    source: str  # file:line in the notes
    fields: dict[str, str]  # field name -> Anki's text (HTML tags stripped)
    overwritten: bool  # the notes changed too, and their version went out


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


class CardRow(NamedTuple):
    """The columns of a card the way out reads (plain rows: ten times faster than ORM objects)."""

    id: str
    front: str
    back: str
    deck: str
    tags: str
    source_file: str
    source_line: int
    suspended: bool
    removed: bool
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None
    reps: int
    lapses: int

    @property
    def source(self) -> str:
        return f"{self.source_file}:{self.source_line}"


# Part of every content key: changing how note_fields renders a card means raising it, so
# that the next sync rewrites every note once instead of keeping the old rendering.
RENDERING = 1


@dataclass
class Wanted:
    """One card as the shadow should have it; its fields are rendered only when asked for."""

    card: CardRow
    export: ExportCard
    demos: list[tuple[str, tuple[str, str] | None]]  # demo id, its plot's media names (None: no plot)
    tags: list[str]
    suspended: bool
    schedule_key: str
    content_key: str

    @cached_property
    def fields(self) -> list[str]:
        return note_fields(self.export, "<br>".join(demo_html(demo_id, images) for demo_id, images in self.demos))


def _key(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def schedule_key(card: CardRow) -> str:
    return _key(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review,
                card.reps, card.lapses)


def plain_text(field_html: str) -> str:
    return html.unescape(_TAG.sub(" ", field_html.replace("<br>", "\n"))).strip()


def wanted_cards(cards: list[CardRow], links: dict[str, list[str]],
                 images: dict[str, tuple[str, str]]) -> dict[str, Wanted]:
    wanted = {}
    for card in cards:
        demos = [(demo_id, images.get(demo_id)) for demo_id in sorted(links.get(card.id, []))]
        export = ExportCard(card.id, card.front, card.back, card.deck, card.tags, card.source_file,
                            card.source_line, card.suspended)
        tags = note_tags(export) + ([REMOVED_TAG] if card.removed else [])
        wanted[card.id] = Wanted(
            card=card, export=export, demos=demos, tags=tags, suspended=card.suspended or card.removed,
            schedule_key=schedule_key(card),
            content_key=_key(RENDERING, card.front, card.back, card.source_file, card.source_line, demos))
    return wanted


def _edit(card: CardRow, anki_fields: list[str], ours: list[str], overwritten: bool) -> AnkiEdit | None:
    changed = {name: plain_text(anki_fields[FIELDS.index(name)]) for name in EDITABLE
               if anki_fields[FIELDS.index(name)] != ours[FIELDS.index(name)]}
    if not changed:
        return None
    return AnkiEdit(card_id=card.id, source=card.source, fields=changed, overwritten=overwritten)


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


def _add_notes(collection, mid: int, new: list[Wanted], deck_ids) -> dict[str, int]:
    """Create the notes; returns our card id -> Anki card id (derived from our card id)."""
    from anki.collection import AddNoteRequest

    blank = collection.new_note(collection.models.get(mid))
    decks: dict[str, int] = {}  # one backend call per deck, not per note
    requests = []
    for want in new:
        note = copy.copy(blank)  # a backend round trip per new_note() is a third of adding 10,000
        note.guid = guid_of(want.card.id)
        note.fields = list(want.fields)
        note.tags = list(want.tags)
        deck = want.card.deck
        if deck not in decks:
            decks[deck] = deck_ids(deck)
        requests.append(AddNoteRequest(note=note, deck_id=decks[deck]))
    collection.add_notes(requests)
    taken = set(collection.db.list("select id from notes")) | set(collection.db.list("select id from cards"))
    card_of = dict(collection.db.all("select nid, id from cards where nid in "
                                     f"({','.join(str(request.note.id) for request in requests)})"))
    ids, notes, cards = {}, [], []
    for want, request in zip(new, requests):
        assigned, wanted_id = request.note.id, derived_note_id(want.card.id)
        if wanted_id in taken:  # a hash collision: keep Anki's ids
            ids[want.card.id] = card_of[assigned]
            continue
        taken.add(wanted_id)
        notes.append((wanted_id, assigned))
        cards.append((wanted_id, wanted_id, card_of[assigned]))
        ids[want.card.id] = wanted_id
    def renumber() -> None:  # fresh rows, never synced (usn -1): renumbering them leaves nothing behind
        collection.db.executemany("update notes set id = ? where id = ?", notes)
        collection.db.executemany("update cards set id = ?, nid = ? where id = ?", cards)

    collection.db.transact(renumber)  # one transaction: 10,000 statements on their own take 15 s
    return ids


@dataclass
class Plan:
    """What the way out would write, decided from our database and the shadow without writing."""

    wanted: dict[str, Wanted]
    present: dict[str, ShadowNote]  # our cards the shadow has
    synced: dict  # card id -> SyncedCard row
    new: list[Wanted] = field(default_factory=list)
    notes: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # card id -> fields, tags
    fields_written: dict[str, str] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)  # card id -> deck
    schedules: list[str] = field(default_factory=list)
    suspend: list[str] = field(default_factory=list)
    unsuspend: list[str] = field(default_factory=list)
    edits: list[AnkiEdit] = field(default_factory=list)


def plan_out(store: Store, collection, shadow: dict[str, ShadowNote],
             images: dict[str, tuple[str, str]]) -> Plan:
    """Compare our cards with the shadow's notes and the last sync's record of both."""
    with store.session() as session:
        cards = [CardRow(*row) for row in session.exec(select(*(getattr(Card, name) for name in CardRow._fields)))]
        links = demo_links(session)
        synced = synced_rows(session)
    wanted = wanted_cards(cards, links, images)
    present = {card_id: shadow[guid_of(card_id)] for card_id in wanted if guid_of(card_id) in shadow}
    plan = Plan(wanted=wanted, present=present, synced=synced)
    plan.new = [want for card_id, want in wanted.items() if card_id not in present and not want.card.removed]
    deck_ids: dict[str, int | None] = {}
    for card_id, note in present.items():
        want, last = wanted[card_id], synced.get(card_id)
        anki = fields_hash(note.flds)
        if last is not None and last.content_key == want.content_key and anki == last.fields_hash:
            ours = anki  # changed on neither side: nothing to render
        else:
            ours = fields_hash(want.fields)
        rewrite = False  # our fields replace Anki's
        if ours != anki:
            if last is None or ours != last.fields_hash:  # ours changed (or never synced): ours go out
                overwritten = last is not None and anki != last.fields_hash
                if overwritten and (edit := _edit(want.card, note.fields, want.fields, True)):
                    plan.edits.append(edit)
                rewrite = True
            elif edit := _edit(want.card, note.fields, want.fields, False):  # only Anki's changed: kept
                plan.edits.append(edit)
        plan.fields_written[card_id] = last.fields_hash if ours != anki and not rewrite else ours
        last_tags = set(last.tags.split()) if last else set()
        tags = want.tags + [tag for tag in note.tags if tag not in last_tags and tag not in want.tags]
        if rewrite or set(tags) != set(note.tags):
            plan.notes[card_id] = (want.fields if rewrite else note.fields, tags)
        deck = want.card.deck
        if deck not in deck_ids:
            deck_ids[deck] = collection.decks.id_for_name(deck)
        if (last is None or last.deck != deck) and note.deck_id != deck_ids[deck]:
            plan.moves[card_id] = deck
    for card_id in [*present, *(want.card.id for want in plan.new)]:
        want, last, note = wanted[card_id], synced.get(card_id), present.get(card_id)
        fresh = note is None or note.type == 0
        if (last is None and want.card.state == NEW and fresh) or (last and last.schedule_key == want.schedule_key):
            anki_suspended = note.suspended if note else False
            if want.suspended and not anki_suspended:
                plan.suspend.append(card_id)
            elif anki_suspended and not want.suspended:
                plan.unsuspend.append(card_id)
        else:
            plan.schedules.append(card_id)
    return plan


def send_out(store: Store, collection, mid: int, shadow: dict[str, ShadowNote], now: datetime,
             images: dict[str, tuple[str, str]]) -> OutReport:
    """Write our cards, their state and our unsent reviews into the shadow collection.

    ``images``: demo id -> the media names of its plot (the Demo field shows them).
    """
    plan = plan_out(store, collection, shadow, images)
    report = OutReport(edits=plan.edits)
    anki_ids = {card_id: note.card_id for card_id, note in plan.present.items()}
    if plan.new:
        anki_ids.update(_add_notes(collection, mid, plan.new, collection.decks.id))
        report.added = len(plan.new)
    assign_revlog_ids(store, collection, set(anki_ids))

    if plan.notes:
        notes = []
        for card_id, (fields, tags) in plan.notes.items():
            note = collection.get_note(plan.present[card_id].note_id)
            note.fields, note.tags = list(fields), list(tags)
            notes.append(note)
        collection.update_notes(notes, skip_undo_entry=True)
        report.updated = len(notes)
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
                      fields_hash=written if written is not None else fields_hash(want.fields),
                      tags=" ".join(want.tags), deck=want.card.deck, suspended=want.suspended,
                      schedule_key=want.schedule_key, content_key=want.content_key)
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
            anki_card = collection.get_card(anki_ids[card_id])
            apply_card_state(anki_card, want.card, today, now, rollover)
            if want.suspended:
                anki_card.queue = -1
            cards.append(anki_card)
        collection.update_cards(cards, skip_undo_entry=True)
        report.scheduled = len(cards)
    if plan.suspend:
        collection.sched.suspend_cards([anki_ids[card_id] for card_id in plan.suspend])
        report.suspended = len(plan.suspend)
    if plan.unsuspend:
        collection.sched.unsuspend_cards([anki_ids[card_id] for card_id in plan.unsuspend])
        report.unsuspended = len(plan.unsuspend)


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
