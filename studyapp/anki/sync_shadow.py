"""The shadow collection: an Anki collection of our own, kept beside the database, that syncs.

``studyapp sync`` never talks the sync protocol itself: it keeps this collection (in
``<db>.anki-sync/``, with the saved login) in step with our database, and the official
``anki`` library syncs it with AnkiWeb or a self-hosted server. Our cards are notes of our
two note types (the export's), placed as anki_notes.py says and found by their GUIDs, which
derive from our ids (as do their note and card ids when we create them). Notes of other note
types are Anki's own: the sync reads and writes only ours.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from studyapp.anki.anki_notes import CLOZE, QA, Slot
from studyapp.anki.note_type import (ANSWER, CLOZE_ANSWER, CLOZE_CSS, CLOZE_FIELDS, CLOZE_NOTE_TYPE_NAME,
                                     CLOZE_QUESTION, CSS, FIELDS, NOTE_TYPE_NAME, QUESTION)
from studyapp.errors import UserError

FOLDER_SUFFIX = ".anki-sync"
COLLECTION_FILE = "collection.anki2"
QUEUE_SUSPENDED = -1
ANKI_HINT = "`studyapp sync` needs the official Anki library: pip install 'studyapp[anki]'"
IN_CHUNK = 900  # ids per "in (...)" query, under SQLite's bound-variable limit


def synced_rows(session, card_ids: list[str] | None = None) -> dict:
    """What the last sync left for each card, or for ``card_ids`` (``SyncedCard`` columns, as plain rows: fast)."""
    from sqlmodel import col, select

    from studyapp.store.tables import SyncedCard

    query = select(*SyncedCard.__table__.columns)
    if card_ids is None:
        return {row.card_id: row for row in session.exec(query)}
    return {row.card_id: row for start in range(0, len(card_ids), IN_CHUNK)
            for row in session.exec(query.where(col(SyncedCard.card_id).in_(card_ids[start:start + IN_CHUNK])))}


def synced_cards_of(session, anki_card_ids: list[int]) -> dict[int, str]:
    """Anki card id -> our card id, for the cards the last syncs placed there."""
    from sqlmodel import col, select

    from studyapp.store.tables import SyncedCard

    return {anki_id: card_id for start in range(0, len(anki_card_ids), IN_CHUNK)
            for card_id, anki_id in session.exec(select(SyncedCard.card_id, SyncedCard.anki_card_id).where(
                col(SyncedCard.anki_card_id).in_(anki_card_ids[start:start + IN_CHUNK])))}


def sync_folder(db_path: Path) -> Path:
    """Where the shadow collection and the saved login live: ``<db>.anki-sync/``."""
    return db_path.with_name(db_path.name + FOLDER_SUFFIX)


def require_anki() -> None:
    """A clear message, not a traceback, when the optional ``anki`` extra is not installed."""
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        raise UserError(ANKI_HINT) from None


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{folder}: cannot create the sync folder ({exc.strerror})") from exc


@contextmanager
def open_shadow(folder: Path) -> Iterator:
    """The shadow ``anki.collection.Collection`` (created empty on first use), closed afterwards."""
    require_anki()
    from anki.collection import Collection
    from anki.errors import DBError

    make_folder(folder)
    try:
        collection = Collection(str(folder / COLLECTION_FILE))
    except DBError as exc:
        raise UserError(f"{folder / COLLECTION_FILE}: cannot open the sync collection ({exc})") from exc
    try:
        yield collection
    finally:
        if collection.db is not None:
            collection.close()


_NOTE_TYPES = {
    QA: (NOTE_TYPE_NAME, FIELDS, "Card 1", QUESTION, ANSWER, CSS),
    CLOZE: (CLOZE_NOTE_TYPE_NAME, CLOZE_FIELDS, "Cloze", CLOZE_QUESTION, CLOZE_ANSWER, CLOZE_CSS),
}
MODEL_CLOZE = 1  # Anki's notetype kind: one card per cloze number


def note_type_id(collection, create: bool = True, kind: str = QA) -> int | None:
    """One of our note types' id in ``collection``, created as the export writes it when missing."""
    name, fields, template_name, question, answer, css = _NOTE_TYPES[kind]
    existing = collection.models.by_name(name)
    if existing is not None:
        names = collection.models.field_names(existing)
        if tuple(names) != fields:
            raise UserError(f"the note type {name!r} in Anki has fields {', '.join(names)}, "
                            f"not {', '.join(fields)}; restore them in Anki (Tools > Manage Note Types)")
        return existing["id"]
    if not create:
        return None
    models = collection.models
    notetype = models.new(name)
    if kind == CLOZE:
        notetype["type"] = MODEL_CLOZE
    for field_name in fields:
        models.add_field(notetype, models.new_field(field_name))
    template = models.new_template(template_name)
    template["qfmt"], template["afmt"] = question, answer
    models.add_template(notetype, template)
    notetype["css"], notetype["sortf"] = css, 0
    return models.add(notetype).id


def note_type_ids(collection, create: bool = True) -> dict[str, int | None]:
    """Both note types' ids, by kind (QA, CLOZE)."""
    return {kind: note_type_id(collection, create, kind) for kind in _NOTE_TYPES}


@dataclass
class ShadowNote:
    """One of our notes as the shadow collection has it (after the last pull)."""

    note_id: int
    card_id: int
    flds: str  # the fields as Anki stores them, joined by \x1f
    tags_text: str  # the tags as Anki stores them, space-separated (split only when compared)
    deck_id: int
    queue: int
    type: int  # 0: new
    usn: int = -1  # the card's update sequence number: >= the last sync's collection usn, changed on the server
    note_usn: int = -1  # the note's (fields and tags)

    @property
    def fields(self) -> list[str]:
        return self.flds.split("\x1f")

    @property
    def tags(self) -> list[str]:
        return self.tags_text.split()

    @property
    def suspended(self) -> bool:
        return self.queue == QUEUE_SUSPENDED


def shadow_notes(collection, mids: dict[str, int | None]) -> dict[Slot, ShadowNote]:
    """The cards of our notes in the collection, by slot (note type, GUID, card ordinal)."""
    kinds = {mid: kind for kind, mid in mids.items() if mid is not None}
    if not kinds:
        return {}
    rows = collection.db.all(
        "select n.mid, n.guid, c.ord, n.id, c.id, n.flds, n.tags, c.did, c.queue, c.type, c.usn, n.usn"
        f" from notes n join cards c on c.nid = n.id where n.mid in ({','.join(str(mid) for mid in kinds)})")
    return {Slot(kinds[mid], guid, ordinal): ShadowNote(nid, cid, flds, tags, did, queue, kind, usn, note_usn)
            for mid, guid, ordinal, nid, cid, flds, tags, did, queue, kind, usn, note_usn in rows}


def fields_hash(fields: list[str] | str) -> str:
    """A note's fields, as a list or as Anki's \x1f-joined string, hashed (the same either way)."""
    joined = fields if isinstance(fields, str) else "\x1f".join(fields)
    return hashlib.sha256(joined.encode()).hexdigest()[:24]

