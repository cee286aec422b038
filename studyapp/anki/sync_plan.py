"""Sync, the way out, planned: what the shadow collection should hold, compared with what it holds.

Our cards become Anki notes as the export makes them (anki_notes.py: a Q&A note per question
card, one Cloze note for the siblings of a cloze note, a card per deletion number, so a review
on the phone comes back to the right card; a cloze card Anki already has in a note of its own
keeps that note and its history); sync_out.py writes them.

For each note and card the plan compares our database with the shadow and with what the last
sync left (``SyncedCard``): fields changed here go out, fields changed only in Anki are kept
there and listed; tags, deck, suspension and scheduling go out when changed here.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from sqlmodel import select

from studyapp.anki.anki_notes import CLOZE, QA, AnkiNote, Slot, anki_notes
from studyapp.anki.demo_media import demo_html
from studyapp.anki.note_type import CLOZE_FIELDS, FIELDS
from studyapp.anki.sync_shadow import ShadowNote, fields_hash, synced_rows
from studyapp.store.database import Store
from studyapp.store.queries import demo_links
from studyapp.store.tables import NEW, Card

REMOVED_TAG = "studyapp::removed"
EDITABLE = {QA: ("Front", "Back"), CLOZE: ("Text", "Back Extra")}  # what a learner edits; the rest is ours
FIELD_NAMES = {QA: FIELDS, CLOZE: CLOZE_FIELDS}
_TAG = re.compile(r"<[^>]+>")
# Part of every content key: changing how notes are rendered means raising it, so that the
# next sync rewrites every note once instead of keeping the old rendering.
RENDERING = 1


@dataclass
class AnkiEdit:
    """A note whose text was edited in Anki: what Anki has, to be taken into the notes."""

    card_id: str
    source: str  # file:line in the notes
    fields: dict[str, str]  # field name -> Anki's text (HTML tags stripped)
    overwritten: bool  # the notes changed too, and their version went out


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
    kind: str
    sibling_key: str
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


def _key(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def schedule_key(card: CardRow) -> str:
    return _key(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review,
                card.reps, card.lapses)


def plain_text(field_html: str) -> str:
    return html.unescape(_TAG.sub(" ", field_html.replace("<br>", "\n"))).strip()


@dataclass
class NoteWant:
    """One Anki note as the shadow should have it (anki_notes.py); its fields are rendered only when asked for."""

    note: AnkiNote
    demos: list[tuple[str, tuple[str, str] | None]]  # demo id, its plot's media names (None: no plot)
    tags: list[str]
    content_key: str

    @property
    def slot_kind(self) -> str:
        return self.note.kind

    @property
    def guid(self) -> str:
        return self.note.guid

    @property
    def lead(self) -> CardRow:
        return self.note.lead

    @property
    def members(self) -> list[str]:
        return self.note.members

    @property
    def ordinals(self) -> list[int]:
        return self.note.ordinals

    @property
    def id_source(self) -> str:
        return self.note.id_source

    @cached_property
    def fields(self) -> list[str]:
        return self.note.fields("<br>".join(demo_html(demo_id, images) for demo_id, images in self.demos))


@dataclass
class Wanted:
    """One card of ours as the shadow should have it."""

    card: CardRow
    slot: Slot
    note: NoteWant
    suspended: bool
    schedule_key: str


def wanted_cards(cards: list[CardRow], links: dict[str, list[str]], images: dict[str, tuple[str, str]],
                 shadow: dict[Slot, ShadowNote]) -> dict[str, Wanted]:
    slots, notes = anki_notes(cards, shadow)
    by_id = {card.id: card for card in cards}
    wants: dict[str, NoteWant] = {}
    for guid, note in notes.items():
        lead, linked = note.lead, links.get(note.lead.id)
        demos = [(demo_id, images.get(demo_id)) for demo_id in sorted(linked)] if linked else []
        tags = note.tags() + ([REMOVED_TAG] if all(card.removed for card in note.cards) else [])
        wants[guid] = NoteWant(note, demos, tags, _key(RENDERING, note.text or lead.front, lead.back,
                                                       lead.source_file, lead.source_line, demos))
    return {card_id: Wanted(card=by_id[card_id], slot=slot, note=wants[slot.guid],
                            suspended=by_id[card_id].suspended or by_id[card_id].removed,
                            schedule_key=schedule_key(by_id[card_id]))
            for card_id, slot in slots.items()}


def _edit(note: NoteWant, anki_fields: list[str], overwritten: bool) -> AnkiEdit | None:
    names = FIELD_NAMES[note.slot_kind]
    changed = {name: plain_text(anki_fields[names.index(name)]) for name in EDITABLE[note.slot_kind]
               if anki_fields[names.index(name)] != note.fields[names.index(name)]}
    if not changed:
        return None
    return AnkiEdit(card_id=note.lead.id, source=note.lead.source, fields=changed, overwritten=overwritten)


@dataclass
class Plan:
    """What the way out would write, decided from our database and the shadow without writing."""

    wanted: dict[str, Wanted]
    present: dict[str, ShadowNote]  # our cards the shadow has
    synced: dict  # card id -> SyncedCard row
    new_notes: list[NoteWant] = field(default_factory=list)
    new_cards: list[str] = field(default_factory=list)  # live cards the shadow lacks (their notes' included)
    notes: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # a present card id -> fields, tags
    fields_written: dict[str, str] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)  # card id -> deck
    schedules: list[str] = field(default_factory=list)
    suspend: list[str] = field(default_factory=list)
    unsuspend: list[str] = field(default_factory=list)
    edits: list[AnkiEdit] = field(default_factory=list)


def _plan_note(plan: Plan, note: NoteWant, card_id: str, shadow: ShadowNote, since_usn: int | None) -> None:
    """Fields and tags of one present note: ours out where they changed here, Anki's kept otherwise."""
    synced = plan.synced
    last = synced.get(card_id) or next((synced[member] for member in note.members if member in synced), None)
    if (since_usn is not None and last is not None and 0 <= shadow.note_usn < since_usn
            and last.content_key == note.content_key and last.tags == " ".join(note.tags)):
        # changed on neither side since the last sync, which left Anki's fields and tags as recorded
        for member in note.members:
            plan.fields_written[member] = last.fields_hash
        return
    anki = fields_hash(shadow.flds)
    if last is not None and last.content_key == note.content_key and anki == last.fields_hash:
        ours = anki  # changed on neither side: nothing to render
    else:
        ours = fields_hash(note.fields)
    rewrite = False  # our fields replace Anki's
    if ours != anki:
        if last is None or ours != last.fields_hash:  # ours changed (or never synced): ours go out
            overwritten = last is not None and anki != last.fields_hash
            if overwritten and (edit := _edit(note, shadow.fields, True)):
                plan.edits.append(edit)
            rewrite = True
        elif edit := _edit(note, shadow.fields, False):  # only Anki's changed: kept
            plan.edits.append(edit)
    written = last.fields_hash if ours != anki and not rewrite else ours
    for member in note.members:
        plan.fields_written[member] = written
    last_tags, anki_tags = set(last.tags.split()) if last else set(), shadow.tags
    tags = note.tags + [tag for tag in anki_tags if tag not in last_tags and tag not in note.tags]
    if rewrite or set(tags) != set(anki_tags):
        plan.notes[card_id] = (note.fields if rewrite else shadow.fields, tags)


