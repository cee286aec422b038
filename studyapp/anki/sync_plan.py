"""Sync, the way out, planned: what the shadow collection should hold, compared with what it holds.

Our cards become Anki notes (sync_out.py writes them):
- a question card is one note of our Q&A note type, its GUID from the card id;
- the sibling cards of one cloze note (cloze.py) are one note of our Cloze note type, its GUID
  from their sibling key, each card of ours being the Anki card of its deletion number (ordinal
  N-1), so a review on the phone comes back to the right card. A cloze card already sent as a
  Q&A note (before clozes were sent as clozes) keeps that note and its history.

For each note and card the plan compares our database with the shadow and with what the last
sync left (``SyncedCard``): fields changed here go out, fields changed only in Anki are kept
there and listed; tags, deck, suspension and scheduling go out when changed here.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from sqlmodel import select

from studyapp.anki import cloze
from studyapp.anki.demo_media import demo_html
from studyapp.anki.export import ExportCard, cloze_fields, note_fields, note_tags, source_field
from studyapp.anki.html import markdown_to_html
from studyapp.anki.note_type import CLOZE_FIELDS, FIELDS
from studyapp.anki.sync_shadow import CLOZE, QA, ShadowNote, Slot, fields_hash, guid_of, synced_rows
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
GROUP_PREFIX = "cloze:"  # never in a card id: a cloze note's GUID and id are never a card's


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


def _export_card(card: CardRow) -> ExportCard:
    return ExportCard(card.id, card.front, card.back, card.deck, card.tags, card.source_file, card.source_line,
                      card.suspended, card.kind)


@dataclass
class NoteWant:
    """One Anki note as the shadow should have it; its fields are rendered only when asked for."""

    slot_kind: str  # QA or CLOZE
    guid: str
    lead: CardRow  # the card its text, source and demos come from (a cloze: the first live sibling)
    members: list[str]  # our card ids, each one card of the note
    demos: list[tuple[str, tuple[str, str] | None]]  # demo id, its plot's media names (None: no plot)
    tags: list[str]
    content_key: str
    text: str = ""  # a cloze: the note's text with every deletion
    ordinals: list[int] = field(default_factory=lambda: [0])  # each member's card ordinal in the note
    single: bool = False  # a cloze card in a note of its own, as the .apkg export writes it

    @property
    def id_source(self) -> str:
        """What the note's id derives from: the card id, or the siblings' key."""
        return GROUP_PREFIX + self.lead.sibling_key if self.slot_kind == CLOZE and not self.single else self.lead.id

    @cached_property
    def fields(self) -> list[str]:
        demo = "<br>".join(demo_html(demo_id, images) for demo_id, images in self.demos)
        if self.slot_kind == QA:
            return note_fields(_export_card(self.lead), demo)
        if self.single:
            return cloze_fields(_export_card(self.lead), demo)
        number = cloze.cloze_number(self.lead.front) or 1
        extra = cloze.back_extra(self.text, number, self.lead.back)
        return [markdown_to_html(self.text), markdown_to_html(extra) if extra else "", demo,
                source_field(self.lead.source_file, self.lead.source_line), self.lead.sibling_key]


@dataclass
class Wanted:
    """One card of ours as the shadow should have it."""

    card: CardRow
    slot: Slot
    note: NoteWant
    suspended: bool
    schedule_key: str


def group_guid(sibling_key: str) -> str:
    """The GUID of the Cloze note of the siblings with this key (never a card's GUID)."""
    return guid_of(GROUP_PREFIX + sibling_key)


def card_slots(cards, shadow: dict[Slot, ShadowNote]) -> tuple[dict[str, Slot], dict[str, tuple[str, list]]]:
    """Each card's slot in Anki, and each cloze note's (text, member cards), by GUID.

    ``cards``: rows with id, front, kind, sibling_key and removed. Siblings whose fronts do not
    make one text (cloze.note_text) are sent as Q&A notes, one each. A cloze card Anki already
    has in a note of its own (a Q&A note from an earlier sync, or the .apkg export's one-card
    Cloze note) stays there, with its history.
    """
    slots: dict[str, Slot] = {}
    groups = defaultdict(list)
    for card in cards:
        qa = Slot(QA, guid_of(card.id))
        if card.kind != "cloze" or qa in shadow or cloze.cloze_number(card.front) is None:
            slots[card.id] = qa
        elif (own := Slot(CLOZE, guid_of(card.id))) in shadow:
            slots[card.id] = own
        else:
            groups[card.sibling_key].append(card)
    texts = {}
    for key, members in groups.items():
        live = [card for card in members if not card.removed] or members
        taken = {cloze.cloze_number(card.front) for card in live}
        members = live + [card for card in members if card not in live
                          and cloze.cloze_number(card.front) not in taken]
        text = cloze.note_text([card.front for card in live])
        if text is None or len(taken) < len(live):
            slots.update({card.id: Slot(QA, guid_of(card.id)) for card in members})
            continue
        guid = group_guid(key)
        slots.update({card.id: Slot(CLOZE, guid, cloze.cloze_number(card.front) - 1) for card in members})
        texts[guid] = (text, members)
    for members in groups.values():  # removed siblings whose number a live one took: not in the note
        slots.update({card.id: Slot(QA, guid_of(card.id)) for card in members if card.id not in slots})
    return slots, texts


def wanted_cards(cards: list[CardRow], links: dict[str, list[str]], images: dict[str, tuple[str, str]],
                 shadow: dict[Slot, ShadowNote]) -> dict[str, Wanted]:
    slots, texts = card_slots(cards, shadow)
    by_id = {card.id: card for card in cards}

    def demos_of(card: CardRow):
        linked = links.get(card.id)
        return [(demo_id, images.get(demo_id)) for demo_id in sorted(linked)] if linked else []

    notes: dict[str, NoteWant] = {}
    for guid, (text, members) in texts.items():
        lead, demos = members[0], demos_of(members[0])
        tags = note_tags(lead._replace(suspended=any(card.suspended for card in members)))
        if all(card.removed for card in members):
            tags.append(REMOVED_TAG)
        notes[guid] = NoteWant(CLOZE, guid, lead, [card.id for card in members], demos, tags,
                               _key(RENDERING, text, lead.back, lead.source_file, lead.source_line, demos), text,
                               [slots[card.id].ord for card in members])
    wanted = {}
    for card_id, slot in slots.items():
        card = by_id[card_id]
        note = notes.get(slot.guid) if slot.kind == CLOZE else None
        if note is None:
            demos = demos_of(card)
            note = NoteWant(slot.kind, slot.guid, card, [card_id], demos,  # note_tags reads only tags, suspended
                            note_tags(card) + ([REMOVED_TAG] if card.removed else []),
                            _key(RENDERING, card.front, card.back, card.source_file, card.source_line, demos),
                            single=slot.kind == CLOZE)  # a cloze slot outside a group: an export's own note
        wanted[card_id] = Wanted(card=card, slot=slot, note=note, suspended=card.suspended or card.removed,
                                 schedule_key=schedule_key(card))
    return wanted


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
