"""Export cards to an Anki package (.apkg) with genanki.

One Anki note per card, in a note type of our own. Every id Anki matches on is derived
from our names, never from field content: the note type id from a constant, deck ids
from deck names, note GUIDs from card ids. So a second export of edited notes, imported
into the same Anki collection, updates those notes in place instead of duplicating them.
Anki replaces a note only when the incoming modification time is newer than the one it
has (and keeps the incoming time), so each export is stamped strictly later than the
previous one: ``max(now, last + 1)`` seconds, remembered in a small file next to the
database (``<db>.anki-stamp``), because exporting never writes to the database itself.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NamedTuple, TypeVar

import genanki
from sqlmodel import Session, or_, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from studyapp.anki_html import markdown_to_html
from studyapp.errors import UserError
from studyapp.export_demos import DemoMedia, demo_media
from studyapp.models import Card
from studyapp.store import Store

NOTE_TYPE_NAME = "studyapp Q&A"
# The fields are designed once. Anki matches an incoming note type on its id and field
# list: adding, removing or renaming a field later makes Anki see a conflicting schema,
# and re-imports then create a second note type and stop updating the notes learners
# already have. Put new information inside an existing field (Source, Demo) instead.
FIELDS = ("Front", "Back", "Demo", "Source", "CardId")

QUESTION = '<div class="front">{{Front}}</div>'
ANSWER = """\
<div class="front">{{Front}}</div>
<hr id="answer">
<div class="back">{{Back}}</div>
{{#Demo}}<div class="demo">{{Demo}}</div>{{/Demo}}
{{#Source}}<div class="source">{{Source}}</div>{{/Source}}"""

# Light colours by default; Anki desktop marks dark mode with .nightMode and AnkiDroid
# with .night_mode, so both selectors switch the same variables.
CSS = """\
.card {
  --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --code-bg: #f3f4f6; --rule: #d0d7de;
  --accent: #0969da;
  font-family: -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  font-size: 19px; line-height: 1.55; text-align: left;
  color: var(--fg); background: var(--bg);
  max-width: 46em; margin: 0 auto; padding: 0 0.6em;
}
.card.nightMode, .nightMode .card, .card.night_mode, .night_mode .card {
  --fg: #e6edf3; --muted: #9198a1; --bg: #1e1e1e; --code-bg: #2d333b; --rule: #444c56;
  --accent: #4493f8;
}
.front { font-weight: 600; font-size: 1.1em; }
hr#answer { border: none; border-top: 1px solid var(--rule); margin: 0.9em 0; }
pre { background: var(--code-bg); color: var(--fg); padding: 0.6em 0.8em; border-radius: 6px;
      overflow-x: auto; font-size: 0.85em; line-height: 1.4; }
code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; background: var(--code-bg);
       padding: 0.05em 0.3em; border-radius: 4px; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--rule); padding: 0.2em 0.5em; }
.math.block { display: block; overflow-x: auto; }
.demo { margin-top: 1em; padding-top: 0.6em; border-top: 1px dashed var(--rule); }
.demo img { max-width: 100%; height: auto; border-radius: 4px; background: #ffffff; }
.demo .command { color: var(--muted); font-size: 0.8em; }
.source { margin-top: 1em; color: var(--muted); font-size: 0.7em; }
"""

Query = TypeVar("Query", Select, SelectOfScalar)
ID_SPACE = (1 << 30, 1 << 31)  # genanki's recommended range for model and deck ids


def stable_id(kind: str, name: str) -> int:
    """An id in genanki's range, the same for the same (kind, name) on every export."""
    digest = int.from_bytes(hashlib.sha256(f"studyapp:{kind}:{name}".encode()).digest()[:8], "big")
    low, high = ID_SPACE
    return low + digest % (high - low)


_BASE91 = "".join(genanki.util.BASE91_TABLE)


def note_guid(card_id: str) -> str:
    """Anki's note GUID for one of our cards: from the card id only, never its text.

    The same string as ``genanki.guid_for("studyapp", card_id)`` (a test holds them equal),
    computed 3x faster: the export makes one per card.
    """
    value = int.from_bytes(hashlib.sha256(f"studyapp__{card_id}".encode()).digest()[:8], "big")
    digits = []
    while value:
        value, digit = divmod(value, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


NOTE_TYPE = genanki.Model(
    stable_id("note-type", NOTE_TYPE_NAME), NOTE_TYPE_NAME,
    fields=[{"name": name} for name in FIELDS],
    templates=[{"name": "Card 1", "qfmt": QUESTION, "afmt": ANSWER}],
    css=CSS, sort_field_index=0,
)


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
    """Fail early, before any work, when ``path`` cannot or must not be written."""
    if path.is_dir():
        raise UserError(f"{path}: is a directory; give a file name such as {path / 'studyapp.apkg'}")
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; pass --force to overwrite it")
    parent = path.parent
    if not parent.is_dir():
        raise UserError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"{path}: folder {parent} is not writable")


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


def _selected(query: Query, deck: str | None) -> Query:
    """``query`` limited to cards still in the notes (suspended ones included), in note order."""
    query = query.where(Card.removed == False)  # noqa: E712 (SQL expression)
    if deck:
        query = query.where(or_(Card.deck == deck, Card.deck.startswith(deck + "::")))
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


def build_note(card: ExportCard, demo: DemoMedia | None) -> genanki.Note:
    fields = [
        markdown_to_html(card.front),
        markdown_to_html(card.back),
        demo.html if demo else "",
        f"{card.source_file}:{card.source_line}" if card.source_file else "",
        card.id,
    ]
    note = genanki.Note(model=NOTE_TYPE, fields=fields, guid=note_guid(card.id), tags=card.tags.split())
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
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        write(partial)
        os.chmod(partial, 0o666 & ~_current_umask())  # the anki library writes 0600 files
        os.replace(partial, out)
    except OSError as exc:
        raise UserError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    finally:
        partial.unlink(missing_ok=True)


def export_anki(store: Store, request: ExportRequest,
                progress: Callable[[str], None] = lambda line: None) -> ExportReport:
    """Write the selected cards to ``request.out``; the database is only read."""
    out = request.out.expanduser().resolve()
    check_output(out, request.force)
    with store.session() as session:
        cards = select_cards(session, request.deck)
        with demo_media(session, {card.id for card in cards}, plots=request.plots,
                        progress=progress) as demos:
            package, decks = build_package(cards, demos)
            stamp_file = stamp_file_for(store)
            stamp = next_stamp(stamp_file, request.now)
            reviews = 0
            if request.with_scheduling:
                from studyapp.export_scheduling import write_with_scheduling

                scheduled = list(session.exec(_selected(select(Card), request.deck)))
                reviews = write_with_scheduling(session, scheduled, package, stamp, request.now, out,
                                                write_atomically)
            else:
                write_atomically(out, lambda path: package.write_to_file(str(path), timestamp=stamp))
            save_stamp(stamp_file, stamp)
            media = len(package.media_files)
    return ExportReport(path=out, notes=len(cards), media=media, decks=decks, reviews=reviews)
