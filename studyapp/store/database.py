"""Open the SQLite database: location, pragmas, schema version and migrations.

Nothing here runs at import time; ``open_store`` is the one door in. The schema version
lives in SQLite's ``PRAGMA user_version``. To change the schema, append a function to
``MIGRATIONS``: entry *n* upgrades a version-*n* database to *n + 1* and runs inside the
same transaction that bumps the version, so a failed migration leaves the file as it was.

A new database is created in one ``BEGIN IMMEDIATE`` transaction (every table, every index
and the version stamp), so a first command killed at any moment leaves either nothing or a
complete schema, and several processes opening a new file at once take turns: the first
creates it, the others find it made. A file is checked to be ours by reading it only;
nothing is written to a file that is not a studyapp database.

Every write goes through ``Store.transaction()``, which starts with ``BEGIN IMMEDIATE``: the
write lock is taken before the first read, so a read-modify-write (a rating, an import, a
suspension) sees the latest committed state and no other writer can slip in between.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import Session, SQLModel, create_engine

from studyapp.errors import UserError
from studyapp.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

BUSY_TIMEOUT_MS = 5000  # how long to wait for another process's write lock
SQLITE_MAGIC = b"SQLite format 3\x00"
_IMMEDIATE = "studyapp_immediate"  # execution option: this transaction writes
_BUSY_MS = "studyapp_busy_ms"  # execution option: how long its BEGIN waits for the lock


def _busy_timeout_ms() -> int:
    return int(os.environ.get("STUDYAPP_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))


class StoreError(UserError):
    """The database cannot be used; the message names the file and the reason."""


class DatabaseLocked(StoreError):
    """Another process held the write lock for longer than this transaction would wait."""


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


def _v4_mock_interviews(conn: sqlite3.Connection) -> None:
    """Version 3 -> 4: ``mockinterview``, one row per finished mock interview (its report as JSON)."""
    conn.execute(
        "CREATE TABLE mockinterview (id INTEGER NOT NULL, started_at VARCHAR NOT NULL, finished_at VARCHAR NOT NULL,"
        " deck VARCHAR NOT NULL, questions INTEGER NOT NULL, seconds_per_question INTEGER NOT NULL,"
        " counted_as_reviews BOOLEAN NOT NULL, report VARCHAR NOT NULL, PRIMARY KEY (id))")
    conn.execute("CREATE INDEX ix_mockinterview_started_at ON mockinterview (started_at)")


def _v5_sync_content_key(conn: sqlite3.Connection) -> None:
    """Version 4 -> 5: ``syncedcard.content_key``, so a sync renders only the cards that changed."""
    conn.execute("ALTER TABLE syncedcard ADD COLUMN content_key VARCHAR NOT NULL DEFAULT ''")


def _v6_demo_prediction(conn: sqlite3.Connection) -> None:
    """Version 5 -> 6: a demo run records its thread count, the learner's prediction and the measured answer."""
    conn.execute("ALTER TABLE demorun ADD COLUMN threads INTEGER")
    conn.execute("ALTER TABLE demorun ADD COLUMN prediction VARCHAR")
    conn.execute("ALTER TABLE demorun ADD COLUMN answer VARCHAR")


def _v7_demo_link_reason(conn: sqlite3.Connection) -> None:
    """Version 6 -> 7: ``carddemo.reason``, why a card links a demo (links made before say nothing)."""
    conn.execute("ALTER TABLE carddemo ADD COLUMN reason VARCHAR NOT NULL DEFAULT ''")


def _v8_browser_indexes(conn: sqlite3.Connection) -> None:
    """Version 7 -> 8: indexes for the card browser's sorts and retrievability searches on 100k cards."""
    conn.execute("CREATE INDEX IF NOT EXISTS ix_card_memory ON card (stability, last_review, state, removed)")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_card_reps ON card (reps)")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_card_lapses ON card (lapses)")


