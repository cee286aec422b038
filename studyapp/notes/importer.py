"""Bring parsed notes into the database without losing review history.

A card's id is derived from its deck path and normalised front when it is first seen,
and kept for life (:mod:`studyapp.notes.identity` says how a parsed card finds its card
again: identical fronts, renamed decks, reworded questions). An edited answer updates the
card in place; a card gone from the notes is marked ``removed`` (history kept), and comes
back if the notes bring it back.

An import works in three steps, so that the write lock is held only for the writes:
parse every file (nothing is open), plan the changes from a read of the database (no
lock), then write them in one ``BEGIN IMMEDIATE`` transaction that first checks that the
cards it planned from are unchanged (and plans again, inside the lock, if another process
changed them meanwhile). A crash or kill at any moment therefore leaves either the
database as it was before the import or the whole import: SQLite's journal rolls back an
uncommitted transaction, and nothing is committed before the last write.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from importlib.resources import files
from pathlib import Path

from studyapp.errors import UserError
from studyapp.notes import identity
from studyapp.notes.drafts import CardDraft, ParseResult, normalise_front
from studyapp.notes.parse import parse_notes
from studyapp.notes.reader import note_files, read_notes
from studyapp.notes.syntax import SRState
from studyapp.runner.catalog import catalog, demo_links
from studyapp.store.database import Store, describe_error
from studyapp.store.tables import NEW, REVIEW, utcnow

BUNDLED_DECK = "deep-learning-interview-notes.md"
_CHUNK = 500  # ids per IN (...) query


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


def _content_hash(draft: CardDraft, links: list[tuple[str, bool, str]]) -> str:
    text = "\x1f".join([draft.front, draft.back, draft.deck, " ".join(draft.tags), draft.kind,
                        " ".join(f"{demo}:{explicit}" for demo, explicit, _ in links)])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def parse_file(path: Path) -> ParseResult:
    """One notes file parsed, its explicit demo ids checked."""
    # the text goes straight into the parse, which lets go of it once it has the lines
    result = parse_notes(read_notes(path), source_file=str(path.resolve()), default_deck=path.stem)
    for draft in result.cards:
        unknown = [demo for demo in draft.demos if demo not in catalog()]
        if unknown:
            line = draft.demo_lines.get(unknown[0], draft.line)
            raise UserError(f"{path}:{line}: unknown demo {unknown[0]!r} (known: {', '.join(catalog())})")
    return result


def parse_files(paths: list[Path]) -> dict[str, list[CardDraft]]:
    """Read and parse every file first, so a bad file fails the import before any write."""
    parsed: dict[str, list[CardDraft]] = {}
    for path in note_files(paths):
        drafts = parse_file(path).cards
        if not drafts:
            raise UserError(f"{path}: no cards found (see README, 'Your notes → cards', for the syntax)")
        parsed[str(path.resolve())] = drafts
    return parsed


def import_paths(store: Store, paths: list[Path], now=None) -> ImportReport:
    """Import notes files (and folders of them) into the store, all or nothing."""
    parsed = parse_files(paths)
    now = now or utcnow()
    raw = store.engine.raw_connection()
    try:
        conn = raw.driver_connection
        plan = _Plan.make(conn, parsed, now)
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not plan.still_valid(conn):
                plan = _Plan.make(conn, parsed, now)
            del parsed  # the plan has what it needs; the drafts go while its rows are written
            plan.write(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise describe_error(store.path, exc) from exc
    finally:
        raw.close()
    return plan.report


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


_CONTENT = ("id", "front", "back", "deck", "tags", "kind", "content_hash", "source_file", "source_line",
            "position", "sibling_key", "updated_at")  # what the notes decide
_SCHEDULE = ("state", "stability", "difficulty", "due", "last_review")  # set once, when the card is new
_FRESH = ("removed", "suspended", "reps", "lapses", "created_at")


def _seeded(sr: SRState | None) -> tuple:
    """A new card's _SCHEDULE values: NEW, or an Obsidian schedule's review state.

    The interval becomes the FSRS stability (at 90% retention the next interval equals the
    stability), the ease the difficulty (250, Anki's start, is 5 of 10; each 34 points less
    ease is one more difficulty, within 1-10), the due date the due day (midnight UTC), and
    the last review the due date less the interval.
    """
    if sr is None:
        return (NEW, None, None, None, None)
    due = datetime.combine(sr.due, time(0), tzinfo=timezone.utc)
    return (REVIEW, float(max(sr.interval, 1)), min(10.0, max(1.0, 5.0 + (250 - sr.ease) / 34)),
            _stamp(due), _stamp(due - timedelta(days=sr.interval)))


_KNOWN_COLUMNS = "id, front, deck, content_hash, removed, source_file, source_line, position, sibling_key"


@dataclass
class _Plan:
    """The writes one import makes, computed from a read of the database."""

    report: ImportReport
    sources: list[str]
    fingerprint: tuple
    stamp: str  # the import's time, as stored
    inserts: list[tuple] = field(default_factory=list)  # _CONTENT + _SCHEDULE + _FRESH values
    updates: list[tuple] = field(default_factory=list)  # _CONTENT values but the id, then the id
    moves: list[tuple] = field(default_factory=list)  # (line, position, sibling_key, source, id)
    removals: list[str] = field(default_factory=list)
    links: dict[str, list[tuple[str, bool, str]]] = field(default_factory=dict)

    @classmethod
    def make(cls, conn: sqlite3.Connection, parsed: dict[str, list[CardDraft]], now) -> "_Plan":
        sources = list(parsed)
        rows = _rows_of(conn, sources)
        stamp = _stamp(now)
        plan = cls(ImportReport(files=sources), sources, _fingerprint(conn, rows), stamp)
        all_ids = {row[0] for row in conn.execute("SELECT id FROM card")}
        moved = {(row[1], normalise_front(row[2])): identity.Known(row[0], row[2], row[1], row[3], True)
                 for row in conn.execute("SELECT id, deck, front, content_hash FROM card WHERE removed = 1")}
        claimed: set[str] = set()
        by_source: dict[str, list[tuple]] = {source: [] for source in sources}
        for row in rows:
            by_source[row[5]].append(row)
        for source in sources:
            known_rows = by_source[source]
            for row in known_rows:
                moved.pop((row[2], normalise_front(row[1])), None)
            plan._sync_file(conn, source, parsed[source], known_rows, all_ids, moved, claimed, stamp)
        return plan

    def _sync_file(self, conn, source, drafts, rows, all_ids, moved, claimed, stamp) -> None:
        known = [identity.Known(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]
        by_id = {row[0]: row for row in rows}
        links = [demo_links(draft.front, draft.back, draft.demos) for draft in drafts]
        hashes = [_content_hash(draft, link) for draft, link in zip(drafts, links)]
        matched = identity.match(drafts, hashes, known, lambda cards: _fill_back_hashes(conn, cards),
                                 {key: card for key, card in moved.items() if card.id not in claimed})
        ids: list[str] = [card.id if card is not None else "" for card in matched]
        claimed.update(card_id for card_id in ids if card_id)
        new = sorted((index for index, card in enumerate(matched) if card is None),
                     key=lambda index: (not drafts[index].from_heading, index))
        for index in new:
            salt = 0
            while (card_id := card_id_for(drafts[index].deck, drafts[index].front, salt)) in all_ids:
                salt += 1
            all_ids.add(card_id)
            ids[index] = card_id
        siblings = _sibling_keys(drafts, ids)
        for position, (draft, card_id, link, digest) in enumerate(zip(drafts, ids, links, hashes)):
            content = (card_id, draft.front, draft.back, draft.deck, " ".join(draft.tags), draft.kind, digest,
                       source, draft.line, position, siblings[position], stamp)  # _CONTENT order
            row = by_id.get(card_id)
            if row is None and matched[position] is not None:  # a card that moved here from another file
                row = (card_id, "", "", "", 1, "", 0, 0, "")
            if row is None:
                self.inserts.append(content + _seeded(draft.sr) + (0, 0, 0, 0, stamp))  # + _SCHEDULE + _FRESH
                self.report.new.append(card_id)
                self.links[card_id] = link
            elif row[3] != digest or row[4]:
                self.updates.append(content[1:] + (card_id,))
                self.report.updated.append(card_id)
                self.links[card_id] = link
            else:
                if (row[5], row[6], row[7], row[8]) != (source, draft.line, position, siblings[position]):
                    self.moves.append((draft.line, position, siblings[position], source, card_id))
                self.report.unchanged.append(card_id)
        kept = set(ids)
        for row in rows:
            if row[0] not in kept and not row[4]:
                self.removals.append(row[0])
                self.report.removed.append(row[0])

    def still_valid(self, conn: sqlite3.Connection) -> bool:
        """True when the cards this plan was made from are as they were (checked inside the lock)."""
        return _fingerprint(conn, _rows_of(conn, self.sources)) == self.fingerprint

    def write(self, conn: sqlite3.Connection) -> None:
        columns = _CONTENT + _SCHEDULE + _FRESH
        conn.executemany(f"INSERT INTO card ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         _drained(self.inserts))
        conn.executemany(f"UPDATE card SET {', '.join(f'{c} = ?' for c in _CONTENT[1:])}, removed = 0 WHERE id = ?",
                         self.updates)
        conn.executemany("UPDATE card SET source_line = ?, position = ?, sibling_key = ?, source_file = ? WHERE id = ?",
                         self.moves)
        conn.executemany("UPDATE card SET removed = 1, updated_at = ? WHERE id = ?",
                         [(self.stamp, card_id) for card_id in self.removals])
        new = set(self.report.new)
        relinked = [card_id for card_id in self.links if card_id not in new]
        for chunk in range(0, len(relinked), _CHUNK):
            part = relinked[chunk:chunk + _CHUNK]
            conn.execute(f"DELETE FROM carddemo WHERE card_id IN ({', '.join('?' * len(part))})", part)
        conn.executemany("INSERT INTO carddemo (card_id, demo_id, explicit, reason) VALUES (?, ?, ?, ?)",
                         [(card_id, demo, int(explicit), reason) for card_id, links in self.links.items()
                          for demo, explicit, reason in links])


def _drained(rows: list[tuple]):
    """The rows in order, each let go of once given: binding a row caches a UTF-8 copy of each of
    its texts in the text itself, so rows kept to the end would hold a second copy of the notes."""
    for index in range(len(rows)):
        row, rows[index] = rows[index], None
        yield row


def _rows_of(conn: sqlite3.Connection, sources: list[str]) -> list[tuple]:
    rows: list[tuple] = []
    for chunk in range(0, len(sources), _CHUNK):
        part = sources[chunk:chunk + _CHUNK]
        rows += conn.execute(f"SELECT {_KNOWN_COLUMNS} FROM card WHERE source_file IN ({', '.join('?' * len(part))})"
                             " ORDER BY position", part).fetchall()
    return rows


def _fingerprint(conn: sqlite3.Connection, rows: list[tuple]) -> tuple:
    digest = hashlib.blake2b(repr(rows).encode("utf-8"), digest_size=16).hexdigest()
    return digest, conn.execute("SELECT count(*), max(rowid) FROM card").fetchone()


def _fill_back_hashes(conn: sqlite3.Connection, cards: list[identity.Known]) -> None:
    by_id = {card.id: card for card in cards}
    ids = list(by_id)
    for chunk in range(0, len(ids), _CHUNK):
        part = ids[chunk:chunk + _CHUNK]
        for card_id, back in conn.execute(f"SELECT id, back FROM card WHERE id IN ({', '.join('?' * len(part))})", part):
            by_id[card_id].back_hash = identity.back_hash(back)


def _sibling_keys(drafts: list[CardDraft], ids: list[str]) -> list[str]:
    """Each card's sibling group: the id of the first card of its note element, else its own id."""
    first: dict[str, str] = {}
    keys = []
    for draft, card_id in zip(drafts, ids):
        if draft.sibling:
            keys.append(first.setdefault(draft.sibling, card_id))
        else:
            keys.append(card_id)
    return keys


def import_bundled_if_empty(store: Store) -> ImportReport | None:
    """Give a brand-new database the bundled deck, so the first command has cards to show."""
    with store.session() as session:
        if session.connection().exec_driver_sql("SELECT 1 FROM card LIMIT 1").first() is not None:
            return None
    return import_paths(store, [bundled_deck_path()])
