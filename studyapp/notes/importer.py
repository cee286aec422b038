"""Bring parsed notes into the database without losing review history.

A card's id is derived from its deck path and normalised front when it is first seen,
and kept for life: an edited answer updates the card in place; a reworded question is
matched to the most similar unmatched card of the same section; a card gone from the
notes is marked ``removed`` (history kept), and comes back if the notes bring it back.
One import is one transaction: any failure leaves the database as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib.resources import files
from pathlib import Path

from sqlmodel import Session, delete, select

from studyapp.errors import UserError
from studyapp.notes.parse import CardDraft, normalise_front, parse_markdown
from studyapp.runner.catalog import catalog, matching_demos
from studyapp.store.database import Store
from studyapp.store.tables import NEW, Card, CardDemo, utcnow

REWORD_SIMILARITY = 0.75  # fronts at least this alike (same section) are one card edited
BUNDLED_DECK = "deep-learning-interview-notes.md"


@dataclass
class ImportReport:
    """What an import did, by card id."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.removed)} removed")


def bundled_deck_path() -> Path:
    """The deck that ships with studyapp (content/ in the source tree)."""
    return Path(str(files("studyapp.content") / BUNDLED_DECK))


def card_id_for(deck: str, front: str, salt: int = 0) -> str:
    key = f"{deck}\x1f{normalise_front(front)}" + (f"\x1f{salt}" if salt else "")
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _content_hash(draft: CardDraft, links: list[tuple[str, bool]]) -> str:
    text = "\x1f".join([draft.front, draft.back, draft.deck, " ".join(draft.tags), draft.kind,
                        " ".join(f"{demo}:{explicit}" for demo, explicit in links)])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def read_notes(path: Path) -> str:
    """The text of a notes file, or a UserError saying precisely what is wrong with it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory (give .md files, or a folder via the shell: content/*.md)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if b"\x00" in data[:8192]:
        raise UserError(f"{path}: binary file, not markdown notes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the notes as UTF-8") from None
    if not text.strip():
        raise UserError(f"{path}: empty file, no cards to import")
    return text


def parse_files(paths: list[Path]) -> dict[str, list[CardDraft]]:
    """Read and parse every file first, so a bad file fails the import before any write."""
    parsed: dict[str, list[CardDraft]] = {}
    for path in paths:
        text = read_notes(path)
        source = str(path.resolve())
        drafts = parse_markdown(text, source_file=source, default_deck=path.stem)
        if not drafts:
            raise UserError(f"{path}: no cards found (see README, 'Your notes → cards', for the syntax)")
        for draft in drafts:
            unknown = [demo for demo in draft.demos if demo not in catalog()]
            if unknown:
                line = draft.demo_lines.get(unknown[0], draft.line)
                raise UserError(f"{path}:{line}: unknown demo {unknown[0]!r} (known: {', '.join(catalog())})")
        parsed[source] = drafts
    return parsed


def import_paths(store: Store, paths: list[Path], now=None) -> ImportReport:
    """Import notes files into the store in one transaction."""
    parsed = parse_files(paths)
    now = now or utcnow()
    report = ImportReport(files=list(parsed))
    with store.transaction() as session:
        for source, drafts in parsed.items():
            _sync_file(session, source, drafts, now, report)
    return report


def _sync_file(session: Session, source: str, drafts: list[CardDraft], now, report: ImportReport) -> None:
    existing = {card.id: card for card in session.exec(select(Card).where(Card.source_file == source))}
    elsewhere = set(session.exec(select(Card.id).where(Card.source_file != source)))
    taken = set(existing) | elsewhere
    claimed: set[str] = set()
    changed: list[tuple[Card, list[tuple[str, bool]]]] = []
    pending: list[tuple[int, CardDraft]] = []
    for position, draft in enumerate(drafts):
        card_id = _free_id(draft, claimed)
        card = existing.get(card_id) or (session.get(Card, card_id) if card_id in elsewhere else None)
        if card is None:
            pending.append((position, draft))
            continue
        claimed.add(card_id)
        _sync_card(card, draft, position, now, report, changed)
    # Second pass: a card whose question was reworded in an earlier import keeps its first
    # id, so it is found by its current front; a question reworded now keeps the card it
    # most resembles; the rest are new, inserted in bulk (an ORM object per card is most of the cost).
    unmatched = [(card, normalise_front(card.front)) for card in existing.values() if card.id not in claimed]
    by_front = {(card.deck, front): card for card, front in unmatched}
    new_rows: list[dict] = []
    new_links: list[dict] = []
    for position, draft in pending:
        card = by_front.get((draft.deck, normalise_front(draft.front)))
        if card is None or card.id in claimed:
            card = _reworded_match(draft, unmatched, claimed)
        if card is not None:
            claimed.add(card.id)
            _sync_card(card, draft, position, now, report, changed)
            continue
        links = _links(draft)
        card_id = _free_id(draft, taken | claimed)
        claimed.add(card_id)
        report.new.append(card_id)
        new_rows.append(_new_row(card_id, draft, position, links, now))
        new_links += [{"card_id": card_id, "demo_id": demo, "explicit": explicit} for demo, explicit in links]
    for card_id, card in existing.items():
        if card_id not in claimed and not card.removed:
            card.removed = True
            card.updated_at = now
            report.removed.append(card_id)
    _store_changes(session, changed)
    connection = session.connection()
    if new_rows:
        connection.execute(Card.__table__.insert(), new_rows)
    if new_links:
        connection.execute(CardDemo.__table__.insert(), new_links)


def _sync_card(card: Card, draft: CardDraft, position: int, now, report: ImportReport,
               changed: list[tuple[Card, list[tuple[str, bool]]]]) -> None:
    links = _links(draft)
    if _apply(card, draft, position, links, now):
        report.updated.append(card.id)
        changed.append((card, links))
    else:
        report.unchanged.append(card.id)


def _new_row(card_id: str, draft: CardDraft, position: int, links, now) -> dict:
    return {
        "id": card_id, "sibling_key": card_id, "front": draft.front, "back": draft.back, "deck": draft.deck,
        "tags": " ".join(draft.tags), "source_file": draft.source_file, "source_line": draft.line,
        "position": position, "kind": draft.kind, "content_hash": _content_hash(draft, links),
        "removed": False, "suspended": False, "state": NEW, "reps": 0, "lapses": 0,
        "created_at": now, "updated_at": now,
    }


def _free_id(draft: CardDraft, taken: set[str]) -> str:
    """The derived id; a second card with the same deck and front gets a salted one."""
    salt = 0
    while (card_id := card_id_for(draft.deck, draft.front, salt)) in taken:
        salt += 1
    return card_id


def _reworded_match(draft: CardDraft, unmatched: list[tuple[Card, str]], claimed: set[str]) -> Card | None:
    """The unclaimed card of the same section whose (normalised) front is most like the draft's."""
    wanted = normalise_front(draft.front)
    best, best_score = None, REWORD_SIMILARITY
    for card, front in unmatched:
        if card.id in claimed or card.deck != draft.deck:
            continue
        score = SequenceMatcher(None, wanted, front).ratio()
        if score >= best_score:
            best, best_score = card, score
    return best