def plan_out(store: Store, collection, shadow: dict[Slot, ShadowNote],
             images: dict[str, tuple[str, str]], since_usn: int | None = None) -> Plan:
    """Compare our cards with the shadow's notes and the last sync's record of both.

    ``since_usn`` (see sync_in.bring_in): a note Anki has not changed since is compared on our side only.
    """
    with store.session() as session:
        cards = [CardRow(*row) for row in session.exec(select(*(getattr(Card, name) for name in CardRow._fields)))]
        links = demo_links(session)
        synced = synced_rows(session)
    wanted = wanted_cards(cards, links, images, shadow)
    present = {card_id: shadow[want.slot] for card_id, want in wanted.items() if want.slot in shadow}
    plan = Plan(wanted=wanted, present=present, synced=synced)
    planned_notes: set[str] = set()
    for card_id, want in wanted.items():
        if card_id in present or want.card.removed:
            continue
        plan.new_cards.append(card_id)
        note = want.note
        if note.guid not in planned_notes and not any(member in present for member in note.members):
            planned_notes.add(note.guid)
            plan.new_notes.append(note)
    deck_ids: dict[str, int | None] = {}
    for card_id, note in present.items():
        want, last = wanted[card_id], synced.get(card_id)
        if want.note.guid not in planned_notes:
            planned_notes.add(want.note.guid)
            _plan_note(plan, want.note, card_id, note, since_usn)
        deck = want.card.deck
        if deck not in deck_ids:
            deck_ids[deck] = collection.decks.id_for_name(deck)
        if (last is None or last.deck != deck) and note.deck_id != deck_ids[deck]:
            plan.moves[card_id] = deck
    for card_id in [*present, *plan.new_cards]:
        want, note = wanted[card_id], present.get(card_id)
        last = synced.get(card_id) if note is not None else None
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
