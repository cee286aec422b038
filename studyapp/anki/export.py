"""Export cards to an Anki package (.apkg) with genanki.

One Anki note per card, in a note type of our own. Every id Anki matches on is derived
from our names, never from field content: the note type id from a constant, deck ids
from deck names, note GUIDs from card ids. So a second export of edited notes, imported
into the same Anki collection, updates those notes in place instead of duplicating them.
Anki replaces a note only when the incoming modification time is newer than the one it
has (and keeps the incoming time), so each export is stamped strictly later than the
previous one: ``max(now, last + 1)`` seconds, remembered in a small file next to the
database (``<db>.anki-stamp``), from the real clock (Anki compares real times, so ``--now``
never moves it). The export writes to the database only to record a demo run it made.
"""

from __future__ import annotations

import html
import os
import re
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
from studyapp.anki.html import markdown_to_html
from studyapp.anki.note_type import CLOZE_NOTE_TYPE, NOTE_TYPE, note_guid, stable_id
from studyapp.errors import UserError
from studyapp.store.database import Store
from studyapp.store.queries import deck_filter
from studyapp.store.tables import Card

Query = TypeVar("Query", Select, SelectOfScalar)
SUSPENDED_TAG = "studyapp::suspended"


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
    kind: str = "question"  # "cloze" cards become notes of Anki's Cloze type


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


def source_field(source_file: str | None, source_line: int | None) -> str:
    """Where the card is in the notes, ``file.md:12``: the file's name only, never a local path."""
    if not source_file:
        return ""
    name = source_file.replace("\\", "/").rsplit("/", 1)[-1]  # PurePath().name, 20x faster per card
    return html.escape(f"{name}:{source_line}")


def note_fields(card: ExportCard, demo_html: str) -> list[str]:
    """The note's fields (``FIELDS`` order) for one card: what the export and the sync write."""
    return [
        markdown_to_html(card.front),
        markdown_to_html(card.back),
        demo_html,
        source_field(card.source_file, card.source_line),
        card.id,
    ]


def note_tags(card: ExportCard) -> list[str]:
    """The heading path as tags, plus ``studyapp::suspended`` on a suspended card.

    Anki's importer resets suspension unless "Import any learning progress" is ticked, and
    the tag lets a learner find (and suspend) those cards again.
    """
    return card.tags.split() + ([SUSPENDED_TAG] if card.suspended else [])


def cloze_fields(card: ExportCard, demo_html: str) -> list[str]:
    """A cloze card's fields for Anki's Cloze type: its one deletion as ``{{c1::...}}``, nothing extra."""
    text = re.sub(r"\{\{c\d+::", "{{c1::", card.front)
    return [markdown_to_html(text), "", demo_html, source_field(card.source_file, card.source_line), card.id]


def build_note(card: ExportCard, demo: DemoMedia | None) -> genanki.Note:
    cloze = card.kind == "cloze"
    fields = (cloze_fields if cloze else note_fields)(card, demo.html if demo else "")
    note = genanki.Note(model=CLOZE_NOTE_TYPE if cloze else NOTE_TYPE, fields=fields, guid=note_guid(card.id),
                        tags=note_tags(card))
    note.cards[0].suspend = card.suspended
    return note


def build_package(cards: list[ExportCard], demos: dict[str, DemoMedia]) -> tuple[genanki.Package, list[str]]:
    """The genanki package for ``cards`` and the deck names it holds."""
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        deck = decks.get(card.deck)
        if deck is None:
            deck = decks[card.deck] = genanki.Deck(stable_id("deck", card.deck), card.deck)
        deck.add_note(build_note(card, demos.get(card.id)))
    media = sorted({path for demo in demos.values() for path in demo.files})
    return genanki.Package(list(decks.values()), media_files=media), list(decks)


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
            package, decks = build_package(cards, demos)
            stamp_file = stamp_file_for(store)
            stamp = next_stamp(stamp_file, datetime.now(timezone.utc))  # Anki compares real times, never --now
            reviews = 0
            if request.with_scheduling:
                from studyapp.anki.scheduling import write_with_scheduling

                scheduled = list(session.exec(_selected(select(Card), request.deck)))
                reviews = write_with_scheduling(session, scheduled, package, stamp, request.now, out,
                                                write_atomically)
            else:
                write_atomically(out, lambda path: package.write_to_file(str(path), timestamp=stamp))
            save_stamp(stamp_file, stamp)
            media = len(package.media_files)
    return ExportReport(path=out, notes=len(cards), media=media, decks=decks, reviews=reviews)
