"""Decks as the user sees them (name, source files, counts), and dropping one from study.

Dropping marks the cards of a deck (and its sub-decks) or of one notes file removed: they
leave every queue, their review history stays, and importing the notes again brings them
back with it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from studyapp.errors import UserError
from studyapp.store.database import Store


def deck_table(store: Store) -> list[dict]:
    """Every deck with its source files and card counts (live, removed), in name order."""
    decks: dict[str, dict] = defaultdict(lambda: {"files": set(), "cards": 0, "removed": 0})
    with store.session() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT deck, source_file, removed, count(*) FROM card GROUP BY deck, source_file, removed").all()
    for deck, source, removed, count in rows:
        entry = decks[deck]
        entry["files"].add(source)
        entry["removed" if removed else "cards"] += count
    return [{"deck": deck, "files": sorted(entry["files"]), "cards": entry["cards"], "removed": entry["removed"]}
            for deck, entry in sorted(decks.items())]


def drop_from_study(store: Store, target: str) -> tuple[str, int]:
    """Mark the cards of deck ``target`` (and below) or of notes file ``target`` removed.

    Returns (what was dropped, how many cards). A name that is neither is a UserError.
    """
    path = str(Path(target).expanduser().resolve())
    with store.transaction() as session:
        conn = session.connection()
        by_file = conn.exec_driver_sql("SELECT count(*) FROM card WHERE source_file = ?", (path,)).scalar()
        if by_file:
            where, params, what = "source_file = ?", (path,), f"file {path}"
        else:
            where, params, what = "(deck = ? OR substr(deck, 1, ?) = ?)", (target, len(target) + 2, target + "::"), \
                f"deck {target}"
            if not conn.exec_driver_sql(f"SELECT count(*) FROM card WHERE {where}", params).scalar():
                raise UserError(f"{target}: no such deck or imported notes file (see `studyapp decks`)")
        from studyapp.store.tables import utcnow

        stamp = utcnow().isoformat(timespec="microseconds")
        dropped = conn.exec_driver_sql(
            f"UPDATE card SET removed = 1, updated_at = ? WHERE removed = 0 AND {where}", (stamp, *params)).rowcount
    return what, dropped
