"""Helpers shared by the command handlers: the database, the clock, JSON output."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from studyapp.errors import UserError

if TYPE_CHECKING:  # the store (SQLModel, SQLAlchemy) is imported by the commands that open one
    from studyapp.store.database import Store


def store_for(args, *, auto_import: bool = True) -> Store:
    """Open the database named by --db / $STUDYAPP_DB / the default location.

    On a database with no cards at all, the bundled deck is imported first, so that
    the first command a new user runs has something to show. An explicit ``--db`` in a
    folder that does not exist is refused (a typo should not create folders); only the
    default location's folder is created.
    """
    explicit = getattr(args, "db", None)
    if explicit:
        folder = Path(explicit).expanduser().parent
        if not folder.is_dir():
            raise UserError(f"--db {explicit}: folder {folder} does not exist (create it first, or fix the path)")
    from studyapp.store.database import open_store

    store = open_store(explicit)
    if auto_import:
        from studyapp.notes.importer import import_bundled_if_empty

        import_bundled_if_empty(store)
    return store


# Years --now may name: the scheduler adds intervals of up to maximum_interval (100 years) and
# local day boundaries to it, which must stay inside what datetime and the system clock hold.
NOW_YEARS = (1970, 9800)


def now_for(args) -> datetime:
    """--now ISO-TIME if given (a time without offset is taken as local), else the clock."""
    text = getattr(args, "now", None)
    if not text:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--now {text!r}: not an ISO time (e.g. 2026-01-31T09:00 or 2026-01-31T09:00+01:00)")
    if not NOW_YEARS[0] <= moment.year <= NOW_YEARS[1]:
        raise UserError(f"--now {text!r}: the year must be between {NOW_YEARS[0]} and {NOW_YEARS[1]} "
                        "(the scheduler adds up to 100 years of intervals to it)")
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local wall-clock time, as a user would type it
    return moment.astimezone(timezone.utc)


def counted(count: int, noun: str) -> str:
    """``1 card``, ``2 cards``, ``0 warnings``: a count with its noun in the right number."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a directory")
    return path
