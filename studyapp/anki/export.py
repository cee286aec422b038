"""Export cards to an Anki package (.apkg) with genanki.

Our cards become notes of our own note types exactly as ``studyapp sync`` makes them
(anki_notes.py): a note per question card, one Cloze note per cloze note with a card per
deletion. Every id Anki matches on is derived from our names, never from field content: the
note type id from a constant, deck ids from deck names, note GUIDs and ids from card ids (a
Cloze note's from its siblings' key). So a second export of edited notes, imported into the
same Anki collection, updates those notes in place instead of duplicating them, and a later
sync finds the notes it would have made.
Anki replaces a note only when the incoming modification time is newer than the one it
has (and keeps the incoming time), so each export is stamped strictly later than the
previous one: ``max(now, last + 1)`` seconds, remembered in a small file next to the
database (``<db>.anki-stamp``), from the real clock (Anki compares real times, so ``--now``
never moves it). The export writes to the database only to record a demo run it made.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NamedTuple, TypeVar

import genanki
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from studyapp.anki.demo_media import DemoMedia, demo_media
from studyapp.anki.anki_notes import CLOZE, AnkiNote, Slot, anki_notes, derived_id
from studyapp.anki.note_type import CLOZE_NOTE_TYPE, NOTE_TYPE, stable_id
from studyapp.errors import UserError
from studyapp.store.database import Store
from studyapp.store.queries import deck_filter
from studyapp.store.tables import Card

Query = TypeVar("Query", Select, SelectOfScalar)


@dataclass
class ExportRequest:
    """What the user asked for: ``studyapp export anki [OUT] [--deck X] ...``."""

    out: Path
    deck: str | None = None  # a deck and everything under it; None: all decks
    force: bool = False
    with_scheduling: bool = False
    plots: bool = True
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class ExportReport:
    """What was written: the user sees it as one line."""

    path: Path
    notes: int
    media: int
    decks: list[str]
    cards: int = 0  # more than notes when siblings of a cloze note are one Anki note
    reviews: int = 0  # review-log rows carried over (--with-scheduling)


def check_output(path: Path, force: bool) -> None:
    """Fail early, before any work, when ``path`` cannot or must not be written.

    Only a new path or an existing regular file (with ``force``) is written: a device such as
    /dev/full, a pipe or a socket is never replaced by a file.
    """
    parent = path.parent
    _check_name_length(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):  # a new file (its folder is checked below)
        info = None
    except OSError as exc:
        raise UserError(f"{path}: cannot write there ({exc.strerror})") from exc
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UserError(f"{path}: is a directory; give a file name such as {path / 'studyapp.apkg'}")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: not a regular file (a device or a pipe); give a new file name")
    if info is not None and not force:
        raise UserError(f"{path}: already exists; pass --force to overwrite it")
    if not parent.is_dir():
        raise UserError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"{path}: folder {parent} is not writable")
    probe = parent / f".{path.name}.{os.getpid()}.probe"  # access() says yes to root on a read-only mount
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as exc:
        raise UserError(f"{path}: cannot write in folder {parent} ({exc.strerror})") from exc


def _check_name_length(path: Path) -> None:
    """The name, and the temporary name written first beside it, must fit the folder's file system."""
    try:
        limit = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    longest = len(_partial_name(path).encode("utf-8", "surrogateescape"))
    if longest > limit:
        allowed = limit - (longest - len(path.name.encode("utf-8", "surrogateescape")))
        raise UserError(f"{path.name[:40]}…: file name too long ({len(path.name.encode())} bytes; "
                        f"at most {allowed} here)")


def _partial_name(out: Path) -> str:
    return f".{out.name}.{os.getpid()}.partial"


class ExportCard(NamedTuple):
    """The columns of a card that become its Anki note (reading them is 3x faster than ORM rows)."""

    id: str
    front: str
    back: str
    deck: str
    tags: str  # space-separated heading path: Anki's tags as they are
    source_file: str | None
    source_line: int | None
    suspended: bool
    kind: str  # "cloze": with its siblings, one note of Anki's Cloze type
    sibling_key: str
    removed: bool


def _selected(query: Query, deck: str | None) -> Query:
    """``query`` limited to cards still in the notes (suspended ones included), in note order."""
    query = query.where(Card.removed == False)  # noqa: E712 (SQL expression)
    if deck:
        query = query.where(deck_filter(deck))
    return query.order_by(Card.deck, Card.source_file, Card.position, Card.id)


def select_cards(session: Session, deck: str | None) -> list[ExportCard]:
    """The cards to export; a clear error when there are none."""
    columns = [getattr(Card, name) for name in ExportCard._fields]
    cards = [ExportCard(*row) for row in session.exec(_selected(select(*columns), deck))]
    if not cards:
        known = sorted(set(session.exec(select(Card.deck).where(Card.removed == False))))  # noqa: E712
        if deck:
            hint = f"; decks: {', '.join(known[:12])}" if known else ""
            raise UserError(f"no cards in deck {deck!r}{hint}")
        raise UserError("no cards to export; run `studyapp import NOTES.md` first")
    return cards


def next_stamp(stamp_file: Path, now: datetime) -> int:
    """This export's note modification time: later than every previous export's."""
    try:
        last = int(stamp_file.read_text().strip())
    except (OSError, ValueError):
        last = 0
    return max(int(now.timestamp()), last + 1)