def _links(draft: CardDraft) -> list[tuple[str, bool]]:
    """(demo id, named explicitly) for every demo this card should link to."""
    links = [(demo_id, True) for demo_id in draft.demos]
    links += [(demo_id, False) for demo_id in matching_demos(draft.front, draft.deck) if demo_id not in draft.demos]
    return links


def _apply(card: Card, draft: CardDraft, position: int, links: list[tuple[str, bool]], now) -> bool:
    """Copy the draft onto the card; False when its content did not change.

    A card that only moved (lines added above it) gets its new location silently.
    """
    if (card.source_file, card.source_line, card.position) != (draft.source_file, draft.line, position):
        card.source_file, card.source_line, card.position = draft.source_file, draft.line, position
    digest = _content_hash(draft, links)
    if card.content_hash == digest and not card.removed:
        return False
    card.front, card.back, card.deck, card.kind = draft.front, draft.back, draft.deck, draft.kind
    card.tags = " ".join(draft.tags)
    card.content_hash, card.removed, card.updated_at = digest, False, now
    return True


def _store_changes(session: Session, changed: list[tuple[Card, list[tuple[str, bool]]]]) -> None:
    session.add_all(card for card, _ in changed)
    session.flush()
    ids = [card.id for card, _ in changed]
    for chunk in range(0, len(ids), 500):
        session.exec(delete(CardDemo).where(CardDemo.card_id.in_(ids[chunk:chunk + 500])))
    session.add_all(CardDemo(card_id=card.id, demo_id=demo_id, explicit=explicit)
                    for card, links in changed for demo_id, explicit in links)


def import_bundled_if_empty(store: Store) -> ImportReport | None:
    """Give a brand-new database the bundled deck, so the first command has cards to show."""
    with store.session() as session:
        if session.exec(select(Card.id).limit(1)).first() is not None:
            return None
    return import_paths(store, [bundled_deck_path()])
