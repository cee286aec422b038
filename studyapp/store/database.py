"""Open the SQLite database: location, pragmas, schema version and migrations.

Nothing here runs at import time; ``open_store`` is the one door in. The schema version
lives in SQLite's ``PRAGMA user_version``. To change the schema, append a function to
``MIGRATIONS``: entry *n* upgrades a version-*n* database to *n + 1* and runs inside the
same transaction that bumps the version, so a failed migration leaves the file as it was.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

from studyapp.errors import UserError
from studyapp.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

BUSY_TIMEOUT_MS = 5000  # how long to wait for another process's write lock


def _busy_timeout_ms() -> int:
    return int(os.environ.get("STUDYAPP_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(UserError):
    """The database cannot be used; the message names the file and the reason."""


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Version 0 -> 1: the first schema (all tables as tables.py declares them)."""


def _v2_sibling_key(conn: sqlite3.Connection) -> None:
    """Version 1 -> 2: ``card.sibling_key`` (every card its own group) replaces section burying.

    Siblings are now the cards of one note element, not of one heading section, so the
    section burials still pending are lifted: those cards are shown again today.
    """
    conn.execute("ALTER TABLE card ADD COLUMN sibling_key VARCHAR NOT NULL DEFAULT ''")
    conn.execute("UPDATE card SET sibling_key = id")
    conn.execute("CREATE INDEX ix_card_sibling_key ON card (sibling_key)")
    conn.execute("UPDATE card SET buried_until = NULL WHERE buried_until IS NOT NULL")


def _v3_anki_sync(conn: sqlite3.Connection) -> None:
    """Version 2 -> 3: ``studyapp sync``: Anki revlog ids on review rows, synced cards, sync state."""
    conn.execute("ALTER TABLE reviewlog ADD COLUMN anki_revlog_id INTEGER")
    conn.execute("CREATE UNIQUE INDEX ix_reviewlog_anki_revlog_id ON reviewlog (anki_revlog_id)")
    conn.execute(
        "CREATE TABLE syncedcard (card_id VARCHAR NOT NULL, anki_card_id INTEGER NOT NULL,"
        " fields_hash VARCHAR NOT NULL, tags VARCHAR NOT NULL, deck VARCHAR NOT NULL,"
        " suspended BOOLEAN NOT NULL, schedule_key VARCHAR NOT NULL, PRIMARY KEY (card_id),"
        " FOREIGN KEY(card_id) REFERENCES card (id) ON DELETE CASCADE)")
    conn.execute("CREATE TABLE syncstate (key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (key))")


# MIGRATIONS[n] upgrades a version-n database to n+1. A fresh database is created
# directly at the latest schema by SQLModel.metadata.create_all and stamped with
# SCHEMA_VERSION, so migrations only ever run on files made by an older studyapp.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_initial, _v2_sibling_key, _v3_anki_sync]
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """``--db`` wins, then ``STUDYAPP_DB``, then the platform's user data dir."""
    env = os.environ.get("STUDYAPP_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("studyapp", appauthor=False) / "studyapp.db"


@dataclass
class Store:
    """An open database: ``session()`` gives a SQLModel session on it."""

    path: Path
    engine: Engine
    created: bool  # True when this call created the file

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One all-or-nothing unit of work: commit on success, roll back on any error."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except DBAPIError as exc:
                session.rollback()
                raise _describe(self.path, exc) from exc
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def _check_is_sqlite(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read database ({exc.strerror})") from exc
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not a SQLite database (refusing to touch it)")


def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a commit survives a crash
    cursor.close()


def _describe(path: Path, exc: Exception) -> StoreError:
    text = str(getattr(exc, "orig", exc))
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: database is locked by another process; try again when it is done")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{path}: database file is corrupt ({text})")
    return StoreError(f"{path}: {text}")


def _migrate(path: Path, engine: Engine, created: bool) -> None:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: schema version {version} is newer than this studyapp "
                f"understands ({SCHEMA_VERSION}); upgrade studyapp"
            )
        if version == SCHEMA_VERSION and "card" in tables:
            return
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        if version == 0 and "card" not in tables:
            if tables and not created:
                raise StoreError(f"{path}: SQLite file holds other tables; not a studyapp database")
            SQLModel.metadata.create_all(engine, checkfirst=False)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for step in MIGRATIONS[version:]:
                step(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        raw.close()


def open_store(path: Path | str | None = None) -> Store:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date."""
    path = Path(path).expanduser() if path else default_db_path()
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    created = not path.exists()
    if not created:
        _check_is_sqlite(path)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path.parent}: cannot create data folder ({exc.strerror})") from exc
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": _busy_timeout_ms() / 1000})
    event.listen(engine, "connect", _on_connect)
    try:
        _migrate(path, engine, created)
    except StoreError:
        engine.dispose()
        raise
    except Exception as exc:  # sqlite3 / SQLAlchemy errors: corrupt, locked, read-only
        engine.dispose()
        raise _describe(path, exc) from exc
    return Store(path=path, engine=engine, created=created)