def save_stamp(stamp_file: Path, stamp: int) -> None:
    try:
        partial = stamp_file.with_name(stamp_file.name + ".tmp")
        partial.write_text(f"{stamp}\n")
        os.replace(partial, stamp_file)
    except OSError as exc:
        print(f"studyapp: warning: cannot record the export time in {stamp_file} ({exc.strerror}); "
              "a re-export within the same second may not update Anki", file=sys.stderr)


def stamp_file_for(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".anki-stamp")


class _Note(genanki.Note):
    """A genanki note written with the note and card ids the sync gives it (anki_notes.derived_id).

    genanki takes a note's id, then each of its cards' ids, from ``id_gen``; Anki's importer
    keeps an incoming id its collection does not have yet (and renumbers one later than its clock).
    """

    def __init__(self, *, note_id: int, card_ids: dict[int, int], **note):
        super().__init__(**note)
        self.note_id, self.card_ids = note_id, card_ids

    def write_to_db(self, cursor, timestamp: float, deck_id, id_gen):
        ids = [self.note_id, *(self.card_ids.get(card.ord) or next(id_gen) for card in self.cards)]
        super().write_to_db(cursor, timestamp, deck_id, iter(ids))


def _unique(wanted: int, taken: set[int]) -> int:
    """``wanted``, or the next id free in ``taken`` (a hash collision); taken from then on."""
    while wanted in taken:
        wanted += 1
    taken.add(wanted)
    return wanted


def build_note(note: AnkiNote, demo: DemoMedia | None, taken: tuple[set[int], set[int]]) -> genanki.Note:
    """One genanki note: fields and tags as the sync writes them, each card suspended as ours."""
    notes_taken, cards_taken = taken
    source = note.id_source
    note_id = derived_id(source)  # a card's own note: its card's id too (one hash, as the sync has it)
    card_ids = {ordinal: _unique(note_id if card.id == source else derived_id(card.id), cards_taken)
                for card, ordinal in zip(note.cards, note.ordinals)}
    built = _Note(model=CLOZE_NOTE_TYPE if note.kind == CLOZE else NOTE_TYPE,
                  fields=note.fields(demo.html if demo else ""), guid=note.guid, tags=note.tags(),
                  note_id=_unique(note_id, notes_taken), card_ids=card_ids)
    suspended = {ordinal for card, ordinal in zip(note.cards, note.ordinals) if card.suspended}
    for card in built.cards:
        card.suspend = card.ord in suspended
    return built


def build_package(cards: list[ExportCard], demos: dict[str, DemoMedia]
                  ) -> tuple[genanki.Package, list[str], dict[str, Slot]]:
    """The genanki package for ``cards``, the deck names it holds, and each card's place in it.

    The cards are placed in notes as the sync places them (anki_notes.py): a cloze note's
    siblings are one Cloze note, a card per deletion, in the deck of its first card.
    """
    slots, notes = anki_notes(cards)
    decks: dict[str, genanki.Deck] = {}
    taken: tuple[set[int], set[int]] = (set(), set())
    for note in notes.values():
        deck = decks.get(note.lead.deck)
        if deck is None:
            deck = decks[note.lead.deck] = genanki.Deck(stable_id("deck", note.lead.deck), note.lead.deck)
        deck.add_note(build_note(note, demos.get(note.lead.id), taken))
    media = sorted({path for demo in demos.values() for path in demo.files})
    return genanki.Package(list(decks.values()), media_files=media), list(decks), slots


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside ``out``: a failed export leaves no half file."""
    partial = out.with_name(_partial_name(out))
    try:
        write(partial)
        os.chmod(partial, 0o666 & ~_current_umask())  # the anki library writes 0600 files
        os.replace(partial, out)
    except OSError as exc:  # a full disk, a file-size limit, a folder gone meanwhile
        raise UserError(f"{out}: cannot write ({exc.strerror or exc}); nothing was written") from exc
    except sqlite3.Error as exc:  # the package's collection is an SQLite file: "database or disk is full"
        raise UserError(f"{out}: cannot write ({exc}); nothing was written") from exc
    finally:
        partial.unlink(missing_ok=True)


def export_anki(store: Store, request: ExportRequest,
                progress: Callable[[str], None] = lambda line: None) -> ExportReport:
    """Write the selected cards to ``request.out``; the database gets only the demo runs made for it."""
    out = request.out.expanduser().resolve()
    check_output(out, request.force)
    with store.session() as session:
        cards = select_cards(session, request.deck)
        with demo_media(session, {card.id for card in cards}, plots=request.plots,
                        progress=progress, store=store) as demos:
            package, decks, slots = build_package(cards, demos)
            stamp_file = stamp_file_for(store)
            stamp = next_stamp(stamp_file, datetime.now(timezone.utc))  # Anki compares real times, never --now
            reviews = 0
            if request.with_scheduling:
                from studyapp.anki.scheduling import write_with_scheduling

                scheduled = list(session.exec(_selected(select(Card), request.deck)))
                reviews = write_with_scheduling(session, scheduled, slots, package, stamp, request.now, out,
                                                write_atomically)
            else:
                write_atomically(out, lambda path: package.write_to_file(str(path), timestamp=stamp))
            save_stamp(stamp_file, stamp)
            media = len(package.media_files)
            notes = sum(len(deck.notes) for deck in package.decks)
    return ExportReport(path=out, notes=notes, media=media, decks=decks, cards=len(cards), reviews=reviews)
