"""Our cards as Anki notes: the one placement the ``.apkg`` export and ``studyapp sync`` share.

- a question card is one note of our Q&A note type, its GUID and id from the card id;
- the sibling cards of one cloze note (cloze.py) are one note of our Cloze note type, its GUID
  and id from "cloze:" + their sibling key (never a card's), each card of ours being the Anki
  card of its deletion number (ordinal N-1), its card id from our card id;
- a cloze card Anki already holds in a note of its own (a Q&A note from a sync made before
  clozes went as clozes, or the one-card Cloze note of an export made before siblings were
  grouped) stays there with its history: the sync says which slots Anki has (``existing``),
  the export has none.

So a note exported, imported into a profile and later synced is the note the sync looks for,
and the two bridges never make a second copy of each other's notes.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from studyapp.anki import cloze
from studyapp.anki.html import markdown_to_html
from studyapp.anki.note_type import note_guid

QA, CLOZE = "qa", "cloze"  # our two note types: a card per note, or a card per deletion of a cloze note
GROUP_PREFIX = "cloze:"  # never in a card id: a cloze note's GUID and id are never a card's
SUSPENDED_TAG = "studyapp::suspended"
_FIRST = re.compile(r"\{\{c\d+::")

guid_of = lru_cache(maxsize=None)(note_guid)  # one sync asks for each card's GUID several times


class Slot(NamedTuple):
    """Where a card of ours is in Anki: its note's type and GUID, and the card's ordinal in it."""

    kind: str
    guid: str
    ord: int = 0


def group_guid(sibling_key: str) -> str:
    """The GUID of the Cloze note of the siblings with this key (never a card's GUID)."""
    return guid_of(GROUP_PREFIX + sibling_key)


def derived_id(id_source: str) -> int:
    """The note or card id one of ours gets in Anki (from a card id, or "cloze:" + a sibling key).

    In Anki's millisecond range; the export writes it into the package, the sync into its
    collection, and Anki's importer keeps an incoming id that its collection does not have and
    that is not later than its clock (it renumbers those: harmless, notes are matched by GUID).
    """
    digest = int.from_bytes(hashlib.sha256(f"studyapp-note:{id_source}".encode()).digest()[:8], "big")
    return 1_000_000_000_000 + digest % 1_000_000_000_000


def source_field(source_file: str | None, source_line: int | None) -> str:
    """Where the card is in the notes, ``file.md:12``: the file's name only, never a local path."""
    if not source_file:
        return ""
    name = source_file.replace("\\", "/").rsplit("/", 1)[-1]  # PurePath().name, 20x faster per card
    return html.escape(f"{name}:{source_line}")


def card_slots(cards, existing: Collection[Slot] = ()) -> tuple[dict[str, Slot], dict[str, tuple[str, list]]]:
    """Each card's slot in Anki, and each siblings' Cloze note's (text, member cards), by GUID.

    ``cards``: rows with id, front, kind, sibling_key and removed. Siblings whose fronts do not
    make one text (cloze.note_text), or that ask for one deletion number twice, are Q&A notes,
    one each. A removed sibling stays a card of its note while no live one asks for its number.
    """
    slots: dict[str, Slot] = {}
    groups = defaultdict(list)
    for card in cards:
        qa = Slot(QA, guid_of(card.id))
        if card.kind != "cloze" or qa in existing or cloze.cloze_number(card.front) is None:
            slots[card.id] = qa
        elif (own := Slot(CLOZE, guid_of(card.id))) in existing:
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


@dataclass
class AnkiNote:
    """One Anki note of ours and the cards of ours it holds.

    ``cards`` are rows with the export's columns (id, front, back, deck, tags, source_file,
    source_line, suspended, kind, sibling_key, removed); ``ordinals[i]`` is the Anki card
    ordinal of ``cards[i]``.
    """

    kind: str  # QA or CLOZE
    guid: str
    cards: list
    ordinals: list[int] = field(default_factory=lambda: [0])
    text: str = ""  # the siblings' Cloze note: its text with every deletion
    single: bool = False  # a cloze card in a one-card Cloze note of its own (an export before grouping)

    @property
    def lead(self):
        """The card the note's text, source and demos come from (a siblings' note: its first live card)."""
        return self.cards[0]

    @property
    def members(self) -> list[str]:
        return [card.id for card in self.cards]

    @property
    def grouped(self) -> bool:
        return self.kind == CLOZE and not self.single

    @property
    def id_source(self) -> str:
        """What the note's id derives from: the card id, or "cloze:" + the siblings' key."""
        return GROUP_PREFIX + self.lead.sibling_key if self.grouped else self.lead.id

    def fields(self, demo_html: str) -> list[str]:
        """The note's fields in its note type's order (note_type.FIELDS or CLOZE_FIELDS)."""
        lead = self.lead
        source = source_field(lead.source_file, lead.source_line)
        if self.kind == QA:
            return [markdown_to_html(lead.front), markdown_to_html(lead.back), demo_html, source, lead.id]
        if self.single:  # its one deletion as {{c1::...}}, as those exports wrote it
            return [markdown_to_html(_FIRST.sub("{{c1::", lead.front)), "", demo_html, source, lead.id]
        extra = cloze.back_extra(self.text, cloze.cloze_number(lead.front) or 1, lead.back)
        return [markdown_to_html(self.text), markdown_to_html(extra) if extra else "", demo_html, source,
                lead.sibling_key]

    def tags(self) -> list[str]:
        """The heading path as tags, plus ``studyapp::suspended`` when a card of the note is suspended.

        Anki's importer resets suspension unless "Import any learning progress" is ticked, and
        the tag lets a learner find (and suspend) those cards again. Tags belong to the note;
        suspension itself is per card.
        """
        return self.lead.tags.split() + ([SUSPENDED_TAG] if any(card.suspended for card in self.cards) else [])


def anki_notes(cards, existing: Collection[Slot] = ()) -> tuple[dict[str, Slot], dict[str, AnkiNote]]:
    """Each card's slot, and the notes that hold ``cards``, by GUID, in the order of their first card."""
    slots, texts = card_slots(cards, existing)
    notes: dict[str, AnkiNote] = {}
    for card in cards:
        slot = slots[card.id]
        if slot.guid in notes:
            continue
        if slot.kind == CLOZE and slot.guid in texts:
            text, members = texts[slot.guid]
            notes[slot.guid] = AnkiNote(CLOZE, slot.guid, members, [slots[member.id].ord for member in members],
                                        text)
        else:
            notes[slot.guid] = AnkiNote(slot.kind, slot.guid, [card], [slot.ord], single=slot.kind == CLOZE)
    return slots, notes