# MIGRATIONS[n] upgrades a version-n database to n+1. A fresh database is created
# directly at the latest schema (tables.py) and stamped with SCHEMA_VERSION, so
# migrations only ever run on files made by an older studyapp.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_initial, _v2_sibling_key, _v3_anki_sync, _v4_mock_interviews, _v5_sync_content_key, _v6_demo_prediction,
    _v7_demo_link_reason, _v8_browser_indexes,
]
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
    """An open database: ``session()`` reads, ``transaction()`` writes."""

    path: Path
    engine: Engine
    created: bool  # True when this call created the schema

    def session(self) -> Session:
        """A session for reading (each of its transactions sees one consistent snapshot)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, wait_ms: Optional[int] = None) -> Iterator[Session]:
        """One all-or-nothing unit of work under the write lock: commit on success, roll back on any error.

        The lock is taken first (``BEGIN IMMEDIATE``), waiting up to ``wait_ms`` (default: the
        busy timeout) for another writer; ``DatabaseLocked`` when it could not be had.
        """
        options = {_IMMEDIATE: True, _BUSY_MS: _busy_timeout_ms() if wait_ms is None else wait_ms}
        with Session(self.engine.execution_options(**options), expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except DBAPIError as exc:
                session.rollback()
                raise describe_error(self.path, exc) from exc
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def describe_error(path: Path, exc: Exception) -> StoreError:
    """A database failure as one line naming the file."""
    text = str(getattr(exc, "orig", exc))
    if "locked" in text or "busy" in text:
        return DatabaseLocked(f"{path}: database is locked by another process; try again when it is done")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{path}: database file is corrupt ({text})")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path}: database is read-only ({text}); nothing was changed")
    return StoreError(f"{path}: {text}")


# ------------------------------------------------------------------ the file and its owner


def _database_path(path: Path | str | None) -> Path:
    """The path as given, made absolute so SQLite can never read it as a ``file:`` URI."""
    path = Path(path).expanduser() if path else default_db_path()
    return Path(os.path.abspath(path))


def _check_file(path: Path) -> None:
    """Refuse, before opening it, anything that is not a regular SQLite file (or nothing yet)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path.parent}: cannot create data folder ({exc.strerror})") from exc
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read database ({exc.strerror})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path}: is a directory, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path}: not a regular file (a pipe or a device?); give a database file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read database ({exc.strerror})") from exc
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not a SQLite database (refusing to touch it)")


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return {row[0] for row in rows}


def _check_ours(path: Path, conn: sqlite3.Connection) -> None:
    """Refuse another program's SQLite file, or a newer studyapp's, by reading it only.

    Ours: stamped with a version and holding our ``card`` table, or unstamped (version 0)
    holding nothing but (empty) tables of ours: a creation by an older studyapp that was
    killed half-way, which is rebuilt.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    present = _tables(conn)
    if version == 0:
        foreign = present - set(SQLModel.metadata.tables)
        if foreign:
            raise StoreError(f"{path}: SQLite file holds other tables ({', '.join(sorted(foreign))}); "
                             "not a studyapp database")
    elif "card" not in present:
        raise StoreError(f"{path}: SQLite file has no card table (version {version}); not a studyapp database")
    elif version > SCHEMA_VERSION:
        raise StoreError(f"{path}: schema version {version} is newer than this studyapp understands "
                         f"({SCHEMA_VERSION}); upgrade studyapp")


def _create_schema(path: Path, conn: sqlite3.Connection, dialect) -> None:
    """Every table and index at the latest schema, plus the version stamp (inside the caller's transaction)."""
    present = _tables(conn)
    for name in present:
        if conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None:
            raise StoreError(f"{path}: unfinished studyapp database holds data in {name}; move it aside")
    for name in present:
        conn.execute(f'DROP TABLE "{name}"')
    for table in SQLModel.metadata.sorted_tables:
        conn.execute(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda index: index.name or ""):
            conn.execute(str(CreateIndex(index).compile(dialect=dialect)).strip())
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _prepare(path: Path, engine: Engine) -> bool:
    """Check the file is ours, then create or migrate its schema; True when it was created."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        _check_ours(path, conn)
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return False
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")  # outside any transaction, as SQLite requires
        conn.execute("BEGIN IMMEDIATE")
        try:
            _check_ours(path, conn)  # again under the lock: another process may have been first
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                _create_schema(path, conn, engine.dialect)
            else:
                for step in MIGRATIONS[version:]:
                    step(conn)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return version == 0
    finally:
        raw.close()


# ------------------------------------------------------------------ connections


def _read_only(path: Path) -> bool:
    """An existing database we may not write (or whose folder we may not write: SQLite needs
    to create its -wal and -shm files there)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _engine(path: Path) -> Engine:
    """An engine whose connections open ``path`` as a plain file name (no URI, no percent-decoding).

    A database in a read-only place is opened immutable (our own URI, the path quoted), so
    commands that only read still work there; any write fails as "read-only".
    """
    target, uri = str(path), False
    if _read_only(path):
        target, uri = f"file:{urllib.parse.quote(str(path))}?immutable=1", True

    def connect() -> sqlite3.Connection:
        # isolation_level=None: the driver starts no transaction by itself; _begin does.
        return sqlite3.connect(target, timeout=_busy_timeout_ms() / 1000, isolation_level=None,
                               check_same_thread=False, uri=uri)

    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _begin)
    return engine


def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a commit survives a crash


def _begin(conn) -> None:
    """Reads begin a plain (snapshot) transaction; writes take the write lock at once."""
    options = conn.get_execution_options()
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(options.get(_BUSY_MS, _busy_timeout_ms()))}")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_IMMEDIATE) else "BEGIN")


def open_store(path: Path | str | None = None) -> Store:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date."""
    path = _database_path(path)
    _check_file(path)
    engine = _engine(path)
    try:
        created = _prepare(path, engine)
    except StoreError:
        engine.dispose()
        raise
    except Exception as exc:  # sqlite3 / SQLAlchemy errors: corrupt, locked, read-only
        engine.dispose()
        raise describe_error(path, exc) from exc
    return Store(path=path, engine=engine, created=created)
